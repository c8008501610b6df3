//! Changes an admin can trust. Every change, from the console or the command line, goes
//! through one pipeline:
//!
//! 1. **plan** (`plan`): a [`Draft`] — new changes, the rest of an interrupted run, or the
//!    undo of a run — becomes items, each with the state it expects;
//! 2. **facts** (`facts`): the org as it is now is read, with GETs only;
//! 3. **check** (`gate`): the guard rails (read-only, permissions, the caller, the last
//!    admin, another org's run) give a [`Verdict`] — the consequences to show and either
//!    refusals or a [`CheckedPlan`];
//! 4. **confirm**: the caller's business (console dialog, command-line prompt), sized by
//!    the verdict's `Confirmation`;
//! 5. **apply and verify** (`Runner`, `item`): under a per-run lock, the run is journaled,
//!    then each item reads its target, journals its intent with the state before, writes,
//!    reads back, and is retried until it converges; a circuit breaker stops the run when
//!    the keys stop working.
//!
//! No UI here; the scripting commands and the console's action queue both use it.

pub mod breaker;
pub mod change;
pub mod describe;
pub mod facts;
pub mod gate;
pub mod item;
pub mod journal;
pub mod lock;
pub mod observe;
pub mod plan;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use futures::stream::{self, BoxStream, StreamExt};
use time::OffsetDateTime;

pub use breaker::Breaker;
pub use change::{Change, ItemResult};
pub use facts::{gather, FactsOptions};
pub use gate::{check, CheckedPlan, GateOptions, Refusal, Rule, RunKind, Summary, Verdict};
pub use item::{plain_error, ItemRetry};
pub use journal::{Journal, JournalError, Record, RunId, RunState, Tally};
pub use lock::{LockError, RunLock};
pub use observe::Observed;
pub use plan::{Draft, Facts, PlanItem};

use crate::api::models::UserId;
use crate::api::Client;
use item::{carry_out, ItemContext};

/// One item's result, as it finishes.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemReport {
    /// The item's number in its run.
    pub index: usize,
    pub change: Change,
    pub result: ItemResult,
}

/// Why a run could not start (nothing was sent).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// A run under way: its id, and its items' results as they finish. The lock is held until
/// the stream ends (or is dropped).
pub struct Started {
    pub run: RunId,
    pub title: String,
    /// Items this process will carry out.
    pub total: usize,
    /// Trip it to stop the run (items not attempted stay unfinished).
    pub breaker: Arc<Breaker>,
    pub reports: BoxStream<'static, ItemReport>,
}

/// Carries out checked plans against one org, journaling each step.
#[derive(Clone)]
pub struct Runner {
    client: Client,
    journal: Option<Arc<Journal>>,
    origin: String,
    concurrency: usize,
    retry: ItemRetry,
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
            retry: ItemRetry::default(),
        }
    }

    /// The same runner, retrying items as `retry` says.
    pub fn with_retry(&self, retry: ItemRetry) -> Runner {
        Runner {
            retry,
            ..self.clone()
        }
    }

    /// The journal in use, if any.
    pub fn journal(&self) -> Option<&Arc<Journal>> {
        self.journal.as_ref()
    }

    /// The org address runs are recorded with.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The client runs use.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Starts `plan`: takes the run's lock, journals the run (a new one) or re-reads what
    /// is left of it (a resume), then carries out its items stage by stage.
    pub fn start(&self, plan: CheckedPlan) -> Result<Started, RunError> {
        let now = OffsetDateTime::now_utc();
        let (run, of) = match plan.kind() {
            RunKind::Fresh { of } => (RunId::fresh(now), of.clone()),
            RunKind::Resume(run) => (run.clone(), None),
        };
        let mut items = plan.items().to_vec();
        let locks = match &self.journal {
            Some(journal) => self.record(journal, &plan, &run, of.as_ref(), now, &mut items)?,
            None => Vec::new(),
        };
        if matches!(plan.kind(), RunKind::Fresh { .. }) {
            // A fresh run's items are numbered in the order it records them.
            for (index, item) in items.iter_mut().enumerate() {
                item.index = index;
            }
        }
        let breaker = Arc::new(Breaker::default());
        let observer = breaker.clone();
        let client = self
            .client
            .with_answer_observer(Arc::new(move |op, error| observer.observe(op, error)));
        let context = Arc::new(ItemContext {
            client,
            journal: self.journal.clone(),
            run: run.clone(),
            breaker: breaker.clone(),
            retry: self.retry,
            force: plan.force(),
        });
        let total = items.len();
        let reports = stages(context, items, self.concurrency, locks);
        Ok(Started {
            run,
            title: plan.title().to_owned(),
            total,
            breaker,
            reports,
        })
    }

    /// Takes the run's locks (and those of the run it undoes: two undos of one run must
    /// not race either), then journals a fresh run's header, or drops from a resume the
    /// items another process finished since the plan was made.
    fn record(
        &self,
        journal: &Journal,
        plan: &CheckedPlan,
        run: &RunId,
        of: Option<&RunId>,
        now: OffsetDateTime,
        items: &mut Vec<PlanItem>,
    ) -> Result<Vec<RunLock>, RunError> {
        let mut locks = vec![RunLock::acquire(journal.path(), run)?];
        if let Some(of) = of {
            locks.push(RunLock::acquire(journal.path(), of)?);
        }
        match plan.kind() {
            RunKind::Resume(id) => {
                let state = journal::find_run(journal.path(), &id.0)?;
                left_to_do(&state, items);
            }
            RunKind::Fresh { .. } => {
                journal.append(&self.header(plan, run, of, now, items), true)?;
            }
        }
        Ok(locks)
    }

    /// The journal's record of a fresh run: every change it will make, and where.
    fn header(
        &self,
        plan: &CheckedPlan,
        run: &RunId,
        of: Option<&RunId>,
        now: OffsetDateTime,
        items: &[PlanItem],
    ) -> Record {
        Record::Run {
            run: run.clone(),
            at: now,
            title: plan.title().to_owned(),
            origin: self.origin.clone(),
            of: of.cloned(),
            org: plan.org().cloned(),
            by: plan.by().cloned(),
            changes: items.iter().map(|i| i.change.clone()).collect(),
            expect: if items.iter().any(|i| i.expect.is_some()) {
                items.iter().map(|i| i.expect.clone()).collect()
            } else {
                Vec::new()
            },
        }
    }
}

/// Keeps the items of a resumed run that `state` (as journaled now) has not settled, each
/// with the state it read before its first write when the plan did not know it.
fn left_to_do(state: &RunState, items: &mut Vec<PlanItem>) {
    items.retain(|i| {
        !state
            .outcomes
            .get(i.index)
            .and_then(Option::as_ref)
            .is_some_and(ItemResult::is_settled)
    });
    for item in items.iter_mut() {
        if item.before.is_none() {
            item.before = state.before.get(item.index).cloned().flatten();
        }
    }
}

/// Runs `items` stage by stage (a stage starts when the one before has finished), each
/// stage `concurrency` at a time. A removal of a role waits for the additions of the same
/// user and is not sent when one of them failed (a replace must not leave the user with
/// neither role).
fn stages(
    context: Arc<ItemContext>,
    items: Vec<PlanItem>,
    concurrency: usize,
    locks: Vec<RunLock>,
) -> BoxStream<'static, ItemReport> {
    let mut by_stage: Vec<Vec<PlanItem>> = Vec::new();
    for item in items {
        let stage = usize::from(item.stage);
        if by_stage.len() <= stage {
            by_stage.resize_with(stage + 1, Vec::new);
        }
        by_stage[stage].push(item);
    }
    let failed_additions: Arc<Mutex<HashSet<UserId>>> = Arc::default();
    let locks = Arc::new(locks);
    stream::iter(by_stage)
        .map(move |stage| {
            // The locks live as long as this closure: until the stream is dropped.
            let _held = &locks;
            let context = context.clone();
            let failed_additions = failed_additions.clone();
            stream::iter(stage)
                .map(move |item| {
                    let context = context.clone();
                    let failed_additions = failed_additions.clone();
                    async move {
                        let result = one(&context, &item, &failed_additions).await;
                        ItemReport {
                            index: item.index,
                            change: item.change,
                            result,
                        }
                    }
                })
                .buffer_unordered(concurrency)
        })
        .flatten()
        .boxed()
}

async fn one(
    context: &ItemContext,
    item: &PlanItem,
    failed_additions: &Mutex<HashSet<UserId>>,
) -> ItemResult {
    let failed = |user: &UserId| {
        failed_additions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(user)
    };
    let result = match &item.change {
        Change::RemoveRole { user, .. } if failed(user) => ItemResult::failed(
            "not sent: the role meant to replace this one could not be added first",
        ),
        _ => carry_out(context, item).await,
    };
    if let (Change::AddRole { user, .. }, true) = (&item.change, result.is_failed()) {
        failed_additions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.clone());
    }
    if let (Some(journal), true) = (&context.journal, result.is_journaled()) {
        let outcome = Record::Outcome {
            run: context.run.clone(),
            item: item.index,
            at: OffsetDateTime::now_utc(),
            result: result.clone(),
        };
        // A lost outcome only means a later resume reads this item again.
        let _ = journal.append(&outcome, false);
    }
    result
}
