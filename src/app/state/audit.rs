//! The state of audits in the console: the audit view in force (its members), the view
//! waiting for the catalogue, the permission picker and the export prompt.

use std::collections::HashSet;

use tui_input::Input;

use crate::app::columns::ExplainColumns;
use crate::app::cursor::ListCursor;
use crate::app::effect::{ExportFormat, Latest};
use crate::audit::ViewKind;
use crate::org::UserIx;

/// The audit view in force, and the one waiting for the permission catalogue.
#[derive(Clone, Debug, Default)]
pub struct AuditSession {
    pub active: Option<AuditFilter>,
    /// Bumped whenever `active` changes, so a cached view knows it must be rebuilt.
    pub generation: u64,
    /// The read of the permission catalogue whose answer counts.
    pub catalogue: Latest,
    /// A view that names a permission the org does not know yet: it opens when the
    /// catalogue arrives.
    pub waiting: Option<ViewKind>,
}

/// An audit view restricting the list.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditFilter {
    pub kind: ViewKind,
    /// "Admins (14)".
    pub title: String,
    pub members: HashSet<UserIx>,
    /// Members per status tab, in `StatusTab::ALL` order.
    pub tab_counts: [usize; 5],
    /// The view's explanation columns ("admin because", "granted by"), shown after the
    /// email while the view is open.
    pub explain: ExplainColumns,
    /// Each member's explanation cells, as `audit::views` gives them (times shortened to
    /// the minute), one per `explain` column.
    pub explanations: super::ExplanationCells,
    /// The org's revision and size the members were computed at: when either changes
    /// (a change landed, loading went on) the view is computed again.
    pub computed_at: (u64, usize),
}

/// One permission of the catalogue, for the picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionEntry {
    pub group: String,
    pub name: String,
    /// Display name or description.
    pub about: String,
}

/// The who-can permission picker.
#[derive(Clone, Debug, Default)]
pub struct PermissionPicker {
    /// Waiting for the catalogue.
    pub loading: bool,
    pub error: Option<String>,
    /// Sorted by group, then name.
    pub entries: Vec<PermissionEntry>,
    pub query: Input,
    /// Position among `matches()`.
    pub cursor: ListCursor,
}

impl PermissionPicker {
    /// Indices of the entries the query matches (every term, in name, group or words).
    pub fn matches(&self) -> Vec<usize> {
        let terms: Vec<String> = self
            .query
            .value()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let hay = format!("{} {} {}", e.name, e.group, e.about).to_lowercase();
                terms.iter().all(|t| hay.contains(t.as_str()))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The entry under the cursor.
    pub fn selected(&self) -> Option<&PermissionEntry> {
        self.matches()
            .get(self.cursor.pos)
            .and_then(|i| self.entries.get(*i))
    }
}

/// The export prompt: format and file name (a timestamped one in the current folder,
/// editable).
#[derive(Clone, Debug)]
pub struct ExportPrompt {
    pub format: ExportFormat,
    pub path: Input,
    /// Users that will be written.
    pub count: usize,
    /// "admins", "all".
    pub view_name: String,
    /// The file exists (its full path): asking whether to overwrite it.
    pub overwrite: Option<String>,
}

/// A written export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportDone {
    /// Where, as an absolute path.
    pub path: String,
    pub format: ExportFormat,
    /// Users written.
    pub count: usize,
}
