//! The detail pane: opening it (beside the list from 120 columns, full-screen below) and
//! the answer that fills it. Pure.

use crate::api::models::UserId;
use crate::audit::history::{History, HistoryEntry};

use super::action::Action;
use super::effect::{Effect, Latest};
use super::state::*;
use crate::org::filter::fold;
use crate::org::{GrantedPermission, UserRecord};
use crate::text::sanitize;

pub(super) fn open_detail(state: &mut State, user_id: UserId) -> Vec<Effect> {
    let permissions = state
        .detail
        .take()
        .map(|d| d.permissions)
        .unwrap_or_default();
    let mut request = Latest::default();
    let request_id = request.issue(state.fresh_request());
    state.detail = Some(Detail {
        user_id: user_id.clone(),
        request,
        loading: true,
        error: None,
        orgs: Vec::new(),
        server_permissions: None,
        scroll: 0,
        permissions,
        history: None,
    });
    vec![
        Effect::LoadDetail {
            request_id,
            user_id: user_id.clone(),
        },
        Effect::LoadHistory {
            request_id,
            user_id,
        },
    ]
}

/// The history's answer: kept (its text made safe to draw) when it is for the user and
/// request on screen.
pub fn on_history(
    state: &mut State,
    request_id: super::effect::RequestId,
    user_id: UserId,
    history: History,
) -> Vec<Effect> {
    if let Some(detail) = state
        .detail
        .as_mut()
        .filter(|d| d.request.is(request_id) && d.user_id == user_id)
    {
        let entries = history
            .entries
            .into_iter()
            .map(|e| HistoryEntry {
                at: sanitize(&e.at),
                actor: sanitize(&e.actor),
                action: sanitize(&e.action),
                change: sanitize(&e.change),
                ..e
            })
            .collect();
        let unavailable = history.unavailable.map(|reason| sanitize(&reason));
        detail.history = Some(History {
            entries,
            unavailable,
        });
    }
    Vec::new()
}

/// The detail's answer: shown when it is for the user and request on screen.
pub fn on_answer(
    state: &mut State,
    request_id: super::effect::RequestId,
    user_id: UserId,
    result: Result<Box<super::msg::DetailData>, String>,
) -> Vec<Effect> {
    let current = state
        .detail
        .as_ref()
        .is_some_and(|d| d.request.is(request_id) && d.user_id == user_id);
    if !current {
        return Vec::new();
    }
    match result {
        Ok(data) => {
            state.store_mut().ingest_included(&data.included);
            let (ix, new) = state.store_mut().upsert(&data.user);
            if new {
                state.extend_view(&[ix]);
            }
            if let Some(detail) = state.detail.as_mut() {
                detail.loading = false;
                detail.error = None;
                detail.orgs = data.orgs.iter().map(|o| sanitize(o)).collect();
                detail.server_permissions = Some(
                    data.permissions
                        .iter()
                        .map(|p| sanitize(p.name()))
                        .collect(),
                );
            }
        }
        Err(error) => {
            if let Some(detail) = state.detail.as_mut() {
                detail.loading = false;
                detail.error = Some(error);
            }
        }
    }
    Vec::new()
}

/// Moves the list's cursor; the detail beside the list follows it.
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

/// One group of the detail's effective permissions as shown: folded or not, under the
/// group cursor or not, with the permissions the search leaves (all of them without one).
#[derive(Clone, Debug, PartialEq)]
pub struct PermissionSection {
    pub group: String,
    pub folded: bool,
    pub selected: bool,
    pub permissions: Vec<GrantedPermission>,
}

/// The effective permissions of `user` as the detail shows them: groups without a match
/// for the search are left out, and while searching every group is unfolded (a match
/// folded away would be a match hidden). `None` while the roles' permissions are unknown.
pub fn permission_sections(state: &State, user: &UserRecord) -> Option<Vec<PermissionSection>> {
    let groups = state.store.permission_groups(user)?;
    let pane = state.detail.as_ref().map(|d| &d.permissions);
    let query = pane.map_or_else(String::new, |p| fold(p.query.value()));
    let terms: Vec<&str> = query.split_whitespace().collect();
    let mut sections: Vec<PermissionSection> = groups
        .into_iter()
        .filter_map(|group| {
            let permissions: Vec<GrantedPermission> = group
                .permissions
                .into_iter()
                .filter(|p| {
                    let text = fold(&format!(
                        "{} {} {}",
                        p.name,
                        group.group,
                        p.granted_by.join(" ")
                    ));
                    terms.iter().all(|t| text.contains(t))
                })
                .collect();
            (!permissions.is_empty()).then(|| PermissionSection {
                folded: terms.is_empty() && pane.is_some_and(|p| p.folded.contains(&group.group)),
                selected: false,
                group: group.group,
                permissions,
            })
        })
        .collect();
    let cursor = pane
        .map_or(0, |p| p.group)
        .min(sections.len().saturating_sub(1));
    if let Some(section) = sections.get_mut(cursor) {
        section.selected = true;
    }
    Some(sections)
}

/// The fold keys (`z`, `Z`, `{`, `}`, and Enter/Space or `/` while the pane has the keys);
/// `None` when `action` is not for the permissions.
pub(super) fn on_permission_keys(
    state: &mut State,
    action: Action,
    detail_focused: bool,
) -> Option<Vec<Effect>> {
    let ours = matches!(
        action,
        Action::FoldGroup | Action::FoldAllGroups | Action::NextGroup | Action::PrevGroup
    ) || (detail_focused
        && matches!(
            action,
            Action::OpenDetail | Action::ToggleMark | Action::StartFilter
        ));
    if !ours {
        return None;
    }
    let user = state
        .detail
        .as_ref()
        .and_then(|d| state.store.by_id(&d.user_id))?;
    let sections = permission_sections(state, user).unwrap_or_default();
    let pane = &mut state.detail.as_mut()?.permissions;
    let current = sections
        .iter()
        .find(|s| s.selected)
        .map(|s| s.group.clone());
    match action {
        Action::FoldGroup => toggle_group(pane, current),
        Action::OpenDetail | Action::ToggleMark if detail_focused => toggle_group(pane, current),
        Action::FoldAllGroups => {
            if sections.iter().all(|s| s.folded) {
                pane.folded.clear();
            } else {
                pane.folded = sections.into_iter().map(|s| s.group).collect();
            }
        }
        Action::NextGroup => pane.group = (pane.group + 1).min(sections.len().saturating_sub(1)),
        Action::PrevGroup => pane.group = pane.group.min(sections.len()).saturating_sub(1),
        Action::StartFilter if detail_focused => pane.searching = true,
        _ => return None,
    }
    Some(Vec::new())
}

fn toggle_group(pane: &mut PermissionPane, group: Option<String>) {
    if let Some(group) = group {
        if !pane.folded.remove(&group) {
            pane.folded.insert(group);
        }
    }
}

/// Typing the detail's permission search: Enter keeps it, Esc clears it.
pub(super) fn on_permission_search(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(detail) = state.detail.as_mut() else {
        return Vec::new();
    };
    let pane = &mut detail.permissions;
    match action {
        Action::TextEdit(request) => {
            pane.query.handle(request);
            pane.group = 0;
            detail.scroll = 0;
        }
        Action::Submit => pane.searching = false,
        Action::Cancel => {
            pane.searching = false;
            pane.query.reset();
        }
        _ => {}
    }
    Vec::new()
}
