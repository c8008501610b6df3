//! Request bodies (a new user, a profile patch, relationship and invitation documents) and
//! Datadog's error body.

use super::*;

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
