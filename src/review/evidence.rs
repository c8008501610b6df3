//! The evidence pack of a review: `population.csv`, `decisions.csv`, `remediation.csv`,
//! `exceptions.csv`, `summary.md` and `manifest.json`, built from the review file, the
//! journal's runs it names, and (when read) who disabled each disabled user according to
//! Audit Trail. Built in memory as bytes, then written: the same inputs give the same bytes.

use std::path::Path;

use crate::api::models::UserId;
use crate::runs::journal::RunState;

use super::Review;

/// When and by whom a user was disabled, as Audit Trail (or the journal) tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disabling {
    pub user: UserId,
    /// RFC 3339, UTC.
    pub at: String,
    pub by: String,
    /// "audit trail" or "journal".
    pub source: String,
}

/// What a pack is made from.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    pub review: &'a Review,
    /// sha256 of the review file's bytes.
    pub review_sha256: &'a str,
    /// The journal's runs (only the review's own runs are used).
    pub runs: &'a [RunState],
    /// Who disabled the users the review disabled, where known.
    pub disablings: &'a [Disabling],
}

/// The pack's files, by name, in the order they are listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pack {
    pub files: Vec<(String, Vec<u8>)>,
}

/// Builds the pack (to be written).
pub fn build(inputs: &Inputs<'_>) -> Pack {
    let _ = inputs;
    Pack::default()
}

/// Writes the pack's files into `dir` (created when missing), each atomically.
pub fn write(pack: &Pack, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in &pack.files {
        crate::files::write_atomically(&dir.join(name), bytes)?;
    }
    Ok(())
}
