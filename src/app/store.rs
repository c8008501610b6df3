//! The client-side user store: every loaded user once, in load order, addressed by a `u32`
//! index; roles and permissions interned once each and referred to by index (a page of the
//! API repeats every role's permissions; we keep one copy). Owns no view, cursor or marks —
//! those live in `State` and refer to users by id or index.

use crate::text::{sanitize, sanitize_cow};
use std::collections::HashMap;

use crate::api::models::{
    Included, Permission, PermissionId, Role, RoleId, User, UserId, UserStatus, UsersResponse,
};

/// Index of a user in the store.
pub type UserIx = u32;
/// Index of an interned role.
pub type RoleIx = u32;
/// Index of an interned permission.
pub type PermIx = u32;

/// A user's status, one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Active,
    Pending,
    Disabled,
    Other,
}

impl Status {
    /// The one status rule (`User::status`), in a byte.
    pub fn from_user(user: &User) -> Status {
        match user.status() {
            UserStatus::Active => Status::Active,
            UserStatus::Pending => Status::Pending,
            UserStatus::Disabled => Status::Disabled,
            UserStatus::Other(_) => Status::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Active => "Active",
            Status::Pending => "Pending",
            Status::Disabled => "Disabled",
            Status::Other => "Other",
        }
    }
}

/// One user, compactly. Timestamps are unix seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct UserRecord {
    pub id: UserId,
    pub name: Box<str>,
    pub email: Box<str>,
    pub handle: Option<Box<str>>,
    pub title: Option<Box<str>>,
    pub status: Status,
    pub service_account: bool,
    pub verified: Option<bool>,
    pub mfa: Option<bool>,
    pub last_login: Option<i64>,
    pub created: Option<i64>,
    pub roles: Box<[RoleIx]>,
    /// Where the user's lower-cased "name email handle" (what the filter searches) lies in
    /// the store's search text: `(start, len)` in bytes. See [`UserStore::haystack`].
    pub search: (u32, u32),
}

impl UserRecord {
    /// The name to show: the name, else the email.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.email
        } else {
            &self.name
        }
    }
}

/// An interned role.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleInfo {
    pub id: RoleId,
    pub name: String,
    /// Known once a role object with its permission ids has been seen.
    pub permissions: Option<Vec<PermIx>>,
    pub user_count: Option<i64>,
}

/// An interned permission.
#[derive(Clone, Debug, PartialEq)]
pub struct PermInfo {
    pub id: PermissionId,
    pub name: String,
    pub display_name: String,
    pub group: String,
}

/// Counts of loaded users per status tab.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub all: u32,
    pub active: u32,
    pub pending: u32,
    pub disabled: u32,
    pub service: u32,
}

impl Counts {
    fn apply(&mut self, user: &UserRecord, delta: i64) {
        let bump = |n: &mut u32| *n = (i64::from(*n) + delta).max(0) as u32;
        bump(&mut self.all);
        match user.status {
            Status::Active => bump(&mut self.active),
            Status::Pending => bump(&mut self.pending),
            Status::Disabled => bump(&mut self.disabled),
            Status::Other => {}
        }
        if user.service_account {
            bump(&mut self.service);
        }
    }
}

/// Every loaded user, role and permission.
#[derive(Clone, Debug, Default)]
pub struct UserStore {
    users: Vec<UserRecord>,
    by_id: HashMap<UserId, UserIx>,
    roles: Vec<RoleInfo>,
    role_ix: HashMap<RoleId, RoleIx>,
    perms: Vec<PermInfo>,
    perm_ix: HashMap<PermissionId, PermIx>,
    counts: Counts,
    /// Every user's lower-cased "name\u{1f}email[\u{1f}handle]", one after another: the
    /// filter scans this one contiguous text instead of 100,000 small allocations.
    search: String,
    /// Bumped whenever a loaded user's record changes (not when users are added), so views
    /// and sort orders built before know they are stale.
    revision: u64,
}

fn unix(t: Option<time::OffsetDateTime>) -> Option<i64> {
    t.map(|t| t.unix_timestamp())
}

impl UserStore {
    pub fn len(&self) -> usize {
        self.users.len()
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    pub fn get(&self, ix: UserIx) -> Option<&UserRecord> {
        self.users.get(ix as usize)
    }

    pub fn index_of(&self, id: &UserId) -> Option<UserIx> {
        self.by_id.get(id).copied()
    }

    /// "Ada Lovelace <ada@example.com>", or the id when the user is not loaded.
    pub fn label(&self, id: &UserId) -> String {
        match self.by_id(id) {
            Some(u) => crate::runs::plan::label(id, Some(&u.name), Some(&u.email)),
            None => id.to_string(),
        }
    }

    pub fn by_id(&self, id: &UserId) -> Option<&UserRecord> {
        self.index_of(id).and_then(|ix| self.get(ix))
    }

    pub fn users(&self) -> &[UserRecord] {
        &self.users
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The lower-cased text the filter searches for `user`.
    pub fn haystack(&self, user: &UserRecord) -> &str {
        let (start, len) = (user.search.0 as usize, user.search.1 as usize);
        self.search.get(start..start + len).unwrap_or_default()
    }

    /// Changes whenever a loaded user's record changes; adding users leaves it as it is.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn role(&self, ix: RoleIx) -> Option<&RoleInfo> {
        self.roles.get(ix as usize)
    }

    pub fn roles(&self) -> &[RoleInfo] {
        &self.roles
    }

    pub fn role_index(&self, id: &RoleId) -> Option<RoleIx> {
        self.role_ix.get(id).copied()
    }

    pub fn perm(&self, ix: PermIx) -> Option<&PermInfo> {
        self.perms.get(ix as usize)
    }

    /// Role names of a user, joined for a table cell.
    pub fn role_names(&self, user: &UserRecord) -> String {
        let mut out = String::new();
        for (n, ix) in user.roles.iter().enumerate() {
            if n > 0 {
                out.push_str(", ");
            }
            out.push_str(self.role(*ix).map(|r| r.name.as_str()).unwrap_or("?"));
        }
        out
    }

    /// Interns a permission (updating its labels if seen again).
    pub fn intern_permission(&mut self, permission: &Permission) -> PermIx {
        // Every page repeats the same permissions: recognise them without allocating.
        if let Some(&ix) = self.perm_ix.get(&permission.id) {
            let known = &self.perms[ix as usize];
            let a = &permission.attributes;
            let same = a.name.is_none()
                || (a.name.as_deref() == Some(known.name.as_str())
                    && a.display_name.as_deref().unwrap_or(known.name.as_str())
                        == known.display_name
                    && a.group_name.as_deref().unwrap_or("Other") == known.group);
            if same {
                return ix;
            }
        }
        // Text from the service is made safe once, here, so every draw site shows it safely.
        let a = &permission.attributes;
        let info = PermInfo {
            id: permission.id.clone(),
            name: sanitize(permission.name()),
            display_name: sanitize(a.display_name.as_deref().unwrap_or(permission.name())),
            group: sanitize(a.group_name.as_deref().unwrap_or("Other")),
        };
        match self.perm_ix.get(&permission.id) {
            Some(&ix) => {
                if permission.attributes.name.is_some() {
                    self.perms[ix as usize] = info;
                }
                ix
            }
            None => {
                let ix = self.perms.len() as PermIx;
                self.perms.push(info);
                self.perm_ix.insert(permission.id.clone(), ix);
                ix
            }
        }
    }

    fn perm_ref(&mut self, id: PermissionId) -> PermIx {
        if let Some(&ix) = self.perm_ix.get(&id) {
            return ix;
        }
        let ix = self.perms.len() as PermIx;
        self.perms.push(PermInfo {
            id: id.clone(),
            name: id.0.clone(),
            display_name: id.0.clone(),
            group: "Other".to_owned(),
        });
        self.perm_ix.insert(id, ix);
        ix
    }

    fn role_ref(&mut self, id: RoleId) -> RoleIx {
        if let Some(&ix) = self.role_ix.get(&id) {
            return ix;
        }
        let ix = self.roles.len() as RoleIx;
        self.roles.push(RoleInfo {
            id: id.clone(),
            name: id.0.clone(),
            permissions: None,
            user_count: None,
        });
        self.role_ix.insert(id, ix);
        ix
    }

    /// Interns a role, keeping what is already known when this copy says less.
    pub fn intern_role(&mut self, role: &Role) -> RoleIx {
        let ix = self.role_ref(role.id.clone());
        let permissions = role
            .relationships
            .as_ref()
            .and_then(|r| r.permissions.as_ref())
            .map(|_| {
                role.permission_ids()
                    .map(|p| self.perm_ref(p))
                    .collect::<Vec<_>>()
            });
        let info = &mut self.roles[ix as usize];
        if let Some(name) = &role.attributes.name {
            let name = sanitize_cow(name);
            if info.name != *name {
                info.name = name.into_owned();
                // The roles column shows and sorts by this name.
                self.revision += 1;
            }
        }
        if permissions.is_some() {
            info.permissions = permissions;
        }
        if role.attributes.user_count.is_some() {
            info.user_count = role.attributes.user_count;
        }
        ix
    }

    /// Interns `included` roles and permissions (permissions first, so roles find them).
    pub fn ingest_included(&mut self, included: &[Included]) {
        for item in included {
            if let Included::Permission(p) = item {
                self.intern_permission(p);
            }
        }
        for item in included {
            if let Included::Role(r) = item {
                self.intern_role(r);
            }
        }
    }

    /// Adds or replaces a user; returns its index and whether it is new.
    pub fn upsert(&mut self, user: &User) -> (UserIx, bool) {
        let roles: Box<[RoleIx]> = user.role_ids().map(|r| self.role_ref(r)).collect();
        let a = &user.attributes;
        // Text from the service is made safe once, here, so every draw site shows it safely.
        let clean = |text: &Option<String>| text.as_deref().map(sanitize);
        let name = clean(&a.name).unwrap_or_default();
        let email = clean(&a.email).unwrap_or_default();
        // The handle is nearly always the email: keep it only when it says something else.
        let handle = clean(&a.handle).filter(|h| *h != email);
        let mut haystack = String::with_capacity(name.len() + email.len() + 2);
        haystack.push_str(&name.to_lowercase());
        haystack.push('\u{1f}');
        haystack.push_str(&email.to_lowercase());
        if let Some(h) = &handle {
            if !h.eq_ignore_ascii_case(&email) {
                haystack.push('\u{1f}');
                haystack.push_str(&h.to_lowercase());
            }
        }
        // Keep the text where it is when it did not change (pages repeat users).
        let search = match self.by_id(&user.id) {
            Some(old) if self.haystack(old) == haystack => old.search,
            _ => {
                let start = self.search.len() as u32;
                self.search.push_str(&haystack);
                (start, haystack.len() as u32)
            }
        };
        let record = UserRecord {
            id: user.id.clone(),
            name: name.into(),
            email: email.into(),
            handle: handle.map(Into::into),
            title: clean(&a.title).map(Into::into),
            status: Status::from_user(user),
            service_account: a.service_account == Some(true),
            verified: a.verified,
            mfa: a.mfa_enabled,
            last_login: unix(a.last_login_time),
            created: unix(a.created_at),
            roles,
            search,
        };
        self.put(record)
    }

    fn put(&mut self, record: UserRecord) -> (UserIx, bool) {
        match self.by_id.get(&record.id) {
            Some(&ix) => {
                if self.users[ix as usize] != record {
                    let old = std::mem::replace(&mut self.users[ix as usize], record);
                    self.counts.apply(&old, -1);
                    self.counts.apply(&self.users[ix as usize], 1);
                    self.revision += 1;
                }
                (ix, false)
            }
            None => {
                let ix = self.users.len() as UserIx;
                self.counts.apply(&record, 1);
                self.by_id.insert(record.id.clone(), ix);
                self.users.push(record);
                (ix, true)
            }
        }
    }

    /// Ingests one list page; returns the indices of users seen for the first time.
    pub fn ingest_page(&mut self, page: &UsersResponse) -> Vec<UserIx> {
        self.ingest_included(&page.included);
        page.data
            .iter()
            .filter_map(|u| {
                let (ix, new) = self.upsert(u);
                new.then_some(ix)
            })
            .collect()
    }

    /// Changes a loaded user's status in place (after a disable, say).
    pub fn set_status(&mut self, ix: UserIx, status: Status) {
        if let Some(user) = self.users.get(ix as usize) {
            let mut record = user.clone();
            record.status = status;
            self.put(record);
        }
    }

    /// Replaces a loaded user's roles.
    pub fn set_roles(&mut self, ix: UserIx, roles: &[RoleId]) {
        let roles: Box<[RoleIx]> = roles.iter().map(|r| self.role_ref(r.clone())).collect();
        if let Some(user) = self.users.get_mut(ix as usize) {
            user.roles = roles;
            self.revision += 1;
        }
    }

    /// A user's effective permissions, grouped by permission group (sorted), each with the
    /// names of the roles granting it. `None` when some role's permissions are unknown.
    pub fn effective_permissions(&self, user: &UserRecord) -> Option<Vec<PermissionGroup>> {
        let mut by_perm: HashMap<PermIx, Vec<RoleIx>> = HashMap::new();
        for &role_ix in user.roles.iter() {
            let role = self.role(role_ix)?;
            for &perm in role.permissions.as_ref()? {
                by_perm.entry(perm).or_default().push(role_ix);
            }
        }
        let mut groups: Vec<PermissionGroup> = Vec::new();
        let mut entries: Vec<(&PermInfo, Vec<RoleIx>)> = by_perm
            .into_iter()
            .filter_map(|(p, r)| self.perm(p).map(|info| (info, r)))
            .collect();
        entries.sort_by(|a, b| (&a.0.group, &a.0.name).cmp(&(&b.0.group, &b.0.name)));
        for (info, roles) in entries {
            let granted_by = roles
                .iter()
                .filter_map(|r| self.role(*r).map(|r| r.name.clone()))
                .collect();
            let entry = GrantedPermission {
                name: info.name.clone(),
                display_name: info.display_name.clone(),
                granted_by,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixtures::{page, perm, role, user};

    #[test]
    fn roles_and_permissions_are_interned_once_across_pages() {
        let mut store = UserStore::default();
        let p = perm("p1", "user_access_manage", "Access Management");
        let r = role("r1", "Admin", &["p1"]);
        store.ingest_page(&page(
            vec![user("u1", "Ann", "ann@x.io", &["r1"])],
            &[&r],
            &[&p],
        ));
        store.ingest_page(&page(
            vec![user("u2", "Bob", "bob@x.io", &["r1"])],
            &[&r],
            &[&p],
        ));
        assert_eq!(store.len(), 2);
        assert_eq!(store.roles().len(), 1);
        assert_eq!(store.perms.len(), 1);
        let ann = store.by_id(&"u1".into()).expect("ann loaded");
        let groups = store
            .effective_permissions(ann)
            .expect("role permissions known");
        assert_eq!(groups[0].group, "Access Management");
        assert_eq!(
            groups[0].permissions[0].granted_by,
            vec!["Admin".to_owned()]
        );
    }

    #[test]
    fn upserting_a_user_again_keeps_its_index_and_fixes_counts() {
        let mut store = UserStore::default();
        let mut u = user("u1", "Ann", "ann@x.io", &[]);
        store.upsert(&u);
        u.attributes.status = Some(UserStatus::Disabled);
        let (ix, new) = store.upsert(&u);
        assert_eq!((ix, new), (0, false));
        assert_eq!(store.counts().active, 0);
        assert_eq!(store.counts().disabled, 1);
        assert_eq!(store.counts().all, 1);
    }
}
