//! The list's view of the store: which users show (tab, filter, audit view) in which order
//! (the sort), with one cursor over them. Rebuilt incrementally — a narrowing keystroke
//! re-checks the users shown, new pages merge into the sorted list, a wider filter walks a
//! cached sort order — and always equal to a rebuild from scratch (tests check it). Knows the
//! store only; `State` owns one `View` and says which audit view restricts it.

use std::cmp::Ordering;
use std::collections::HashSet;

use time::OffsetDateTime;
use tui_input::Input;

use crate::api::models::UserId;
use crate::org::filter::{Filter, FilterError, Matcher};

use super::action::StatusTab;
use super::cursor::ListCursor;
use crate::org::{Org, Stamp, Status, UserIx, UserRecord};

/// A kind of column the list can show and sort by (how each is drawn is in `columns`'
/// registry; its name here is the one `:columns`, `:sort` and the config file use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnId {
    Status,
    Name,
    Email,
    Roles,
    Mfa,
    LastLogin,
    Created,
    Title,
    Modified,
    RoleCount,
    ServiceAccount,
    LoginMethods,
}

impl ColumnId {
    /// Every kind, in the order the column picker lists them.
    pub const ALL: [ColumnId; 12] = [
        ColumnId::Status,
        ColumnId::Name,
        ColumnId::Email,
        ColumnId::Roles,
        ColumnId::Mfa,
        ColumnId::LastLogin,
        ColumnId::Created,
        ColumnId::Title,
        ColumnId::Modified,
        ColumnId::RoleCount,
        ColumnId::ServiceAccount,
        ColumnId::LoginMethods,
    ];

    /// In `:columns`, `:sort` and the config file.
    pub fn name(self) -> &'static str {
        match self {
            ColumnId::Status => "status",
            ColumnId::Name => "name",
            ColumnId::Email => "email",
            ColumnId::Roles => "roles",
            ColumnId::Mfa => "mfa",
            ColumnId::LastLogin => "last-login",
            ColumnId::Created => "created",
            ColumnId::Title => "title",
            ColumnId::Modified => "modified",
            ColumnId::RoleCount => "role-count",
            ColumnId::ServiceAccount => "service-account",
            ColumnId::LoginMethods => "login-methods",
        }
    }

    /// A column by its name (or a few other spellings).
    pub fn parse(text: &str) -> Option<ColumnId> {
        let text = text.trim().to_ascii_lowercase().replace('_', "-");
        let alias = match text.as_str() {
            "login" | "lastlogin" | "last" => "last-login",
            "svc" | "service" => "service-account",
            "roles#" | "#roles" | "rolecount" | "nroles" => "role-count",
            "logins" | "login-method" | "methods" => "login-methods",
            "role" => "roles",
            other => other,
        };
        ColumnId::ALL.into_iter().find(|c| c.name() == alias)
    }
}

/// What the list is sorted by: the order the service listed the users in, or a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Loaded,
    By(ColumnId),
}

impl SortKey {
    /// Every sort key: load order, then every column (`s` cycles through the columns
    /// shown: `Columns::next_sort`).
    pub fn all() -> impl Iterator<Item = SortKey> {
        std::iter::once(SortKey::Loaded).chain(ColumnId::ALL.into_iter().map(SortKey::By))
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Loaded => "loaded",
            SortKey::By(column) => column.name(),
        }
    }

    pub fn parse(text: &str) -> Option<SortKey> {
        match text.trim().to_ascii_lowercase().as_str() {
            "loaded" | "none" | "load" => Some(SortKey::Loaded),
            other => ColumnId::parse(other).map(SortKey::By),
        }
    }
}

/// The sort in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// What restricts the list beyond tab and filter: an audit view's members, with the
/// generation that changes whenever the restriction does.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope<'a> {
    pub generation: u64,
    /// `None`: everyone.
    pub members: Option<&'a HashSet<UserIx>>,
    /// A comparison with a snapshot: the users that changed; `None`: everyone.
    pub changed: Option<&'a HashSet<UserIx>>,
    /// A reconciliation with a people list: the accounts found; `None`: everyone.
    pub found: Option<&'a HashSet<UserIx>>,
    /// "Marked only": the marked users; `None`: everyone.
    pub marked: Option<&'a HashSet<UserIx>>,
}

impl Scope<'_> {
    fn sets(&self) -> [Option<&HashSet<UserIx>>; 4] {
        [self.members, self.changed, self.found, self.marked]
    }

    fn is_everyone(&self) -> bool {
        self.sets().iter().all(Option::is_none)
    }

    fn admits(&self, ix: UserIx) -> bool {
        self.sets().iter().flatten().all(|set| set.contains(&ix))
    }
}

/// True when the tab shows the user.
pub fn tab_matches(tab: StatusTab, user: &UserRecord) -> bool {
    match tab {
        StatusTab::All => true,
        StatusTab::Active => user.status == Status::Active,
        StatusTab::Pending => user.status == Status::Pending,
        StatusTab::Disabled => user.status == Status::Disabled,
        StatusTab::ServiceAccounts => user.service_account,
    }
}

/// How many of `users` each status tab shows, in `StatusTab::ALL` order.
pub fn tab_counts<'a>(users: impl Iterator<Item = &'a UserRecord>) -> [usize; 5] {
    let mut counts = [0usize; 5];
    for user in users {
        for (n, tab) in StatusTab::ALL.iter().enumerate() {
            if tab_matches(*tab, user) {
                counts[n] += 1;
            }
        }
    }
    counts
}

/// What the rows were last built from, so the next change does only the work it needs.
#[derive(Clone, Debug, Default)]
struct Cache {
    /// Every loaded user (store indices `0..order.len()`) in `order_sort` order, as of store
    /// revision `order_revision`.
    order: Vec<UserIx>,
    order_sort: Option<Sort>,
    order_revision: u64,
    /// The tab, filter, sort, scope generation and moment the rows were built with, and
    /// the store's revision and size then (users added since make the rows stale too).
    built: Option<Built>,
    built_revision: u64,
    built_len: usize,
}

/// What the rows were built with.
#[derive(Clone, Debug)]
struct Built {
    tab: StatusTab,
    filter: Filter,
    sort: Sort,
    scope: u64,
    now: i64,
}

/// The filter line read: the text it was read from, the filter in force (the terms that
/// parse, so a half-typed term does not empty the list), and why a term was left out.
#[derive(Clone, Debug, Default)]
pub struct ParsedFilter {
    text: String,
    pub filter: Filter,
    pub error: Option<FilterError>,
}

/// The users shown and the cursor over them.
#[derive(Clone, Debug, Default)]
pub struct View {
    /// Store indices, in the order shown.
    pub rows: Vec<UserIx>,
    pub cursor: ListCursor,
    pub tab: StatusTab,
    pub sort: Sort,
    pub filter: Input,
    /// The filter line has the keys.
    pub filter_editing: bool,
    /// `filter` parsed, once per edit (see [`View::parse_filter`]).
    pub parsed: ParsedFilter,
    cache: Cache,
}

impl View {
    /// The user under the cursor.
    pub fn selected<'s>(&self, store: &'s Org) -> Option<&'s UserRecord> {
        self.rows.get(self.cursor.pos).and_then(|ix| store.get(*ix))
    }

    /// Reads the filter line again when its text changed since it was last read: the terms
    /// that parse come into force; a term that does not is left out, and says why.
    pub fn parse_filter(&mut self) {
        let text = self.filter.value();
        if text == self.parsed.text {
            return;
        }
        self.parsed.text = text.to_owned();
        (self.parsed.filter, self.parsed.error) = Filter::parse_lenient(text);
    }

    /// The filter in force bound to `store`, ages counted from `now` (unix seconds; the
    /// org's reading time for a snapshot, see [`Org::as_of`]).
    pub fn matcher<'a>(&'a self, store: &'a Org, now: i64) -> Matcher<'a> {
        let now = OffsetDateTime::from_unix_timestamp(now).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        self.parsed.filter.matcher(store, store.as_of(now))
    }

    /// True when `user` belongs in the view.
    pub fn admits(&self, store: &Org, ix: UserIx, matcher: &Matcher, scope: Scope) -> bool {
        let Some(user) = store.get(ix) else {
            return false;
        };
        tab_matches(self.tab, user) && scope.admits(ix) && matcher.matches(user)
    }

    /// Moves the cursor by `delta` in a window of `rows`; true when it moved.
    pub fn move_by(&mut self, delta: i64, rows: usize) -> bool {
        self.cursor.step(delta, self.rows.len(), rows)
    }

    /// Brings the cached order of every loaded user up to date for the current sort: a full
    /// sort when the sort or a loaded user changed, a merge of the users added since
    /// otherwise.
    fn ensure_order(&mut self, store: &Org) {
        let sort = self.sort;
        let cache = &mut self.cache;
        let stale = cache.order_sort != Some(sort)
            || cache.order_revision != store.revision()
            || cache.order.len() > store.len();
        if stale {
            cache.order = sort_indices(store, sort, 0..store.len() as UserIx);
        } else if cache.order.len() < store.len() {
            let added = sort_indices(
                store,
                sort,
                cache.order.len() as UserIx..store.len() as UserIx,
            );
            let old = std::mem::take(&mut cache.order);
            cache.order = merge(store, sort, old, &added);
        }
        cache.order_sort = Some(sort);
        cache.order_revision = store.revision();
    }

    /// Recomputes the rows, keeping the cursor on the same user when it is still shown.
    /// Does only the work the change needs: nothing when tab, filter, sort, scope and users
    /// are as the rows were built; a re-check of the users shown when the filter only
    /// narrowed; otherwise one pass over the cached sort order.
    pub fn rebuild(&mut self, store: &Org, scope: Scope, rows: usize, now: i64) {
        self.parse_filter();
        let selected = self.selected(store).map(|u| u.id.clone());
        let built = Built {
            tab: self.tab,
            filter: self.parsed.filter.clone(),
            sort: self.sort,
            scope: scope.generation,
            now,
        };
        let revision = store.revision();
        let same_users =
            self.cache.built_revision == revision && self.cache.built_len == store.len();
        let narrowing = same_users
            && self
                .cache
                .built
                .as_ref()
                .is_some_and(|old| built.narrows(old));
        let unchanged = narrowing
            && self
                .cache
                .built
                .as_ref()
                .is_some_and(|old| old.tab == built.tab && old.filter == built.filter);
        if unchanged {
            // Nothing to filter again.
        } else if narrowing {
            let mut kept = std::mem::take(&mut self.rows);
            let matcher = self.matcher(store, now);
            kept.retain(|ix| self.admits(store, *ix, &matcher, scope));
            self.rows = kept;
        } else {
            self.ensure_order(store);
            let everyone =
                built.filter.is_empty() && built.tab == StatusTab::All && scope.is_everyone();
            self.rows = if everyone {
                self.cache.order.clone()
            } else {
                let matcher = self.matcher(store, now);
                self.cache
                    .order
                    .iter()
                    .copied()
                    .filter(|ix| self.admits(store, *ix, &matcher, scope))
                    .collect()
            };
        }
        self.cache.built = Some(built);
        self.cache.built_revision = revision;
        self.cache.built_len = store.len();
        self.restore_cursor(store, selected, rows);
    }

    fn restore_cursor(&mut self, store: &Org, selected: Option<UserId>, rows: usize) {
        let found = selected.and_then(|id| {
            let ix = store.index_of(&id)?;
            self.rows.iter().position(|v| *v == ix)
        });
        if let Some(pos) = found {
            self.cursor.pos = pos;
        }
        self.cursor.clamp(self.rows.len(), rows);
    }

    /// Adds newly loaded users to the rows without re-filtering the rest (in sort order).
    pub fn extend(&mut self, store: &Org, new: &[UserIx], scope: Scope, rows: usize, now: i64) {
        if new.is_empty() {
            return;
        }
        self.parse_filter();
        let matcher = self.matcher(store, now);
        let added: Vec<UserIx> = new
            .iter()
            .copied()
            .filter(|ix| self.admits(store, *ix, &matcher, scope))
            .collect();
        // The rows stay as a rebuild would make them, so the cache may say so.
        let in_step = self.cache.built_len + new.len() == store.len();
        if !added.is_empty() {
            let selected = self.selected(store).map(|u| u.id.clone());
            if self.sort == Sort::default() {
                self.rows.extend(added);
            } else {
                let added = sort_indices(store, self.sort, added.into_iter());
                let old = std::mem::take(&mut self.rows);
                self.rows = merge(store, self.sort, old, &added);
            }
            self.restore_cursor(store, selected, rows);
        }
        if in_step {
            self.cache.built_len = store.len();
        }
    }
}

impl Built {
    /// True when the rows built for `old` hold every user these settings admit, in order:
    /// same sort and scope, the same tab or All before, a filter at least as narrow, and
    /// (for a filter with ages) the same moment.
    fn narrows(&self, old: &Built) -> bool {
        old.sort == self.sort
            && old.scope == self.scope
            && (old.tab == self.tab || old.tab == StatusTab::All)
            && (old.now == self.now || !self.filter.uses_time())
            && self.filter.narrows(&old.filter)
    }
}

/// The order of the view: by the sort column, ties by load order.
pub fn compare(store: &Org, sort: Sort, a: UserIx, b: UserIx) -> Ordering {
    let (Some(ua), Some(ub)) = (store.get(a), store.get(b)) else {
        return a.cmp(&b);
    };
    let ord = match sort.key {
        SortKey::Loaded => Ordering::Equal,
        SortKey::By(ColumnId::Name) => store.haystack(ua).cmp(store.haystack(ub)),
        SortKey::By(ColumnId::Email) => ua
            .email
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(ub.email.bytes().map(|c| c.to_ascii_lowercase())),
        SortKey::By(ColumnId::Status) => ua.status.cmp(&ub.status),
        SortKey::By(ColumnId::Roles) => {
            let first = |u: &UserRecord| {
                u.roles
                    .first()
                    .and_then(|r| store.role(*r))
                    .map(|r| r.name.as_str())
            };
            first(ua).cmp(&first(ub))
        }
        SortKey::By(ColumnId::Mfa) => ua.mfa.cmp(&ub.mfa),
        SortKey::By(ColumnId::LastLogin) => ua.last_login.cmp(&ub.last_login),
        SortKey::By(ColumnId::Created) => ua.created.cmp(&ub.created),
        SortKey::By(ColumnId::Title) => ua.title.cmp(&ub.title),
        SortKey::By(ColumnId::Modified) => ua.modified.cmp(&ub.modified),
        SortKey::By(ColumnId::RoleCount) => ua.roles.len().cmp(&ub.roles.len()),
        SortKey::By(ColumnId::ServiceAccount) => ua.service_account.cmp(&ub.service_account),
        SortKey::By(ColumnId::LoginMethods) => {
            store.login_methods(ua).cmp(&store.login_methods(ub))
        }
    };
    let ord = if sort.descending { ord.reverse() } else { ord };
    let tie = if sort.descending && sort.key == SortKey::Loaded {
        b.cmp(&a)
    } else {
        a.cmp(&b)
    };
    ord.then(tie)
}

/// A key that orders users like [`compare`]: when two keys differ their order is the
/// users' order; equal keys of a text column are settled by `compare` (see `exact_key`).
/// Sorting `(key, index)` pairs is several times faster than sorting by `compare` alone.
fn sort_key(store: &Org, key: SortKey, ix: UserIx, user: &UserRecord, role_rank: &[u128]) -> u128 {
    fn prefix(bytes: impl Iterator<Item = u8>) -> u128 {
        let mut out = [0u8; 16];
        for (slot, b) in out.iter_mut().zip(bytes) {
            *slot = b;
        }
        u128::from_be_bytes(out)
    }
    fn time(t: Option<i64>) -> u128 {
        // None sorts first, like `Option`'s own order.
        t.map_or(0, |t| u128::from((t as u64) ^ (1 << 63)) + 1)
    }
    match key {
        // The load order is the index itself (so descending reverses it, pages included).
        SortKey::Loaded => u128::from(ix),
        SortKey::By(ColumnId::Name) => prefix(store.haystack(user).bytes()),
        SortKey::By(ColumnId::Email) => prefix(user.email.bytes().map(|c| c.to_ascii_lowercase())),
        SortKey::By(ColumnId::Roles) => user
            .roles
            .first()
            .and_then(|r| role_rank.get(*r as usize).copied())
            .unwrap_or(0),
        SortKey::By(ColumnId::Status) => user.status as u128,
        SortKey::By(ColumnId::Mfa) => match user.mfa {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        },
        SortKey::By(ColumnId::LastLogin) => time(user.last_login.map(Stamp::seconds)),
        SortKey::By(ColumnId::Created) => time(user.created.map(Stamp::seconds)),
        SortKey::By(ColumnId::Modified) => time(user.modified.map(Stamp::seconds)),
        // None first, like `Option`'s order; then the text's first bytes.
        SortKey::By(ColumnId::Title) => user.title.as_deref().map_or(0, |t| prefix(t.bytes()) | 1),
        SortKey::By(ColumnId::LoginMethods) => store
            .login_methods(user)
            .map_or(0, |t| prefix(t.bytes()) | 1),
        SortKey::By(ColumnId::RoleCount) => user.roles.len() as u128,
        SortKey::By(ColumnId::ServiceAccount) => u128::from(user.service_account),
    }
}

/// True when equal `sort_key`s mean equal columns (so the index alone breaks the tie).
fn exact_key(key: SortKey) -> bool {
    !matches!(
        key,
        SortKey::By(ColumnId::Name)
            | SortKey::By(ColumnId::Email)
            | SortKey::By(ColumnId::Title)
            | SortKey::By(ColumnId::LoginMethods)
    )
}

/// For each role index, 1 + the rank of its name among all role names (equal names, equal
/// ranks): an exact sort key for the roles column.
fn role_ranks(store: &Org) -> Vec<u128> {
    let roles = store.roles();
    let mut by_name: Vec<usize> = (0..roles.len()).collect();
    by_name.sort_by(|a, b| roles[*a].name.cmp(&roles[*b].name));
    let mut ranks = vec![0; roles.len()];
    let mut rank = 0;
    for (n, ix) in by_name.iter().enumerate() {
        if n == 0 || roles[by_name[n - 1]].name != roles[*ix].name {
            rank += 1;
        }
        ranks[*ix] = rank;
    }
    ranks
}

/// `ixs` in `sort` order.
fn sort_indices(store: &Org, sort: Sort, ixs: impl Iterator<Item = UserIx>) -> Vec<UserIx> {
    let ranks = if sort.key == SortKey::By(ColumnId::Roles) {
        role_ranks(store)
    } else {
        Vec::new()
    };
    let mut keyed: Vec<(u128, UserIx)> = ixs
        .filter_map(|ix| {
            let key = sort_key(store, sort.key, ix, store.get(ix)?, &ranks);
            Some((if sort.descending { !key } else { key }, ix))
        })
        .collect();
    keyed.sort_unstable();
    if !exact_key(sort.key) {
        let mut start = 0;
        while start < keyed.len() {
            let mut end = start + 1;
            while end < keyed.len() && keyed[end].0 == keyed[start].0 {
                end += 1;
            }
            if end - start > 1 {
                keyed[start..end].sort_unstable_by(|a, b| compare(store, sort, a.1, b.1));
            }
            start = end;
        }
    }
    keyed.into_iter().map(|(_, ix)| ix).collect()
}

/// Merges two lists already in `sort` order.
fn merge(store: &Org, sort: Sort, old: Vec<UserIx>, added: &[UserIx]) -> Vec<UserIx> {
    let mut merged = Vec::with_capacity(old.len() + added.len());
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < added.len() {
        if compare(store, sort, old[i], added[j]) != Ordering::Greater {
            merged.push(old[i]);
            i += 1;
        } else {
            merged.push(added[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&old[i..]);
    merged.extend_from_slice(&added[j..]);
    merged
}
