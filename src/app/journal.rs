//! The journal view in the console (pure): `J` / `:journal` lists the journal's runs
//! (newest first), Enter shows a run's items, `r` resumes and `U` undoes the selected run
//! after a confirmation that lists what will be sent. Reading the journal and running
//! resume/undo are effects (the queue refuses the latter in read-only mode, and refuses a
//! run made against another org); their items come back as `Msg::BulkItem`s, so progress
//! and the summary are the bulk runs'.

use std::collections::HashMap;

use crate::api::models::UserId;
use crate::runs::{Change, ItemResult, RunState, Runner};

use super::action::Action;
use super::effect::{BulkKind, Effect};
use super::msg::{ItemOutcome, Msg};
use super::state::{BulkRun, Context, Level, Overlay, State, Summary};
use super::update::{rebuild_view, show_summary, start_load, toast, user_label};

/// The journal as the effects layer read it.
#[derive(Clone, Debug, PartialEq)]
pub struct JournalListing {
    /// Oldest first, as `read_runs` gives them.
    pub runs: Vec<RunState>,
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
    pub request_id: u64,
    pub loading: bool,
    pub error: Option<String>,
    /// Newest first.
    pub runs: Vec<RunState>,
    pub address: String,
    pub path: String,
    pub cursor: usize,
    /// Showing the items of the selected run, scrolled this far.
    pub items: Option<usize>,
    /// Waiting for a yes.
    pub confirm: Option<RunAction>,
}

impl JournalView {
    /// The run under the cursor.
    pub fn selected(&self) -> Option<&RunState> {
        self.runs.get(self.cursor)
    }
}

/// The changes a resume would still send (items without a success).
pub fn resume_changes(run: &RunState) -> Vec<Change> {
    run.changes
        .iter()
        .zip(&run.outcomes)
        .filter(|(_, o)| {
            !matches!(
                o,
                Some(ItemResult::Done { .. } | ItemResult::Skipped { .. })
            )
        })
        .map(|(c, _)| c.clone())
        .collect()
}

/// The changes of `action` on `run`.
pub fn planned_changes(run: &RunState, action: RunAction) -> Vec<Change> {
    match action {
        RunAction::Resume => resume_changes(run),
        RunAction::Undo => Runner::undo_changes(run),
    }
}

/// "disable Ada Admin <ada@…>", with the user's name when loaded.
pub fn describe_change(state: &State, change: &Change) -> String {
    let target = match change {
        Change::Invite { email, .. } | Change::Create { email, .. } => email.clone(),
        other => user_label(&state.store, &UserId(other.target().to_owned())),
    };
    let role = |id: &crate::api::models::RoleId| {
        state
            .store
            .role_index(id)
            .and_then(|ix| state.store.role(ix))
            .map_or_else(|| id.to_string(), |r| r.name.clone())
    };
    match change {
        Change::AddRole { role: r, .. } => format!("add role {} to {target}", role(r)),
        Change::RemoveRole { role: r, .. } => format!("remove role {} from {target}", role(r)),
        other => format!("{} {target}", other.verb()),
    }
}

fn open(state: &mut State) -> Vec<Effect> {
    let request_id = state.fresh_id();
    let keep = match state.overlay.take() {
        Some(Overlay::Journal(view)) => Some(view),
        other => {
            state.overlay = other;
            None
        }
    };
    let mut view = keep.unwrap_or_default();
    view.request_id = request_id;
    view.loading = true;
    view.confirm = None;
    state.overlay = Some(Overlay::Journal(view));
    vec![Effect::LoadJournal { request_id }]
}

/// Handles the journal's keys; `None` when `action` is not theirs.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match (&state.overlay, state.context()) {
        (Some(Overlay::Journal(_)), Context::Confirm) => Some(on_confirm(state, action)),
        (Some(Overlay::Journal(_)), _) => Some(on_view(state, action)),
        (None, Context::Browse) if action == Action::Journal => Some(open(state)),
        _ => None,
    }
}

/// Runs `:journal`; `None` for other commands.
pub fn command(state: &mut State, verb: &str, _rest: &[&str]) -> Option<Vec<Effect>> {
    matches!(verb, "journal" | "runs").then(|| open(state))
}

fn on_view(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Journal(view)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    let last = view.runs.len().saturating_sub(1);
    match (action, view.items) {
        (Action::Cancel | Action::Back, Some(_)) | (Action::Submit, Some(_)) => view.items = None,
        (Action::Cancel | Action::Back, None) => state.overlay = None,
        (Action::Submit, None) if view.selected().is_some() => view.items = Some(0),
        (Action::Up, None) => view.cursor = view.cursor.saturating_sub(1),
        (Action::Down, None) => view.cursor = (view.cursor + 1).min(last),
        (Action::Top, None) => view.cursor = 0,
        (Action::Bottom, None) => view.cursor = last,
        (Action::Up, Some(scroll)) => view.items = Some(scroll.saturating_sub(1)),
        (Action::Down, Some(scroll)) => {
            let n = view.selected().map_or(0, |r| r.changes.len());
            view.items = Some((scroll + 1).min(n.saturating_sub(1)));
        }
        (Action::Reload, _) => return open(state),
        (Action::ResumeRun, _) => ask(state, RunAction::Resume),
        (Action::UndoRun, _) => ask(state, RunAction::Undo),
        _ => {}
    }
    Vec::new()
}

/// Opens the confirmation for `action` on the selected run, or says why not.
fn ask(state: &mut State, action: RunAction) {
    let Some(Overlay::Journal(view)) = state.overlay.as_ref() else {
        return;
    };
    let Some(run) = view.selected() else {
        return;
    };
    let verb = match action {
        RunAction::Resume => "resume",
        RunAction::Undo => "undo",
    };
    let problem = if run.origin != view.address {
        Some(format!(
            "Cannot {verb} run {}: it was made against {}, but this console talks to {}",
            run.run, run.origin, view.address
        ))
    } else if planned_changes(run, action).is_empty() {
        Some(match action {
            RunAction::Resume => format!("Run {} is complete: {}", run.run, run.tally()),
            RunAction::Undo => format!(
                "Nothing in run {} can be undone (nothing was changed, or its changes — invitations, anonymization — have no inverse)",
                run.run
            ),
        })
    } else if let Some(bulk) = state.bulk.as_ref().filter(|b| !b.finished) {
        Some(format!(
            "A run is in progress ({}/{}); wait for it to finish",
            bulk.done_count(),
            bulk.total
        ))
    } else {
        // Only to explain; the effects queue is what enforces read-only.
        state
            .read_only_reason()
            .map(|reason| format!("Unavailable: {reason}"))
    };
    match problem {
        Some(text) => toast(state, Level::Warn, text),
        None => {
            if let Some(Overlay::Journal(view)) = state.overlay.as_mut() {
                view.confirm = Some(action);
            }
        }
    }
}

/// The bulk kind when every change is the same enable or disable (so the list follows).
fn uniform_kind(changes: &[Change]) -> Option<BulkKind> {
    let kind = |c: &Change| match c {
        Change::Disable { .. } => Some(BulkKind::Disable),
        Change::Enable { .. } => Some(BulkKind::Enable),
        _ => None,
    };
    let first = kind(changes.first()?)?;
    changes
        .iter()
        .all(|c| kind(c) == Some(first))
        .then_some(first)
}

fn on_confirm(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Journal(view)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Cancel => {
            view.confirm = None;
            Vec::new()
        }
        Action::Confirm => {
            let (Some(what), Some(run)) = (view.confirm.take(), view.selected().cloned()) else {
                return Vec::new();
            };
            let changes = planned_changes(&run, what);
            let run_id = state.fresh_id();
            let items: HashMap<UserId, Option<ItemOutcome>> = changes
                .iter()
                .map(|c| (UserId(c.target().to_owned()), None))
                .collect();
            state.bulk = Some(BulkRun {
                run_id,
                kind: uniform_kind(&changes),
                total: items.len(),
                items,
                finished: false,
            });
            state.overlay = None;
            let (effect, text) = match what {
                RunAction::Resume => (
                    Effect::ResumeRun {
                        run_id,
                        run: run.run.clone(),
                    },
                    format!("Resuming run {}…", run.run),
                ),
                RunAction::Undo => (
                    Effect::UndoRun {
                        run_id,
                        run: run.run.clone(),
                    },
                    format!("Undoing run {}…", run.run),
                ),
            };
            toast(state, Level::Info, text);
            vec![effect]
        }
        _ => Vec::new(),
    }
}

/// Applies `JournalRuns` and `RunFinished`.
pub fn on_msg(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::JournalRuns { request_id, result } => {
            if let Some(Overlay::Journal(view)) = state.overlay.as_mut() {
                if view.request_id != request_id {
                    return Vec::new();
                }
                view.loading = false;
                match result {
                    Ok(listing) => {
                        let listing = *listing;
                        let selected = view.selected().map(|r| r.run.clone());
                        view.runs = listing.runs.into_iter().rev().collect();
                        view.address = listing.address;
                        view.path = listing.path;
                        view.error = None;
                        view.cursor = selected
                            .and_then(|id| view.runs.iter().position(|r| r.run == id))
                            .unwrap_or(0);
                        if view.items.is_some() && view.selected().is_none() {
                            view.items = None;
                        }
                    }
                    Err(error) => view.error = Some(error),
                }
            }
            Vec::new()
        }
        Msg::RunFinished {
            run_id,
            title,
            error,
        } => on_run_finished(state, run_id, title, error),
        _ => Vec::new(),
    }
}

fn on_run_finished(
    state: &mut State,
    run_id: u64,
    title: String,
    error: Option<String>,
) -> Vec<Effect> {
    let Some(bulk) = state.bulk.as_mut().filter(|b| b.run_id == run_id) else {
        return Vec::new();
    };
    bulk.finished = true;
    if let Some(reason) = &error {
        for outcome in bulk.items.values_mut().filter(|o| o.is_none()) {
            *outcome = Some(ItemOutcome::Failed(reason.clone()));
        }
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut failures = Vec::new();
    let mut ids: Vec<&UserId> = bulk.items.keys().collect();
    ids.sort_by_key(|id| (state.store.index_of(id).unwrap_or(u32::MAX), id.0.clone()));
    let mut bump = |label: &str| match counts.iter_mut().find(|(l, _)| l == label) {
        Some((_, n)) => *n += 1,
        None => counts.push((label.to_owned(), 1)),
    };
    for id in ids {
        match bulk.items.get(id).cloned().flatten() {
            Some(ItemOutcome::Done(label)) | Some(ItemOutcome::Skipped(label)) => bump(&label),
            Some(ItemOutcome::Failed(reason)) => {
                bump("failed");
                failures.push((user_label(&state.store, id), reason));
            }
            None => {
                bump("not attempted");
                failures.push((user_label(&state.store, id), "not attempted".to_owned()));
            }
        }
    }
    let summary = Summary {
        title,
        counts,
        failures,
    };
    rebuild_view(state);
    show_summary(state, summary);
    // The run may have changed roles and profiles too: read the users again.
    vec![start_load(state)]
}
