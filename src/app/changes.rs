//! Every change the console makes, through the one change gate (pure part): a key or form
//! proposes a `Draft`; the effects queue reads the facts (`Effect::Prepare`); the gate
//! (`runs::check`, pure, called here) gives the consequences and either refusals or a
//! checked plan; the dialog asks as the blast radius requires (never Enter as yes for a
//! destructive change; a typed count for big or privileged sets; the caller's own email to
//! include themselves); the confirmed plan becomes `Effect::Apply`, and the run's items come
//! back as `Msg::Run(RunMsg::Item)`s routed by ticket. Forms (edit, roles, invite) apply at once when
//! the gate has nothing to ask.

mod progress;
mod results;

use tui_input::Input;

use crate::api::models::UserId;
use crate::domain::Confirmation;
use crate::runs::{check, Change, Draft, Facts, GateOptions, Verdict};

use super::action::Action;
use super::effect::{BulkKind, Effect, PlanId, Ticket};
use super::state::{Level, Overlay, State};
pub use super::state::{PlanDialog, PlanStage, Purpose, RunAction, RunProgress};
pub use progress::{on_ended, on_item, on_started};
pub use results::{on_action as on_results, retry_draft};

/// The users in `changes` that the filter or tab hides.
fn hidden_count(state: &State, changes: &[Change]) -> usize {
    let matcher = state.view_matcher();
    let mut ids: Vec<UserId> = changes.iter().filter_map(Change::user).collect();
    ids.sort();
    ids.dedup();
    ids.iter()
        .filter(|id| {
            !state
                .store
                .index_of(id)
                .is_some_and(|ix| state.in_view(ix, &matcher))
        })
        .count()
}

/// Proposes `draft`: unless changes are blocked now (permissions still unknown, read-only,
/// another run in flight), asks the queue for the facts to check it against.
pub fn propose(
    state: &mut State,
    purpose: Purpose,
    draft: Draft,
    left_out: Option<(usize, &'static str)>,
) -> Vec<Effect> {
    if let Some(reason) = state.access.blocked() {
        state.notify(Level::Warn, format!("Unavailable: {reason}"));
        return Vec::new();
    }
    if let Some(run) = state.run.as_ref().filter(|r| !r.finished) {
        let text = format!(
            "A run is in progress ({}/{}); wait for it to finish",
            run.done_count(),
            run.total
        );
        state.notify(Level::Warn, text);
        return Vec::new();
    }
    let changes: Vec<Change> = draft.items().into_iter().map(|i| i.change).collect();
    let hidden = hidden_count(state, &changes);
    let quiet = purpose.is_form()
        || (purpose == Purpose::Bulk(BulkKind::ResendInvitation) && changes.len() == 1);
    let id = PlanId(state.fresh_id());
    state.plan = Some(PlanDialog {
        id,
        purpose,
        draft: draft.clone(),
        hidden,
        left_out,
        stage: PlanStage::Preparing,
        typed: Input::default(),
        hint: None,
        quiet,
    });
    vec![Effect::Prepare {
        plan: id,
        draft: Box::new(draft),
    }]
}

/// The facts arrived: check the draft, then ask, refuse, or (a form with nothing to ask)
/// apply at once.
pub fn on_prepared(
    state: &mut State,
    id: PlanId,
    result: Result<Box<Facts>, String>,
) -> Vec<Effect> {
    let Some(plan) = state.plan.as_mut().filter(|p| p.id == id) else {
        return Vec::new(); // cancelled, or an older plan
    };
    match result {
        Err(error) => {
            plan.stage = PlanStage::Failed(error);
            Vec::new()
        }
        Ok(facts) => {
            set_verdict(plan, facts, false);
            let quiet = plan.quiet
                && plan.verdict().is_some_and(|v| {
                    v.plan().is_some()
                        && v.summary.confirmation == Confirmation::Enter
                        && !v.summary.includes_you
                });
            if quiet {
                apply(state)
            } else {
                Vec::new()
            }
        }
    }
}

fn set_verdict(plan: &mut PlanDialog, facts: Box<Facts>, allow_self: bool) {
    let options = GateOptions {
        allow_self,
        force: false,
    };
    let mut verdict = check(&plan.draft, &facts, options);
    verdict.summary.hidden_by_filter = Some(plan.hidden);
    plan.stage = PlanStage::Ready {
        facts,
        verdict: Box::new(verdict),
        allow_self,
    };
    plan.typed = Input::default();
    plan.hint = None;
}

/// Keys while the dialog is up.
pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(plan) = state.plan.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Cancel | Action::Back => {
            close(state);
            Vec::new()
        }
        Action::TextEdit(request) => {
            plan.typed.handle(request);
            plan.hint = None;
            Vec::new()
        }
        Action::Confirm | Action::Submit => answer(state, action),
        _ => Vec::new(),
    }
}

/// Closes the dialog; a form waiting on it can be edited again.
fn close(state: &mut State) {
    state.plan = None;
    match state.overlay.as_mut() {
        Some(Overlay::Edit(form)) => form.saving = false,
        Some(Overlay::Roles(picker)) => picker.saving = false,
        Some(Overlay::Invite(form)) if state.run.as_ref().is_none_or(|r| r.finished) => {
            form.sent = false;
            form.results.clear();
        }
        _ => {}
    }
}

/// `y` (Confirm) or Enter (Submit) in the dialog.
fn answer(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(plan) = state.plan.as_mut() else {
        return Vec::new();
    };
    let Some(verdict) = plan.verdict() else {
        // Preparing or failed: Enter closes.
        if action == Action::Submit && !plan.is_preparing() {
            close(state);
        }
        return Vec::new();
    };
    if plan.asks_for_email() {
        if action != Action::Submit {
            return Vec::new();
        }
        let typed = plan.typed.value().trim().to_owned();
        let matches = plan
            .caller_email()
            .is_some_and(|email| !typed.is_empty() && email.eq_ignore_ascii_case(&typed));
        if !matches {
            plan.hint = Some("That is not your email: type it exactly, or Esc".into());
            return Vec::new();
        }
        if let PlanStage::Ready { facts, .. } =
            std::mem::replace(&mut plan.stage, PlanStage::Preparing)
        {
            set_verdict(plan, facts, true);
        }
        return Vec::new();
    }
    if verdict.plan().is_none() {
        if action == Action::Submit {
            close(state);
        }
        return Vec::new();
    }
    let confirmation = verdict.summary.confirmation.clone();
    let yes = match (&confirmation, action) {
        (Confirmation::Enter, _) => true,
        (Confirmation::Yes, Action::Confirm) => true,
        (Confirmation::Yes, _) => {
            plan.hint = Some("Enter does not confirm this: press y, or Esc".into());
            false
        }
        (Confirmation::Type(word), _) => {
            let ok = confirmation.accepts(plan.typed.value());
            if !ok {
                plan.hint = Some(format!("Type {word} exactly to confirm, or Esc"));
            }
            ok
        }
    };
    if yes {
        apply(state)
    } else {
        Vec::new()
    }
}

/// Starts the checked plan.
fn apply(state: &mut State) -> Vec<Effect> {
    let Some(plan) = state.plan.take() else {
        return Vec::new();
    };
    let Some(checked) = plan.verdict().and_then(Verdict::plan).cloned() else {
        return Vec::new();
    };
    let ticket = Ticket(state.fresh_id());
    let total = checked.items().len();
    match state.overlay.as_mut() {
        Some(Overlay::Edit(form)) => form.saving = true,
        Some(Overlay::Roles(picker)) => picker.saving = true,
        // Its results list (invalid emails included) was set when it was submitted.
        Some(Overlay::Invite(form)) => form.sent = true,
        Some(Overlay::Journal(_)) | Some(Overlay::Summary(_)) => state.overlay = None,
        _ => {}
    }
    let mut progress = RunProgress::new(ticket, plan.purpose, checked.title().to_owned(), total);
    progress.users = checked
        .items()
        .iter()
        .filter_map(|i| i.change.user())
        .map(|u| (u, None))
        .collect();
    state.run = Some(progress);
    if !plan.quiet {
        state.notify(Level::Info, format!("{}…", checked.title()));
    }
    vec![Effect::Apply {
        ticket,
        plan: Box::new(checked),
    }]
}

/// Routes the answers of a change's check and run.
pub fn on_msg(state: &mut State, msg: super::msg::RunMsg) -> Vec<Effect> {
    use super::msg::RunMsg;
    match msg {
        RunMsg::Prepared { plan, result } => on_prepared(state, plan, result),
        RunMsg::Started { ticket, run, total } => {
            on_started(state, ticket, run, total);
            Vec::new()
        }
        RunMsg::Item { ticket, report } => {
            let report = *report;
            on_item(state, ticket, report.index, report.change, report.result);
            Vec::new()
        }
        RunMsg::Ended {
            ticket,
            stopped,
            error,
        } => on_ended(state, ticket, stopped, error),
    }
}
