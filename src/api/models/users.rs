//! Users: the user resource, its listing and single answers, what listings include
//! (roles, permissions, organizations), and the anonymize and identity-provider answers.

use super::*;

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
