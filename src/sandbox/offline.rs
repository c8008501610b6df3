//! A sandbox serving an audit snapshot, so the console can browse a snapshot file like a
//! live org (offline auditing). The snapshot's own catalogue and role permissions are
//! served; no state file is written. The one application key, [`OFFLINE_APP_KEY`], belongs
//! to the user who took the snapshot when they may read users, else to the first active
//! user who may; the console on top of it runs read-only.

use std::collections::HashSet;
use std::path::PathBuf;

use time::OffsetDateTime;

use crate::api::models::{User, UserStatus};
use crate::org::snapshot::Snapshot as AuditSnapshot;

use super::store::{
    identity_providers_of, OrgRec, PermRec, RoleRec, Snapshot, Store, UserRec, SNAPSHOT_VERSION,
};
use super::{Sandbox, SandboxConfig, SandboxError};

/// The application key of a sandbox started with [`Sandbox::start_offline`].
pub const OFFLINE_APP_KEY: &str = "sandbox-offline-audit-key";

/// The name [`OFFLINE_APP_KEY`]'s record has in the key listings.
pub(crate) const OFFLINE_KEY_NAME: &str = "ddusers offline audit";

/// The permission the key's user needs to list users.
const READ: &str = "user_access_read";

impl Sandbox {
    /// Serves `snapshot` on 127.0.0.1 (port from `config`; its seed, user count and state
    /// file are ignored). Use [`DEMO_API_KEY`](super::DEMO_API_KEY) and [`OFFLINE_APP_KEY`].
    pub async fn start_offline(
        snapshot: &AuditSnapshot,
        config: SandboxConfig,
    ) -> Result<Sandbox, SandboxError> {
        let store = offline_store(snapshot).map_err(|reason| SandboxError::StateFileContent {
            path: PathBuf::from("<snapshot>"),
            reason,
        })?;
        Sandbox::serve(
            SandboxConfig {
                state_file: None,
                ..config
            },
            store,
        )
        .await
    }
}

fn offline_store(snapshot: &AuditSnapshot) -> Result<Store, String> {
    let at = snapshot.taken_at;
    let permissions = permission_recs(snapshot, at);
    let roles = role_recs(snapshot, at);
    let known_roles: HashSet<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    let mut emails = HashSet::new();
    let users: Vec<UserRec> = snapshot
        .users
        .iter()
        .map(|u| user_rec(u, at, &known_roles, &mut emails))
        .collect();
    let caller = key_owner(snapshot, &permissions, &roles, &users)?;
    Store::from_snapshot(
        Snapshot {
            version: SNAPSHOT_VERSION,
            org: org_rec(snapshot, at),
            roles,
            users,
            invitations: Vec::new(),
            // Made into a key record the way an older state file's keys are.
            app_keys: vec![(OFFLINE_APP_KEY.to_owned(), caller)],
            application_keys: None,
        },
        permissions,
    )
}

fn permission_recs(snapshot: &AuditSnapshot, at: OffsetDateTime) -> Vec<PermRec> {
    snapshot
        .permissions
        .iter()
        .map(|p| {
            let a = &p.attributes;
            PermRec {
                id: p.id.to_string(),
                name: p.name().to_owned(),
                display_name: a.display_name.clone(),
                description: a.description.clone(),
                created: a.created.unwrap_or(at),
                group_name: a.group_name.clone(),
                display_type: a.display_type.clone(),
                restricted: a.restricted.unwrap_or(false),
                name_aliases: a.name_aliases.clone().unwrap_or_default(),
                scope_only: false,
            }
        })
        .collect()
}

fn role_recs(snapshot: &AuditSnapshot, at: OffsetDateTime) -> Vec<RoleRec> {
    snapshot
        .roles
        .iter()
        .map(|r| RoleRec {
            id: r.id.to_string(),
            name: r.display_name().to_owned(),
            created_at: r.attributes.created_at.unwrap_or(at),
            modified_at: r.attributes.modified_at.unwrap_or(at),
            permissions: snapshot
                .role_permissions
                .get(&r.id)
                .map(|ids| ids.iter().map(|p| p.to_string()).collect())
                .unwrap_or_default(),
        })
        .collect()
}

fn org_rec(snapshot: &AuditSnapshot, at: OffsetDateTime) -> OrgRec {
    OrgRec {
        id: snapshot
            .org
            .id
            .as_ref()
            .map(|id| id.to_string())
            .unwrap_or_else(|| "offline".to_owned()),
        name: snapshot
            .org
            .name
            .clone()
            .unwrap_or_else(|| "Snapshot".to_owned()),
        public_id: snapshot.org.public_id.clone().unwrap_or_default(),
        description: Some(format!("snapshot of {}", snapshot.origin)),
        url: String::new(),
        sharing: String::new(),
        created_at: at,
        modified_at: at,
    }
}

/// The id of the user [`OFFLINE_APP_KEY`] belongs to: the one who took the snapshot when
/// they may read users, else the first enabled user who may.
fn key_owner(
    snapshot: &AuditSnapshot,
    permissions: &[PermRec],
    roles: &[RoleRec],
    users: &[UserRec],
) -> Result<String, String> {
    let read_ids: HashSet<&str> = permissions
        .iter()
        .filter(|p| p.name == READ)
        .map(|p| p.id.as_str())
        .collect();
    let reading_roles: HashSet<&str> = roles
        .iter()
        .filter(|r| r.permissions.iter().any(|p| read_ids.contains(p.as_str())))
        .map(|r| r.id.as_str())
        .collect();
    let reader =
        |u: &&UserRec| !u.disabled && u.roles.iter().any(|r| reading_roles.contains(r.as_str()));
    let taker = snapshot
        .taken_by
        .as_ref()
        .and_then(|id| users.iter().find(|u| u.id == id.as_str()))
        .filter(reader);
    Ok(taker
        .or_else(|| users.iter().find(reader))
        .ok_or("no enabled user of the snapshot may read users (user_access_read)")?
        .id
        .clone())
}

fn user_rec(
    user: &User,
    at: OffsetDateTime,
    known_roles: &HashSet<&str>,
    emails: &mut HashSet<String>,
) -> UserRec {
    let a = &user.attributes;
    let status = a.status.clone().unwrap_or_default();
    // Emails are unique in the sandbox; a missing or repeated one gets a stand-in.
    let mut email = a
        .email
        .clone()
        .unwrap_or_else(|| format!("{}@unknown.invalid", user.id));
    if !emails.insert(email.clone()) {
        email = format!("{}+{}", user.id, email);
        emails.insert(email.clone());
    }
    UserRec {
        id: user.id.to_string(),
        name: a.name.clone(),
        handle: a.handle.clone().unwrap_or_else(|| email.clone()),
        email,
        title: a.title.clone(),
        created_at: a.created_at.unwrap_or(at),
        modified_at: a.modified_at.unwrap_or(at),
        verified: match status {
            UserStatus::Active => true,
            UserStatus::Pending => false,
            _ => a.verified.unwrap_or(true),
        },
        service_account: a.service_account.unwrap_or(false),
        disabled: status == UserStatus::Disabled,
        mfa_enabled: a.mfa_enabled.unwrap_or(false),
        last_login_time: a.last_login_time,
        roles: user
            .role_ids()
            .map(|r| r.to_string())
            .filter(|r| known_roles.contains(r.as_str()))
            .collect(),
        identity_providers: identity_providers_of(
            a.allowed_login_methods.as_deref().unwrap_or_default(),
        ),
        anonymized: false,
        search: String::new(),
    }
}
