//! Who an action applies to: the marked users when there are any, else the one the keys
//! are on (the detail's user when the detail has focus). Pure.

use super::state::*;
use crate::api::models::UserId;
use crate::words;

/// The users an action applies to, and whether they are the marked ones.
pub struct Targets {
    pub ids: Vec<UserId>,
    pub marked: bool,
}

impl Targets {
    /// How a dialog names them: "3 marked users", "1 marked user", or the one user.
    pub fn describe(&self, state: &State, count: usize) -> String {
        match (&self.ids[..], self.marked) {
            ([one], false) => state.store.label(one),
            (_, true) => words::count(count, "marked user"),
            (_, false) => words::count(count, "user"),
        }
    }
}

/// The users an action applies to: the marked ones, else the one the keys are on.
pub fn targets(state: &State) -> Targets {
    if !state.marks.is_empty() {
        let mut ids: Vec<UserId> = state.marks.iter().cloned().collect();
        // Stable order: the store's (load) order.
        ids.sort_by_key(|id| state.store.index_of(id).unwrap_or(u32::MAX));
        return Targets { ids, marked: true };
    }
    Targets {
        ids: focused_user(state).into_iter().collect(),
        marked: false,
    }
}

/// The user the keys act on: the detail's when it has focus, else the cursor's.
pub fn focused_user(state: &State) -> Option<UserId> {
    match (&state.detail, state.focus) {
        (Some(detail), Focus::Detail) => Some(detail.user_id.clone()),
        _ => state.selected().map(|u| u.id.clone()),
    }
}
