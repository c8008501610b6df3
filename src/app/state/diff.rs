//! The state of comparing the org with a snapshot (`:diff FILE`, `ddusers open NEW --diff
//! OLD`): the snapshot read and waiting for the org to finish loading, and the lens in
//! force — who was added, removed or changed, and what the list is restricted to.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::app::columns::ExplainColumns;
use crate::audit::diff::{ChangeKind, UserChange};
use crate::org::snapshot::Snapshot;
use crate::org::{Org, UserIx};

/// A snapshot to compare the org with (the older side).
#[derive(Clone, Debug, PartialEq)]
pub struct DiffBase {
    /// "snapshot old.json of datadoghq.eu taken 2026-11-01 09:30".
    pub label: String,
    pub snapshot: Arc<Snapshot>,
}

/// The comparison: the base waiting for the org, and the lens once computed.
#[derive(Clone, Debug, Default)]
pub struct DiffSession {
    /// Read, waiting for the org to finish loading.
    pub pending: Option<DiffBase>,
    pub active: Option<DiffLens>,
    /// Bumped whenever the lens or its restriction changes (the view rebuilds).
    pub generation: u64,
}

/// The users that changed since the base, as the list.
#[derive(Clone, Debug)]
pub struct DiffLens {
    pub label: String,
    /// Every user that changed (removed users were added to the store for the lens).
    pub changes: HashMap<UserIx, UserChange>,
    /// The kind the list is narrowed to (`:diff added`); `None`: every change.
    pub only: Option<ChangeKind>,
    /// The users shown: `changes` of the kind `only` names.
    pub members: HashSet<UserIx>,
    /// Changes per kind, in `ChangeKind::ALL` order.
    pub counts: [usize; 3],
    /// Members per status tab, in `StatusTab::ALL` order.
    pub tab_counts: [usize; 5],
    /// The org without the removed users, put back when the lens closes.
    pub live: Arc<Org>,
    /// The list's Change column: its header, and each changed user's cell.
    pub explain: ExplainColumns,
    pub cells: super::ExplanationCells,
}
