//! The append-only journal of changes: JSON lines in the platform data directory (or
//! `DDUSERS_JOURNAL`), mode 0600. A run's header lists every change it will make; before a
//! change is sent its intent is written and synced, after it its outcome. Keys are never
//! written: nothing here holds one.
//!
//! Torn-line safe: a process killed mid-write, or a disk that filled up, can leave half a
//! line. Appending never glues a record onto one (a file or a failed write that may not end
//! in a newline gets one first), and reading treats the file as bytes split on `\n`: a bad
//! line — torn, invalid UTF-8, not a record, or longer than [`MAX_LINE`] — is skipped and
//! counted, and reading goes on.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
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
    #[error("the journal {path} could not be read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no run {0} in the journal (see `ddusers journal`)")]
    UnknownRun(String),
}

/// The longest line the reader takes (16 MiB); a longer one is skipped as damaged without
/// being held in memory. A run of 100,000 changes is about 10 MiB.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// The journal file, shared by every run of this process.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<Tail<File>>,
}

/// The end of the journal as this process writes it.
#[derive(Debug)]
struct Tail<W> {
    out: W,
    /// False when the file may not end in a newline: it did not when opened, or a write
    /// failed partway (a full disk). The next record then starts with one, so a torn line
    /// stays alone on its line. (Truncating back instead could cut another process's
    /// records: the console and the command line may append to the same journal.)
    at_line_start: bool,
}

impl<W: Write> Tail<W> {
    /// Writes `line` (ending in a newline) in one `write_all`, after a newline when the
    /// file may end in the middle of a line.
    fn append(&mut self, line: &[u8]) -> std::io::Result<()> {
        let written = if self.at_line_start {
            self.out.write_all(line)
        } else {
            let mut fenced = Vec::with_capacity(line.len() + 1);
            fenced.push(b'\n');
            fenced.extend_from_slice(line);
            self.out.write_all(&fenced)
        };
        // Whatever part of a failed write reached the file is a torn line now.
        self.at_line_start = written.is_ok();
        written
    }
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
        // Read too: to see whether the last line was finished.
        options.create(true).append(true).read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(error)?;
        let at_line_start = ends_with_newline(&mut file).map_err(error)?;
        let mut tail = Tail {
            out: file,
            at_line_start,
        };
        if !tail.at_line_start {
            // Finish the torn line now. If even that fails (a full disk), the next record
            // starts with the newline instead, and fails the same way if the disk is still
            // full — so nothing is sent either.
            tail.at_line_start = tail.out.write_all(b"\n").is_ok();
        }
        Ok(Journal {
            path: path.to_owned(),
            file: Mutex::new(tail),
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
        let mut tail = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // One write per line: with O_APPEND, lines of concurrent writers do not interleave.
        let mut written = tail.append(&line);
        if written.is_ok() && sync {
            written = tail.out.sync_data();
            if written.is_err() {
                // The line may not have reached the disk whole.
                tail.at_line_start = false;
            }
        }
        written.map_err(|source| JournalError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// True when `file` is empty or its last byte is a newline.
fn ends_with_newline(file: &mut File) -> std::io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::End(-1))?;
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
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

/// The journal as read: its runs, and how many damaged lines were skipped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JournalRead {
    /// Oldest first.
    pub runs: Vec<RunState>,
    /// Lines that were not records: torn (a kill, a full disk), invalid UTF-8, not JSON,
    /// not a record, or longer than [`MAX_LINE`].
    pub skipped: usize,
}

/// Reads every run of the journal at `path`, oldest first. A missing file is an empty
/// journal; damaged lines are skipped (see [`read_journal`] for how many).
pub fn read_runs(path: &Path) -> Result<Vec<RunState>, JournalError> {
    read_journal(path).map(|read| read.runs)
}

/// Reads every run of the journal at `path`, oldest first, and counts the damaged lines it
/// skipped. A missing file is an empty journal.
pub fn read_journal(path: &Path) -> Result<JournalRead, JournalError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(JournalRead::default()),
        Err(source) => {
            return Err(JournalError::Open {
                path: path.to_owned(),
                source,
            })
        }
    };
    read_from(BufReader::new(file), MAX_LINE).map_err(|source| JournalError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads records from `reader`, one per `\n`-separated line of at most `max_line` bytes.
fn read_from(mut reader: impl BufRead, max_line: usize) -> std::io::Result<JournalRead> {
    let mut runs: BTreeMap<RunId, RunState> = BTreeMap::new();
    let mut order: Vec<RunId> = Vec::new();
    let mut skipped = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        // At most one byte past the limit: enough to know the line is too long.
        let limit = max_line as u64 + 1;
        if (&mut reader).take(limit).read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        } else if line.len() > max_line {
            reader.skip_until(b'\n')?;
            skipped += 1;
            continue;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue; // the newline that fenced off a torn line
        }
        match parse_line(&line) {
            Some((record, whole)) => {
                if !whole {
                    skipped += 1;
                }
                apply_record(&mut runs, &mut order, record);
            }
            None => skipped += 1,
        }
    }
    let runs = order
        .into_iter()
        .filter_map(|id| runs.remove(&id))
        .collect();
    Ok(JournalRead { runs, skipped })
}

/// How every record starts: the tag is the first field written, and inside a JSON string
/// the quotes would be escaped, so this only ever begins a record.
const RECORD_START: &[u8] = b"{\"record\":";

/// The record on `line`, and whether the line was whole. A line that does not parse may
/// be a torn fragment with a whole record glued after it (another process appended after
/// a write of ours failed partway): that record is kept, the fragment counted as damaged.
fn parse_line(line: &[u8]) -> Option<(Record, bool)> {
    if let Ok(record) = serde_json::from_slice::<Record>(line) {
        return Some((record, true));
    }
    let last_start = line
        .windows(RECORD_START.len())
        .rposition(|w| w == RECORD_START)
        .filter(|&at| at > 0)?;
    let record = serde_json::from_slice::<Record>(&line[last_start..]).ok()?;
    Some((record, false))
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
        let read = read_journal(&path).unwrap();
        assert_eq!(read.runs[0].tally().unfinished, 1);
        assert_eq!(read.skipped, 1, "the torn line is counted as damaged");
    }

    fn intent(run: &RunId, item: usize) -> Record {
        Record::Intent {
            run: run.clone(),
            item,
            at: OffsetDateTime::UNIX_EPOCH,
            before: None,
        }
    }

    fn append_raw(path: &Path, bytes: &[u8]) {
        let mut file = OpenOptions::new().append(true).open(path).unwrap();
        file.write_all(bytes).unwrap();
    }

    #[test]
    fn a_torn_line_does_not_swallow_the_next_runs_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (first, second) = (RunId("r1".into()), RunId("r2".into()));
        Journal::open(&path)
            .unwrap()
            .append(&run_record(&first, 2), true)
            .unwrap();
        // Killed (or out of disk) halfway through an intent.
        append_raw(&path, b"{\"record\":\"intent\",\"run\":\"r1\",\"it");

        let journal = Journal::open(&path).unwrap();
        journal.append(&run_record(&second, 2), true).unwrap();
        journal.append(&intent(&second, 0), true).unwrap();

        let read = read_journal(&path).unwrap();
        let ids: Vec<&str> = read.runs.iter().map(|r| r.run.0.as_str()).collect();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(read.runs[1].started, vec![true, false]);
        assert_eq!(read.skipped, 1);
        assert_eq!(find_run(&path, "r2").unwrap().run, second);
    }

    #[test]
    fn opening_a_journal_that_ends_mid_line_finishes_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        std::fs::write(&path, b"{\"record\":\"ru").unwrap();
        Journal::open(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"record\":\"ru\n");
        // A journal that ends cleanly is left as it is.
        Journal::open(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"record\":\"ru\n");
    }

    #[test]
    fn damaged_lines_are_skipped_and_counted_and_reading_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let journal = Journal::open(&path).unwrap();
        journal
            .append(&run_record(&RunId("r1".into()), 1), true)
            .unwrap();
        append_raw(&path, b"\xff\xfe not utf-8 \xc3\x28\n");
        append_raw(&path, b"{\"record\":\"run\",\"title\":\"\xff\"}\n");
        append_raw(&path, b"<html>502 Bad Gateway</html>\n");
        append_raw(&path, b"{\"record\":\"something_newer\",\"run\":\"r1\"}\n");
        append_raw(&path, b"[1, 2, 3]\n\n   \n");
        journal
            .append(&run_record(&RunId("r2".into()), 1), true)
            .unwrap();

        let read = read_journal(&path).unwrap();
        assert_eq!(read.runs.len(), 2, "the run after the damage is read");
        assert_eq!(read.skipped, 5, "blank lines are not damage");
    }

    #[test]
    fn an_overlong_line_is_skipped_without_ending_the_read() {
        let mut text = serde_json::to_vec(&run_record(&RunId("r1".into()), 1)).unwrap();
        let limit = text.len() + 10;
        text.push(b'\n');
        text.extend(std::iter::repeat_n(b'x', limit * 3));
        text.push(b'\n');
        // Exactly at the limit and not a record: damaged, but not overlong.
        text.extend(std::iter::repeat_n(b'y', limit));
        text.push(b'\n');
        text.extend(serde_json::to_vec(&run_record(&RunId("r2".into()), 1)).unwrap());
        // An overlong last line without a newline.
        text.push(b'\n');
        text.extend(std::iter::repeat_n(b'z', limit + 1));

        let read = read_from(&text[..], limit).unwrap();
        let ids: Vec<&str> = read.runs.iter().map(|r| r.run.0.as_str()).collect();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(read.skipped, 3);
    }

    #[test]
    fn a_record_glued_after_a_torn_fragment_is_kept() {
        // Another process appended right after a write of ours failed partway.
        let mut text = b"{\"record\":\"outcome\",\"run\":\"r1\",\"it".to_vec();
        text.extend(serde_json::to_vec(&run_record(&RunId("r2".into()), 1)).unwrap());
        text.push(b'\n');
        let read = read_from(&text[..], MAX_LINE).unwrap();
        assert_eq!(read.runs.len(), 1);
        assert_eq!(read.runs[0].run.0, "r2");
        assert_eq!(read.skipped, 1);
    }

    /// Takes `room` more bytes, then fails as a full disk does.
    struct FillingDisk {
        written: Vec<u8>,
        room: usize,
    }

    impl Write for FillingDisk {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            self.written.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_write_cut_by_a_full_disk_leaves_no_half_line_for_the_next_record() {
        let line = |record: &Record| {
            let mut line = serde_json::to_vec(record).unwrap();
            line.push(b'\n');
            line
        };
        let (first, second) = (RunId("r1".into()), RunId("r2".into()));
        let mut tail = Tail {
            out: FillingDisk {
                written: Vec::new(),
                room: usize::MAX,
            },
            at_line_start: true,
        };
        tail.append(&line(&run_record(&first, 1))).unwrap();
        tail.out.room = 20;
        let failed = tail.append(&line(&intent(&first, 0))).unwrap_err();
        assert_eq!(failed.kind(), std::io::ErrorKind::StorageFull);
        assert!(!tail.at_line_start);
        // Space again (a file was deleted): the next record starts on a line of its own.
        tail.out.room = usize::MAX;
        tail.append(&line(&run_record(&second, 1))).unwrap();
        assert!(tail.at_line_start);

        let read = read_from(&tail.out.written[..], MAX_LINE).unwrap();
        let ids: Vec<&str> = read.runs.iter().map(|r| r.run.0.as_str()).collect();
        assert_eq!(ids, ["r1", "r2"]);
        assert_eq!(read.skipped, 1, "the half intent");
        assert_eq!(
            read.runs[0].started,
            vec![false],
            "the intent never counted"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_append_to_a_full_disk_is_an_error_that_names_the_journal() {
        let journal = Journal::open(Path::new("/dev/full")).unwrap();
        let error = journal
            .append(&run_record(&RunId("r1".into()), 1), true)
            .unwrap_err();
        let JournalError::Write { path, source } = &error else {
            panic!("a write error: {error:?}");
        };
        assert_eq!(path, Path::new("/dev/full"));
        assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
        assert!(error.to_string().contains("/dev/full"), "{error}");
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
