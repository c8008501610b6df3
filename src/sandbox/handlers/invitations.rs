//! The Users API's invitation operations: SendInvitations, GetInvitation and
//! DeleteUserInvitations (cancelling a user's pending invitations). Invitations expire
//! 48 hours after they are sent, by the sandbox clock.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use time::Duration;

use super::request::{expect_type, object, parse_body, string_field, user_idx};
use super::response::{bad_request, created, empty, not_found, ok, ApiError, ApiResult};
use crate::api::models::{
    Invitation, InvitationAttributes, InvitationRelationships, InvitationResponse,
    InvitationsResponse, ResourceRef, ToOne,
};
use crate::sandbox::extract::USERS_INVITE;
use crate::sandbox::store::InvRec;
use crate::sandbox::Shared;

/// How long an invitation stays valid.
const INVITATION_LIFETIME: Duration = Duration::hours(48);

fn invitation_model(inv: &InvRec) -> Invitation {
    Invitation {
        kind: "user_invitations".to_owned(),
        id: inv.id.clone().into(),
        attributes: InvitationAttributes {
            uuid: Some(inv.id.clone()),
            invite_type: Some("openid_invite".to_owned()),
            created_at: Some(inv.created_at),
            expires_at: Some(inv.expires_at),
            login_method: None,
        },
        relationships: Some(InvitationRelationships {
            user: ToOne {
                data: Some(ResourceRef::new("users", inv.user_id.clone())),
            },
        }),
    }
}

/// The user ids of a SendInvitations body.
fn parse_invitations_body(bytes: &Bytes) -> Result<Vec<String>, ApiError> {
    let body = parse_body(bytes)?;
    let items = body
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_request("data is required and must be an array"))?;
    if items.is_empty() {
        return Err(bad_request("data must list at least one invitation"));
    }
    items
        .iter()
        .map(|item| {
            let item = object(Some(item), "data[]")?;
            expect_type(item, "user_invitations", "data[]")?;
            let user = item
                .get("relationships")
                .and_then(|r| r.get("user"))
                .and_then(|u| u.get("data"));
            let user = object(user, "data[].relationships.user.data")?;
            expect_type(user, "users", "data[].relationships.user.data")?;
            Ok(string_field(user, "id", "data[].relationships.user.data")?.to_owned())
        })
        .collect()
}

/// SendInvitations: all or nothing; a disabled user cannot be invited (400).
pub(super) async fn send_invitations(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let sent = shared.change_as(&headers, USERS_INVITE, |change| {
        let user_ids = parse_invitations_body(&body)?;
        for id in &user_ids {
            let idx = user_idx(change.store(), id)?;
            if change.store().users[idx].disabled {
                return Err(bad_request(format!(
                    "User {id} is disabled; re-enable it before sending an invitation"
                )));
            }
        }
        let now = change.now;
        let invitations: Vec<InvRec> = user_ids
            .into_iter()
            .map(|user_id| InvRec {
                id: change.new_id(),
                user_id,
                created_at: now,
                expires_at: now + INVITATION_LIFETIME,
            })
            .collect();
        let data = invitations.iter().map(invitation_model).collect();
        change.store_mut().invitations.extend(invitations);
        Ok(InvitationsResponse { data })
    })?;
    created(&sent)
}

pub(super) async fn get_invitation(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let (store, _) = shared.read_as(&headers, USERS_INVITE)?;
    let inv = store.invitation_by_id(&id).ok_or_else(|| not_found(&id))?;
    ok(&InvitationResponse {
        data: invitation_model(inv),
    })
}

/// DeleteUserInvitations: 200 with an empty body, like the service declares; a write only
/// when the user had pending invitations.
pub(super) async fn cancel_invitations(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    shared.change_as(&headers, USERS_INVITE, |change| {
        user_idx(change.store(), &id)?;
        let pending = |inv: &InvRec| inv.user_id == id;
        if change.store().invitations.iter().any(pending) {
            change.store_mut().invitations.retain(|inv| !pending(inv));
        }
        Ok(())
    })?;
    empty(StatusCode::OK)
}
