//! The sandbox's in-memory organization: users, roles, the permission catalogue,
//! invitations and application keys (`keyring`), with the indices that keep list pages
//! O(page). Pure data and queries: no HTTP, no locking policy (the caller holds the store
//! behind a lock), no files.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::keyring::{AppKeyRec, KeyRing};
use crate::api::models::{
    self, timestamp, Included, Organization, OrganizationAttributes, Permission,
    PermissionAttributes, ResourceRef, Role, RoleAttributes, RoleRelationships, ToMany, ToOne,
    User, UserAttributes, UserRelationships, UserStatus,
};

/// The organization itself.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OrgRec {
    pub id: String,
    pub name: String,
    pub public_id: String,
    pub description: Option<String>,
    pub url: String,
    pub sharing: String,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timestamp")]
    pub modified_at: OffsetDateTime,
}

/// One permission of the catalogue (`assets/permissions.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PermRec {
    pub id: String,
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    #[serde(with = "timestamp")]
    pub created: OffsetDateTime,
    pub group_name: Option<String>,
    pub display_type: Option<String>,
    #[serde(default)]
    pub restricted: bool,
    #[serde(default)]
    pub name_aliases: Vec<String>,
    /// Listed only with `include_scopes=true` (e.g. `user_access_read`).
    #[serde(default)]
    pub scope_only: bool,
}

impl PermRec {
    /// Deprecated permissions (`admin`, `standard`) are not handed to the seeded roles.
    pub fn is_deprecated(&self) -> bool {
        self.description
            .as_deref()
            .is_some_and(|d| d.starts_with("Deprecated"))
    }
}

/// A role and the ids of the permissions it grants.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RoleRec {
    pub id: String,
    pub name: String,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timestamp")]
    pub modified_at: OffsetDateTime,
    pub permissions: Vec<String>,
}

/// A user as the sandbox stores it; the wire status is derived from `disabled` and `verified`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct UserRec {
    pub id: String,
    pub name: Option<String>,
    pub handle: String,
    pub email: String,
    pub title: Option<String>,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timestamp")]
    pub modified_at: OffsetDateTime,
    /// True once the user has joined (verified the email or logged in).
    pub verified: bool,
    pub service_account: bool,
    pub disabled: bool,
    pub mfa_enabled: bool,
    #[serde(default, with = "timestamp::option")]
    pub last_login_time: Option<OffsetDateTime>,
    pub roles: Vec<String>,
    #[serde(default)]
    pub identity_providers: Vec<String>,
    #[serde(default)]
    pub anonymized: bool,
    /// Lower-cased name, email and handle, for `filter`. Rebuilt, never persisted.
    #[serde(skip)]
    pub search: String,
}

impl UserRec {
    /// The status the service would report.
    pub fn status(&self) -> UserStatus {
        if self.disabled {
            UserStatus::Disabled
        } else if self.verified {
            UserStatus::Active
        } else {
            UserStatus::Pending
        }
    }

    /// Recomputes the filter haystack after a change of name, email or handle.
    pub fn refresh_search(&mut self) {
        let mut text = String::with_capacity(self.email.len() * 2 + 16);
        if let Some(name) = &self.name {
            text.push_str(&name.to_lowercase());
        }
        text.push('\u{1}');
        text.push_str(&self.email.to_lowercase());
        text.push('\u{1}');
        text.push_str(&self.handle.to_lowercase());
        self.search = text;
    }
}

/// A pending invitation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct InvRec {
    pub id: String,
    pub user_id: String,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timestamp")]
    pub expires_at: OffsetDateTime,
}

/// One identity provider a user can be pinned to.
pub(crate) struct IdentityProvider {
    pub id: &'static str,
    pub authentication_method: &'static str,
}

/// The identity providers of the sandbox org (stable made-up ids).
pub(crate) const IDENTITY_PROVIDERS: &[IdentityProvider] = &[
    IdentityProvider {
        id: "0c6a1f0e-5d2b-11ee-8c99-0242ac120002",
        authentication_method: "SAML",
    },
    IdentityProvider {
        id: "1a7b2c3d-5d2b-11ee-8c99-0242ac120002",
        authentication_method: "Google",
    },
    IdentityProvider {
        id: "2b8c3d4e-5d2b-11ee-8c99-0242ac120002",
        authentication_method: "Password",
    },
];

/// What the state file holds (the catalogue comes from the embedded asset instead).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub version: u32,
    pub org: OrgRec,
    pub roles: Vec<RoleRec>,
    pub users: Vec<UserRec>,
    pub invitations: Vec<InvRec>,
    /// `(secret, owner id)` of every key: all that files written before keys were records
    /// hold. Still written, so an older ddusers can load a newer file; read only when
    /// `application_keys` is absent.
    #[serde(default)]
    pub app_keys: Vec<(String, String)>,
    /// The application keys; absent in older files.
    #[serde(default)]
    pub application_keys: Option<Vec<AppKeyRec>>,
}

/// The same, borrowed, so a snapshot can be written without cloning 100,000 users.
#[derive(Serialize)]
pub(crate) struct SnapshotRef<'a> {
    pub version: u32,
    pub org: &'a OrgRec,
    pub roles: &'a [RoleRec],
    pub users: &'a [UserRec],
    pub invitations: &'a [InvRec],
    pub app_keys: Vec<(&'a String, &'a String)>,
    pub application_keys: Vec<&'a AppKeyRec>,
}

/// The current snapshot format.
pub(crate) const SNAPSHOT_VERSION: u32 = 1;

/// A ListUsers / ListRoleUsers sort key; the direction is applied when paging.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SortKey {
    Name,
    Email,
    ModifiedAt,
    CreatedAt,
    Status,
}

/// Which users a list shows: the cache key of a filtered, sorted index list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Selection {
    /// Lower-cased substring of name, email or handle.
    pub text: Option<String>,
    /// Bit 0 Active, bit 1 Pending, bit 2 Disabled; `None` = all.
    pub statuses: Option<u8>,
    /// Only members of this role (index into roles).
    pub role: Option<usize>,
    pub sort: SortKey,
}

fn status_bit(status: &UserStatus) -> u8 {
    match status {
        UserStatus::Active => 1,
        UserStatus::Pending => 2,
        UserStatus::Disabled => 4,
        UserStatus::Other(_) => 0,
    }
}

/// Parses one `filter[status]` value into its bit; `None` for an unknown status.
pub(crate) fn status_filter_bit(value: &str) -> Option<u8> {
    match UserStatus::parse(value.trim()) {
        UserStatus::Other(_) => None,
        status => Some(status_bit(&status)),
    }
}

/// Index lists derived from the users, valid for one store generation. Reads build them
/// once; any write bumps the generation, which empties the cache.
#[derive(Default)]
struct ListCache {
    generation: u64,
    sorted: HashMap<SortKey, Arc<Vec<u32>>>,
    selections: HashMap<Selection, Arc<Vec<u32>>>,
    role_counts: Option<Arc<Vec<i64>>>,
}

/// Selections kept per generation before the cache starts over (bounds memory).
const MAX_CACHED_SELECTIONS: usize = 256;

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
}

/// The gravatar URL the service gives a user.
pub(crate) fn gravatar(email: &str) -> String {
    let digest = Md5::digest(email.to_lowercase().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("https://secure.gravatar.com/avatar/{hex}?s=48&d=retro")
}

/// A UUID-shaped id from the PRNG, in the time-based look of the service's ids.
pub(crate) fn new_id(rng: &mut fastrand::Rng) -> String {
    format!(
        "{:08x}-{:04x}-11ec-{:04x}-{:012x}",
        rng.u32(..),
        rng.u16(..),
        0x8000 | (rng.u16(..) & 0x3fff),
        rng.u64(..) & 0xffff_ffff_ffff
    )
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

    // -- derived lists ---------------------------------------------------------------

    fn cache(&self) -> std::sync::MutexGuard<'_, ListCache> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.generation != self.generation {
            *cache = ListCache {
                generation: self.generation,
                ..ListCache::default()
            };
        }
        cache
    }

    /// Every user index sorted ascending by the key, ties broken by id.
    pub fn sorted(&self, key: SortKey) -> Arc<Vec<u32>> {
        if let Some(hit) = self.cache().sorted.get(&key) {
            return Arc::clone(hit);
        }
        let built = Arc::new(self.build_sorted(key));
        self.cache().sorted.insert(key, Arc::clone(&built));
        built
    }

    fn build_sorted(&self, key: SortKey) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.users.len() as u32).collect();
        let users = &self.users;
        match key {
            SortKey::Name => {
                // Unnamed users last when ascending (first when descending), as PostgreSQL
                // orders NULLs, so a list opens on people rather than on blanks.
                let keys: Vec<(bool, String)> = users
                    .iter()
                    .map(|u| {
                        (
                            u.name.is_none(),
                            u.name.as_deref().unwrap_or("").to_lowercase(),
                        )
                    })
                    .collect();
                order.sort_unstable_by(|&a, &b| {
                    (&keys[a as usize], &users[a as usize].id)
                        .cmp(&(&keys[b as usize], &users[b as usize].id))
                });
            }
            SortKey::Email => order.sort_unstable_by(|&a, &b| {
                let (ua, ub) = (&users[a as usize], &users[b as usize]);
                (&ua.email, &ua.id).cmp(&(&ub.email, &ub.id))
            }),
            SortKey::ModifiedAt => order.sort_unstable_by(|&a, &b| {
                let (ua, ub) = (&users[a as usize], &users[b as usize]);
                (ua.modified_at, &ua.id).cmp(&(ub.modified_at, &ub.id))
            }),
            SortKey::CreatedAt => order.sort_unstable_by(|&a, &b| {
                let (ua, ub) = (&users[a as usize], &users[b as usize]);
                (ua.created_at, &ua.id).cmp(&(ub.created_at, &ub.id))
            }),
            SortKey::Status => order.sort_unstable_by(|&a, &b| {
                let (ua, ub) = (&users[a as usize], &users[b as usize]);
                (ua.status().as_str(), &ua.id).cmp(&(ub.status().as_str(), &ub.id))
            }),
        }
        order
    }

    /// The users a selection matches, sorted ascending; cached per generation so paging
    /// through a filtered list scans the org once.
    pub fn select(&self, selection: &Selection) -> Arc<Vec<u32>> {
        let sorted = self.sorted(selection.sort);
        if selection.text.is_none() && selection.statuses.is_none() && selection.role.is_none() {
            return sorted;
        }
        if let Some(hit) = self.cache().selections.get(selection) {
            return Arc::clone(hit);
        }
        let role_id = selection.role.map(|r| self.roles[r].id.as_str());
        let matched: Vec<u32> = sorted
            .iter()
            .copied()
            .filter(|&i| {
                let user = &self.users[i as usize];
                selection
                    .text
                    .as_deref()
                    .is_none_or(|text| user.search.contains(text))
                    && selection
                        .statuses
                        .is_none_or(|mask| mask & status_bit(&user.status()) != 0)
                    && role_id.is_none_or(|role| user.roles.iter().any(|r| r == role))
            })
            .collect();
        let matched = Arc::new(matched);
        let mut cache = self.cache();
        if cache.selections.len() >= MAX_CACHED_SELECTIONS {
            cache.selections.clear();
        }
        cache
            .selections
            .insert(selection.clone(), Arc::clone(&matched));
        matched
    }

    /// Number of users holding each role (index-aligned with `roles`).
    pub fn role_user_counts(&self) -> Arc<Vec<i64>> {
        if let Some(hit) = &self.cache().role_counts {
            return Arc::clone(hit);
        }
        let mut counts = vec![0i64; self.roles.len()];
        for user in &self.users {
            for role in &user.roles {
                if let Some(r) = self.role_index(role) {
                    counts[r] += 1;
                }
            }
        }
        let counts = Arc::new(counts);
        self.cache().role_counts = Some(Arc::clone(&counts));
        counts
    }

    // -- wire models -----------------------------------------------------------------

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
                allowed_login_methods: Some(Vec::new()),
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

/// Takes `size` items of page `number` from an ascending list, reading it backwards for a
/// descending order.
pub(crate) fn page_of(list: &[u32], descending: bool, number: u64, size: u64) -> Vec<usize> {
    let len = list.len() as u64;
    let Some(start) = number.checked_mul(size).filter(|s| *s < len) else {
        return Vec::new();
    };
    let end = start.saturating_add(size).min(len);
    (start..end)
        .map(|pos| {
            let at = if descending { len - 1 - pos } else { pos };
            list[at as usize] as usize
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_of_reads_descending_lists_from_the_end() {
        let list = vec![10, 11, 12, 13, 14];
        assert_eq!(page_of(&list, false, 1, 2), vec![12, 13]);
        assert_eq!(page_of(&list, true, 0, 2), vec![14, 13]);
        assert_eq!(page_of(&list, true, 2, 2), vec![10]);
        assert!(page_of(&list, false, 3, 2).is_empty());
        assert!(page_of(&list, false, u64::MAX, 100).is_empty());
    }

    #[test]
    fn gravatar_hashes_the_lower_cased_email() {
        assert_eq!(
            gravatar("Test-Get_user_details_returns_OK_response-1697467605@datadoghq.com"),
            "https://secure.gravatar.com/avatar/64901293a45aa6f5fa32d0fa57decdb2?s=48&d=retro"
        );
    }
}
