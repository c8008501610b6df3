//! Runs of changes that never get lost. A run is a list of `Change`s with an id; the
//! `Runner` writes the run to the journal, then for each change writes (and syncs) its
//! intent, applies it, and writes its outcome. An interrupted run is resumed from the
//! journal: finished items are not sent again, the others are first checked against the
//! user's current state (`change::settle`). A run whose changes did something can be undone
//! by a new run of the recorded inverse changes. Used by the scripting commands and by the
//! console's action queue alike; no UI here.

pub mod change;
pub mod journal;

use std::sync::Arc;

use futures::stream::{self, BoxStream, StreamExt};
use time::OffsetDateTime;

pub use change::{Change, ItemResult};
pub use journal::{Journal, JournalError, Record, RunId, RunState, Tally};

use crate::api::{ApiError, Client, ErrorKind};

/// A run about to be (or being) carried out.
#[derive(Clone, Debug)]
pub struct Run {
    pub id: RunId,
    pub title: String,
    pub changes: Vec<Change>,
}

/// One change's result, as it finishes.
#[derive(Clone, Debug)]
pub struct ItemReport {
    pub index: usize,
    pub change: Change,
    pub result: ItemResult,
}

/// Carries runs out against one org, journaling each step.
#[derive(Clone)]
pub struct Runner {
    client: Client,
    journal: Option<Arc<Journal>>,
    origin: String,
    concurrency: usize,
}

/// Words for an API error in a result line.
pub fn plain_error(error: &ApiError) -> String {
    match error.kind() {
        ErrorKind::Network => format!("network problem — {error}"),
        _ => error.to_string(),
    }
}

impl Runner {
    /// A runner; `origin` (site or base URL, never a key) is written with each run.
    pub fn new(
        client: Client,
        journal: Option<Arc<Journal>>,
        origin: impl Into<String>,
        concurrency: usize,
    ) -> Runner {
        Runner {
            client,
            journal,
            origin: origin.into(),
            concurrency: concurrency.max(1),
        }
    }

    /// The same runner, working on at most `concurrency` items at once.
    pub fn with_concurrency(&self, concurrency: usize) -> Runner {
        Runner {
            concurrency: concurrency.max(1),
            ..self.clone()
        }
    }

    /// The journal in use, if any.
    pub fn journal(&self) -> Option<&Arc<Journal>> {
        self.journal.as_ref()
    }

    /// Records a new run (nothing is sent yet).
    pub fn begin(
        &self,
        title: &str,
        of: Option<RunId>,
        changes: Vec<Change>,
    ) -> Result<Run, JournalError> {
        let now = OffsetDateTime::now_utc();
        let run = Run {
            id: RunId::fresh(now),
            title: title.to_owned(),
            changes,
        };
        if let Some(journal) = &self.journal {
            journal.append(
                &Record::Run {
                    run: run.id.clone(),
                    at: now,
                    title: run.title.clone(),
                    origin: self.origin.clone(),
                    of,
                    changes: run.changes.clone(),
                },
                true,
            )?;
        }
        Ok(run)
    }

    /// Carries out every change of a new run.
    pub fn execute(&self, run: &Run) -> BoxStream<'static, ItemReport> {
        let items = run
            .changes
            .iter()
            .cloned()
            .enumerate()
            .map(|(i, c)| (i, c, false));
        self.items(run.id.clone(), items.collect())
    }

    /// Carries out what an interrupted run left: items without a success are checked
    /// against the user's state first, then applied only if still needed.
    pub fn resume(&self, state: &RunState) -> BoxStream<'static, ItemReport> {
        let items = state
            .changes
            .iter()
            .cloned()
            .enumerate()
            .filter(|(i, _)| {
                !matches!(
                    state.outcomes[*i],
                    Some(ItemResult::Done { .. } | ItemResult::Skipped { .. })
                )
            })
            .map(|(i, c)| (i, c, true))
            .collect();
        self.items(state.run.clone(), items)
    }

    /// The changes that undo what `state` did, newest first (empty when nothing to undo).
    pub fn undo_changes(state: &RunState) -> Vec<Change> {
        state
            .outcomes
            .iter()
            .rev()
            .filter_map(|o| match o {
                Some(ItemResult::Done {
                    undo: Some(undo), ..
                }) => Some(undo.clone()),
                _ => None,
            })
            .collect()
    }

    /// The changes that undo `state`, or why there are none.
    pub fn undo_plan(state: &RunState) -> Result<Vec<Change>, String> {
        let changes = Self::undo_changes(state);
        if changes.is_empty() {
            return Err(format!(
                "nothing in run {} can be undone (nothing was changed, or its changes — invitations, anonymization — have no inverse)",
                state.run
            ));
        }
        Ok(changes)
    }

    fn items(
        &self,
        run: RunId,
        items: Vec<(usize, Change, bool)>,
    ) -> BoxStream<'static, ItemReport> {
        let client = self.client.clone();
        let journal = self.journal.clone();
        stream::iter(items)
            .map(move |(index, change, settle_first)| {
                let client = client.clone();
                let journal = journal.clone();
                let run = run.clone();
                async move {
                    let result = one_item(
                        &client,
                        journal.as_deref(),
                        &run,
                        index,
                        &change,
                        settle_first,
                    )
                    .await;
                    ItemReport {
                        index,
                        change,
                        result,
                    }
                }
            })
            .buffer_unordered(self.concurrency)
            .boxed()
    }
}

async fn one_item(
    client: &Client,
    journal: Option<&Journal>,
    run: &RunId,
    index: usize,
    change: &Change,
    settle_first: bool,
) -> ItemResult {
    if let Some(journal) = journal {
        let intent = Record::Intent {
            run: run.clone(),
            item: index,
            at: OffsetDateTime::now_utc(),
        };
        // No intent on disk, no request: a change must never go unrecorded.
        if let Err(error) = journal.append(&intent, true) {
            return ItemResult::Failed {
                reason: format!("not sent: {error}"),
            };
        }
    }
    let result = async {
        if settle_first {
            if let Some(settled) = change::settle(client, change).await? {
                return Ok(settled);
            }
        }
        change::apply(client, change).await
    }
    .await
    .unwrap_or_else(|error| ItemResult::Failed {
        reason: plain_error(&error),
    });
    if let Some(journal) = journal {
        let outcome = Record::Outcome {
            run: run.clone(),
            item: index,
            at: OffsetDateTime::now_utc(),
            result: result.clone(),
        };
        // A lost outcome only means a later resume re-checks this item.
        let _ = journal.append(&outcome, false);
    }
    result
}
