//! The keys that change users (d, E, r, c, X, u, R, i): they open a form or propose a plan
//! to the change gate (`changes`), never send anything themselves. Pure.

use tui_input::Input;

use crate::api::models::UserId;

use super::action::Action;
use super::changes::{propose, Purpose};
use super::cursor::ListCursor;
use super::effect::BulkKind;
use super::effect::Effect;
use super::state::*;
use crate::org::Status;
use crate::runs::{Change, Draft};

/// The users an action applies to: the marked ones, else the one the keys are on.
pub(super) fn targets(state: &State) -> Vec<UserId> {
    if !state.marks.is_empty() {
        let mut ids: Vec<UserId> = state.marks.iter().cloned().collect();
        // Stable order: the store's (load) order.
        ids.sort_by_key(|id| state.store.index_of(id).unwrap_or(u32::MAX));
        return ids;
    }
    focused_user(state).into_iter().collect()
}

/// The user the keys act on: the detail's when it has focus, else the cursor's.
pub(super) fn focused_user(state: &State) -> Option<UserId> {
    match (&state.detail, state.focus) {
        (Some(detail), Focus::Detail) => Some(detail.user_id.clone()),
        _ => state.selected().map(|u| u.id.clone()),
    }
}

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
            let ids = targets(state);
            if ids.is_empty() {
                return Vec::new();
            }
            let title = format!("Anonymize {}", crate::words::count(ids.len(), "user"));
            let changes = ids
                .into_iter()
                .map(|user| Change::Anonymize { user })
                .collect();
            propose(state, Purpose::Anonymize, Draft::new(title, changes), None)
        }
        Action::Invite => open_invite(state),
        Action::EditUser => open_edit(state),
        Action::EditRoles => open_roles(state),
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

/// The edit form of the user the keys are on.
fn open_edit(state: &mut State) -> Vec<Effect> {
    let Some(id) = focused_user(state) else {
        return Vec::new();
    };
    let Some(user) = state.store.by_id(&id) else {
        return Vec::new();
    };
    let form = EditForm {
        current_user: state.me.as_ref() == Some(&id),
        name: Input::new(user.name.to_string()),
        title: Input::new(user.title.as_deref().unwrap_or_default().to_owned()),
        email: Input::new(user.email.to_string()),
        user_id: id,
        focus: 0,
        saving: false,
        error: None,
    };
    state.overlay = Some(Overlay::Edit(Box::new(form)));
    Vec::new()
}

/// The role picker of the user the keys are on (once the org's roles are known).
fn open_roles(state: &mut State) -> Vec<Effect> {
    let Some(id) = focused_user(state) else {
        return Vec::new();
    };
    let Some(org_roles) = state.org_roles.clone() else {
        let text = match &state.roles_error {
            Some(e) => format!("The org's roles could not be loaded: {e}"),
            None => "The org's roles are still loading".to_owned(),
        };
        state.notify(Level::Warn, text);
        return Vec::new();
    };
    let held: Vec<u32> = state
        .store
        .by_id(&id)
        .map(|u| u.roles.to_vec())
        .unwrap_or_default();
    let items = org_roles
        .into_iter()
        .map(|r| {
            let has = held.contains(&r);
            (r, has, has)
        })
        .collect();
    state.overlay = Some(Overlay::Roles(Box::new(RolePicker {
        user_id: id,
        items,
        cursor: ListCursor::default(),
        saving: false,
    })));
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
    let all = targets(state);
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
            format!("Nothing to do: all {} users are {why_not}", all.len())
        };
        state.notify(Level::Warn, text);
        return Vec::new();
    }
    let title = kind.title(ids.len());
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
