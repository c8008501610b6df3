//! What the journal holds: run ids, the records written one per line, a run as read back
//! with how its items ended, and the journal's errors.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{timestamp, OrgId, UserId};
use crate::runs::change::{Change, ItemResult};
use crate::runs::observe::Observed;

/// A run's identifier: when it started, plus a random suffix (`20261127T061500-3f9a`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RunId(pub String);

impl RunId {
    /// A fresh id for a run starting now.
    pub fn fresh(now: OffsetDateTime) -> RunId {
        RunId(format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}-{:04x}",
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            fastrand::u16(..)
        ))
    }
}

/// Shown sanitised: a run id comes from the journal file, which anyone may have edited.
impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::text::sanitize_cow(&self.0))
    }
}

/// One line of the journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// A run begins: what it will do, and where.
    Run {
        run: RunId,
        #[serde(with = "timestamp")]
        at: OffsetDateTime,
        title: String,
        /// The org's address (site or base URL) — never a key.
        origin: String,
        /// The run this one undoes or resumes, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        of: Option<RunId>,
        /// The org the keys belonged to (resume and undo refuse another org's keys).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        org: Option<OrgId>,
        /// The user whose keys made the run.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<UserId>,
        changes: Vec<Change>,
        /// For an undo: per change, the state the undone run left (the item is skipped
        /// when the user changed since).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        expect: Vec<Option<Observed>>,
    },
    /// A change is about to be sent; `before` is its target as read just before.
    Intent {
        run: RunId,
        item: usize,
        #[serde(with = "timestamp")]
        at: OffsetDateTime,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Observed>,
    },
    /// What the change came to, and how to undo it when it did something.
    Outcome {
        run: RunId,
        item: usize,
        #[serde(with = "timestamp")]
        at: OffsetDateTime,
        result: ItemResult,
    },
}

/// Why the journal could not be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the journal {path} could not be opened: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the journal {path} could not be written: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the journal {path} could not be read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no run {0} in the journal (see `ddusers journal`)")]
    UnknownRun(String),
}

/// A run as the journal tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct RunState {
    pub run: RunId,
    pub at: OffsetDateTime,
    pub title: String,
    pub origin: String,
    pub of: Option<RunId>,
    pub org: Option<OrgId>,
    pub by: Option<UserId>,
    pub changes: Vec<Change>,
    /// For an undo: the state each item expects to find.
    pub expect: Vec<Option<Observed>>,
    /// Items whose intent was written.
    pub started: Vec<bool>,
    /// The state each started item read before its first write.
    pub before: Vec<Option<Observed>>,
    /// The last outcome of each item, if any.
    pub outcomes: Vec<Option<ItemResult>>,
    /// When each item's last outcome was written (empty for runs built in memory).
    pub finished_at: Vec<Option<OffsetDateTime>>,
}

impl RunState {
    /// Items with an outcome.
    pub fn finished_count(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_some()).count()
    }

    /// True when every item has an outcome.
    pub fn is_complete(&self) -> bool {
        self.outcomes.iter().all(Option::is_some)
    }

    /// Counts of done / skipped / partly done / failed / unfinished items.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for outcome in &self.outcomes {
            tally.count(outcome.as_ref());
        }
        tally
    }

    /// Items that still need work: not done and not already so.
    pub fn left(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| !o.as_ref().is_some_and(ItemResult::is_settled))
            .count()
    }

    /// When item `i`'s outcome was written, if it has one.
    pub fn finished_at(&self, i: usize) -> Option<OffsetDateTime> {
        self.finished_at.get(i).copied().flatten()
    }

    /// The expectation of item `i` (for undo runs).
    pub fn expectation(&self, i: usize) -> Option<&Observed> {
        self.expect.get(i).and_then(Option::as_ref)
    }
}

/// How a run's items ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub done: usize,
    pub skipped: usize,
    pub partial: usize,
    pub failed: usize,
    pub unfinished: usize,
}

impl Tally {
    /// Counts one item's result (`None`: no outcome yet).
    pub fn count(&mut self, result: Option<&ItemResult>) {
        match result {
            Some(ItemResult::Done { .. }) => self.done += 1,
            Some(ItemResult::Skipped { .. }) => self.skipped += 1,
            Some(ItemResult::Partial { .. }) => self.partial += 1,
            Some(ItemResult::Failed { .. }) => self.failed += 1,
            Some(ItemResult::Unfinished { .. }) | None => self.unfinished += 1,
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} done, {} already so", self.done, self.skipped)?;
        if self.partial > 0 {
            write!(f, ", {} partly done", self.partial)?;
        }
        write!(
            f,
            ", {} failed, {} unfinished",
            self.failed, self.unfinished
        )
    }
}
