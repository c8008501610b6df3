//! Roles and permissions: the role and permission resources and their answers.

use super::*;

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
