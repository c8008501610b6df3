//! The Users API's current-user operations: GetCurrentUser (any caller with valid keys)
//! and UpdateCurrentUser (the same attribute rules as UpdateUser, on oneself). The current
//! user's application keys are in `keys`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::response::{bad_request, ok, ApiError, ApiResult};
use super::users::{apply_user_changes, parse_update_body};
use crate::sandbox::extract::{Access, SELF_PROFILE_WRITE};
use crate::sandbox::Shared;

pub(super) async fn get_current_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> ApiResult {
    let (store, caller) = shared.read_as(&headers, Access::AnyUser)?;
    ok(&store.user_response(caller.user))
}

/// UpdateCurrentUser: `data.id` must be the caller's id (422 otherwise); `disabled`
/// cannot be changed on oneself (400).
pub(super) async fn update_current_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let response = shared.change_as(&headers, SELF_PROFILE_WRITE, |change| {
        let caller = change.caller.user;
        let (body_id, changes) = parse_update_body(&body)?;
        if body_id != change.store().users[caller].id {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "UUID in the request body does not match the current user",
            ));
        }
        if changes.disabled.is_some() {
            return Err(bad_request(
                "attributes.disabled cannot be changed on the current user",
            ));
        }
        apply_user_changes(change, caller, changes)?;
        Ok(change.store().user_response(caller))
    })?;
    ok(&response)
}
