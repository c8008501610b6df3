//! The journal view in the console (pure): `J` / `:journal` lists the journal's runs
//! (newest first), Enter shows a run's items, `r` resumes and `U` undoes the selected run
//! after a confirmation that lists what will be sent. Reading the journal and running
//! resume/undo are effects (the queue refuses the latter in read-only mode, and refuses a
//! run made against another org); their items come back as `Msg::BulkItem`s, so progress
//! and the summary are the bulk runs'.

use crate::api::models::UserId;
use crate::runs::plan::undo_changes;
use crate::runs::{Change, Draft, RunState};

use super::action::Action;
use super::changes::{propose, Purpose};
use super::command_spec::{ArgKind, CommandSpec, Does};
use super::cursor::{ListCursor, POPUP_PAGE};
use super::effect::Effect;
use super::msg::Msg;
pub use super::state::{JournalListing, JournalView, RunAction};
use super::state::{Level, Overlay, State};

/// The changes of `action` on `run` (what a resume would still send, or the undo).
pub fn planned_changes(run: &RunState, action: RunAction) -> Vec<Change> {
    match action {
        RunAction::Resume => Draft::Resume {
            run: Box::new(run.clone()),
        }
        .items()
        .into_iter()
        .map(|i| i.change)
        .collect(),
        RunAction::Undo => undo_changes(run).into_iter().map(|(c, _)| c).collect(),
    }
}

/// "disable Ada Admin <ada@…>", with the user's name when loaded.
pub fn describe_change(state: &State, change: &Change) -> String {
    let target = match change {
        Change::Invite { email, .. } | Change::Create { email, .. } => email.clone(),
        other => state.store.label(&UserId(other.target().to_owned())),
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
    let request_id = state.fresh_request();
    let keep = match state.overlay.take() {
        Some(Overlay::Journal(view)) => Some(view),
        other => {
            state.overlay = other;
            None
        }
    };
    let mut view = keep.unwrap_or_default();
    view.request.issue(request_id);
    view.loading = true;
    state.overlay = Some(Overlay::Journal(view));
    vec![Effect::LoadJournal { request_id }]
}

/// Handles the journal's keys; `None` when `action` is not theirs.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match (&state.overlay, state.context()) {
        (Some(Overlay::Journal(_)), super::state::Context::Journal) => Some(on_view(state, action)),
        (None, super::state::Context::Browse) if action == Action::Journal => Some(open(state)),
        _ => None,
    }
}

/// Runs `:journal`; `None` for other commands.
/// The journal's `:` commands.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    names: &["journal", "runs"],
    usage: ":journal",
    about: "the journal's runs: resume or undo",
    arg: ArgKind::None,
    does: Does::Run(|state, _| open(state)),
}];

fn on_view(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Journal(view)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    let runs = view.runs.len();
    match (action, view.items) {
        (Action::Cancel | Action::Back, Some(_)) | (Action::Submit, Some(_)) => view.items = None,
        (Action::Cancel | Action::Back, None) => state.overlay = None,
        (Action::Submit, None) if view.selected().is_some() => view.items = Some(0),
        (Action::Up | Action::Down | Action::Top | Action::Bottom, None) => {
            view.cursor.navigate(&action, runs, POPUP_PAGE);
        }
        (Action::Up, Some(scroll)) => view.items = Some(scroll.saturating_sub(1)),
        (Action::Down, Some(scroll)) => {
            let n = view.selected().map_or(0, |r| r.changes.len());
            view.items = Some((scroll + 1).min(n.saturating_sub(1)));
        }
        (Action::Reload, _) => return open(state),
        (Action::ResumeRun, _) => return ask(state, RunAction::Resume),
        (Action::UndoRun, _) => return ask(state, RunAction::Undo),
        _ => {}
    }
    Vec::new()
}

/// Proposes `action` on the selected run through the change gate (which refuses another
/// org's run, or a run undone already), or says why there is nothing to do.
fn ask(state: &mut State, action: RunAction) -> Vec<Effect> {
    let Some(Overlay::Journal(view)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    let Some(run) = view.selected().cloned() else {
        return Vec::new();
    };
    if planned_changes(&run, action).is_empty() {
        let text = match action {
            RunAction::Resume => format!("Run {} is complete: {}", run.run, run.tally()),
            RunAction::Undo => format!(
                "Nothing in run {} can be undone (nothing was changed, or its changes — invitations, anonymization — have no inverse)",
                run.run
            ),
        };
        state.notify(Level::Warn, text);
        return Vec::new();
    }
    let draft = match action {
        RunAction::Resume => Draft::Resume { run: Box::new(run) },
        RunAction::Undo => Draft::undo(run, &view.runs),
    };
    propose(state, Purpose::Journal(action), draft, None)
}

/// Applies `JournalRuns`: the journal view's listing, or the start-up check.
pub fn on_msg(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::JournalRuns { request_id, result } if state.journal_check.is(request_id) => {
            state.journal_check.clear();
            if let Ok(listing) = result {
                unfinished_notice(state, &listing);
            }
            Vec::new()
        }
        Msg::JournalRuns { request_id, result } => {
            if let Some(Overlay::Journal(view)) = state.overlay.as_mut() {
                if !view.request.is(request_id) {
                    return Vec::new();
                }
                view.loading = false;
                match result {
                    Ok(listing) => {
                        let listing = *listing;
                        let selected = view.selected().map(|r| r.run.clone());
                        view.runs = listing.runs.into_iter().rev().collect();
                        view.skipped = listing.skipped;
                        view.address = listing.address;
                        view.path = listing.path;
                        view.error = None;
                        let pos = selected
                            .and_then(|id| view.runs.iter().position(|r| r.run == id))
                            .unwrap_or(0);
                        view.cursor = ListCursor::default();
                        view.cursor.select(pos, view.runs.len(), POPUP_PAGE);
                        if view.items.is_some() && view.selected().is_none() {
                            view.items = None;
                        }
                    }
                    Err(error) => view.error = Some(error),
                }
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// At start: "1 unfinished run — J to resume", for runs of this org left with items
/// never finished (a quit or a crash mid-run).
fn unfinished_notice(state: &mut State, listing: &JournalListing) {
    let unfinished = listing
        .runs
        .iter()
        .filter(|r| r.origin == listing.address && r.tally().unfinished > 0)
        .count();
    if unfinished > 0 && state.toast.is_none() {
        let runs = crate::words::count(unfinished, "unfinished run");
        // Stays until something replaces it: it is easy to miss while the org loads.
        state.toast = Some(super::state::Toast {
            text: format!("{runs} — J to resume"),
            level: Level::Warn,
            until: None,
            while_loading: false,
        });
    }
}
