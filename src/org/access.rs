//! Who holds what: the one computation of a user's effective permissions (every permission
//! their roles grant, with the roles granting it), and the admin rule the audits use. The
//! console's detail pane, the audit views, exports and diffs all call these.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::models::PermissionId;
use crate::domain::{ACCESS_WRITE_PERMISSIONS, ADMIN_ROLE_NAME};

use super::records::{PermIx, RoleIx, UserRecord};
use super::Org;

/// One permission a user holds and the roles (of theirs) that grant it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub perm: PermIx,
    /// In the order the user holds them.
    pub roles: Vec<RoleIx>,
}

/// One permission a user holds, by name, with every role of theirs that grants it (the
/// exports' and `audit user`'s form).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectivePermission {
    /// The machine name (`user_access_manage`), or the id when the catalogue lacks it.
    pub name: String,
    pub id: PermissionId,
    #[serde(default)]
    pub group: Option<String>,
    /// Names of the granting roles, sorted.
    pub granted_by: Vec<String>,
}

/// Permissions of one group, for the detail pane.
#[derive(Clone, Debug, PartialEq)]
pub struct PermissionGroup {
    pub group: String,
    pub permissions: Vec<GrantedPermission>,
}

/// One effective permission and the roles granting it.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantedPermission {
    pub name: String,
    pub display_name: String,
    pub granted_by: Vec<String>,
}

impl Org {
    /// True when every role of `user` says which permissions it grants.
    pub fn permissions_known(&self, user: &UserRecord) -> bool {
        user.roles
            .iter()
            .all(|r| self.role(*r).is_some_and(|r| r.permissions.is_some()))
    }

    /// The roles of `user` granting `perm`, in the order the user holds them, once each.
    pub fn granting_roles(&self, user: &UserRecord, perm: PermIx) -> Vec<RoleIx> {
        let mut roles: Vec<RoleIx> = Vec::new();
        for &role in user.roles.iter() {
            let grants = self
                .role(role)
                .and_then(|r| r.permissions.as_ref())
                .is_some_and(|p| p.contains(&perm));
            if grants && !roles.contains(&role) {
                roles.push(role);
            }
        }
        roles
    }

    /// Names of `roles`, sorted.
    pub fn sorted_names(&self, roles: &[RoleIx]) -> Vec<String> {
        let mut names: Vec<String> = roles
            .iter()
            .map(|r| self.role_name(*r).to_owned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The one effective-permission computation: every permission `user` holds through
    /// their roles, with the roles granting it, by permission index. A role whose
    /// permissions are unknown grants nothing here (see [`Org::permissions_known`]).
    pub fn grants(&self, user: &UserRecord) -> Vec<Grant> {
        let mut by_perm: BTreeMap<PermIx, Vec<RoleIx>> = BTreeMap::new();
        for &role in user.roles.iter() {
            let Some(perms) = self.role(role).and_then(|r| r.permissions.as_ref()) else {
                continue;
            };
            for &perm in perms {
                let roles = by_perm.entry(perm).or_default();
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
        }
        by_perm
            .into_iter()
            .map(|(perm, roles)| Grant { perm, roles })
            .collect()
    }

    /// Every permission `user` holds, sorted by name, each with the granting roles' names.
    pub fn effective_permissions(&self, user: &UserRecord) -> Vec<EffectivePermission> {
        let mut list: Vec<EffectivePermission> = self
            .grants(user)
            .into_iter()
            .filter_map(|grant| {
                let perm = self.perm(grant.perm)?;
                Some(EffectivePermission {
                    name: perm.name.clone(),
                    id: perm.id.clone(),
                    group: perm.seen.then(|| perm.group.clone()),
                    granted_by: self.sorted_names(&grant.roles),
                })
            })
            .collect();
        list.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        list
    }

    /// A user's effective permissions grouped by permission group (groups and names
    /// sorted), for the detail pane. `None` when some role's permissions are unknown.
    pub fn permission_groups(&self, user: &UserRecord) -> Option<Vec<PermissionGroup>> {
        if !self.permissions_known(user) {
            return None;
        }
        let mut entries: Vec<(&super::PermInfo, Vec<RoleIx>)> = self
            .grants(user)
            .into_iter()
            .filter_map(|g| self.perm(g.perm).map(|info| (info, g.roles)))
            .collect();
        entries.sort_by(|a, b| (&a.0.group, &a.0.name).cmp(&(&b.0.group, &b.0.name)));
        let mut groups: Vec<PermissionGroup> = Vec::new();
        for (info, roles) in entries {
            let entry = GrantedPermission {
                name: info.name.clone(),
                display_name: info.display_name.clone(),
                granted_by: roles
                    .iter()
                    .map(|r| self.role_name(*r).to_owned())
                    .collect(),
            };
            match groups.last_mut() {
                Some(g) if g.group == info.group => g.permissions.push(entry),
                _ => groups.push(PermissionGroup {
                    group: info.group.clone(),
                    permissions: vec![entry],
                }),
            }
        }
        Some(groups)
    }

    /// The admin rule, resolved against this org's roles and permissions once, so it can
    /// be asked of every user cheaply.
    pub fn admin_rule(&self) -> AdminRule {
        AdminRule {
            admin_roles: self
                .roles()
                .iter()
                .enumerate()
                .filter(|(_, r)| r.name == ADMIN_ROLE_NAME)
                .map(|(i, _)| i as RoleIx)
                .collect(),
            write_perms: ACCESS_WRITE_PERMISSIONS
                .iter()
                .filter_map(|name| Some((*name, self.find_permission(name)?)))
                .collect(),
        }
    }
}

/// Who counts as an admin: holders of [`ADMIN_ROLE_NAME`], or of a role granting one of
/// [`ACCESS_WRITE_PERMISSIONS`].
#[derive(Clone, Debug)]
pub struct AdminRule {
    admin_roles: Vec<RoleIx>,
    write_perms: Vec<(&'static str, PermIx)>,
}

impl AdminRule {
    /// Why `role` makes its holders admins ("the admin role", "grants user_access_invite"),
    /// or `None` when it does not: it is the admin role, or it grants one of the
    /// access-write permissions (an access review asks about each such role).
    pub fn why_privileged(&self, org: &Org, role: RoleIx) -> Option<String> {
        if self.admin_roles.contains(&role) {
            return Some("the admin role".to_owned());
        }
        let granted = org.role(role)?.permissions.as_ref()?;
        let names: Vec<&str> = self
            .write_perms
            .iter()
            .filter(|(_, perm)| granted.contains(perm))
            .map(|(name, _)| *name)
            .collect();
        (!names.is_empty()).then(|| format!("grants {}", names.join(", ")))
    }

    /// Why `user` counts as an admin: the admin role, and each access-write permission
    /// with the (other) roles granting it. Empty when they are not an admin.
    pub fn reasons(&self, org: &Org, user: &UserRecord) -> Vec<String> {
        let mut reasons = Vec::new();
        if user.roles.iter().any(|r| self.admin_roles.contains(r)) {
            reasons.push(ADMIN_ROLE_NAME.to_owned());
        }
        for &(name, perm) in &self.write_perms {
            let roles: Vec<RoleIx> = org
                .granting_roles(user, perm)
                .into_iter()
                .filter(|r| !self.admin_roles.contains(r))
                .collect();
            if !roles.is_empty() {
                reasons.push(format!(
                    "{name} via {}",
                    org.sorted_names(&roles).join(", ")
                ));
            }
        }
        reasons
    }
}
