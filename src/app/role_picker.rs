//! `R`: the role picker. On one user it shows the roles held and toggles them; on marked
//! users it shows how many of them hold each role, and each role can be added to all of
//! them or removed from all of them: one run, checked by the change gate like any other.
//! Pure.

use super::action::Action;
use super::changes::{propose, Purpose};
use super::cursor::{ListCursor, POPUP_PAGE};
use super::effect::Effect;
use super::state::*;
use super::targets::targets;
use crate::api::models::{RoleId, UserId};
use crate::runs::{Change, Draft};

impl RoleRow {
    /// The next choice space gives: a role everyone holds can only be removed, one nobody
    /// holds only added, one some hold either.
    pub fn next_choice(&self, users: usize) -> RoleChoice {
        let all_hold = self.holders == users;
        let none_hold = self.holders == 0;
        match self.choice {
            RoleChoice::Keep if all_hold => RoleChoice::Remove,
            RoleChoice::Keep => RoleChoice::Add,
            RoleChoice::Add if none_hold => RoleChoice::Keep,
            RoleChoice::Add => RoleChoice::Remove,
            RoleChoice::Remove => RoleChoice::Keep,
        }
    }

    /// Held by the user(s) once the choice is applied (for a one-user picker's box).
    pub fn held_after(&self, users: usize) -> bool {
        match self.choice {
            RoleChoice::Keep => self.holders == users && users > 0,
            RoleChoice::Add => true,
            RoleChoice::Remove => false,
        }
    }
}

/// Opens the picker on the marked users (or the one the keys are on), once the org's
/// roles are known.
pub(super) fn open(state: &mut State) -> Vec<Effect> {
    let targets = targets(state);
    if targets.ids.is_empty() {
        return Vec::new();
    }
    let Some(org_roles) = state.org_roles.clone() else {
        let text = match &state.roles_error {
            Some(e) => format!("The org's roles could not be loaded: {e}"),
            None => "The org's roles are still loading".to_owned(),
        };
        state.notify(Level::Warn, text);
        return Vec::new();
    };
    let held: Vec<Vec<u32>> = targets
        .ids
        .iter()
        .map(|id| {
            let roles = state.store.by_id(id).map(|u| u.roles.to_vec());
            roles.unwrap_or_default()
        })
        .collect();
    let rows = org_roles
        .into_iter()
        .map(|role| RoleRow {
            role,
            holders: held.iter().filter(|roles| roles.contains(&role)).count(),
            choice: RoleChoice::Keep,
        })
        .collect();
    state.overlay = Some(Overlay::Roles(Box::new(RolePicker {
        users: targets.ids,
        marked: targets.marked,
        rows,
        cursor: ListCursor::default(),
        saving: false,
    })));
    Vec::new()
}

pub(super) fn on_key(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Roles(picker)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Cancel => state.overlay = None,
        Action::Up | Action::Down => {
            picker
                .cursor
                .navigate(&action, picker.rows.len(), POPUP_PAGE);
        }
        Action::ToggleItem => {
            let users = picker.users.len();
            if let Some(row) = picker.rows.get_mut(picker.cursor.pos) {
                row.choice = row.next_choice(users);
            }
        }
        Action::Submit if !picker.saving => return submit(state),
        _ => {}
    }
    Vec::new()
}

/// The chosen additions and removals as one draft: for each user, only the changes that
/// change something (a role is added where it is missing, removed where it is held).
fn submit(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Roles(picker)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    let changes = changes_of(state, picker);
    if changes.is_empty() {
        state.overlay = None;
        state.notify(Level::Info, "Roles unchanged");
        return Vec::new();
    }
    let who = if picker.marked {
        crate::words::count(picker.users.len(), "marked user")
    } else {
        picker
            .users
            .first()
            .map(|id| state.store.label(id))
            .unwrap_or_default()
    };
    let purpose = if picker.marked {
        Purpose::BulkRoles
    } else {
        Purpose::Roles
    };
    if let Some(Overlay::Roles(picker)) = state.overlay.as_mut() {
        picker.saving = true;
    }
    let draft = Draft::new(format!("Change the roles of {who}"), changes);
    propose(state, purpose, draft, None)
}

fn changes_of(state: &State, picker: &RolePicker) -> Vec<Change> {
    let chosen = |wanted: RoleChoice| -> Vec<(u32, RoleId)> {
        let rows = picker.rows.iter().filter(|row| row.choice == wanted);
        rows.filter_map(|row| Some((row.role, state.store.role(row.role)?.id.clone())))
            .collect()
    };
    let (add, remove) = (chosen(RoleChoice::Add), chosen(RoleChoice::Remove));
    let holds = |user: &UserId, role: u32| {
        state
            .store
            .by_id(user)
            .is_some_and(|u| u.roles.contains(&role))
    };
    // Additions first: the gate's stages keep a replace from leaving a user no role.
    let additions = picker.users.iter().flat_map(|user| {
        add.iter()
            .filter(|(ix, _)| !holds(user, *ix))
            .map(|(_, role)| Change::AddRole {
                user: user.clone(),
                role: role.clone(),
            })
    });
    let removals = picker.users.iter().flat_map(|user| {
        remove
            .iter()
            .filter(|(ix, _)| holds(user, *ix))
            .map(|(_, role)| Change::RemoveRole {
                user: user.clone(),
                role: role.clone(),
            })
    });
    additions.chain(removals).collect()
}
