//! The audited org: a versioned [`Snapshot`] (what is written to and read from files) and
//! [`Org`], the same data with the indices the views need (roles, permissions by id and by
//! name). Nothing here talks to the network.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{
    timestamp, OrgId, Permission, PermissionId, Role, RoleId, User, UserId, UserStatus,
};

use super::AuditError;

/// The snapshot format this build writes and reads. Bump it when a field changes meaning
/// or is removed; adding an optional field does not need a bump.
pub const FORMAT_VERSION: u32 = 1;

/// The organization the snapshot is of.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub id: Option<OrgId>,
    pub name: Option<String>,
    pub public_id: Option<String>,
}

/// A complete, versioned picture of an org's access at one moment: users (as the API
/// returns them), roles, each role's permission ids, and the permission catalogue
/// (including the scope-only permissions).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format_version: u32,
    #[serde(with = "timestamp")]
    pub taken_at: OffsetDateTime,
    /// Where it was read from: the site (`datadoghq.eu`), a base URL, or the demo org.
    pub origin: String,
    /// The user whose keys read it.
    #[serde(default)]
    pub taken_by: Option<UserId>,
    #[serde(default)]
    pub org: OrgInfo,
    pub users: Vec<User>,
    /// Roles without their `relationships` (the permissions are in `role_permissions`).
    pub roles: Vec<Role>,
    pub role_permissions: BTreeMap<RoleId, Vec<PermissionId>>,
    /// The permission catalogue, scope-only permissions included.
    pub permissions: Vec<Permission>,
}

impl Snapshot {
    /// Reads a snapshot file, checking its format version before anything else.
    pub fn read(path: &Path) -> Result<Snapshot, AuditError> {
        let bytes = std::fs::read(path).map_err(|source| AuditError::Read {
            path: path.to_owned(),
            source,
        })?;
        let not_a_snapshot = |reason: String| AuditError::NotASnapshot {
            path: path.to_owned(),
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| not_a_snapshot(e.to_string()))?;
        let found = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| not_a_snapshot("it has no format_version".to_owned()))?;
        if found != u64::from(FORMAT_VERSION) {
            return Err(AuditError::Version {
                path: path.to_owned(),
                found,
            });
        }
        serde_json::from_value(value).map_err(|e| not_a_snapshot(e.to_string()))
    }

    /// Writes the snapshot as pretty JSON, atomically (a temporary file renamed into place),
    /// so an interrupted write never leaves half a snapshot under the name.
    pub fn write(&self, path: &Path) -> Result<(), AuditError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| AuditError::Write {
            path: path.to_owned(),
            source: std::io::Error::other(e),
        })?;
        write_file_atomically(path, crate::text::escape_json(&text).as_bytes())
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), AuditError> {
    let error = |source| AuditError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ddusers-audit".to_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(error)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        error(e)
    })
}

/// One permission a user holds, with every role of theirs that grants it.
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

/// A snapshot with its indices: the model every audit view reads.
#[derive(Clone, Debug)]
pub struct Org {
    snapshot: Snapshot,
    role_index: HashMap<RoleId, usize>,
    permission_index: HashMap<PermissionId, usize>,
    permission_by_name: HashMap<String, usize>,
    user_index: HashMap<UserId, usize>,
}

impl Org {
    /// Indexes a snapshot.
    pub fn new(snapshot: Snapshot) -> Org {
        let role_index = snapshot
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let permission_index = snapshot
            .permissions
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        let permission_by_name = snapshot
            .permissions
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name().to_owned(), i))
            .collect();
        let user_index = snapshot
            .users
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id.clone(), i))
            .collect();
        Org {
            snapshot,
            role_index,
            permission_index,
            permission_by_name,
            user_index,
        }
    }

    /// Reads and indexes a snapshot file.
    pub fn read(path: &Path) -> Result<Org, AuditError> {
        Snapshot::read(path).map(Org::new)
    }

    /// The data behind the org.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Gives the snapshot back.
    pub fn into_snapshot(self) -> Snapshot {
        self.snapshot
    }

    /// The moment the org was read; ages ("not logged in for 90 days") are counted from it.
    pub fn taken_at(&self) -> OffsetDateTime {
        self.snapshot.taken_at
    }

    pub fn users(&self) -> &[User] {
        &self.snapshot.users
    }

    pub fn roles(&self) -> &[Role] {
        &self.snapshot.roles
    }

    pub fn permissions(&self) -> &[Permission] {
        &self.snapshot.permissions
    }

    /// A user by id.
    pub fn user(&self, id: &UserId) -> Option<&User> {
        self.user_index.get(id).map(|&i| &self.snapshot.users[i])
    }

    /// A user by id, or by email (case-insensitive).
    pub fn find_user(&self, wanted: &str) -> Result<&User, AuditError> {
        let wanted = wanted.trim();
        self.user(&UserId::from(wanted))
            .or_else(|| {
                self.snapshot.users.iter().find(|u| {
                    u.attributes
                        .email
                        .as_deref()
                        .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
                })
            })
            .ok_or_else(|| AuditError::UnknownUser(wanted.to_owned()))
    }

    /// A role by id.
    pub fn role(&self, id: &RoleId) -> Option<&Role> {
        self.role_index.get(id).map(|&i| &self.snapshot.roles[i])
    }

    /// A role's name, or its id when the role is unknown.
    pub fn role_name(&self, id: &RoleId) -> String {
        self.role(id)
            .map(|r| r.display_name().to_owned())
            .unwrap_or_else(|| id.to_string())
    }

    /// The permission ids a role grants (none for an unknown role).
    pub fn role_permissions(&self, id: &RoleId) -> &[PermissionId] {
        self.snapshot
            .role_permissions
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A permission by id.
    pub fn permission(&self, id: &PermissionId) -> Option<&Permission> {
        self.permission_index
            .get(id)
            .map(|&i| &self.snapshot.permissions[i])
    }

    /// A permission's machine name, or its id when the catalogue lacks it.
    pub fn permission_name(&self, id: &PermissionId) -> String {
        self.permission(id)
            .map(|p| p.name().to_owned())
            .unwrap_or_else(|| id.to_string())
    }

    /// A permission by machine name (exact, then case-insensitive) or id.
    pub fn find_permission(&self, wanted: &str) -> Result<&Permission, AuditError> {
        let wanted = wanted.trim();
        self.permission_by_name
            .get(wanted)
            .map(|&i| &self.snapshot.permissions[i])
            .or_else(|| self.permission(&PermissionId::from(wanted)))
            .or_else(|| {
                self.snapshot
                    .permissions
                    .iter()
                    .find(|p| p.name().eq_ignore_ascii_case(wanted))
            })
            .ok_or_else(|| AuditError::UnknownPermission(wanted.to_owned()))
    }

    /// The roles a user holds, in the order the service lists them, without repeats.
    pub fn user_role_ids(&self, user: &User) -> Vec<RoleId> {
        let mut seen = BTreeSet::new();
        user.role_ids().filter(|r| seen.insert(r.clone())).collect()
    }

    /// The names of a user's roles, sorted.
    pub fn user_role_names(&self, user: &User) -> Vec<String> {
        let mut names: Vec<String> = self
            .user_role_ids(user)
            .iter()
            .map(|r| self.role_name(r))
            .collect();
        names.sort();
        names
    }

    /// The roles of `user` that grant the permission `id`, by name, sorted.
    pub fn granting_roles(&self, user: &User, id: &PermissionId) -> Vec<String> {
        let mut names: Vec<String> = self
            .user_role_ids(user)
            .iter()
            .filter(|r| self.role_permissions(r).contains(id))
            .map(|r| self.role_name(r))
            .collect();
        names.sort();
        names
    }

    /// Every permission a user holds through their roles, sorted by name, each with the
    /// roles that grant it.
    pub fn effective_permissions(&self, user: &User) -> Vec<EffectivePermission> {
        let mut by_id: BTreeMap<PermissionId, BTreeSet<String>> = BTreeMap::new();
        for role in self.user_role_ids(user) {
            let name = self.role_name(&role);
            for permission in self.role_permissions(&role) {
                by_id
                    .entry(permission.clone())
                    .or_default()
                    .insert(name.clone());
            }
        }
        let mut list: Vec<EffectivePermission> = by_id
            .into_iter()
            .map(|(id, roles)| EffectivePermission {
                name: self.permission_name(&id),
                group: self
                    .permission(&id)
                    .and_then(|p| p.attributes.group_name.clone()),
                id,
                granted_by: roles.into_iter().collect(),
            })
            .collect();
        list.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        list
    }
}

/// A user's status, `Active` when the service did not say.
pub fn status_of(user: &User) -> UserStatus {
    user.status()
}

/// Sort rank of a status: active, pending, disabled, anything else.
pub fn status_rank(status: &UserStatus) -> u8 {
    match status {
        UserStatus::Active => 0,
        UserStatus::Pending => 1,
        UserStatus::Disabled => 2,
        UserStatus::Other(_) => 3,
    }
}

/// The email, lower-cased, for ordering (empty when unknown).
pub fn email_key(user: &User) -> String {
    user.attributes
        .email
        .as_deref()
        .unwrap_or("")
        .to_lowercase()
}
