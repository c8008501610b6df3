//! The journal overlay's state: the runs as read, the cursor, the items shown.

use crate::runs::RunState;

use crate::app::cursor::ListCursor;
use crate::app::effect::Latest;

/// The journal as the effects layer read it.
#[derive(Clone, Debug, PartialEq)]
pub struct JournalListing {
    /// Oldest first, as `read_runs` gives them.
    pub runs: Vec<RunState>,
    /// Damaged lines of the journal that were skipped (torn by a kill or a full disk).
    pub skipped: usize,
    /// The org address this console talks to (runs elsewhere cannot be resumed here).
    pub address: String,
    /// Where the journal lives.
    pub path: String,
}

/// Resume or undo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunAction {
    Resume,
    Undo,
}

/// The journal overlay.
#[derive(Clone, Debug, Default)]
pub struct JournalView {
    /// The read whose answer fills the view.
    pub request: Latest,
    pub loading: bool,
    pub error: Option<String>,
    /// Newest first.
    pub runs: Vec<RunState>,
    /// Damaged lines skipped when the journal was read.
    pub skipped: usize,
    pub address: String,
    pub path: String,
    pub cursor: ListCursor,
    /// Showing the items of the selected run, scrolled this far.
    pub items: Option<usize>,
}

impl JournalView {
    /// The run under the cursor.
    pub fn selected(&self) -> Option<&RunState> {
        self.runs.get(self.cursor.pos)
    }
}
