//! Reading the journal back: the file as bytes split on `\n`, each line a record or
//! skipped and counted as damaged, and the records folded into runs.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::types::{JournalError, Record, RunId, RunState};

/// The longest line the reader takes (16 MiB); a longer one is skipped as damaged without
/// being held in memory. A run of 100,000 changes is about 10 MiB.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

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
pub(super) fn read_from(mut reader: impl BufRead, max_line: usize) -> std::io::Result<JournalRead> {
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
                    finished_at: vec![None; n],
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
            run,
            item,
            result,
            at,
        } => {
            let Some(state) = runs.get_mut(&run) else {
                return;
            };
            if let Some(slot) = state.outcomes.get_mut(item) {
                *slot = Some(result);
            }
            if let Some(slot) = state.finished_at.get_mut(item) {
                *slot = Some(at);
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
