//! A run in progress: each item's result as it comes (routed by the run's ticket), what it
//! changes in the org as loaded, and the summary when the run ends.

use crate::api::models::RoleId;
use crate::app::effect::{Effect, Ticket};
use crate::app::listing::start_load;
use crate::app::state::{
    InvitationInfo, InviteStatus, Level, Overlay, Purpose, ResultRow, RunProgress, State, Summary,
};
use crate::org::Status;
use crate::runs::{Change, ItemResult, RunId};

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
    follow_invitation(state, &change, &result);
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

/// Keeps what the detail pane says of a user's invitation true: sent (and when it expires)
/// after an invite or a resend, cancelled after a cancel.
fn follow_invitation(state: &mut State, change: &Change, result: &ItemResult) {
    let ItemResult::Done {
        invitation_expires_at,
        ..
    } = result
    else {
        return;
    };
    let id = change
        .user()
        .or_else(|| result.user().map(|u| u.id.clone()));
    let Some(id) = id else {
        return;
    };
    let now = state.now;
    let info = match change {
        Change::ResendInvitation { .. } | Change::Invite { .. } => InvitationInfo {
            sent_at: now,
            expires_at: *invitation_expires_at,
            cancelled_at: None,
        },
        Change::CancelInvitations { .. } => InvitationInfo {
            sent_at: state.invitations.get(&id).map_or(now, |i| i.sent_at),
            expires_at: None,
            cancelled_at: Some(now),
        },
        _ => return,
    };
    state.invitations.insert(id, info);
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
    crate::app::marks::refresh_marked_only(state);
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
        Purpose::Bulk(_)
        | Purpose::BulkRoles
        | Purpose::BulkEdit
        | Purpose::Anonymize
        | Purpose::Journal(_)
        | Purpose::Retry => {
            // The form the run came from is done with.
            if matches!(state.overlay, Some(Overlay::Roles(_) | Overlay::Edit(_))) {
                state.overlay = None;
            }
            if error.is_none() {
                show_summary(state, summary_of(state, &progress));
            }
            // Anonymizing, journal runs and retries (of any of these) may have changed more
            // than the list shows.
            if matches!(
                progress.purpose,
                Purpose::Anonymize | Purpose::Journal(_) | Purpose::Retry
            ) {
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

/// A finished run's summary: counts per result, and every item, those that need
/// attention (failed, partly done, unfinished) first.
fn summary_of(state: &State, progress: &RunProgress) -> Summary {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut bump = |label: &str| match counts.iter_mut().find(|(l, _)| l == label) {
        Some((_, n)) => *n += 1,
        None => counts.push((label.to_owned(), 1)),
    };
    let mut results: Vec<&(usize, Change, ItemResult)> = progress.results.iter().collect();
    results.sort_by_key(|(index, _, _)| *index);
    let mut rows = Vec::with_capacity(results.len());
    let mut retry = Vec::new();
    for (_, change, result) in results {
        bump(result.label());
        let needs_attention = !result.is_settled();
        if needs_attention {
            retry.push(change.clone());
        }
        rows.push(result_row(state, change, result, needs_attention));
    }
    // Stable: run order within each group.
    rows.sort_by_key(|row| !row.needs_attention);
    let missing = progress.total.saturating_sub(progress.results.len());
    let mut not_attempted = None;
    if missing > 0 {
        counts.push(("unfinished".to_owned(), missing));
        not_attempted = progress.stopped.clone().map(|reason| (missing, reason));
    }
    Summary {
        title: progress.title.clone(),
        counts,
        rows,
        retry,
        not_attempted,
        cursor: Default::default(),
    }
}

/// One item in the result dialog's words.
fn result_row(
    state: &State,
    change: &Change,
    result: &ItemResult,
    needs_attention: bool,
) -> ResultRow {
    let user = change.user();
    let who = match &user {
        Some(id) => state.store.label(id),
        None => change.target().to_owned(),
    };
    let detail = match result {
        ItemResult::Partial { detail, next, .. } => format!("{detail}; {next}"),
        other => other.detail().to_owned(),
    };
    ResultRow {
        who,
        user,
        outcome: result.label(),
        detail,
        needs_attention,
    }
}

/// Shows a finished run's summary, or a toast when another dialog is open (a summary must
/// not cover a form the user is typing in).
fn show_summary(state: &mut State, summary: Summary) {
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
