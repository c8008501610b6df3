//! The detail pane: opening it (beside the list from 120 columns, full-screen below) and
//! the answer that fills it. Pure.

use crate::api::models::UserId;

use super::effect::Effect;
use super::state::*;
use crate::text::sanitize;

pub(super) fn open_detail(state: &mut State, user_id: UserId) -> Vec<Effect> {
    let request_id = state.fresh_request();
    state.detail = Some(Detail {
        user_id: user_id.clone(),
        request_id,
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
        .is_some_and(|d| d.request_id == request_id && d.user_id == user_id);
    if !current {
        return Vec::new();
    }
    match result {
        Ok(data) => {
            state.store.ingest_included(&data.included);
            let (ix, new) = state.store.upsert(&data.user);
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
