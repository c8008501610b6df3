//! The store's records as the service serialises them: users, roles, permissions, the org,
//! and what a user listing includes.

use std::collections::HashSet;

use super::records::login_methods;
use super::{gravatar, Store};
use crate::api::models::{
    self, Included, Organization, OrganizationAttributes, Permission, PermissionAttributes,
    ResourceRef, Role, RoleAttributes, RoleRelationships, ToMany, ToOne, User, UserAttributes,
    UserRelationships,
};

impl Store {
    /// A user as the service serialises it.
    pub fn user_model(&self, idx: usize) -> User {
        let u = &self.users[idx];
        User {
            kind: "users".to_owned(),
            id: u.id.clone().into(),
            attributes: UserAttributes {
                name: u.name.clone(),
                handle: Some(u.handle.clone()),
                created_at: Some(u.created_at),
                modified_at: Some(u.modified_at),
                email: Some(u.email.clone()),
                icon: Some(gravatar(&u.email)),
                title: u.title.clone(),
                verified: Some(u.verified),
                service_account: Some(u.service_account),
                disabled: Some(u.disabled),
                allowed_login_methods: Some(login_methods(&u.identity_providers)),
                status: Some(u.status()),
                mfa_enabled: Some(u.mfa_enabled),
                last_login_time: u.last_login_time,
                uuid: Some(u.id.clone()),
            },
            relationships: UserRelationships {
                roles: Some(ToMany {
                    data: u
                        .roles
                        .iter()
                        .map(|r| ResourceRef::new("roles", r.clone()))
                        .collect(),
                }),
                org: Some(ToOne {
                    data: Some(ResourceRef::new("orgs", self.org.id.clone())),
                }),
                other_orgs: None,
                other_users: None,
            },
        }
    }

    /// A role; `user_count` is given on ListRoles / GetRole, not inside `included`.
    pub fn role_model(&self, idx: usize, user_count: Option<i64>) -> Role {
        let r = &self.roles[idx];
        Role {
            kind: "roles".to_owned(),
            id: r.id.clone().into(),
            attributes: RoleAttributes {
                name: Some(r.name.clone()),
                created_at: Some(r.created_at),
                modified_at: Some(r.modified_at),
                user_count,
                receives_permissions_from: None,
            },
            relationships: Some(RoleRelationships {
                permissions: Some(ToMany {
                    data: r
                        .permissions
                        .iter()
                        .map(|p| ResourceRef::new("permissions", p.clone()))
                        .collect(),
                }),
            }),
        }
    }

    /// A list answer of the permissions at `indices` (the catalogue, a role's, a user's).
    pub fn permissions_response(
        &self,
        indices: impl IntoIterator<Item = usize>,
    ) -> crate::api::models::PermissionsResponse {
        crate::api::models::PermissionsResponse {
            data: indices
                .into_iter()
                .map(|p| self.permission_model(p))
                .collect(),
        }
    }

    /// A permission of the catalogue.
    pub fn permission_model(&self, idx: usize) -> Permission {
        let p = &self.permissions[idx];
        Permission {
            kind: "permissions".to_owned(),
            id: p.id.clone().into(),
            attributes: PermissionAttributes {
                name: Some(p.name.clone()),
                display_name: p.display_name.clone(),
                description: p.description.clone(),
                created: Some(p.created),
                group_name: p.group_name.clone(),
                display_type: p.display_type.clone(),
                restricted: Some(p.restricted),
                name_aliases: Some(p.name_aliases.clone()),
            },
        }
    }

    /// The organization.
    pub fn org_model(&self) -> Organization {
        let o = &self.org;
        Organization {
            kind: "orgs".to_owned(),
            id: o.id.clone().into(),
            attributes: OrganizationAttributes {
                name: Some(o.name.clone()),
                public_id: Some(o.public_id.clone()),
                description: o.description.clone(),
                url: Some(o.url.clone()),
                sharing: Some(o.sharing.clone()),
                disabled: Some(false),
                created_at: Some(o.created_at),
                modified_at: Some(o.modified_at),
            },
        }
    }

    /// `included` for users: each distinct role (with its permission ids), then each
    /// distinct permission of those roles, in order of first appearance.
    pub fn users_included(&self, users: &[usize]) -> Vec<Included> {
        let mut role_seen = HashSet::new();
        let mut roles = Vec::new();
        for &u in users {
            for role in &self.users[u].roles {
                if let Some(r) = self.role_index(role) {
                    if role_seen.insert(r) {
                        roles.push(r);
                    }
                }
            }
        }
        let mut perm_seen = HashSet::new();
        let mut perms = Vec::new();
        for &r in &roles {
            for perm in &self.roles[r].permissions {
                if let Some(p) = self.permission_index(perm) {
                    if perm_seen.insert(p) {
                        perms.push(p);
                    }
                }
            }
        }
        roles
            .into_iter()
            .map(|r| Included::Role(self.role_model(r, None)))
            .chain(
                perms
                    .into_iter()
                    .map(|p| Included::Permission(self.permission_model(p))),
            )
            .collect()
    }

    /// The GetUser-style document of one user.
    pub fn user_response(&self, idx: usize) -> models::UserResponse {
        models::UserResponse {
            data: self.user_model(idx),
            included: self.users_included(&[idx]),
        }
    }
}
