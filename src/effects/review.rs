//! The review file of the console's access review: read for `:review FILE` (with who is
//! deciding, from the environment, as the command line reads it), and after decisions the
//! rows not saved yet carried into it — the file read as it is, `Review::carry`, written
//! whole and atomically — off the async workers. The queue runs these writes one at a
//! time and finishes them before it shuts down. The console's own copy of the review is
//! never shared with a write, so a decision never copies a large review.

use std::path::{Path, PathBuf};

use crate::app::msg::ReviewMsg;
use crate::app::state::OpenedReview;
use crate::app::Msg;
use crate::review::decide::decider_name;
use crate::review::{Review, RowDecision};

/// One write of a review file: the lens's rows not saved yet, as of `revision`.
#[derive(Debug)]
pub(super) struct Write {
    pub lens: u64,
    pub revision: u64,
    pub path: PathBuf,
    pub rows: Vec<RowDecision>,
}

/// Carries the rows into the file; the answer says which write it was and how it went.
pub(super) async fn write(job: Write) -> Msg {
    let Write {
        lens,
        revision,
        path,
        rows,
    } = job;
    let written = tokio::task::spawn_blocking(move || carry_into(&path, &rows)).await;
    let result = written.unwrap_or_else(|stopped| Err(format!("the write stopped: {stopped}")));
    Msg::Review(ReviewMsg::Saved {
        lens,
        revision,
        result,
    })
}

fn carry_into(path: &Path, rows: &[RowDecision]) -> Result<(), String> {
    let mut review = Review::read(path).map_err(|e| e.to_string())?;
    review
        .carry(rows)
        .map_err(|e| format!("{} was not written: {e}", path.display()))?;
    review.write(path).map_err(|e| e.to_string())
}

/// Reads the review at `path` (`~/` is the home folder) for the console.
pub(super) fn read(path: &Path) -> Result<Box<OpenedReview>, String> {
    let path = crate::files::expand_home(path);
    let review = Review::read(&path).map_err(|e| e.to_string())?;
    Ok(Box::new(OpenedReview {
        path,
        review,
        decider: decider_name(&|name| std::env::var(name).ok()),
        note: None,
    }))
}
