//! The state of reconciling the org with a people list (`:reconcile FILE`): the list read
//! and waiting for the org to finish loading, and the lens in force — the findings, and
//! what the list is restricted to.

use std::collections::{HashMap, HashSet};

use crate::app::columns::ExplainColumns;
use crate::audit::reconcile::{Finding, FindingKind, People};
use crate::org::UserIx;

/// The reconciliation: the people list waiting for the org, and the lens once computed.
#[derive(Clone, Debug, Default)]
pub struct ReconcileSession {
    /// Read, waiting for the org to finish loading.
    pub pending: Option<People>,
    pub active: Option<ReconcileLens>,
    /// Bumped whenever the lens or its restriction changes (the view rebuilds).
    pub generation: u64,
}

/// The accounts found, as the list.
#[derive(Clone, Debug)]
pub struct ReconcileLens {
    /// "2 active leavers, 3 orphans, 1 service account (against people.csv)".
    pub summary: String,
    pub findings: HashMap<UserIx, Finding>,
    /// The kind the list is narrowed to (`:reconcile leavers`); `None`: every finding.
    pub only: Option<FindingKind>,
    /// The users shown: `findings` of the kind `only` names.
    pub members: HashSet<UserIx>,
    /// Members per status tab, in `StatusTab::ALL` order.
    pub tab_counts: [usize; 5],
    /// The list's Finding column: its header, and each member's cell.
    pub explain: ExplainColumns,
    pub cells: super::ExplanationCells,
    /// The list the findings come from, kept to match again when the org changes.
    pub people: People,
    /// The org's revision and size the findings were computed at (a leaver disabled
    /// from the lens is no longer a finding once the change lands).
    pub computed_at: (u64, usize),
}
