//! The state of the column choice: the columns shown, the settings file as read (so a
//! save keeps what it does not own), and the column picker.

use crate::app::columns::{ColumnId, Columns, REGISTRY};
use crate::app::cursor::ListCursor;

/// The column picker: every kind of column, the chosen ones first in their order, each
/// ticked or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnPicker {
    pub items: Vec<(ColumnId, bool)>,
    pub cursor: ListCursor,
}

impl ColumnPicker {
    /// The picker over `columns`: the chosen ones in order, then the rest, unticked.
    pub fn new(columns: &Columns) -> ColumnPicker {
        let chosen = columns.ids().iter().map(|id| (*id, true));
        let rest = REGISTRY
            .iter()
            .filter(|s| !columns.contains(s.id))
            .map(|s| (s.id, false));
        ColumnPicker {
            items: chosen.chain(rest).collect(),
            cursor: ListCursor::default(),
        }
    }

    /// The ticked columns in order (`None` when none is ticked).
    pub fn chosen(&self) -> Option<Columns> {
        Columns::new(self.items.iter().filter(|(_, on)| *on).map(|(id, _)| *id))
    }
}
