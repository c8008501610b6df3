//! Typed models of the Users API v2 and Roles API documents, shared by the client (which
//! parses them) and the sandbox (which serialises them). They accept what the service really
//! sends: unknown fields are ignored, absent and `null` both read as `None`, the service's
//! capitalised status values are typed with a fallback, and timestamps take either `Z` or
//! `+00:00` offsets.

mod audit;
mod invitations;
mod requests;
mod roles;
mod users;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

pub use audit::*;
pub use invitations::*;
pub use requests::*;
pub use roles::*;
pub use users::*;

macro_rules! id_newtype {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The identifier as the API spells it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    )*};
}

id_newtype!(
    /// A user's id (a UUID string).
    UserId,
    /// A role's id.
    RoleId,
    /// A permission's id.
    PermissionId,
    /// An organization's id.
    OrgId,
    /// A user invitation's id (equal to its `uuid` attribute).
    InvitationId,
    /// An identity provider's id.
    IdentityProviderId,
);

/// A user's status as the service spells it (`Active`, `Pending`, `Disabled`). Values the
/// service may add later are kept in `Other` rather than failing the whole page.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum UserStatus {
    #[default]
    Active,
    Pending,
    Disabled,
    Other(String),
}

impl UserStatus {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            UserStatus::Active => "Active",
            UserStatus::Pending => "Pending",
            UserStatus::Disabled => "Disabled",
            UserStatus::Other(other) => other,
        }
    }

    /// Parses the wire spelling; matching is case-insensitive so `filter[status]=active`
    /// and `Active` mean the same.
    pub fn parse(value: &str) -> UserStatus {
        match value.to_ascii_lowercase().as_str() {
            "active" => UserStatus::Active,
            "pending" => UserStatus::Pending,
            "disabled" => UserStatus::Disabled,
            _ => UserStatus::Other(value.to_owned()),
        }
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for UserStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UserStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Ok(UserStatus::parse(&value))
    }
}

/// Timestamps as the service sends them (RFC 3339). Serialised the way the service writes
/// them: microseconds and a `+00:00` offset, e.g. `2022-05-12T09:53:43.305109+00:00`.
pub mod timestamp {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    /// Formats a time like the service does.
    pub fn format(value: &OffsetDateTime) -> String {
        let utc = value.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second(),
            utc.microsecond()
        )
    }

    /// Parses an RFC 3339 time.
    pub fn parse(value: &str) -> Result<OffsetDateTime, time::error::Parse> {
        OffsetDateTime::parse(value, &Rfc3339)
    }

    pub fn serialize<S: Serializer>(value: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(value))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(|e| serde::de::Error::custom(format!("bad timestamp {text:?}: {e}")))
    }

    /// The same for optional fields, where absent and `null` both mean `None`.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::OffsetDateTime;

        pub fn serialize<S: Serializer>(
            value: &Option<OffsetDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => super::serialize(v, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<OffsetDateTime>, D::Error> {
            match Option::<String>::deserialize(d)? {
                None => Ok(None),
                Some(text) => super::parse(&text)
                    .map(Some)
                    .map_err(|e| serde::de::Error::custom(format!("bad timestamp {text:?}: {e}"))),
            }
        }
    }
}

/// `{"type": ..., "id": ...}`: a reference to another resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

impl ResourceRef {
    pub fn new(kind: &str, id: impl Into<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            id: id.into(),
        }
    }
}

/// A to-one relationship: `{"data": {...}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToOne {
    #[serde(default)]
    pub data: Option<ResourceRef>,
}

/// A to-many relationship: `{"data": [...]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToMany {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<ResourceRef>,
}

/// Reads `null` as the type's default (an empty list, typically).
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
