//! The append-only journal of changes: JSON lines in the platform data directory (or
//! `DDUSERS_JOURNAL`), mode 0600. A run's header lists every change it will make; before a
//! change is sent its intent is written and synced, after it its outcome. Keys are never
//! written: nothing here holds one. Reading tolerates a torn last line (a killed process).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::change::{Change, ItemResult};
use super::observe::Observed;
use crate::api::models::{timestamp, OrgId, UserId};

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
    #[error("no run {0} in the journal (see `ddusers journal`)")]
    UnknownRun(String),
}

/// The journal file, shared by every run of this process.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

/// Where the journal lives: `DDUSERS_JOURNAL` if set, else the platform data directory.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(path) = env("DDUSERS_JOURNAL").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    directories::ProjectDirs::from("com", "ddusers", "ddusers")
        .map(|dirs| dirs.data_dir().join("journal.jsonl"))
        .unwrap_or_else(|| PathBuf::from(".ddusers-journal.jsonl"))
}

impl Journal {
    /// Opens (creating it, mode 0600, in a 0700 folder) the journal at `path` for appending.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let error = |source| JournalError::Open {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(error)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(error)?;
        Ok(Journal {
            path: path.to_owned(),
            file: Mutex::new(file),
        })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as one line; `sync` also forces it to disk.
    pub fn append(&self, record: &Record, sync: bool) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).map_err(|e| JournalError::Write {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // One write per line: with O_APPEND, lines of concurrent writers do not interleave.
        let written = file
            .write_all(&line)
            .and_then(|()| if sync { file.sync_data() } else { Ok(()) });
        written.map_err(|source| JournalError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
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

/// Reads every run of the journal at `path`, oldest first. A missing file is an empty
/// journal; lines that do not parse (a torn last line after a kill) are skipped.
pub fn read_runs(path: &Path) -> Result<Vec<RunState>, JournalError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(JournalError::Open {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut runs: BTreeMap<RunId, RunState> = BTreeMap::new();
    let mut order: Vec<RunId> = Vec::new();
    for line in BufReader::new(file).lines() {
        let Ok(line) = line else { break };
        let Ok(record) = serde_json::from_str::<Record>(&line) else {
            continue;
        };
        apply_record(&mut runs, &mut order, record);
    }
    Ok(order
        .into_iter()
        .filter_map(|id| runs.remove(&id))
        .collect())
}

fn apply_record(runs: &mut BTreeMap<RunId, RunState>, order: &mut Vec<RunId>, record: Record) {
    match record {
        Record::Run {
            run,
            at,
            title,
            origin,
            of,
            org,
            by,
            changes,
            expect,
        } => {
            let n = changes.len();
            if runs.contains_key(&run) {
                return; // a repeated header (a copied journal): the first one stands
            }
            order.push(run.clone());
            runs.insert(
                run.clone(),
                RunState {
                    run,
                    at,
                    title,
                    origin,
                    of,
                    org,
                    by,
                    changes,
                    expect,
                    started: vec![false; n],
                    before: vec![None; n],
                    outcomes: vec![None; n],
                },
            );
        }
        Record::Intent {
            run, item, before, ..
        } => {
            if let Some(state) = runs.get_mut(&run) {
                if let Some(slot) = state.started.get_mut(item) {
                    *slot = true;
                }
                if let (Some(slot), Some(before)) = (state.before.get_mut(item), before) {
                    // The first read stands: it is the state before any attempt.
                    slot.get_or_insert(before);
                }
            }
        }
        Record::Outcome {
            run, item, result, ..
        } => {
            if let Some(slot) = runs.get_mut(&run).and_then(|r| r.outcomes.get_mut(item)) {
                *slot = Some(result);
            }
        }
    }
}

/// Finds one run by id (or by a unique prefix of it).
pub fn find_run(path: &Path, id: &str) -> Result<RunState, JournalError> {
    let runs = read_runs(path)?;
    let mut matching = runs.into_iter().filter(|r| r.run.0.starts_with(id));
    match (matching.next(), matching.next()) {
        (Some(run), None) => Ok(run),
        _ => Err(JournalError::UnknownRun(id.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::UserId;

    fn run_record(run: &RunId, n: usize) -> Record {
        Record::Run {
            run: run.clone(),
            at: OffsetDateTime::UNIX_EPOCH,
            title: "disable".into(),
            origin: "https://api.datadoghq.com".into(),
            of: None,
            org: None,
            by: None,
            expect: Vec::new(),
            changes: (0..n)
                .map(|i| Change::Disable {
                    user: UserId(format!("u{i}")),
                })
                .collect(),
        }
    }

    #[test]
    fn a_run_reads_back_with_its_intents_and_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/journal.jsonl");
        let journal = Journal::open(&path).unwrap();
        let run = RunId("r1".into());
        journal.append(&run_record(&run, 3), true).unwrap();
        let at = OffsetDateTime::UNIX_EPOCH;
        journal
            .append(
                &Record::Intent {
                    run: run.clone(),
                    item: 0,
                    at,
                    before: None,
                },
                true,
            )
            .unwrap();
        journal
            .append(
                &Record::Outcome {
                    run: run.clone(),
                    item: 0,
                    at,
                    result: ItemResult::done("disabled", None),
                },
                false,
            )
            .unwrap();
        journal
            .append(
                &Record::Intent {
                    run: run.clone(),
                    item: 1,
                    at,
                    before: None,
                },
                true,
            )
            .unwrap();
        let runs = read_runs(&path).unwrap();
        assert_eq!(runs.len(), 1);
        let state = &runs[0];
        assert_eq!(state.started, vec![true, true, false]);
        assert_eq!(
            state.tally(),
            Tally {
                done: 1,
                unfinished: 2,
                ..Tally::default()
            }
        );
        assert!(!state.is_complete());
        assert_eq!(find_run(&path, "r").unwrap().run, run);
        assert!(matches!(
            find_run(&path, "nope"),
            Err(JournalError::UnknownRun(_))
        ));
    }

    #[test]
    fn a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let journal = Journal::open(&path).unwrap();
        journal
            .append(&run_record(&RunId("r1".into()), 1), true)
            .unwrap();
        drop(journal);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"record\":\"outcome\",\"run\":\"r1\",\"it")
            .unwrap();
        let runs = read_runs(&path).unwrap();
        assert_eq!(runs[0].tally().unfinished, 1);
    }

    #[cfg(unix)]
    #[test]
    fn the_journal_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j/journal.jsonl");
        Journal::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700);
    }

    #[test]
    fn run_ids_sort_by_time() {
        let early = RunId::fresh(OffsetDateTime::UNIX_EPOCH);
        let late = RunId::fresh(OffsetDateTime::UNIX_EPOCH + time::Duration::days(1));
        assert!(early < late);
        assert!(early.0.starts_with("19700101T000000-"));
    }
}
