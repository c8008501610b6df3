//! The sandbox's in-memory organization: users, roles, the permission catalogue,
//! invitations and application keys (`keyring`), with the indices that keep list pages
//! O(page). Pure data and queries: no HTTP, no locking policy (the caller holds the store
//! behind a lock), no files.

mod lists;
mod records;
mod wire;

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use time::OffsetDateTime;

use super::audit::AuditTrail;
use super::keyring::{AppKeyRec, KeyRing};
use lists::ListCache;
pub(crate) use lists::{page_of, status_filter_bit, Selection, SortKey};
pub(crate) use records::{
    gravatar, identity_providers_of, new_id, InvRec, OrgRec, PermRec, RoleRec, Snapshot,
    SnapshotRef, UserRec, IDENTITY_PROVIDERS, SNAPSHOT_VERSION,
};

/// The whole organization.
pub(crate) struct Store {
    pub org: OrgRec,
    pub permissions: Vec<PermRec>,
    perm_index: HashMap<String, usize>,
    pub roles: Vec<RoleRec>,
    role_index: HashMap<String, usize>,
    pub users: Vec<UserRec>,
    user_index: HashMap<String, usize>,
    email_index: HashMap<String, usize>,
    /// Application keys; authentication looks the secret up here.
    pub keys: KeyRing,
    /// API keys accepted besides the demo one (never persisted).
    extra_api_keys: Vec<String>,
    pub invitations: Vec<InvRec>,
    /// Bumped by every applied write.
    pub generation: u64,
    /// Ids for users and invitations created at run time.
    pub rng: fastrand::Rng,
    cache: Mutex<ListCache>,
    /// Audit Trail events of the changes applied (and the seeded history).
    pub audit: AuditTrail,
}

impl Store {
    /// Builds a store from a snapshot and the catalogue, checking what it refers to.
    pub fn from_snapshot(snapshot: Snapshot, permissions: Vec<PermRec>) -> Result<Store, String> {
        if snapshot.version != SNAPSHOT_VERSION {
            return Err(format!(
                "state file version {} is not supported (expected {SNAPSHOT_VERSION})",
                snapshot.version
            ));
        }
        let seed = snapshot.users.len() as u64 ^ 0x5eed_5eed;
        let keys = match snapshot.application_keys {
            Some(keys) => keys,
            None => legacy_keys(&snapshot.app_keys, &snapshot.users),
        };
        let mut store = Store {
            org: snapshot.org,
            permissions,
            perm_index: HashMap::new(),
            roles: snapshot.roles,
            role_index: HashMap::new(),
            users: snapshot.users,
            user_index: HashMap::new(),
            email_index: HashMap::new(),
            keys: KeyRing::new(keys)?,
            extra_api_keys: Vec::new(),
            invitations: snapshot.invitations,
            generation: 0,
            rng: fastrand::Rng::with_seed(seed),
            cache: Mutex::new(ListCache::default()),
            audit: AuditTrail::default(),
        };
        store.reindex()?;
        Ok(store)
    }

    /// Rebuilds every id index (after loading or seeding).
    fn reindex(&mut self) -> Result<(), String> {
        self.perm_index = self
            .permissions
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        self.role_index = self
            .roles
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        self.user_index = HashMap::with_capacity(self.users.len());
        self.email_index = HashMap::with_capacity(self.users.len());
        for (i, user) in self.users.iter_mut().enumerate() {
            user.refresh_search();
            if self.user_index.insert(user.id.clone(), i).is_some() {
                return Err(format!("duplicate user id {}", user.id));
            }
            if self.email_index.insert(user.email.clone(), i).is_some() {
                return Err(format!("duplicate user email {}", user.email));
            }
            if let Some(role) = user
                .roles
                .iter()
                .find(|r| !self.role_index.contains_key(*r))
            {
                return Err(format!("user {} refers to unknown role {role}", user.id));
            }
        }
        if let Some(key) = self
            .keys
            .records()
            .iter()
            .find(|k| !self.user_index.contains_key(&k.owner))
        {
            return Err(format!(
                "application key {} belongs to unknown user {}",
                key.id, key.owner
            ));
        }
        Ok(())
    }

    /// A borrowed snapshot for persistence (keys configured at start left out).
    pub fn snapshot(&self) -> SnapshotRef<'_> {
        let application_keys: Vec<&AppKeyRec> = self
            .keys
            .records()
            .iter()
            .filter(|k| !k.transient)
            .collect();
        let mut app_keys: Vec<_> = application_keys
            .iter()
            .map(|k| (&k.key, &k.owner))
            .collect();
        app_keys.sort();
        SnapshotRef {
            version: SNAPSHOT_VERSION,
            org: &self.org,
            roles: &self.roles,
            users: &self.users,
            invitations: &self.invitations,
            app_keys,
            application_keys,
        }
    }

    /// Marks a write as applied: derived indices are stale from now on.
    pub fn touch(&mut self) {
        self.generation += 1;
    }

    // -- lookups ---------------------------------------------------------------------

    pub fn user_index(&self, id: &str) -> Option<usize> {
        self.user_index.get(id).copied()
    }

    pub fn user_by_email(&self, email: &str) -> Option<usize> {
        self.email_index.get(&email.to_lowercase()).copied()
    }

    pub fn role_index(&self, id: &str) -> Option<usize> {
        self.role_index.get(id).copied()
    }

    pub fn permission_index(&self, id: &str) -> Option<usize> {
        self.perm_index.get(id).copied()
    }

    /// Also accepts `api_key`, and `app_key` as a key (not persisted) of the user
    /// `existing_app_key` belongs to.
    pub fn alias_keys(&mut self, api_key: &str, app_key: &str, existing_app_key: &str) {
        let owner = self
            .keys
            .owner_of_secret(existing_app_key)
            .map(str::to_owned);
        if let Some(owner) = owner.and_then(|id| self.user_index(&id)) {
            let mut record = key_record_for(
                &self.users[owner],
                app_key,
                "ddusers extra key (sandbox config)",
            );
            record.transient = true;
            // An existing secret already authenticates; nothing to add then.
            let _ = self.keys.insert(record);
        }
        self.extra_api_keys.push(api_key.to_owned());
    }

    /// Whether `key` is an API key of this sandbox besides the demo one.
    pub fn accepts_api_key(&self, key: &str) -> bool {
        self.extra_api_keys.iter().any(|k| k == key)
    }

    /// The user an application key belongs to.
    pub fn user_for_app_key(&self, key: &str) -> Option<usize> {
        self.keys
            .owner_of_secret(key)
            .and_then(|id| self.user_index(id))
    }

    /// Deletes the user's application keys, as disabling a user does; returns how many.
    pub fn revoke_application_keys(&mut self, user: usize) -> usize {
        let revoked = self.keys.revoke_owner(&self.users[user].id);
        if revoked > 0 {
            self.touch();
        }
        revoked
    }

    /// Gives an enabled user a new application key with this secret, created at `now`;
    /// returns its id, or `None` when the user is disabled or the secret is taken.
    pub fn add_application_key(
        &mut self,
        user: usize,
        secret: &str,
        name: &str,
        now: OffsetDateTime,
    ) -> Option<String> {
        if self.users[user].disabled {
            return None;
        }
        let mut record = key_record_for(&self.users[user], secret, name);
        record.created_at = now;
        let id = record.id.clone();
        self.keys.insert(record).ok()?;
        self.touch();
        Some(id)
    }

    /// Whether the user holds a permission (by name) through any of their roles.
    pub fn user_has_permission(&self, user: usize, name: &str) -> bool {
        self.users[user].roles.iter().any(|role| {
            self.role_index(role).is_some_and(|r| {
                self.roles[r].permissions.iter().any(|p| {
                    self.permission_index(p)
                        .is_some_and(|i| self.permissions[i].name == name)
                })
            })
        })
    }

    /// Permission indices granted to the user, deduplicated, in role order.
    pub fn user_permissions(&self, user: usize) -> Vec<usize> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for role in &self.users[user].roles {
            let Some(r) = self.role_index(role) else {
                continue;
            };
            for perm in &self.roles[r].permissions {
                if let Some(p) = self.permission_index(perm) {
                    if seen.insert(p) {
                        out.push(p);
                    }
                }
            }
        }
        out
    }

    /// Pending invitations of a user.
    pub fn invitation_by_id(&self, id: &str) -> Option<&InvRec> {
        self.invitations.iter().find(|inv| inv.id == id)
    }

    // -- writes that keep the indices true -------------------------------------------

    /// Adds a user; the caller has checked the email is free.
    pub fn insert_user(&mut self, mut user: UserRec) -> usize {
        user.refresh_search();
        let idx = self.users.len();
        self.user_index.insert(user.id.clone(), idx);
        self.email_index.insert(user.email.clone(), idx);
        self.users.push(user);
        self.touch();
        idx
    }

    /// Changes a user's email (already lower-cased and checked free), keeping the handle
    /// equal to the email for people.
    pub fn set_email(&mut self, idx: usize, email: String) {
        let user = &mut self.users[idx];
        self.email_index.remove(&user.email);
        if !user.service_account && user.handle == user.email {
            user.handle = email.clone();
        }
        user.email = email.clone();
        self.email_index.insert(email, idx);
        self.users[idx].refresh_search();
    }
}

/// A deterministic key id derived from its secret (FNV-1a), in the UUID v4 look of the
/// service's key ids: keys made from a secret alone get the same id on every start.
fn key_id_for_secret(secret: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in secret.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut rng = fastrand::Rng::with_seed(hash);
    new_key_id(&mut rng)
}

/// A UUID v4-shaped id from the PRNG, like the service's application key ids.
pub(crate) fn new_key_id(rng: &mut fastrand::Rng) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        rng.u32(..),
        rng.u16(..),
        rng.u16(..) & 0x0fff,
        0x8000 | (rng.u16(..) & 0x3fff),
        rng.u64(..) & 0xffff_ffff_ffff
    )
}

/// A key of `owner` with this secret, made when the owner joined, never used, unscoped.
fn key_record_for(owner: &UserRec, secret: &str, name: &str) -> AppKeyRec {
    AppKeyRec {
        id: key_id_for_secret(secret),
        name: name.to_owned(),
        created_at: owner.created_at,
        last_used_at: None,
        scopes: None,
        owner: owner.id.clone(),
        key: secret.to_owned(),
        transient: false,
    }
}

/// Key records for a file written before keys were records: one per `(secret, owner)`
/// pair whose owner exists and is enabled (disabling now revokes keys), named after the
/// demo key it is when it is one.
fn legacy_keys(pairs: &[(String, String)], users: &[UserRec]) -> Vec<AppKeyRec> {
    let by_id: HashMap<&str, &UserRec> = users.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut seen = HashSet::new();
    pairs
        .iter()
        .filter(|(secret, _)| seen.insert(secret.as_str()))
        .filter_map(|(secret, owner)| {
            let owner = by_id.get(owner.as_str()).filter(|u| !u.disabled)?;
            let name = match secret.as_str() {
                super::DEMO_ADMIN_APP_KEY => super::seed::DEMO_ADMIN_KEY_NAME,
                super::DEMO_READONLY_APP_KEY => super::seed::DEMO_READONLY_KEY_NAME,
                super::OFFLINE_APP_KEY => super::offline::OFFLINE_KEY_NAME,
                _ => "sandbox key",
            };
            Some(key_record_for(owner, secret, name))
        })
        .collect()
}

#[cfg(test)]
mod tests;
