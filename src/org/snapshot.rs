//! The snapshot file: a complete, versioned picture of an org's access at one moment,
//! written by `ddusers snapshot` and read by the audits, `diff` and `open`. It is the
//! [`Org`]'s serialised form: [`Snapshot::of`] writes one from an org, [`Org::from_snapshot`]
//! reads one into an org. Users are stored as the API returns them, so older and newer
//! builds (and the offline sandbox) read the same file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{
    timestamp, Permission, PermissionAttributes, PermissionId, ResourceRef, Role, RoleAttributes,
    RoleId, ToMany, User, UserAttributes, UserId, UserRelationships,
};

use super::records::{Stamp, Status, UserRecord};
use super::{Org, OrgInfo, Reading, TextPolicy};

/// The snapshot format this build writes and reads. Bump it when a field changes meaning
/// or is removed; adding an optional field does not need a bump.
pub const FORMAT_VERSION: u32 = 1;

/// What can go wrong with a snapshot file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read.
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not an audit snapshot (or is damaged).
    #[error("{path} is not a ddusers audit snapshot ({reason}); write one with `ddusers snapshot --output FILE`")]
    NotASnapshot { path: PathBuf, reason: String },
    /// The snapshot was written by a newer (or older, incompatible) ddusers.
    #[error("{path} is in snapshot format {found}; this ddusers reads format {FORMAT_VERSION}")]
    Version { path: PathBuf, found: u64 },
}

/// The file's content: users (as the API returns them), roles, each role's permission ids,
/// and the permission catalogue (including the scope-only permissions).
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
    /// The ddusers version that wrote it (absent in files of older builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ddusers_version: Option<String>,
    #[serde(default)]
    pub org: OrgInfo,
    pub users: Vec<User>,
    /// Roles without their `relationships` (the permissions are in `role_permissions`).
    pub roles: Vec<Role>,
    pub role_permissions: BTreeMap<RoleId, Vec<PermissionId>>,
    /// The permission catalogue, scope-only permissions included.
    pub permissions: Vec<Permission>,
    /// The sha256 of the content (`users`, `roles`, `role_permissions`, `permissions`) as
    /// canonical JSON: `jq -cSj '{users,roles,role_permissions,permissions}' FILE |
    /// sha256sum`. Checked when read; absent in files of older builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_sha256: Option<String>,
}

/// What a snapshot's `content_sha256` covers.
#[derive(Serialize)]
struct Content<'a> {
    users: &'a [User],
    roles: &'a [Role],
    role_permissions: &'a BTreeMap<RoleId, Vec<PermissionId>>,
    permissions: &'a [Permission],
}

impl Snapshot {
    /// The sha256 of the snapshot's content as it stands (see `content_sha256`).
    pub fn compute_sha256(&self) -> Option<String> {
        crate::digest::canonical_sha256(&Content {
            users: &self.users,
            roles: &self.roles,
            role_permissions: &self.role_permissions,
            permissions: &self.permissions,
        })
        .ok()
    }

    /// "snapshot FILE of ORIGIN taken 2026-11-01 09:30": how the console names one.
    pub fn describe(&self, path: &Path) -> String {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let taken = timestamp::format(&self.taken_at);
        format!(
            "snapshot {file} of {} taken {}",
            self.origin,
            taken.get(..16).unwrap_or(&taken).replace('T', " ")
        )
    }

    /// Reads a snapshot file, checking its format version before anything else.
    pub fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
        let bytes = std::fs::read(path).map_err(|source| SnapshotError::Read {
            path: path.to_owned(),
            source,
        })?;
        let not_a_snapshot = |reason: String| SnapshotError::NotASnapshot {
            path: path.to_owned(),
            reason,
        };
        use crate::files::{parse_versioned_json, VersionedJsonError};
        let snapshot: Snapshot = parse_versioned_json(&bytes, "format_version", FORMAT_VERSION)
            .map_err(|e| match e {
                VersionedJsonError::Unreadable(reason) => not_a_snapshot(reason),
                VersionedJsonError::Version(found) => SnapshotError::Version {
                    path: path.to_owned(),
                    found,
                },
            })?;
        match &snapshot.content_sha256 {
            Some(recorded) if snapshot.compute_sha256().as_ref() != Some(recorded) => Err(
                not_a_snapshot("its content does not match its content_sha256: it was changed after it was written".to_owned()),
            ),
            _ => Ok(snapshot),
        }
    }

    /// Writes the snapshot as pretty JSON, atomically, so an interrupted write never leaves
    /// half a snapshot under the name.
    pub fn write(&self, path: &Path) -> Result<(), SnapshotError> {
        let error = |source| SnapshotError::Write {
            path: path.to_owned(),
            source,
        };
        // The hash says what is written, even of a snapshot changed since it was made.
        let hash = self.compute_sha256();
        let text = if self.content_sha256 == hash {
            serde_json::to_string_pretty(self)
        } else {
            let mut fixed = self.clone();
            fixed.content_sha256 = hash;
            serde_json::to_string_pretty(&fixed)
        }
        .map_err(|e| error(std::io::Error::other(e)))?;
        crate::files::write_atomically(path, crate::text::escape_json(&text).as_bytes())
            .map_err(error)
    }

    /// The snapshot of `org`: its reading (or now, from nowhere, for an org read as it
    /// went), its users as the service sent them (rebuilt from the records when the org
    /// did not keep them), the roles and permissions it saw.
    pub fn of(org: &Org) -> Snapshot {
        let reading = org.reading().cloned().unwrap_or_else(|| Reading {
            taken_at: OffsetDateTime::now_utc(),
            origin: String::new(),
            taken_by: None,
            info: OrgInfo::default(),
        });
        let mut snapshot = Snapshot {
            format_version: FORMAT_VERSION,
            taken_at: reading.taken_at,
            origin: reading.origin,
            taken_by: reading.taken_by,
            ddusers_version: Some(crate::VERSION.to_owned()),
            org: reading.info,
            users: org.users().iter().map(|u| user_of(org, u)).collect(),
            roles: org
                .roles()
                .iter()
                .filter(|r| r.seen)
                .map(|r| Role {
                    kind: "roles".to_owned(),
                    id: r.id.clone(),
                    attributes: RoleAttributes {
                        name: Some(r.name.clone()),
                        created_at: r.created_at,
                        modified_at: r.modified_at,
                        user_count: r.user_count,
                        receives_permissions_from: None,
                    },
                    relationships: None,
                })
                .collect(),
            role_permissions: role_permissions(org),
            permissions: org
                .perms()
                .iter()
                .filter(|p| p.seen)
                .map(|p| match &p.original {
                    Some(original) => (**original).clone(),
                    None => Permission {
                        kind: "permissions".to_owned(),
                        id: p.id.clone(),
                        attributes: PermissionAttributes {
                            name: Some(p.name.clone()),
                            display_name: Some(p.display_name.clone()),
                            description: p.description.clone(),
                            created: p.created,
                            group_name: Some(p.group.clone()),
                            display_type: p.display_type.clone(),
                            restricted: p.restricted,
                            name_aliases: p.name_aliases.clone(),
                        },
                    },
                })
                .collect(),
            content_sha256: None,
        };
        snapshot.content_sha256 = snapshot.compute_sha256();
        snapshot
    }
}

/// Each role's permission ids, sorted, for the roles whose permissions are known.
fn role_permissions(org: &Org) -> BTreeMap<RoleId, Vec<PermissionId>> {
    org.roles()
        .iter()
        .filter_map(|r| {
            let mut ids: Vec<PermissionId> = r
                .permissions
                .as_ref()?
                .iter()
                .filter_map(|p| org.perm(*p).map(|p| p.id.clone()))
                .collect();
            ids.sort();
            ids.dedup();
            Some((r.id.clone(), ids))
        })
        .collect()
}

/// The user as the service sent it, or as rebuilt from its record.
fn user_of(org: &Org, record: &UserRecord) -> User {
    if let Some(original) = &record.original {
        return (**original).clone();
    }
    let text = |t: &str| (!t.is_empty()).then(|| t.to_owned());
    let time = |s: Option<Stamp>| s.map(Stamp::time);
    User {
        kind: "users".to_owned(),
        id: record.id.clone(),
        attributes: UserAttributes {
            name: text(&record.name),
            handle: record.handle().map(str::to_owned),
            created_at: time(record.created),
            modified_at: time(record.modified),
            email: text(&record.email),
            title: record.title.as_deref().map(str::to_owned),
            verified: record.verified,
            service_account: Some(record.service_account),
            disabled: Some(record.status == Status::Disabled),
            status: Some(crate::api::models::UserStatus::parse(record.status_text())),
            mfa_enabled: record.mfa,
            last_login_time: time(record.last_login),
            allowed_login_methods: org.login_methods(record).map(|methods| {
                methods
                    .split(", ")
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect()
            }),
            ..UserAttributes::default()
        },
        relationships: UserRelationships {
            roles: Some(ToMany {
                data: record
                    .roles
                    .iter()
                    .filter_map(|r| org.role(*r))
                    .map(|r| ResourceRef {
                        kind: "roles".to_owned(),
                        id: r.id.0.clone(),
                    })
                    .collect(),
            }),
            ..UserRelationships::default()
        },
    }
}

impl Org {
    /// A user as the service sent it (an exact org keeps that), or rebuilt from its record.
    pub fn api_user(&self, record: &UserRecord) -> User {
        user_of(self, record)
    }

    /// The org a snapshot describes, its text kept as `policy` says. A role the snapshot
    /// lists without permissions grants none (as the file format always meant).
    pub fn from_snapshot(snapshot: &Snapshot, policy: TextPolicy) -> Org {
        let mut org = Org {
            text: policy,
            ..Org::default()
        };
        org.ingest_catalogue(&snapshot.permissions);
        for role in &snapshot.roles {
            org.intern_role(role);
            let granted = snapshot.role_permissions.get(&role.id);
            org.set_role_permissions(&role.id, granted.map_or(&[], Vec::as_slice));
        }
        for (role, granted) in &snapshot.role_permissions {
            if org.role_index(role).is_none() {
                org.set_role_permissions(role, granted);
            }
        }
        for user in &snapshot.users {
            org.upsert(user);
        }
        org.set_reading(Reading {
            taken_at: snapshot.taken_at,
            origin: snapshot.origin.clone(),
            taken_by: snapshot.taken_by.clone(),
            info: snapshot.org.clone(),
        });
        org
    }

    /// Reads a snapshot file into an exact org.
    pub fn read_snapshot(path: &Path) -> Result<Org, SnapshotError> {
        Snapshot::read(path).map(|s| Org::from_snapshot(&s, TextPolicy::Exact))
    }
}
