//! The detail pane: opening it (beside the list from 120 columns, full-screen below) and
//! the answer that fills it. Pure.

use crate::api::models::UserId;

use super::effect::{Effect, Latest};
use super::state::*;
use crate::text::sanitize;

pub(super) fn open_detail(state: &mut State, user_id: UserId) -> Vec<Effect> {
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
    });
    vec![Effect::LoadDetail {
        request_id,
        user_id,
    }]
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
