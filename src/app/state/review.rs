//! The state of an access review open in the console (`ddusers review open`, `:review
//! FILE`): the review read and waiting for the org to finish loading, and the lens in
//! force — the review as decided so far, which of its rows are shown (narrowed by decision
//! and by the filter line, in the review's order), the cursor and marks over them, and
//! which decisions are not written to the file yet. Also the dialog a decision key opens:
//! the role picker, then the justification line.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tui_input::Input;

use crate::app::action::DecisionKey;
use crate::app::cursor::ListCursor;
use crate::org::filter::{fold, Filter, Matcher};
use crate::org::{Org, UserIx};
use crate::review::{Decision, Item, Review, RoleRef};

/// The review: the file read, waiting for the org, and the lens once open.
#[derive(Clone, Debug, Default)]
pub struct ReviewSession {
    /// Read, waiting for the org to finish loading.
    pub pending: Option<OpenedReview>,
    pub active: Option<ReviewLens>,
}

/// A review file read for the console to open.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenedReview {
    /// Where it is written back to.
    pub path: PathBuf,
    pub review: Review,
    /// Who decides: `review::decide::decider_name`, read from the environment by whoever
    /// read the file (the same rule as the command line).
    pub decider: String,
    /// Said when the lens opens (that a stand-in replaces the review's snapshot, …).
    pub note: Option<String>,
}

/// Which rows the lens shows (`:review undecided`, `:review keep`, …).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Narrow {
    #[default]
    All,
    Undecided,
    Decided,
    /// The rows of one decision (by [`Decision::name`]).
    Only(&'static str),
}

impl Narrow {
    /// `undecided`, `decided`, a decision's name, `all`.
    pub fn parse(word: &str) -> Option<Narrow> {
        match word.to_ascii_lowercase().as_str() {
            "all" => Some(Narrow::All),
            "undecided" => Some(Narrow::Undecided),
            "decided" => Some(Narrow::Decided),
            other => Decision::NAMES
                .into_iter()
                .find(|name| *name == other)
                .map(Narrow::Only),
        }
    }

    /// True when the row is shown.
    pub fn admits(self, item: &Item) -> bool {
        match (self, &item.decision) {
            (Narrow::All, _) => true,
            (Narrow::Undecided, decided) => decided.is_none(),
            (Narrow::Decided, decided) => decided.is_some(),
            (Narrow::Only(name), Some(decided)) => decided.decision.name() == name,
            (Narrow::Only(_), None) => false,
        }
    }

    /// How the lens's title names it ("every row", "undecided").
    pub fn label(self) -> &'static str {
        match self {
            Narrow::All => "every row",
            Narrow::Undecided => "undecided",
            Narrow::Decided => "decided",
            Narrow::Only(name) => name,
        }
    }
}

/// What the shown rows were built with: the same again needs no pass over the rows.
#[derive(Clone, Debug, PartialEq)]
struct Built {
    filter: Filter,
    only: Narrow,
    revision: u64,
    len: usize,
}

/// An access review as the list: one row per item.
#[derive(Clone, Debug)]
pub struct ReviewLens {
    /// Names the lens's writes: an answer for a lens closed since is not its.
    pub id: u64,
    /// The file every decision is written to.
    pub path: PathBuf,
    /// The review as decided so far (the file gets each decision by an effect: nothing
    /// here is shared with it, so deciding never copies the review).
    pub review: Review,
    pub decider: String,
    /// Rows decided: counted when the lens opened, then kept as decisions land (the title
    /// says it on every frame).
    pub decided: usize,
    pub only: Narrow,
    /// The rows shown (item positions), in the review's order. Deciding keeps a row where
    /// it is; narrowing or filtering again lists what then fits.
    pub rows: Vec<usize>,
    pub cursor: ListCursor,
    /// Marked rows (item positions): decided together.
    pub marks: HashSet<usize>,
    /// Bumped by every decision; a write carries the revision it holds.
    pub revision: u64,
    /// Rows changed since the file was last written, with the revision that changed them.
    pub unsaved: HashMap<usize, u64>,
    /// Why the last write failed (the rows it held stay unsaved).
    pub save_error: Option<String>,
    /// Each row's user in the org, found by id when the lens opened (none when the org
    /// does not have them: the row's own words still match the filter's text).
    users: Vec<Option<UserIx>>,
    /// Each row's own words, folded, for the filter's free text: the user as the review
    /// froze them, the role, the reason and the decision.
    words: Vec<String>,
    built: Option<Built>,
}

impl ReviewLens {
    /// A lens on `opened`, showing every row, its users found in `org`.
    pub fn new(id: u64, opened: OpenedReview, org: &Org) -> ReviewLens {
        let review = opened.review;
        let users = review
            .items
            .iter()
            .map(|item| org.index_of(&item.user.id))
            .collect();
        let words = review.items.iter().map(row_words).collect();
        ReviewLens {
            id,
            path: opened.path,
            decided: review.progress().decided,
            review,
            decider: opened.decider,
            only: Narrow::All,
            rows: Vec::new(),
            cursor: ListCursor::default(),
            marks: HashSet::new(),
            revision: 0,
            unsaved: HashMap::new(),
            save_error: None,
            users,
            words,
            built: None,
        }
    }

    /// The item under the cursor.
    pub fn selected(&self) -> Option<usize> {
        self.rows.get(self.cursor.pos).copied()
    }

    /// The rows a decision key acts on: the marked ones (in the review's order), else the
    /// cursor's.
    pub fn targets(&self) -> Vec<usize> {
        if self.marks.is_empty() {
            return self.selected().into_iter().collect();
        }
        let mut rows: Vec<usize> = self.marks.iter().copied().collect();
        rows.sort_unstable();
        rows
    }

    /// Lists the rows that fit the narrowing and the filter (`matcher`, bound to `org`),
    /// keeping the cursor on its row when it is still shown; `page` rows are on screen.
    /// Nothing to do when they were built with the same filter, narrowing and org.
    pub fn refilter(&mut self, org: &Org, filter: &Filter, matcher: &Matcher, page: usize) {
        let built = Built {
            filter: filter.clone(),
            only: self.only,
            revision: org.revision(),
            len: org.len(),
        };
        if self.built.as_ref() == Some(&built) {
            return;
        }
        let selected = self.selected();
        let everything = filter.is_empty() && self.only == Narrow::All;
        let items = &self.review.items;
        self.rows = (0..items.len())
            .filter(|&row| {
                everything
                    || (self.only.admits(&items[row])
                        && matcher.matches_row(
                            self.users[row].and_then(|ix| org.get(ix)),
                            &self.words[row],
                        ))
            })
            .collect();
        if let Some(pos) = selected.and_then(|row| self.rows.iter().position(|r| *r == row)) {
            self.cursor.pos = pos;
        }
        self.cursor.clamp(self.rows.len(), page);
        self.built = Some(built);
    }

    /// The rows must be listed again (a narrowing asked for anew).
    pub fn stale(&mut self) {
        self.built = None;
    }

    /// `rows` changed (decided, or cleared): a new revision, unsaved until a write of it
    /// lands; their words follow their decision.
    pub fn changed(&mut self, rows: &[usize]) -> u64 {
        self.revision += 1;
        for &row in rows {
            self.unsaved.insert(row, self.revision);
            if let (Some(words), Some(item)) = (self.words.get_mut(row), self.review.items.get(row))
            {
                *words = row_words(item);
            }
        }
        self.revision
    }

    /// A write of `revision` landed: every change it held is saved.
    pub fn saved(&mut self, revision: u64) {
        self.unsaved.retain(|_, changed| *changed > revision);
        self.save_error = None;
    }
}

/// A row's own words, folded: the user as the review froze them, the role, the reason
/// and the decision with its justification.
fn row_words(item: &Item) -> String {
    let decision = item.decision.as_ref().map_or_else(
        || "undecided".to_owned(),
        |d| format!("{} {}", d.decision.describe(), d.why),
    );
    fold(&format!(
        "{} {} {} {} {decision}",
        item.user.name,
        item.user.email,
        item.role_label(),
        item.reason
    ))
}

/// The dialog a decision key opens over the review: which role (when the decision needs
/// one and the row does not say it), then the justification.
#[derive(Clone, Debug)]
pub struct DecisionDialog {
    /// The lens the rows are of.
    pub lens: u64,
    /// The rows decided (item positions).
    pub rows: Vec<usize>,
    pub key: DecisionKey,
    pub step: DecisionStep,
}

/// Where a decision dialog is.
#[derive(Clone, Debug)]
pub enum DecisionStep {
    PickRole(RolePick),
    Justify(Justification),
}

/// Picking the role a decision is about.
#[derive(Clone, Debug)]
pub struct RolePick {
    pub purpose: PickFor,
    pub roles: Vec<RoleRef>,
    pub cursor: ListCursor,
}

/// What the picked role is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PickFor {
    /// The role to revoke (an account row's user holds several).
    Revoke,
    /// The role to change (an account row's user holds several).
    ChangeFrom,
    /// The role `from` becomes.
    ChangeTo { from: RoleRef },
}

/// The justification line of a decision.
#[derive(Clone, Debug)]
pub struct Justification {
    pub decision: Decision,
    pub why: Input,
    /// The decision keeps admin access on a row: an empty line is refused.
    pub required: bool,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}
