//! The Roles API's permission catalogue: ListPermissions, read from the embedded
//! `assets/permissions.json`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;

use super::request::parse_query;
use super::response::{bad_request, ok, ApiResult};
use crate::sandbox::extract::USERS_READ;
use crate::sandbox::Shared;

/// ListPermissions: the catalogue; `include_scopes=true` adds the scope-only permissions.
pub(super) async fn list_permissions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let (store, _) = shared.read_as(&headers, USERS_READ)?;
    let include_scopes = match query.get("include_scopes").map(|v| v.to_ascii_lowercase()) {
        None => false,
        Some(v) if v == "true" => true,
        Some(v) if v == "false" => false,
        Some(v) => {
            return Err(bad_request(format!(
                "include_scopes must be true or false, got {v:?}"
            )))
        }
    };
    ok(&store.permissions_response(
        (0..store.permissions.len())
            .filter(|&p| include_scopes || !store.permissions[p].scope_only),
    ))
}
