//! The users table's columns, in one registry: for each kind of column (`view::ColumnId`,
//! which also names it and is what the list sorts by) its header label, width policy,
//! cell text and tone. A new kind of column is a `ColumnId`, its name, its order in
//! `view::compare`, and one entry in [`REGISTRY`]. Also the choice of columns
//! (`Columns`: which, in what order) and where each goes at a given width
//! ([`place`]), a pure function the drawing and the tests share. Draws nothing.

use crate::org::{Org, UserRecord};

pub use super::view::ColumnId;
use super::view::SortKey;

/// How a cell is styled (the drawing maps it to the theme).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Coloured by status, with a run's progress marks.
    Status,
    /// Highlighted when the user is marked.
    Name,
    Dim,
    /// Green when on.
    Mfa,
}

/// How wide a column wants to be. Core columns stay down to `min`; the others show only
/// when every column shown gets its `want`. Room beyond the wants goes to columns with a
/// `grow` weight, up to their `cap`. When even the minimums do not fit, the highest `rank`
/// goes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WidthPolicy {
    pub min: u16,
    pub want: u16,
    pub cap: Option<u16>,
    pub grow: u16,
    pub core: bool,
    pub rank: u8,
}

const fn fixed(width: u16, core: bool, rank: u8) -> WidthPolicy {
    WidthPolicy {
        min: width,
        want: width,
        cap: Some(width),
        grow: 0,
        core,
        rank,
    }
}

const fn flexible(min: u16, want: u16, cap: Option<u16>, grow: u16, rank: u8) -> WidthPolicy {
    WidthPolicy {
        min,
        want,
        cap,
        grow,
        core: rank < 6,
        rank,
    }
}

/// What a cell is computed from besides the user.
#[derive(Clone, Copy)]
pub struct CellContext<'a> {
    pub org: &'a Org,
    /// Unix seconds ("3d ago").
    pub now: i64,
}

/// One kind of column.
pub struct ColumnSpec {
    pub id: ColumnId,
    /// The header.
    pub label: &'static str,
    /// One line for the column picker.
    pub about: &'static str,
    pub width: WidthPolicy,
    pub tone: Tone,
    pub cell: fn(CellContext, &UserRecord) -> String,
}

/// Every kind of column, in the order the picker lists them.
pub const REGISTRY: &[ColumnSpec] = &[
    ColumnSpec {
        id: ColumnId::Status,
        label: "Status",
        about: "active, pending or disabled (and a run's marks)",
        width: fixed(10, true, 0),
        tone: Tone::Status,
        cell: |_, u| u.status.label().to_owned(),
    },
    ColumnSpec {
        id: ColumnId::Name,
        label: "Name",
        about: "the user's name ([svc] for service accounts)",
        width: flexible(10, 16, Some(26), 1, 1),
        tone: Tone::Name,
        cell: name_cell,
    },
    ColumnSpec {
        id: ColumnId::Email,
        label: "Email",
        about: "the user's email",
        width: flexible(14, 22, Some(44), 2, 2),
        tone: Tone::Plain,
        cell: |_, u| u.email.to_string(),
    },
    ColumnSpec {
        id: ColumnId::LastLogin,
        label: "Last login",
        about: "how long ago the user last logged in",
        width: fixed(10, true, 4),
        tone: Tone::Plain,
        cell: |c, u| {
            u.last_login
                .map(|t| crate::words::ago(c.now, t.seconds()))
                .unwrap_or_else(|| "never".to_owned())
        },
    },
    ColumnSpec {
        id: ColumnId::Roles,
        label: "Roles",
        about: "the roles the user holds",
        width: flexible(8, 16, None, 3, 5),
        tone: Tone::Dim,
        cell: |c, u| c.org.role_names(u),
    },
    ColumnSpec {
        id: ColumnId::Mfa,
        label: "MFA",
        about: "whether two-factor authentication is on",
        width: fixed(3, false, 6),
        tone: Tone::Mfa,
        cell: |_, u| {
            match u.mfa {
                Some(true) => "on",
                Some(false) => "off",
                None => "?",
            }
            .to_owned()
        },
    },
    ColumnSpec {
        id: ColumnId::Created,
        label: "Created",
        about: "the day the user was created",
        width: fixed(10, false, 7),
        tone: Tone::Plain,
        cell: |_, u| date_cell(u.created),
    },
    ColumnSpec {
        id: ColumnId::Title,
        label: "Title",
        about: "the user's job title",
        width: flexible(8, 14, Some(28), 1, 7),
        tone: Tone::Plain,
        cell: |_, u| u.title.as_deref().unwrap_or_default().to_owned(),
    },
    ColumnSpec {
        id: ColumnId::Modified,
        label: "Modified",
        about: "the day the user was last changed",
        width: fixed(10, false, 8),
        tone: Tone::Plain,
        cell: |_, u| date_cell(u.modified),
    },
    ColumnSpec {
        id: ColumnId::RoleCount,
        label: "#Roles",
        about: "how many roles the user holds",
        width: fixed(6, false, 8),
        tone: Tone::Plain,
        cell: |_, u| u.roles.len().to_string(),
    },
    ColumnSpec {
        id: ColumnId::ServiceAccount,
        label: "Svc",
        about: "yes for service accounts",
        width: fixed(3, false, 8),
        tone: Tone::Dim,
        cell: |_, u| if u.service_account { "yes" } else { "" }.to_owned(),
    },
    ColumnSpec {
        id: ColumnId::LoginMethods,
        label: "Login methods",
        about: "allowed login methods (blank: the org's defaults)",
        width: flexible(8, 14, Some(30), 1, 8),
        tone: Tone::Dim,
        cell: |c, u| c.org.login_methods(u).unwrap_or("?").to_owned(),
    },
];

fn name_cell(_: CellContext, user: &UserRecord) -> String {
    if user.service_account {
        format!("[svc] {}", user.display_name())
    } else if user.name.is_empty() {
        "—".to_owned()
    } else {
        user.name.to_string()
    }
}

fn date_cell(stamp: Option<crate::org::Stamp>) -> String {
    stamp
        .map(|t| crate::words::date(t.seconds()))
        .unwrap_or_else(|| "—".into())
}

impl ColumnId {
    /// The column's registry entry.
    pub fn spec(self) -> &'static ColumnSpec {
        REGISTRY
            .iter()
            .find(|s| s.id == self)
            .expect("every column kind has a registry entry (a test checks it)")
    }
}

/// Which columns the list shows, in order (the mark column always comes first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns(Vec<ColumnId>);

impl Default for Columns {
    fn default() -> Columns {
        use ColumnId::*;
        Columns(vec![Status, Name, Email, Roles, Mfa, LastLogin, Created])
    }
}

impl Columns {
    /// These columns, repeats dropped; `None` when there are none.
    pub fn new(ids: impl IntoIterator<Item = ColumnId>) -> Option<Columns> {
        let mut out: Vec<ColumnId> = Vec::new();
        for id in ids {
            if !out.contains(&id) {
                out.push(id);
            }
        }
        (!out.is_empty()).then_some(Columns(out))
    }

    /// `name,email,roles,title` (commas or spaces); a sentence naming what is wrong.
    pub fn parse(text: &str) -> Result<Columns, String> {
        let mut ids = Vec::new();
        for word in text.split([',', ' ']).filter(|w| !w.trim().is_empty()) {
            match ColumnId::parse(word) {
                Some(id) => ids.push(id),
                None => {
                    return Err(format!(
                        "unknown column {:?}: choose from {}",
                        word.trim(),
                        names_list()
                    ))
                }
            }
        }
        Columns::new(ids).ok_or_else(|| format!("name at least one column: {}", names_list()))
    }

    /// Columns from the config file's names; names this version does not know are
    /// returned apart (the file may come from a newer one).
    pub fn from_names(names: &[String]) -> (Option<Columns>, Vec<String>) {
        let mut unknown = Vec::new();
        let ids: Vec<ColumnId> = names
            .iter()
            .filter_map(|n| {
                let id = ColumnId::parse(n);
                if id.is_none() {
                    unknown.push(n.clone());
                }
                id
            })
            .collect();
        (Columns::new(ids), unknown)
    }

    pub fn ids(&self) -> &[ColumnId] {
        &self.0
    }

    /// The names, as `:columns` and the config file write them.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|c| c.name().to_owned()).collect()
    }

    pub fn contains(&self, id: ColumnId) -> bool {
        self.0.contains(&id)
    }

    /// The sort keys `s` cycles through: load order, then the columns shown.
    pub fn sort_cycle(&self) -> Vec<SortKey> {
        std::iter::once(SortKey::Loaded)
            .chain(self.0.iter().map(|c| SortKey::By(*c)))
            .collect()
    }

    /// The sort after `current` in [`sort_cycle`](Self::sort_cycle) (the first column's
    /// when `current` is not in it).
    pub fn next_sort(&self, current: SortKey) -> SortKey {
        let cycle = self.sort_cycle();
        let next = cycle
            .iter()
            .position(|k| *k == current)
            .map_or(1, |n| n + 1);
        cycle.get(next % cycle.len()).copied().unwrap_or_default()
    }
}

/// Every column name, for messages.
pub fn names_list() -> String {
    REGISTRY
        .iter()
        .map(|s| s.id.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// An audit view's explanation columns ("admin because", "granted by"): their headers and
/// the widest cell of each, as the view computed them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExplainColumns {
    pub labels: Vec<String>,
    /// The widest cell of each column, in terminal columns.
    pub widest: Vec<u16>,
}

impl ExplainColumns {
    /// The header of a view column named like a CSV header: `admin_because` → "Admin because".
    pub fn label_of(name: &str) -> String {
        let spaced = name.replace('_', " ");
        let mut chars = spaced.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// As wide as the widest cell, the header cut at 12 columns unless there is room.
    fn policy(&self, n: usize) -> WidthPolicy {
        let cells = self.widest.get(n).copied().unwrap_or(8).clamp(3, 40);
        let label = self
            .labels
            .get(n)
            .map_or(0, |l| l.chars().count() as u16)
            .min(40);
        let want = cells.max(label.min(12));
        WidthPolicy {
            min: want.min(8),
            want,
            cap: Some(want.max(label)),
            grow: 1,
            core: true,
            rank: 3,
        }
    }
}

/// A column of the table as drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableColumn {
    /// The one-cell mark column, always first.
    Mark,
    User(ColumnId),
    /// The n-th explanation column of the open audit view.
    Explain(usize),
}

/// A column and its width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub column: TableColumn,
    pub width: u16,
}

/// The columns to draw at `width` (one space between columns): the chosen ones, an audit
/// view's explanation columns after the email (else after the name), and the sorted
/// column widened to hold its arrow. Columns that do not fit are left out, see
/// [`WidthPolicy`].
pub fn place(
    columns: &Columns,
    explain: Option<&ExplainColumns>,
    sort: SortKey,
    width: u16,
) -> Vec<Placed> {
    // An explanation column replaces a chosen column of the same header ("Last login").
    let repeated =
        |id: &ColumnId| explain.is_some_and(|e| e.labels.iter().any(|l| l == id.spec().label));
    let mut wanted: Vec<(TableColumn, WidthPolicy)> = columns
        .ids()
        .iter()
        .filter(|id| !repeated(id))
        .map(|id| (TableColumn::User(*id), sorted_policy(*id, sort)))
        .collect();
    if let Some(explain) = explain {
        let after = [ColumnId::Email, ColumnId::Name]
            .iter()
            .find_map(|id| {
                wanted
                    .iter()
                    .position(|(c, _)| *c == TableColumn::User(*id))
            })
            .map_or(wanted.len(), |n| n + 1);
        for n in (0..explain.labels.len()).rev() {
            wanted.insert(after, (TableColumn::Explain(n), explain.policy(n)));
        }
    }
    let kept = fit(wanted, width.saturating_sub(1));
    let mut placed = vec![Placed {
        column: TableColumn::Mark,
        width: 1,
    }];
    placed.extend(
        widths(&kept, width.saturating_sub(1))
            .into_iter()
            .map(|(column, width)| Placed { column, width }),
    );
    placed
}

/// The column's policy; the sorted column is wide enough for its label and arrow.
fn sorted_policy(id: ColumnId, sort: SortKey) -> WidthPolicy {
    let spec = id.spec();
    let mut policy = spec.width;
    if sort == SortKey::By(id) {
        let need = spec.label.chars().count() as u16 + 2;
        policy.min = policy.min.max(need.min(12));
        policy.want = policy.want.max(policy.min);
        policy.cap = policy.cap.map(|c| c.max(policy.min));
    }
    policy
}

/// Room taken by `columns` at `pick(policy)` each, with a space before each (after the mark).
fn room(columns: &[(TableColumn, WidthPolicy)], pick: fn(&WidthPolicy) -> u16) -> u32 {
    columns.iter().map(|(_, p)| u32::from(pick(p)) + 1).sum()
}

/// Leaves out columns until they fit `width`: first, while the wants do not fit, the
/// columns that are not core; then each core column, in rank order, stays only when the
/// columns ranked above it get their want and it gets its minimum. The first column in rank
/// order always stays.
fn fit(
    mut columns: Vec<(TableColumn, WidthPolicy)>,
    width: u16,
) -> Vec<(TableColumn, WidthPolicy)> {
    let width = u32::from(width);
    while room(&columns, |p| p.want) > width {
        let worst = columns
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| !p.core)
            .max_by_key(|(n, (_, p))| (p.rank, *n))
            .map(|(n, _)| n);
        match worst {
            Some(n) => columns.remove(n),
            None => break,
        };
    }
    let mut by_rank: Vec<usize> = (0..columns.len()).collect();
    by_rank.sort_by_key(|n| columns[*n].1.rank);
    let mut keep = vec![false; columns.len()];
    let mut above: u32 = 0;
    for (k, n) in by_rank.into_iter().enumerate() {
        let policy = &columns[n].1;
        // Its minimum and the space before it.
        if k == 0 || above + u32::from(policy.min) < width {
            keep[n] = true;
            above += u32::from(policy.want) + 1;
        }
    }
    columns
        .into_iter()
        .zip(keep)
        .filter_map(|(column, kept)| kept.then_some(column))
        .collect()
}

/// Widths for columns that fit: each its minimum, then up to its want (the most important
/// first), then what is left by grow weight up to the caps.
fn widths(columns: &[(TableColumn, WidthPolicy)], width: u16) -> Vec<(TableColumn, u16)> {
    let mut out: Vec<u16> = columns.iter().map(|(_, p)| p.min).collect();
    let mut left = u32::from(width).saturating_sub(room(columns, |p| p.min));
    let mut by_rank: Vec<usize> = (0..columns.len()).collect();
    by_rank.sort_by_key(|n| columns[*n].1.rank);
    for n in by_rank {
        let more = u32::from(columns[n].1.want.saturating_sub(out[n])).min(left);
        out[n] += more as u16;
        left -= more;
    }
    while left > 0 {
        let open: Vec<usize> = (0..columns.len())
            .filter(|n| {
                let p = &columns[*n].1;
                p.grow > 0 && p.cap.is_none_or(|cap| out[*n] < cap)
            })
            .collect();
        let weight: u32 = open.iter().map(|n| u32::from(columns[*n].1.grow)).sum();
        if weight == 0 {
            break;
        }
        let share = (left / weight).max(1);
        for n in open {
            let p = &columns[n].1;
            let headroom = p.cap.map_or(u32::MAX, |cap| u32::from(cap - out[n]));
            let more = (share * u32::from(p.grow)).min(headroom).min(left);
            out[n] += more as u16;
            left -= more;
        }
    }
    columns
        .iter()
        .zip(out)
        .map(|((column, _), width)| (*column, width))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn width_of(placed: &[Placed], id: ColumnId) -> Option<u16> {
        placed
            .iter()
            .find(|p| p.column == TableColumn::User(id))
            .map(|p| p.width)
    }

    fn total(placed: &[Placed]) -> u16 {
        placed.iter().map(|p| p.width).sum::<u16>() + placed.len() as u16 - 1
    }

    #[test]
    fn every_column_kind_has_one_registry_entry_and_a_name_that_parses_back() {
        for id in ColumnId::ALL {
            assert_eq!(REGISTRY.iter().filter(|s| s.id == id).count(), 1, "{id:?}");
            assert_eq!(ColumnId::parse(id.name()), Some(id));
            assert_eq!(SortKey::parse(id.name()), Some(SortKey::By(id)));
        }
        assert_eq!(REGISTRY.len(), ColumnId::ALL.len());
    }

    #[test]
    fn wide_terminals_cap_the_name_and_give_the_room_to_email_and_roles() {
        for width in [160, 200] {
            let placed = place(&Columns::default(), None, SortKey::Loaded, width);
            let name = width_of(&placed, ColumnId::Name).expect("name shown");
            let email = width_of(&placed, ColumnId::Email).expect("email shown");
            let roles = width_of(&placed, ColumnId::Roles).expect("roles shown");
            assert!((20..=28).contains(&name), "name {name} at {width}");
            assert!(email > name && roles > name, "{placed:?}");
            assert_eq!(total(&placed), width, "fills the width");
        }
    }

    #[test]
    fn narrow_terminals_drop_the_optional_columns_first() {
        let placed = place(&Columns::default(), None, SortKey::Loaded, 80);
        assert_eq!(width_of(&placed, ColumnId::Mfa), None);
        assert_eq!(width_of(&placed, ColumnId::Created), None);
        assert!(width_of(&placed, ColumnId::Roles).is_some());
        assert!(total(&placed) <= 80);
        let tiny = place(&Columns::default(), None, SortKey::Loaded, 20);
        assert!(total(&tiny) <= 20 || tiny.len() == 2, "{tiny:?}");
    }

    #[test]
    fn the_sorted_column_is_wide_enough_for_its_arrow() {
        let placed = place(&Columns::default(), None, SortKey::By(ColumnId::Mfa), 160);
        assert_eq!(width_of(&placed, ColumnId::Mfa), Some(5));
        let placed = place(
            &Columns::default(),
            None,
            SortKey::By(ColumnId::LastLogin),
            160,
        );
        assert_eq!(width_of(&placed, ColumnId::LastLogin), Some(12));
    }

    #[test]
    fn explanation_columns_come_after_the_email() {
        let explain = ExplainColumns {
            labels: vec!["Admin because".into()],
            widest: vec![30],
        };
        let placed = place(&Columns::default(), Some(&explain), SortKey::Loaded, 120);
        let order: Vec<TableColumn> = placed.iter().map(|p| p.column).collect();
        let email = order
            .iter()
            .position(|c| *c == TableColumn::User(ColumnId::Email))
            .expect("email");
        assert_eq!(order[email + 1], TableColumn::Explain(0));
    }

    #[test]
    fn columns_parse_with_commas_or_spaces_and_name_the_unknown_one() {
        let columns = Columns::parse("name, email roles,title").expect("parses");
        assert_eq!(
            columns.names(),
            ["name", "email", "roles", "title"].map(String::from)
        );
        let error = Columns::parse("name,colour").expect_err("unknown");
        assert!(error.contains("\"colour\"") && error.contains("login-methods"));
        assert!(Columns::parse(" , ").is_err());
    }

    #[test]
    fn s_cycles_through_the_columns_shown() {
        let columns = Columns::parse("name,title").expect("parses");
        assert_eq!(
            columns.next_sort(SortKey::Loaded),
            SortKey::By(ColumnId::Name)
        );
        assert_eq!(
            columns.next_sort(SortKey::By(ColumnId::Name)),
            SortKey::By(ColumnId::Title)
        );
        assert_eq!(
            columns.next_sort(SortKey::By(ColumnId::Title)),
            SortKey::Loaded
        );
        assert_eq!(
            columns.next_sort(SortKey::By(ColumnId::Mfa)),
            SortKey::By(ColumnId::Name)
        );
    }
}
