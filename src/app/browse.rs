//! Browsing the list: moving, tabs, sorting, marks, the keys that open the detail, help,
//! the command line, reload. Pure.

use tui_input::Input;

use super::action::{Action, StatusTab};
use super::bulk::on_mutation;
use super::detail::{detail_side_by_side, open_detail};
use super::effect::Effect;
use super::listing::start_load;
use super::state::*;

pub(super) fn on_browse(state: &mut State, action: Action) -> Vec<Effect> {
    let detail_focused = state.focus == Focus::Detail && state.detail.is_some();
    match action {
        Action::Up | Action::Down | Action::PageUp | Action::PageDown if detail_focused => {
            if let Some(detail) = state.detail.as_mut() {
                let page = list_body_rows(state.size.1) as u16;
                detail.scroll = match action {
                    Action::Up => detail.scroll.saturating_sub(1),
                    Action::Down => detail.scroll.saturating_add(1),
                    Action::PageUp => detail.scroll.saturating_sub(page),
                    _ => detail.scroll.saturating_add(page),
                };
            }
            Vec::new()
        }
        Action::Up => move_cursor(state, -1),
        Action::Down => move_cursor(state, 1),
        Action::PageUp => move_cursor(state, -(state.body_rows() as i64)),
        Action::PageDown => move_cursor(state, state.body_rows() as i64),
        Action::Top => move_cursor(state, i64::MIN / 2),
        Action::Bottom => move_cursor(state, i64::MAX / 2),
        Action::ClickRow(row) => {
            let target = state.view.cursor.offset + usize::from(row);
            if target < state.view.rows.len() {
                state.focus = Focus::List;
                let delta = target as i64 - state.view.cursor.pos as i64;
                return move_cursor(state, delta);
            }
            Vec::new()
        }
        Action::OpenDetail => match state.selected().map(|u| u.id.clone()) {
            Some(id) => {
                let effects = open_detail(state, id);
                if !detail_side_by_side(state.size.0) {
                    state.focus = Focus::Detail;
                }
                effects
            }
            None => Vec::new(),
        },
        Action::SwitchFocus => {
            if state.detail.is_some() {
                state.focus = match state.focus {
                    Focus::List => Focus::Detail,
                    Focus::Detail => Focus::List,
                };
            }
            Vec::new()
        }
        Action::Back => {
            if state.detail.is_some() {
                state.detail = None;
                state.focus = Focus::List;
            } else if !state.view.filter.value().is_empty() {
                state.view.filter.reset();
                state.rebuild_view();
            } else if state.audit.active.is_some() {
                super::audit::leave(state);
            }
            Vec::new()
        }
        Action::StartFilter => {
            state.view.filter_editing = true;
            state.focus = Focus::List;
            Vec::new()
        }
        Action::NextTab => set_tab(state, state.view.tab.next()),
        Action::PrevTab => set_tab(state, state.view.tab.prev()),
        Action::SelectTab(tab) => set_tab(state, tab),
        Action::CycleSort => {
            state.view.sort = Sort {
                key: state.view.sort.key.next(),
                descending: false,
            };
            state.rebuild_view();
            sort_toast(state);
            Vec::new()
        }
        Action::ReverseSort => {
            state.view.sort.descending = !state.view.sort.descending;
            state.rebuild_view();
            sort_toast(state);
            Vec::new()
        }
        Action::ToggleMark => {
            if let Some(id) = state.selected().map(|u| u.id.clone()) {
                if !state.marks.remove(&id) {
                    state.marks.insert(id);
                }
                return move_cursor(state, 1);
            }
            Vec::new()
        }
        Action::MarkAllInView => {
            let before = state.marks.len();
            for ix in &state.view.rows {
                if let Some(u) = state.store.get(*ix) {
                    state.marks.insert(u.id.clone());
                }
            }
            let added = state.marks.len() - before;
            state.notify(
                Level::Info,
                format!(
                    "Marked {} users ({} marked in all)",
                    crate::words::thousands(added as u64),
                    crate::words::thousands(state.marks.len() as u64)
                ),
            );
            Vec::new()
        }
        Action::ClearMarks => {
            state.marks.clear();
            Vec::new()
        }
        action if action.is_mutating() => {
            if let Some(reason) = state.read_only_reason() {
                // Only to explain; the effects queue is what enforces read-only.
                state.notify(Level::Warn, format!("Unavailable: {reason}"));
                return Vec::new();
            }
            on_mutation(state, action)
        }
        Action::ShowMe => match state.me.clone() {
            Some(me) => {
                let effects = open_detail(state, me);
                state.focus = Focus::Detail;
                effects
            }
            None => {
                state.notify(Level::Warn, "The current user is not known yet");
                Vec::new()
            }
        },
        Action::Reload => {
            state.notify(Level::Info, "Reloading users…");
            let mut effects = vec![start_load(state)];
            if matches!(state.access.check, AccessCheck::Failed(_)) {
                effects.push(Effect::LoadCurrentUser);
            }
            effects
        }
        Action::Help => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            Vec::new()
        }
        Action::CommandLine => {
            state.overlay = Some(Overlay::Command(Input::default()));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// True when the terminal is wide enough to show the detail beside the list.
pub(super) fn move_cursor(state: &mut State, delta: i64) -> Vec<Effect> {
    let rows = state.body_rows();
    let moved = state.view.move_by(delta, rows);
    // The detail beside the list follows the cursor.
    if moved && state.detail.is_some() && state.focus == Focus::List {
        if let Some(id) = state.selected().map(|u| u.id.clone()) {
            return open_detail(state, id);
        }
    }
    Vec::new()
}

pub(super) fn set_tab(state: &mut State, tab: StatusTab) -> Vec<Effect> {
    state.view.tab = tab;
    state.rebuild_view();
    Vec::new()
}

pub(super) fn sort_toast(state: &mut State) {
    let arrow = if state.view.sort.descending {
        "↓"
    } else {
        "↑"
    };
    let text = format!("Sorted by {} {arrow}", state.view.sort.key.label());
    state.notify(Level::Info, text);
}
