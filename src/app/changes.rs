//! Every change the console makes, through the one change gate (pure part): a key or form
//! proposes a `Draft`; the effects queue reads the facts (`Effect::Prepare`); the gate
//! (`runs::check`, pure, called here) gives the consequences and either refusals or a
//! checked plan; the dialog asks as the blast radius requires (never Enter as yes for a
//! destructive change; a typed count for big or privileged sets; the caller's own email to
//! include themselves); the confirmed plan becomes `Effect::Apply`, and the run's items come
//! back as `Msg::Run(RunMsg::Item)`s routed by ticket. Forms (edit, roles, invite) apply at once when
//! the gate has nothing to ask.

use tui_input::Input;

use crate::api::models::{RoleId, UserId};
use crate::domain::Confirmation;
use crate::runs::{check, Change, Draft, Facts, GateOptions, ItemResult, RunId, Verdict};

use super::action::Action;
use super::effect::{BulkKind, Effect, PlanId, Ticket};
use super::listing::start_load;
use super::state::{InvitationInfo, InviteStatus, Level, Overlay, State, Summary};
pub use super::state::{PlanDialog, PlanStage, Purpose, RunAction, RunProgress};
use crate::org::Status;

/// The users in `changes` that the filter or tab hides.
fn hidden_count(state: &State, changes: &[Change]) -> usize {
    let terms = state.filter_terms();
    let mut ids: Vec<UserId> = changes.iter().filter_map(Change::user).collect();
    ids.sort();
    ids.dedup();
    ids.iter()
        .filter(|id| {
            !state
                .store
                .index_of(id)
                .is_some_and(|ix| state.in_view(ix, &terms))
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
        Some(Overlay::Journal(_)) => state.overlay = None,
        _ => {}
    }
    state.run = Some(RunProgress {
        ticket,
        purpose: plan.purpose,
        title: checked.title().to_owned(),
        run: None,
        total,
        results: Vec::new(),
        users: checked
            .items()
            .iter()
            .filter_map(|i| i.change.user())
            .map(|u| (u, None))
            .collect(),
        finished: false,
        stopped: None,
    });
    if !plan.quiet {
        state.notify(Level::Info, format!("{}…", checked.title()));
    }
    vec![Effect::Apply {
        ticket,
        plan: Box::new(checked),
    }]
}

fn ours(state: &State, ticket: Ticket) -> bool {
    state.run.as_ref().is_some_and(|r| r.ticket == ticket)
}

/// The run started (its journal id).
pub fn on_started(state: &mut State, ticket: Ticket, run: RunId, total: usize) {
    if let Some(progress) = state.run.as_mut().filter(|r| r.ticket == ticket) {
        progress.run = Some(run);
        progress.total = total;
    }
}

/// One item finished: the store, marks, forms and invitations follow.
pub fn on_item(
    state: &mut State,
    ticket: Ticket,
    index: usize,
    change: Change,
    result: ItemResult,
) {
    if !ours(state, ticket) {
        return;
    }
    // Results quote the service (an anonymize error, a refusal): made safe as they enter.
    let result = result.sanitized();
    follow_in_store(state, &change, &result);
    if let Some(user) = change.user() {
        // Failed users stay marked, to retry.
        if !matches!(
            result,
            ItemResult::Failed { .. } | ItemResult::Unfinished { .. }
        ) {
            state.marks.remove(&user);
        }
    }
    if let ItemResult::Done {
        invitation_expires_at,
        ..
    } = &result
    {
        if matches!(
            change,
            Change::ResendInvitation { .. } | Change::Invite { .. }
        ) {
            let id = change
                .user()
                .or_else(|| result.user().map(|u| u.id.clone()));
            if let Some(id) = id {
                state.invitations.insert(
                    id,
                    InvitationInfo {
                        sent_at: state.now,
                        expires_at: *invitation_expires_at,
                    },
                );
            }
        }
    }
    if let (Change::Invite { email, .. }, Some(Overlay::Invite(form))) =
        (&change, state.overlay.as_mut())
    {
        let status = invite_status(&result);
        if let Some(entry) = form
            .results
            .iter_mut()
            .find(|(e, s)| e.eq_ignore_ascii_case(email) && *s == InviteStatus::Waiting)
        {
            entry.1 = status;
        }
    }
    if let Some(progress) = state.run.as_mut() {
        if let Some(user) = change.user() {
            progress.users.insert(user, Some(progress.results.len()));
        }
        progress.results.push((index, change, result));
    }
}

fn invite_status(result: &ItemResult) -> InviteStatus {
    match result {
        ItemResult::Done {
            detail,
            invitation_expires_at: Some(t),
            ..
        } => InviteStatus::Done(format!("{detail}, expires {}", crate::words::date(*t))),
        ItemResult::Done { detail, .. } => InviteStatus::Done(detail.clone()),
        ItemResult::Skipped { detail, .. } => InviteStatus::Done(detail.clone()),
        ItemResult::Partial { detail, next, .. } => {
            InviteStatus::Failed(format!("{detail}; {next}"))
        }
        ItemResult::Failed { reason } | ItemResult::Unfinished { reason } => {
            InviteStatus::Failed(reason.clone())
        }
    }
}

/// Keeps the loaded org true to what an item did.
fn follow_in_store(state: &mut State, change: &Change, result: &ItemResult) {
    if let Some(user) = result.user() {
        let (ix, new) = state.store_mut().upsert(user);
        if new {
            state.extend_view(&[ix]);
        }
        return;
    }
    if !result.is_settled() {
        return;
    }
    let Some(id) = change.user() else {
        return;
    };
    let Some(ix) = state.store.index_of(&id) else {
        return;
    };
    match change {
        Change::Disable { .. } | Change::Anonymize { .. } => {
            state.store_mut().set_status(ix, Status::Disabled)
        }
        Change::Enable { .. } => state.store_mut().set_status(ix, Status::Active),
        Change::AddRole { role, .. } | Change::RemoveRole { role, .. } => {
            let adding = matches!(change, Change::AddRole { .. });
            let mut roles: Vec<RoleId> = state
                .store
                .get(ix)
                .map(|u| {
                    u.roles
                        .iter()
                        .filter_map(|r| state.store.role(*r).map(|info| info.id.clone()))
                        .collect()
                })
                .unwrap_or_default();
            roles.retain(|r| r != role);
            if adding {
                roles.push(role.clone());
            }
            state.store_mut().set_roles(ix, &roles);
        }
        _ => {}
    }
}

/// The run ended: its summary, and what its purpose needs.
pub fn on_ended(
    state: &mut State,
    ticket: Ticket,
    stopped: Option<String>,
    error: Option<String>,
) -> Vec<Effect> {
    let Some(progress) = state.run.as_mut().filter(|r| r.ticket == ticket) else {
        return Vec::new();
    };
    progress.finished = true;
    progress.stopped = stopped.clone().or(error.clone());
    let progress = progress.clone();
    let tally = progress.tally();
    if let Some(error) = &error {
        state.notify(Level::Error, format!("Nothing was sent: {error}"));
    } else if stopped.is_none() {
        // The "…" of the start is no longer true.
        state.notify(Level::Info, format!("{}: {tally}", progress.title));
    } else if let Some(reason) = &stopped {
        state.notify(
            Level::Error,
            format!(
                "Run stopped: {reason} — {} left unfinished; J resumes it with working keys",
                tally.unfinished
            ),
        );
    }
    state.rebuild_view();
    match progress.purpose {
        Purpose::Edit => {
            finish_edit(state, &progress, error);
            Vec::new()
        }
        Purpose::Roles => {
            finish_roles(state, &progress, error);
            Vec::new()
        }
        Purpose::Invite => {
            if error.is_none() {
                let text = format!(
                    "Invite finished: {} done, {} not sent",
                    tally.done + tally.skipped,
                    tally.failed + tally.partial + tally.unfinished
                );
                if stopped.is_none() {
                    state.notify(Level::Info, text);
                }
            } else if let Some(Overlay::Invite(form)) = state.overlay.as_mut() {
                form.sent = false;
                form.results.clear();
            }
            Vec::new()
        }
        Purpose::Bulk(_) | Purpose::Anonymize | Purpose::Journal(_) => {
            if error.is_none() {
                show_summary(state, summary_of(state, &progress));
            }
            // Anonymizing and journal runs may have changed more than the list shows.
            if matches!(progress.purpose, Purpose::Anonymize | Purpose::Journal(_)) {
                vec![start_load(state)]
            } else {
                Vec::new()
            }
        }
    }
}

fn finish_edit(state: &mut State, progress: &RunProgress, error: Option<String>) {
    let problem = error.or_else(|| first_problem(progress));
    match problem {
        None => {
            if matches!(state.overlay, Some(Overlay::Edit(_))) {
                state.overlay = None;
            }
            let who = first_user(state, progress);
            state.notify(Level::Info, format!("Saved {who}"));
        }
        Some(reason) => {
            if let Some(Overlay::Edit(form)) = state.overlay.as_mut() {
                form.saving = false;
                form.error = Some(reason.clone());
            }
            state.notify(Level::Error, format!("Saving failed: {reason}"));
        }
    }
}

fn finish_roles(state: &mut State, progress: &RunProgress, error: Option<String>) {
    if matches!(state.overlay, Some(Overlay::Roles(_))) {
        state.overlay = None;
    }
    let who = first_user(state, progress);
    match error.or_else(|| first_problem(progress)) {
        None => state.notify(Level::Info, format!("Roles of {who} updated")),
        Some(reason) => state.notify(Level::Error, format!("Changing roles failed: {reason}")),
    }
}

/// The user of a run's first item (the one a form changed), by name.
fn first_user(state: &State, progress: &RunProgress) -> String {
    progress
        .results
        .first()
        .and_then(|(_, c, _)| c.user())
        .map(|id| state.store.label(&id))
        .unwrap_or_default()
}

/// The first failure (or unfinished item) of a run, in words.
fn first_problem(progress: &RunProgress) -> Option<String> {
    progress
        .results
        .iter()
        .find(|(_, _, r)| !r.is_settled())
        .map(|(_, _, r)| r.detail().to_owned())
        .or_else(|| progress.stopped.clone())
}

/// A finished run's summary: counts per result, and every item that needs attention.
fn summary_of(state: &State, progress: &RunProgress) -> Summary {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut bump = |label: &str| match counts.iter_mut().find(|(l, _)| l == label) {
        Some((_, n)) => *n += 1,
        None => counts.push((label.to_owned(), 1)),
    };
    let mut failures = Vec::new();
    let mut results: Vec<&(usize, Change, ItemResult)> = progress.results.iter().collect();
    results.sort_by_key(|(index, _, _)| *index);
    for (_, change, result) in results {
        bump(result.label());
        let who = match change.user() {
            Some(id) => state.store.label(&id),
            None => change.target().to_owned(),
        };
        match result {
            ItemResult::Failed { reason } | ItemResult::Unfinished { reason } => {
                failures.push((who, reason.clone()))
            }
            ItemResult::Partial { detail, next, .. } => {
                failures.push((who, format!("{detail}; {next}")))
            }
            _ => {}
        }
    }
    let missing = progress.total.saturating_sub(progress.results.len());
    if missing > 0 {
        counts.push(("unfinished".to_owned(), missing));
        if let Some(reason) = &progress.stopped {
            failures.push((format!("{missing} not attempted"), reason.clone()));
        }
    }
    Summary {
        title: progress.title.clone(),
        counts,
        failures,
    }
}

/// Shows a finished run's summary, or a toast when another dialog is open (a summary must
/// not cover a form the user is typing in).
pub(super) fn show_summary(state: &mut State, summary: Summary) {
    if state.overlay.is_none() {
        state.overlay = Some(Overlay::Summary(summary));
        return;
    }
    let text = summary
        .counts
        .iter()
        .map(|(l, n)| format!("{n} {l}"))
        .collect::<Vec<_>>()
        .join(", ");
    state.notify(Level::Info, format!("{} finished: {text}", summary.title));
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
