//! The keys that change users (d, E, r, c, X, u, R, i): they open a form or propose a plan
//! to the change gate (`changes`), never send anything themselves. Pure.

use tui_input::Input;

use crate::api::models::UserId;

use super::action::Action;
use super::changes::{propose, Purpose};
use super::effect::BulkKind;
use super::effect::Effect;
use super::state::*;
use super::targets::targets;
use crate::org::Status;
use crate::runs::{Change, Draft};

fn status_of(state: &State, id: &UserId) -> Option<Status> {
    state.store.by_id(id).map(|u| u.status)
}

pub(super) fn on_mutation(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Disable => propose_bulk(
            state,
            BulkKind::Disable,
            |s| s != Status::Disabled,
            "already disabled",
        ),
        Action::Enable => propose_bulk(
            state,
            BulkKind::Enable,
            |s| s == Status::Disabled,
            "not disabled",
        ),
        Action::CancelInvitations => propose_bulk(
            state,
            BulkKind::CancelInvitations,
            |s| s == Status::Pending,
            "not pending",
        ),
        Action::ResendInvitation => propose_bulk(
            state,
            BulkKind::ResendInvitation,
            |s| s == Status::Pending,
            "not pending (only pending users have invitations)",
        ),
        Action::Anonymize => {
            let targets = targets(state);
            if targets.ids.is_empty() {
                return Vec::new();
            }
            let title = format!("Anonymize {}", targets.describe(state, targets.ids.len()));
            let changes = targets
                .ids
                .into_iter()
                .map(|user| Change::Anonymize { user })
                .collect();
            propose(state, Purpose::Anonymize, Draft::new(title, changes), None)
        }
        Action::Invite => open_invite(state),
        Action::EditUser => open_edit(state),
        Action::EditRoles => super::role_picker::open(state),
        _ => Vec::new(),
    }
}

/// The invite form, with every org role to choose from.
fn open_invite(state: &mut State) -> Vec<Effect> {
    let roles = state
        .org_roles
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r, false))
        .collect();
    state.overlay = Some(Overlay::Invite(Box::new(InviteForm {
        roles,
        ..Default::default()
    })));
    Vec::new()
}

/// The edit form of the user the keys are on; on marked users, a title for them all
/// (names and emails are each person's own).
fn open_edit(state: &mut State) -> Vec<Effect> {
    let targets = targets(state);
    let Some(id) = targets.ids.first().cloned() else {
        return Vec::new();
    };
    let Some(user) = state.store.by_id(&id) else {
        return Vec::new();
    };
    let marked = if targets.marked {
        targets.ids
    } else {
        Vec::new()
    };
    // Marked users start from the title they share, if they share one.
    let title_of = |id: &UserId| state.store.by_id(id).and_then(|u| u.title.as_deref());
    let shared_title = match marked.split_first() {
        Some((first, rest)) if rest.iter().all(|id| title_of(id) == title_of(first)) => {
            title_of(first)
        }
        Some(_) => None,
        None => user.title.as_deref(),
    };
    let form = EditForm {
        focus: if marked.is_empty() { 0 } else { 1 },
        marked,
        current_user: state.me.as_ref() == Some(&id),
        name: Input::new(user.name.to_string()),
        title: Input::new(shared_title.unwrap_or_default().to_owned()),
        email: Input::new(user.email.to_string()),
        user_id: id,
        saving: false,
        error: None,
    };
    state.overlay = Some(Overlay::Edit(Box::new(form)));
    Vec::new()
}

/// Proposes `kind` for the targets it applies to (by the loaded status); the others are
/// left out, and said so.
fn propose_bulk(
    state: &mut State,
    kind: BulkKind,
    applies: impl Fn(Status) -> bool,
    why_not: &'static str,
) -> Vec<Effect> {
    let targets = targets(state);
    let all = &targets.ids;
    if all.is_empty() {
        return Vec::new();
    }
    let ids: Vec<UserId> = all
        .iter()
        .filter(|id| status_of(state, id).is_none_or(&applies))
        .cloned()
        .collect();
    let left_out = all.len() - ids.len();
    if ids.is_empty() {
        let text = if all.len() == 1 {
            format!("Nothing to do: the user is {why_not}")
        } else {
            let who = targets.describe(state, all.len());
            format!("Nothing to do: all {who} are {why_not}")
        };
        state.notify(Level::Warn, text);
        return Vec::new();
    }
    let title = kind.title(&targets.describe(state, ids.len()));
    let changes = ids
        .into_iter()
        .map(|user| match kind {
            BulkKind::Disable => Change::Disable { user },
            BulkKind::Enable => Change::Enable { user },
            BulkKind::ResendInvitation => Change::ResendInvitation { user },
            BulkKind::CancelInvitations => Change::CancelInvitations { user },
        })
        .collect();
    let left_out = (left_out > 0).then_some((left_out, why_not));
    propose(
        state,
        Purpose::Bulk(kind),
        Draft::new(title, changes),
        left_out,
    )
}
