//! Browsing the list: moving, tabs, sorting, marks, the keys that open the detail, help,
//! the command line, reload. Pure.

use super::action::{Action, StatusTab};
use super::bulk::on_mutation;
use super::detail::{move_cursor, open_detail};
use super::effect::Effect;
use super::layout::detail_beside_list;
use super::listing::start_load;
use super::marks::on_marks;
use super::state::*;

pub(super) fn on_browse(state: &mut State, action: Action) -> Vec<Effect> {
    let detail_focused = state.focus == Focus::Detail && state.detail.is_some();
    if let Some(effects) = super::detail::on_permission_keys(state, action, detail_focused) {
        return effects;
    }
    match action {
        Action::Up | Action::Down | Action::PageUp | Action::PageDown if detail_focused => {
            scroll_detail(state, action);
            Vec::new()
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom
        | Action::ClickRow(_) => on_move(state, action),
        Action::OpenDetail | Action::SwitchFocus | Action::Back | Action::ShowMe => {
            on_panes(state, action)
        }
        Action::StartFilter
        | Action::NextTab
        | Action::PrevTab
        | Action::SelectTab(_)
        | Action::CycleSort
        | Action::ReverseSort => on_view_keys(state, action),
        Action::ToggleMark
        | Action::MarkRange
        | Action::MarkAllInView
        | Action::InvertMarks
        | Action::ToggleMarkedOnly
        | Action::ClearMarks => on_marks(state, action),
        action if action.is_mutating() => {
            if let Some(reason) = state.read_only_reason() {
                // Only to explain: the change gate is what allows or refuses a change.
                state.notify(Level::Warn, format!("Unavailable: {reason}"));
                return Vec::new();
            }
            on_mutation(state, action)
        }
        Action::Reload => {
            state.notify_while_loading("Reloading users…");
            let mut effects = vec![start_load(state)];
            if matches!(state.access.check, AccessCheck::Failed(_)) {
                effects.push(Effect::LoadCurrentUser);
            }
            effects
        }
        Action::Help => {
            state.overlay = Some(Overlay::Help {
                scroll: 0,
                search: None,
            });
            Vec::new()
        }
        Action::CommandLine => {
            state.overlay = Some(Overlay::Command(Box::default()));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Up/down in the detail pane when it has the keys; a page is the lines it shows.
fn scroll_detail(state: &mut State, action: Action) {
    let page = state.screen().detail_rows().max(1) as u16;
    if let Some(detail) = state.detail.as_mut() {
        detail.scroll = match action {
            Action::Up => detail.scroll.saturating_sub(1),
            Action::Down => detail.scroll.saturating_add(1),
            Action::PageUp => detail.scroll.saturating_sub(page),
            _ => detail.scroll.saturating_add(page),
        };
    }
}

/// Moving in the list (keys, pages, ends, a click on a row).
fn on_move(state: &mut State, action: Action) -> Vec<Effect> {
    let page = state.body_rows() as i64;
    match action {
        Action::Up => move_cursor(state, -1),
        Action::Down => move_cursor(state, 1),
        Action::PageUp => move_cursor(state, -page),
        Action::PageDown => move_cursor(state, page),
        Action::Top => move_cursor(state, i64::MIN / 2),
        Action::Bottom => move_cursor(state, i64::MAX / 2),
        Action::ClickRow(row) => {
            let target = state.view.cursor.offset + usize::from(row);
            if target >= state.view.rows.len() {
                return Vec::new();
            }
            state.focus = Focus::List;
            let delta = target as i64 - state.view.cursor.pos as i64;
            move_cursor(state, delta)
        }
        _ => Vec::new(),
    }
}

/// The detail pane and focus: open, switch, back, me.
fn on_panes(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::OpenDetail => {
            let Some(id) = state.selected().map(|u| u.id.clone()) else {
                return Vec::new();
            };
            let effects = open_detail(state, id);
            if !detail_beside_list(state.size.0) {
                state.focus = Focus::Detail;
            }
            effects
        }
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
            } else if state.reconcile.active.is_some() {
                super::reconcile::leave(state);
            } else if state.audit.active.is_some() {
                super::audit::leave(state);
            } else if state.diff.active.is_some() {
                super::diff::leave(state);
            }
            Vec::new()
        }
        Action::ShowMe => {
            let Some(me) = state.me.clone() else {
                state.notify(Level::Warn, "The current user is not known yet");
                return Vec::new();
            };
            let effects = open_detail(state, me);
            state.focus = Focus::Detail;
            effects
        }
        _ => Vec::new(),
    }
}

/// The filter line, the tabs and the sort.
fn on_view_keys(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::StartFilter => {
            state.view.filter_editing = true;
            state.focus = Focus::List;
        }
        Action::NextTab => return set_tab(state, state.view.tab.next()),
        Action::PrevTab => return set_tab(state, state.view.tab.prev()),
        Action::SelectTab(tab) => return set_tab(state, tab),
        Action::CycleSort => {
            state.view.sort = Sort {
                key: state.columns.next_sort(state.view.sort.key),
                descending: false,
            };
            state.rebuild_view();
            sort_toast(state);
        }
        Action::ReverseSort => {
            state.view.sort.descending = !state.view.sort.descending;
            state.rebuild_view();
            sort_toast(state);
        }
        _ => {}
    }
    Vec::new()
}

/// Moves the list's cursor; the detail beside the list follows it.
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
