//! The one model of an org: every user once, in load order, addressed by a `u32` index;
//! roles and permissions interned once each and referred to by index (a page of the API
//! repeats every role's permissions; we keep one copy); and, when the org was read whole,
//! where and when it was read.
//!
//! The console's list, detail pane and audit views, the command line's audit commands,
//! exports, snapshots and their diffs all read an [`Org`]. The console fills one page by
//! page ([`Org::ingest_page`]); the command line reads one whole ([`load::load_org`]) or
//! from a snapshot file ([`snapshot::Snapshot`]). Owns no view, cursor or marks: those live
//! in the console's state and refer to users by id or index. Never talks to the network
//! except through [`load`].

mod access;
pub mod filter;
mod ingest;
pub mod load;
pub mod login;
mod records;
pub mod snapshot;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{OrgId, PermissionId, RoleId, UserId};

pub use access::{EffectivePermission, Grant, GrantedPermission, PermissionGroup};
pub use login::PasswordLogin;
pub use records::{
    Counts, Handle, LoginSetIx, PermInfo, PermIx, RoleInfo, RoleIx, Stamp, Status, UserIx,
    UserRecord,
};

/// What happens to text from the service as it enters the org.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextPolicy {
    /// Made displayable once, here, so every draw site shows it safely (the console).
    #[default]
    Display,
    /// Kept exactly as sent, with the attributes records do not model, so exports and
    /// snapshots say what the service said (the command line; its writers make text safe
    /// as they write it).
    Exact,
}

/// The organization the users belong to.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub id: Option<OrgId>,
    pub name: Option<String>,
    pub public_id: Option<String>,
}

/// Where and when a whole org was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub taken_at: OffsetDateTime,
    /// The site (`datadoghq.eu`), a base URL, or the demo org.
    pub origin: String,
    /// The user whose keys read it.
    pub taken_by: Option<UserId>,
    pub info: OrgInfo,
}

/// Every user, role and permission known of an org.
#[derive(Clone, Debug, Default)]
pub struct Org {
    users: Vec<UserRecord>,
    by_id: HashMap<UserId, UserIx>,
    roles: Vec<RoleInfo>,
    role_ix: HashMap<RoleId, RoleIx>,
    perms: Vec<PermInfo>,
    perm_ix: HashMap<PermissionId, PermIx>,
    counts: Counts,
    /// The distinct sets of allowed login methods, each sorted and joined with ", "
    /// (`[]` is the empty text).
    login_sets: Vec<Box<str>>,
    /// Every user's lower-cased "name\u{1f}email[\u{1f}handle]", one after another: the
    /// filter scans this one contiguous text instead of 100,000 small allocations.
    search: String,
    /// Bumped whenever a known user's record changes (not when users are added), so views
    /// and sort orders built before know they are stale.
    revision: u64,
    text: TextPolicy,
    reading: Option<Reading>,
    /// True once the whole permission catalogue was read.
    catalogue: bool,
}

impl Org {
    /// An empty org whose text is made displayable as it enters (the console's).
    pub fn new() -> Org {
        Org::default()
    }

    /// An empty org that keeps text and attributes exactly (the command line's).
    pub fn exact() -> Org {
        Org {
            text: TextPolicy::Exact,
            ..Org::default()
        }
    }

    pub fn text_policy(&self) -> TextPolicy {
        self.text
    }

    /// Where and when the org was read whole (none for the console's, read as it goes).
    pub fn reading(&self) -> Option<&Reading> {
        self.reading.as_ref()
    }

    pub fn set_reading(&mut self, reading: Reading) {
        self.reading = Some(reading);
    }

    /// The moment ages ("not logged in for 90 days") are counted from: when the org was
    /// read, else `now`.
    pub fn as_of(&self, now: OffsetDateTime) -> OffsetDateTime {
        self.reading.as_ref().map_or(now, |r| r.taken_at)
    }

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

    pub fn by_id(&self, id: &UserId) -> Option<&UserRecord> {
        self.index_of(id).and_then(|ix| self.get(ix))
    }

    /// A user by id, or by email (case-insensitive).
    pub fn find_user(&self, wanted: &str) -> Option<&UserRecord> {
        let wanted = wanted.trim();
        self.by_id(&UserId::from(wanted)).or_else(|| {
            self.users
                .iter()
                .find(|u| !u.email.is_empty() && u.email.eq_ignore_ascii_case(wanted))
        })
    }

    /// "Ada Lovelace <ada@example.com>", or the id when the user is not known.
    pub fn label(&self, id: &UserId) -> String {
        match self.by_id(id) {
            Some(u) => crate::runs::plan::label(id, Some(&u.name), Some(&u.email)),
            None => id.to_string(),
        }
    }

    pub fn users(&self) -> &[UserRecord] {
        &self.users
    }

    /// Every user with its index.
    pub fn indexed(&self) -> impl Iterator<Item = (UserIx, &UserRecord)> {
        self.users.iter().enumerate().map(|(i, u)| (i as UserIx, u))
    }

    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// The folded text (see [`filter::fold`]) the filter searches for `user`.
    pub fn haystack(&self, user: &UserRecord) -> &str {
        let (start, len) = (user.search.0 as usize, user.search.1 as usize);
        self.search.get(start..start + len).unwrap_or_default()
    }

    /// Changes whenever a known user's record changes; adding users leaves it as it is.
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

    /// A role's name, or `?` when the index is out of range.
    pub fn role_name(&self, ix: RoleIx) -> &str {
        self.role(ix).map_or("?", |r| r.name.as_str())
    }

    pub fn perm(&self, ix: PermIx) -> Option<&PermInfo> {
        self.perms.get(ix as usize)
    }

    pub fn perms(&self) -> &[PermInfo] {
        &self.perms
    }

    pub fn perm_index(&self, id: &PermissionId) -> Option<PermIx> {
        self.perm_ix.get(id).copied()
    }

    /// A permission by machine name (exact, then case-insensitive) or id.
    pub fn find_permission(&self, wanted: &str) -> Option<PermIx> {
        let wanted = wanted.trim();
        let position = |pred: &dyn Fn(&PermInfo) -> bool| {
            self.perms.iter().position(pred).map(|i| i as PermIx)
        };
        position(&|p| p.name == wanted)
            .or_else(|| self.perm_index(&PermissionId::from(wanted)))
            .or_else(|| position(&|p| p.name.eq_ignore_ascii_case(wanted)))
    }

    /// True once the whole permission catalogue was read, so a permission name the org
    /// does not know is a mistake rather than a gap in what was read.
    pub fn has_catalogue(&self) -> bool {
        self.catalogue
    }

    /// The user's allowed login methods, sorted and joined with ", " (empty: none
    /// allowed explicitly, so the org's defaults apply); `None` when the service did not
    /// say.
    pub fn login_methods(&self, user: &UserRecord) -> Option<&str> {
        let ix = user.login_methods?;
        self.login_sets.get(usize::from(ix)).map(|s| &**s)
    }

    /// The names of the org's roles, sorted case-insensitively, without repeats (for
    /// `:role NAME` and completing it).
    pub fn all_role_names(&self) -> Vec<&str> {
        // Roles only referred to (never seen) have their id for a name: not worth offering.
        let mut names: Vec<&str> = self
            .roles
            .iter()
            .filter(|r| r.seen)
            .map(|r| r.name.as_str())
            .collect();
        names.sort_by_key(|n| n.to_lowercase());
        names.dedup();
        names
    }

    /// A role by id or name: the name as given (any case or accents), else the one role
    /// whose name contains it. When none or several do, the closest names (at most five).
    pub fn find_role(&self, wanted: &str) -> Result<RoleIx, Vec<String>> {
        let wanted = wanted.trim();
        if let Some(ix) = self.role_index(&RoleId::from(wanted)) {
            return Ok(ix);
        }
        let folded = filter::fold(wanted);
        let names: Vec<(RoleIx, String)> = (0..self.roles.len() as RoleIx)
            .map(|ix| (ix, filter::fold(self.role_name(ix))))
            .collect();
        if let Some((ix, _)) = names.iter().find(|(_, name)| *name == folded) {
            return Ok(*ix);
        }
        let containing: Vec<RoleIx> = names
            .iter()
            .filter(|(_, name)| name.contains(folded.as_str()))
            .map(|(ix, _)| *ix)
            .collect();
        if let [only] = containing.as_slice() {
            return Ok(*only);
        }
        let mut close: Vec<(usize, &str)> = names
            .iter()
            .map(|(ix, name)| {
                let distance = if containing.contains(ix) {
                    0
                } else {
                    edit_distance(name, &folded)
                };
                (distance, self.role_name(*ix))
            })
            .collect();
        close.sort();
        close.dedup_by(|a, b| a.1 == b.1);
        Err(close
            .into_iter()
            .take(5)
            .map(|(_, n)| n.to_owned())
            .collect())
    }

    /// Role names of a user, joined for a table cell.
    pub fn role_names(&self, user: &UserRecord) -> String {
        self.role_names_joined(user, ", ")
    }

    /// Role names of a user in the order held, joined with `separator`.
    pub fn role_names_joined(&self, user: &UserRecord, separator: &str) -> String {
        let mut out = String::new();
        for (n, ix) in user.roles.iter().enumerate() {
            if n > 0 {
                out.push_str(separator);
            }
            out.push_str(self.role_name(*ix));
        }
        out
    }

    /// The names of a user's roles, sorted, without repeats.
    pub fn sorted_role_names(&self, user: &UserRecord) -> Vec<String> {
        let mut names: Vec<String> = user
            .roles
            .iter()
            .map(|r| self.role_name(*r).to_owned())
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// Edits (insertions, deletions, substitutions of a character) that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
