//! Marks: one user, a range, everyone in view, none, the inverse; and "marked only", which
//! restricts the list to the marked users. Marks are kept by user id, so they survive
//! reloads, sorting and filtering. Pure.

use std::collections::HashSet;

use super::action::Action;
use super::detail::move_cursor;
use super::effect::Effect;
use super::state::*;
use crate::api::models::UserId;
use crate::org::UserIx;
use crate::words;

pub(super) fn on_marks(state: &mut State, action: Action) -> Vec<Effect> {
    let effects = match action {
        Action::ToggleMark => toggle_mark(state),
        Action::MarkRange => mark_range(state),
        Action::MarkAllInView => {
            let ids = state.shown_ids();
            let added = ids.into_iter().filter(|id| state.marks.insert(id.clone()));
            let added = added.count();
            let text = format!(
                "Marked {} ({} marked in all)",
                words::count(added, "user"),
                words::thousands(state.marks.len() as u64)
            );
            state.notify(Level::Info, text);
            Vec::new()
        }
        Action::InvertMarks => {
            for id in state.shown_ids() {
                if !state.marks.remove(&id) {
                    state.marks.insert(id);
                }
            }
            let text = format!("Marks inverted: {} marked", marked_words(state));
            state.notify(Level::Info, text);
            Vec::new()
        }
        Action::ToggleMarkedOnly => return toggle_marked_only(state),
        _ => {
            state.marks.clear();
            state.selection.anchor = None;
            Vec::new()
        }
    };
    refresh_marked_only(state);
    effects
}

/// Space: marks or unmarks the cursor's user, makes it the range anchor, moves on.
fn toggle_mark(state: &mut State) -> Vec<Effect> {
    let Some(id) = state.selected().map(|u| u.id.clone()) else {
        return Vec::new();
    };
    if !state.marks.remove(&id) {
        state.marks.insert(id.clone());
    }
    state.selection.anchor = Some(id);
    move_cursor(state, 1)
}

/// `V`: marks every user shown between the anchor (the user last marked with space) and the
/// cursor, both included. Without an anchor in view, marks the cursor's user.
fn mark_range(state: &mut State) -> Vec<Effect> {
    let cursor = state.view.cursor.pos;
    if state.view.rows.get(cursor).is_none() {
        return Vec::new();
    }
    let anchor = state
        .selection
        .anchor
        .as_ref()
        .and_then(|id| state.store.index_of(id))
        .and_then(|ix| state.view.rows.iter().position(|row| *row == ix))
        .unwrap_or(cursor);
    let (from, to) = (anchor.min(cursor), anchor.max(cursor));
    let range: Vec<UserId> = state.view.rows[from..=to]
        .iter()
        .filter_map(|ix| state.store.get(*ix).map(|u| u.id.clone()))
        .collect();
    let added = range
        .iter()
        .filter(|id| state.marks.insert((*id).clone()))
        .count();
    state.selection.anchor = state.selected().map(|u| u.id.clone());
    let text = format!(
        "Marked {} in the range ({} marked in all)",
        words::count(added, "more user"),
        marked_words(state)
    );
    state.notify(Level::Info, text);
    Vec::new()
}

/// `M`: shows only the marked users, or everyone again.
fn toggle_marked_only(state: &mut State) -> Vec<Effect> {
    if state.selection.marked_only.take().is_none() {
        if state.marks.is_empty() {
            state.notify(
                Level::Warn,
                "No user is marked: space marks one, a marks all",
            );
            return Vec::new();
        }
        state.selection.marked_only = Some(marked_indices(state));
        state.notify(Level::Info, "Showing marked users only (M shows everyone)");
    } else {
        state.notify(Level::Info, "Showing every user");
    }
    state.selection.generation += 1;
    state.rebuild_view();
    Vec::new()
}

/// While "marked only" is on, the list follows the marks (an unmarked user leaves it; after
/// a run, the users it could not change are what is left).
pub(super) fn refresh_marked_only(state: &mut State) {
    if state.selection.marked_only.is_none() {
        return;
    }
    let now = marked_indices(state);
    if state.selection.marked_only.as_ref() != Some(&now) {
        state.selection.marked_only = Some(now);
        state.selection.generation += 1;
        state.rebuild_view();
    }
}

fn marked_indices(state: &State) -> HashSet<UserIx> {
    state
        .marks
        .iter()
        .filter_map(|id| state.store.index_of(id))
        .collect()
}

fn marked_words(state: &State) -> String {
    words::thousands(state.marks.len() as u64)
}
