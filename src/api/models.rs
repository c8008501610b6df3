//! Typed models of the Users API v2 and Roles API documents, shared by the client (which
//! parses them) and the sandbox (which serialises them). They accept what the service really
//! sends: unknown fields are ignored, absent and `null` both read as `None`, the service's
//! capitalised status values are typed with a fallback, and timestamps take either `Z` or
//! `+00:00` offsets.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

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

// ---------------------------------------------------------------------------------------
// Users

/// A user resource (`type: "users"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(rename = "type", default = "users_type")]
    pub kind: String,
    pub id: UserId,
    #[serde(default)]
    pub attributes: UserAttributes,
    #[serde(default)]
    pub relationships: UserRelationships,
}

fn users_type() -> String {
    "users".to_owned()
}

impl User {
    /// Ids of the roles the user holds, in the order the service lists them.
    pub fn role_ids(&self) -> impl Iterator<Item = RoleId> + '_ {
        self.relationships
            .roles
            .iter()
            .flat_map(|r| r.data.iter())
            .map(|r| RoleId(r.id.clone()))
    }

    /// True when the user holds the role.
    pub fn has_role(&self, role: &RoleId) -> bool {
        self.role_ids().any(|r| &r == role)
    }

    /// The one rule for "is this user disabled": `disabled: true` or status `Disabled`
    /// (the service sets both; either alone is enough).
    pub fn is_disabled(&self) -> bool {
        self.attributes.disabled == Some(true)
            || self.attributes.status == Some(UserStatus::Disabled)
    }

    /// The user's status, with `disabled: true` read as `Disabled` and a missing status as
    /// `Active` (what the service means when it leaves it out).
    pub fn status(&self) -> UserStatus {
        if self.is_disabled() {
            return UserStatus::Disabled;
        }
        self.attributes.status.clone().unwrap_or_default()
    }

    /// True for a service account.
    pub fn is_service_account(&self) -> bool {
        self.attributes.service_account == Some(true)
    }

    /// The org the user belongs to (`relationships.org`).
    pub fn org_id(&self) -> Option<OrgId> {
        self.relationships
            .org
            .as_ref()
            .and_then(|o| o.data.as_ref())
            .map(|r| OrgId(r.id.clone()))
    }
}

/// A user's attributes. `name`, `title` and `last_login_time` are written as `null` when
/// unset, as the service does; the others are omitted when unknown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserAttributes {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<String>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_login_methods: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UserStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa_enabled: Option<bool>,
    #[serde(default, with = "timestamp::option")]
    pub last_login_time: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
}

/// A user's relationships.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UserRelationships {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<ToMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<ToOne>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_orgs: Option<ToMany>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_users: Option<ToMany>,
}

/// `meta.page` of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_filtered_count: Option<i64>,
}

/// `meta` of a list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageMeta>,
}

/// ListUsers and ListRoleUsers (and the role-membership writes).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UsersResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<User>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub included: Vec<Included>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResponseMeta>,
}

impl UsersResponse {
    /// `meta.page.total_count`, when the service sent it.
    pub fn total_count(&self) -> Option<i64> {
        self.meta.as_ref()?.page.as_ref()?.total_count
    }

    /// `meta.page.total_filtered_count`, when the service sent it.
    pub fn total_filtered_count(&self) -> Option<i64> {
        self.meta.as_ref()?.page.as_ref()?.total_filtered_count
    }
}

/// GetUser, CreateUser, UpdateUser, GetCurrentUser, ListUserOrganizations.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserResponse {
    pub data: User,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub included: Vec<Included>,
}

impl UserResponse {
    /// The organizations `included` in the answer (ListUserOrganizations puts them there).
    pub fn orgs(&self) -> impl Iterator<Item = &Organization> {
        self.included.iter().filter_map(|i| match i {
            Included::Org(org) => Some(org),
            _ => None,
        })
    }
}

/// An item of `included`: a role, a permission or an organization. Anything else is kept
/// as raw JSON so a new kind of related object does not fail the page.
#[derive(Clone, Debug, PartialEq)]
pub enum Included {
    Role(Role),
    Permission(Permission),
    Org(Organization),
    Other(serde_json::Value),
}

impl Serialize for Included {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Included::Role(role) => role.serialize(serializer),
            Included::Permission(permission) => permission.serialize(serializer),
            Included::Org(org) => org.serialize(serializer),
            Included::Other(value) => value.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Included {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // One pass into the union of the three kinds' fields: a list page carries hundreds
        // of included permissions, and going through `serde_json::Value` first doubled the
        // cost of reading a page.
        let raw = RawIncluded::deserialize(deserializer)?;
        Ok(raw.into_included())
    }
}

/// Every field a role, a permission or an organization may carry (their attributes share
/// names with the same types: `name`, `description`, `created_at`, `modified_at`).
#[derive(Deserialize)]
struct RawIncluded {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    attributes: RawIncludedAttributes,
    #[serde(default)]
    relationships: Option<RoleRelationships>,
}

#[derive(Default, Deserialize)]
struct RawIncludedAttributes {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, with = "timestamp::option")]
    created_at: Option<OffsetDateTime>,
    #[serde(default, with = "timestamp::option")]
    modified_at: Option<OffsetDateTime>,
    // Roles.
    #[serde(default)]
    user_count: Option<i64>,
    #[serde(default)]
    receives_permissions_from: Option<Vec<String>>,
    // Permissions.
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default, with = "timestamp::option")]
    created: Option<OffsetDateTime>,
    #[serde(default)]
    group_name: Option<String>,
    #[serde(default)]
    display_type: Option<String>,
    #[serde(default)]
    restricted: Option<bool>,
    #[serde(default)]
    name_aliases: Option<Vec<String>>,
    // Organizations.
    #[serde(default)]
    public_id: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    sharing: Option<String>,
    #[serde(default)]
    disabled: Option<bool>,
}

impl RawIncluded {
    fn into_included(self) -> Included {
        let a = self.attributes;
        match self.kind.as_str() {
            "roles" => Included::Role(Role {
                kind: self.kind,
                id: RoleId(self.id),
                attributes: RoleAttributes {
                    name: a.name,
                    created_at: a.created_at,
                    modified_at: a.modified_at,
                    user_count: a.user_count,
                    receives_permissions_from: a.receives_permissions_from,
                },
                relationships: self.relationships,
            }),
            "permissions" => Included::Permission(Permission {
                kind: self.kind,
                id: PermissionId(self.id),
                attributes: PermissionAttributes {
                    name: a.name,
                    display_name: a.display_name,
                    description: a.description,
                    created: a.created,
                    group_name: a.group_name,
                    display_type: a.display_type,
                    restricted: a.restricted,
                    name_aliases: a.name_aliases,
                },
            }),
            "orgs" => Included::Org(Organization {
                kind: self.kind,
                id: OrgId(self.id),
                attributes: OrganizationAttributes {
                    name: a.name,
                    public_id: a.public_id,
                    description: a.description,
                    url: a.url,
                    sharing: a.sharing,
                    disabled: a.disabled,
                    created_at: a.created_at,
                    modified_at: a.modified_at,
                },
            }),
            // A kind this client does not know: kept as a reference only.
            _ => Included::Other(serde_json::json!({"type": self.kind, "id": self.id})),
        }
    }
}

/// An organization (`type: "orgs"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: OrgId,
    #[serde(default)]
    pub attributes: OrganizationAttributes,
}

/// An organization's attributes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_at: Option<OffsetDateTime>,
}

// ---------------------------------------------------------------------------------------
// Roles and permissions

/// A role (`type: "roles"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Role {
    #[serde(rename = "type", default = "roles_type")]
    pub kind: String,
    pub id: RoleId,
    #[serde(default)]
    pub attributes: RoleAttributes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationships: Option<RoleRelationships>,
}

fn roles_type() -> String {
    "roles".to_owned()
}

impl Role {
    /// The role's name, or its id when it has none.
    pub fn display_name(&self) -> &str {
        self.attributes.name.as_deref().unwrap_or(self.id.as_str())
    }

    /// Ids of the permissions the role grants (present in included roles and GetRole).
    pub fn permission_ids(&self) -> impl Iterator<Item = PermissionId> + '_ {
        self.relationships
            .iter()
            .flat_map(|r| r.permissions.iter())
            .flat_map(|p| p.data.iter())
            .map(|p| PermissionId(p.id.clone()))
    }
}

/// A role's attributes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_at: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receives_permissions_from: Option<Vec<String>>,
}

/// A role's relationships.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleRelationships {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<ToMany>,
}

/// ListRoles.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RolesResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ResponseMeta>,
}

/// GetRole.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoleResponse {
    pub data: Role,
}

/// A permission (`type: "permissions"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Permission {
    #[serde(rename = "type", default = "permissions_type")]
    pub kind: String,
    pub id: PermissionId,
    #[serde(default)]
    pub attributes: PermissionAttributes,
}

fn permissions_type() -> String {
    "permissions".to_owned()
}

impl Permission {
    /// The permission's machine name (`user_access_manage`), or its id when it has none.
    pub fn name(&self) -> &str {
        self.attributes.name.as_deref().unwrap_or(self.id.as_str())
    }
}

/// A permission's attributes. Note `created`, not `created_at`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PermissionAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_aliases: Option<Vec<String>>,
}

/// ListPermissions, ListRolePermissions, ListUserPermissions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PermissionsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<Permission>,
}

// ---------------------------------------------------------------------------------------
// Invitations

/// A user invitation (`type: "user_invitations"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    #[serde(rename = "type", default = "invitations_type")]
    pub kind: String,
    pub id: InvitationId,
    #[serde(default)]
    pub attributes: InvitationAttributes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationships: Option<InvitationRelationships>,
}

fn invitations_type() -> String {
    "user_invitations".to_owned()
}

impl Invitation {
    /// The invited user's id.
    pub fn user_id(&self) -> Option<UserId> {
        let data = self.relationships.as_ref()?.user.data.as_ref()?;
        Some(UserId(data.id.clone()))
    }
}

/// An invitation's attributes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvitationAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_type: Option<String>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub login_method: Option<String>,
}

/// An invitation's relationships.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvitationRelationships {
    pub user: ToOne,
}

/// SendInvitations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvitationsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<Invitation>,
}

/// GetInvitation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationResponse {
    pub data: Invitation,
}

// ---------------------------------------------------------------------------------------
// Anonymize and identity providers

/// AnonymizeUsers' result: who was anonymized, and why the others were not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnonymizeUsersResponse {
    pub data: AnonymizeUsersResponseData,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnonymizeUsersResponseData {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub id: String,
    pub attributes: AnonymizeUsersResult,
}

/// Per-user outcome of an anonymization.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnonymizeUsersResult {
    #[serde(default, deserialize_with = "null_as_default")]
    pub anonymized_user_ids: Vec<UserId>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub anonymize_errors: Vec<AnonymizeError>,
}

/// Why one user was not anonymized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnonymizeError {
    pub user_id: UserId,
    pub error: String,
}

/// GetUserIdentityProviders.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityProvidersResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<IdentityProviderOverride>,
}

/// One identity-provider override of a user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityProviderOverride {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: IdentityProviderId,
    pub attributes: IdentityProviderAttributes,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdentityProviderAttributes {
    pub authentication_method: String,
}

// ---------------------------------------------------------------------------------------
// Request bodies

/// What a new user is created with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewUser {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip)]
    pub roles: Vec<RoleId>,
}

impl NewUser {
    /// The CreateUser body.
    pub fn to_request(&self) -> serde_json::Value {
        let roles: Vec<_> = self
            .roles
            .iter()
            .map(|r| serde_json::json!({"type": "roles", "id": r}))
            .collect();
        serde_json::json!({
            "data": {
                "type": "users",
                "attributes": self,
                "relationships": {"roles": {"data": roles}},
            }
        })
    }
}

/// A field of a PATCH: left alone, cleared (`null`), or set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    pub fn is_keep(&self) -> bool {
        matches!(self, Patch::Keep)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Keep | Patch::Clear => serializer.serialize_none(),
            Patch::Set(value) => value.serialize(serializer),
        }
    }
}

/// The attributes an UpdateUser / UpdateCurrentUser changes; unset fields are left alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UserUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Patch::is_keep")]
    pub title: Patch<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

impl UserUpdate {
    /// True when the update changes nothing.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.email.is_none()
            && self.title.is_keep()
            && self.disabled.is_none()
    }

    /// The UpdateUser body for `id`.
    pub fn to_request(&self, id: &UserId) -> serde_json::Value {
        serde_json::json!({"data": {"type": "users", "id": id, "attributes": self}})
    }
}

/// A relationship body naming one user (AddUserToRole, RemoveUserFromRole).
pub fn relationship_to_user(id: &UserId) -> serde_json::Value {
    serde_json::json!({"data": {"type": "users", "id": id}})
}

/// The SendInvitations body for these users.
pub fn invitations_request(ids: &[UserId]) -> serde_json::Value {
    let data: Vec<_> = ids
        .iter()
        .map(|id| {
            serde_json::json!({
                "type": "user_invitations",
                "relationships": {"user": {"data": {"type": "users", "id": id}}},
            })
        })
        .collect();
    serde_json::json!({ "data": data })
}

/// The AnonymizeUsers body.
pub fn anonymize_request(ids: &[UserId]) -> serde_json::Value {
    serde_json::json!({
        "data": {"type": "anonymize_users_request", "attributes": {"user_ids": ids}}
    })
}

/// The UpdateUserIdentityProviders body; an empty list removes every override.
pub fn identity_providers_request(ids: &[IdentityProviderId]) -> serde_json::Value {
    let data: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({"type": "identity_providers", "id": id}))
        .collect();
    serde_json::json!({ "data": data })
}

/// Datadog's error body: `{"errors": ["message", ...]}`. Some other Datadog APIs use
/// JSON:API error objects; their `detail` or `title` is taken as the message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    pub errors: Vec<String>,
}

impl ErrorBody {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            errors: vec![message.into()],
        }
    }

    /// Reads an error body leniently: `None` when it is not a recognisable error document.
    pub fn parse(bytes: &[u8]) -> Option<ErrorBody> {
        let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let errors = value.get("errors")?.as_array()?;
        let messages = errors
            .iter()
            .filter_map(|e| match e {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Object(o) => o
                    .get("detail")
                    .or_else(|| o.get("title"))
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                _ => None,
            })
            .collect();
        Some(ErrorBody { errors: messages })
    }
}
