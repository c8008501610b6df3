//! How API objects enter an [`Org`]: users (one record each, replaced when seen again),
//! roles and permissions (interned once, updated when a later copy says more), pages of
//! users with their `included` roles and permissions. Text is made displayable or kept
//! exact here, once, as the org's [`TextPolicy`] says.

use std::borrow::Cow;

use crate::api::models::{Included, Permission, PermissionId, Role, RoleId, User, UsersResponse};
use crate::text::sanitize_cow;

use super::filter::fold;
use super::records::{Handle, LoginSetIx, PermInfo, PermIx, RoleInfo, RoleIx, Stamp, Status};
use super::{Org, TextPolicy, UserIx, UserRecord};

impl Org {
    /// `text` as the org keeps it.
    fn keep<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.text {
            TextPolicy::Display => sanitize_cow(text),
            TextPolicy::Exact => Cow::Borrowed(text),
        }
    }

    fn keep_option(&self, text: &Option<String>) -> Option<String> {
        text.as_deref().map(|t| self.keep(t).into_owned())
    }

    /// Interns a permission (updating what is known of it if seen again).
    pub fn intern_permission(&mut self, permission: &Permission) -> PermIx {
        if let Some(ix) = self.known_permission(permission) {
            return ix;
        }
        let info = self.perm_info(permission);
        match self.perm_ix.get(&permission.id) {
            Some(&ix) => {
                let known = &mut self.perms[ix as usize];
                // A copy without a name says nothing new (roles' included copies may be bare).
                if permission.attributes.name.is_some() && *known != info {
                    *known = info;
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

    /// The permission's index when it is known and this copy says nothing new: every page
    /// repeats the same permissions, recognised here without allocating.
    fn known_permission(&self, permission: &Permission) -> Option<PermIx> {
        let ix = *self.perm_ix.get(&permission.id)?;
        let known = &self.perms[ix as usize];
        let a = &permission.attributes;
        let same = a.name.is_none()
            || (known.seen
                && a.name.as_deref() == Some(known.name.as_str())
                && a.display_name.as_deref().unwrap_or(known.name.as_str()) == known.display_name
                && a.group_name.as_deref().unwrap_or("Other") == known.group
                && a.description == known.description);
        same.then_some(ix)
    }

    fn perm_info(&self, permission: &Permission) -> PermInfo {
        let a = &permission.attributes;
        let name = self.keep(permission.name()).into_owned();
        PermInfo {
            id: permission.id.clone(),
            display_name: a
                .display_name
                .as_deref()
                .map_or_else(|| name.clone(), |d| self.keep(d).into_owned()),
            group: self
                .keep(a.group_name.as_deref().unwrap_or("Other"))
                .into_owned(),
            name,
            description: self.keep_option(&a.description),
            display_type: self.keep_option(&a.display_type),
            restricted: a.restricted,
            created: a.created,
            name_aliases: a.name_aliases.clone(),
            seen: a.name.is_some(),
            original: (self.text == TextPolicy::Exact).then(|| Box::new(permission.clone())),
        }
    }

    /// Interns every permission of the catalogue.
    pub fn ingest_catalogue(&mut self, permissions: &[Permission]) {
        for permission in permissions {
            self.intern_permission(permission);
        }
        self.catalogue = true;
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
            description: None,
            display_type: None,
            restricted: None,
            created: None,
            name_aliases: None,
            seen: false,
            original: None,
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
            seen: false,
            created_at: None,
            modified_at: None,
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
        let name = role
            .attributes
            .name
            .as_deref()
            .map(|n| self.keep(n).into_owned());
        let info = &mut self.roles[ix as usize];
        info.seen = true;
        if let Some(name) = name {
            if info.name != name {
                info.name = name;
                // The roles column shows and sorts by this name.
                self.revision += 1;
            }
        }
        if permissions.is_some() {
            info.permissions = permissions;
        }
        let a = &role.attributes;
        info.user_count = a.user_count.or(info.user_count);
        info.created_at = a.created_at.or(info.created_at);
        info.modified_at = a.modified_at.or(info.modified_at);
        ix
    }

    /// Sets what a role grants (read from its own permission list).
    pub fn set_role_permissions(&mut self, role: &RoleId, permissions: &[PermissionId]) {
        let ixs: Vec<PermIx> = permissions
            .iter()
            .map(|p| self.perm_ref(p.clone()))
            .collect();
        let ix = self.role_ref(role.clone());
        self.roles[ix as usize].permissions = Some(ixs);
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
        let record = self.record_of(user);
        self.put(record)
    }

    fn record_of(&mut self, user: &User) -> UserRecord {
        let roles: Box<[RoleIx]> = user.role_ids().map(|r| self.role_ref(r)).collect();
        let a = &user.attributes;
        let name = self.keep_option(&a.name).unwrap_or_default();
        let email = self.keep_option(&a.email).unwrap_or_default();
        let handle = match self.keep_option(&a.handle) {
            None => Handle::Absent,
            Some(h) if h == email => Handle::SameAsEmail,
            Some(h) => Handle::Other(h.into()),
        };
        let search = self.search_span(&name, &email, &handle, user);
        let stamp = |t: Option<time::OffsetDateTime>| t.map(Stamp::of);
        UserRecord {
            id: user.id.clone(),
            title: self.keep_option(&a.title).map(Into::into),
            status: Status::from_user(user),
            service_account: user.is_service_account(),
            verified: a.verified,
            mfa: a.mfa_enabled,
            last_login: stamp(a.last_login_time),
            created: stamp(a.created_at),
            modified: stamp(a.modified_at),
            roles,
            login_methods: self.login_set(a.allowed_login_methods.as_deref()),
            search,
            original: (self.text == TextPolicy::Exact).then(|| Box::new(user.clone())),
            name: name.into(),
            email: email.into(),
            handle,
        }
    }

    /// Interns a set of login methods (sorted, joined); `None` when absent, or when an
    /// org somehow holds more distinct sets than an index can name.
    fn login_set(&mut self, methods: Option<&[String]>) -> Option<LoginSetIx> {
        let mut methods: Vec<Cow<str>> = methods?.iter().map(|m| self.keep(m)).collect();
        methods.sort();
        methods.dedup();
        let text = methods.join(", ");
        if let Some(ix) = self.login_sets.iter().position(|s| **s == *text) {
            return LoginSetIx::try_from(ix).ok();
        }
        let ix = LoginSetIx::try_from(self.login_sets.len()).ok()?;
        self.login_sets.push(text.into());
        Some(ix)
    }

    /// Where the user's search text lies, appending it unless it is unchanged (pages
    /// repeat users).
    fn search_span(&mut self, name: &str, email: &str, handle: &Handle, user: &User) -> (u32, u32) {
        // Folded (lower-case, Latin accents off) so `bjorn` finds Björn: see `filter::fold`.
        let mut haystack = String::with_capacity(name.len() + email.len() + 2);
        haystack.push_str(&fold(name));
        haystack.push('\u{1f}');
        haystack.push_str(&fold(email));
        if let Handle::Other(h) = handle {
            if !h.eq_ignore_ascii_case(email) {
                haystack.push('\u{1f}');
                haystack.push_str(&fold(h));
            }
        }
        match self.by_id(&user.id) {
            Some(old) if self.haystack(old) == haystack => old.search,
            _ => {
                let start = self.search.len() as u32;
                self.search.push_str(&haystack);
                (start, haystack.len() as u32)
            }
        }
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

    /// Changes a known user's status in place (after a disable, say).
    pub fn set_status(&mut self, ix: UserIx, status: Status) {
        if let Some(user) = self.users.get(ix as usize) {
            let mut record = user.clone();
            record.status = status;
            record.original = None;
            self.put(record);
        }
    }

    /// Replaces a known user's roles.
    pub fn set_roles(&mut self, ix: UserIx, roles: &[RoleId]) {
        let roles: Box<[RoleIx]> = roles.iter().map(|r| self.role_ref(r.clone())).collect();
        if let Some(user) = self.users.get_mut(ix as usize) {
            user.roles = roles;
            user.original = None;
            self.revision += 1;
        }
    }
}
