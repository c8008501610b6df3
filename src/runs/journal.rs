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

mod read;
mod types;
mod write;

use std::path::PathBuf;

pub use read::{find_run, read_journal, read_runs, JournalRead, MAX_LINE};
pub use types::{JournalError, Record, RunId, RunState, Tally};
pub use write::Journal;

/// Where the journal lives: `DDUSERS_JOURNAL` if set, else the platform data directory.
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(path) = env("DDUSERS_JOURNAL").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    directories::ProjectDirs::from("com", "ddusers", "ddusers")
        .map(|dirs| dirs.data_dir().join("journal.jsonl"))
        .unwrap_or_else(|| PathBuf::from(".ddusers-journal.jsonl"))
}

#[cfg(test)]
mod tests;
