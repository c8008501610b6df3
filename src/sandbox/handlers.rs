//! The sandbox's HTTP surface: the router, authentication and permission checks, request
//! parsing and validation, and one handler per Users / Roles API operation (the Key
//! Management reads are in `keys`, which shares the helpers here). Responses are
//! serialised through `crate::api::models` so the client and the sandbox share one shape.
//! Handlers take the store lock synchronously and never hold it across an await.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::Router;
use serde::Serialize;
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

use super::store::{
    new_id, page_of, status_filter_bit, InvRec, Selection, SortKey, Store, UserRec,
    IDENTITY_PROVIDERS,
};
use super::{Shared, DEMO_API_KEY};
use crate::api::models::{
    AnonymizeError, AnonymizeUsersResponse, AnonymizeUsersResponseData, AnonymizeUsersResult,
    ErrorBody, IdentityProviderAttributes, IdentityProviderOverride, Included, Invitation,
    InvitationAttributes, InvitationRelationships, InvitationResponse, InvitationsResponse,
    PageMeta, PermissionsResponse, ResourceRef, ResponseMeta, RoleResponse, RolesResponse, ToOne,
    UserResponse, UsersResponse,
};

const READ: &str = "user_access_read";
const INVITE: &str = "user_access_invite";
const MANAGE: &str = "user_access_manage";
const SELF_WRITE: &str = "user_self_profile_write";

/// The longest display name the service accepts.
const MAX_NAME_CHARS: usize = 55;

/// The sandbox's routes, behind the guard middleware.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v2/users", get(list_users).post(create_user))
        .route(
            "/api/v2/users/{id}",
            get(get_user).patch(update_user).delete(disable_user),
        )
        .route("/api/v2/users/{id}/orgs", get(user_orgs))
        .route("/api/v2/users/{id}/permissions", get(user_permissions))
        .route(
            "/api/v2/users/{id}/invitations",
            axum::routing::delete(cancel_invitations),
        )
        .route(
            "/api/v2/users/{id}/identity_providers",
            get(get_identity_providers),
        )
        .route(
            "/api/v2/users/{id}/relationships/identity_providers",
            patch(set_identity_providers),
        )
        .route("/api/v2/user_invitations", post(send_invitations))
        .route("/api/v2/user_invitations/{id}", get(get_invitation))
        .route(
            "/api/v2/current_user",
            get(get_current_user).patch(update_current_user),
        )
        .route("/api/v2/anonymize_users", put(anonymize_users))
        .route("/api/v2/roles", get(list_roles))
        .route("/api/v2/roles/{id}", get(get_role))
        .route(
            "/api/v2/roles/{id}/permissions",
            get(role_permissions)
                .post(grant_permission)
                .delete(revoke_permission),
        )
        .route(
            "/api/v2/roles/{id}/users",
            get(role_users).post(add_role_user).delete(remove_role_user),
        )
        .route("/api/v2/permissions", get(list_permissions))
        .merge(super::keys::routes())
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, "Not found") })
        .method_not_allowed_fallback(|| async {
            error_response(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
        })
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            super::guard::guard,
        ))
        .with_state(shared)
}

// ---------------------------------------------------------------------------------------
// Responses and errors

/// An error answered as `{"errors":["message"]}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

pub(super) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("{id} not found"))
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, message)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, &self.message)
    }
}

/// A JSON error document with this status.
pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    json_response(status, &ErrorBody::new(message))
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => {
            let mut response = (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("{{\"errors\":[\"could not serialise the response: {e}\"]}}"),
            )
                .into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
    }
}

pub(super) type ApiResult = Result<Response, ApiError>;

pub(super) fn ok<T: Serialize>(body: &T) -> ApiResult {
    Ok(json_response(StatusCode::OK, body))
}

// ---------------------------------------------------------------------------------------
// Authentication

/// Checks both keys and, when given, that the key's user holds `permission`. Returns the
/// caller's user index.
pub(super) fn authorize(
    store: &Store,
    headers: &HeaderMap,
    permission: Option<&str>,
) -> Result<usize, ApiError> {
    let key = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let api_key = key("dd-api-key").unwrap_or("");
    if api_key != DEMO_API_KEY && !store.accepts_api_key(api_key) {
        return Err(forbidden("Forbidden"));
    }
    let caller = key("dd-application-key")
        .and_then(|k| store.user_for_app_key(k))
        .ok_or_else(|| forbidden("Forbidden"))?;
    if store.users[caller].disabled {
        return Err(forbidden("Forbidden"));
    }
    if let Some(permission) = permission {
        if !store.user_has_permission(caller, permission) {
            return Err(forbidden(format!(
                "Forbidden: this application key's user lacks the {permission} permission"
            )));
        }
    }
    Ok(caller)
}

// ---------------------------------------------------------------------------------------
// Query strings

pub(super) type Query = HashMap<String, String>;

/// Decodes a query string, including percent-encoded bracketed names (`page%5Bsize%5D`).
pub(super) fn parse_query(raw: Option<&str>) -> Query {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    raw.unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// `page[number]` and `page[size]` (default 0 and 10, size 1–100).
fn paging(query: &Query) -> Result<(u64, u64), ApiError> {
    paging_with_default(query, 10)
}

/// The same with another default page size.
pub(super) fn paging_with_default(
    query: &Query,
    default_size: i64,
) -> Result<(u64, u64), ApiError> {
    let size = match query.get("page[size]") {
        None => default_size,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                bad_request(format!(
                    "page[size] must be a whole number between 1 and 100, got {text:?}"
                ))
            })?,
    };
    let number = match query.get("page[number]") {
        None => 0,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                bad_request(format!(
                    "page[number] must be a whole number of at least 0, got {text:?}"
                ))
            })?,
    };
    Ok((number as u64, size as u64))
}

/// ListUsers' `sort` and `sort_dir`: `sort_dir` decides the direction when given,
/// otherwise a leading `-` means descending.
fn users_sort(query: &Query) -> Result<(SortKey, bool), ApiError> {
    let sort = query.get("sort").map(String::as_str).unwrap_or("name");
    let (prefixed_desc, field) = match sort.strip_prefix('-') {
        Some(field) => (true, field),
        None => (false, sort),
    };
    let key = match field {
        "name" | "user_count" => SortKey::Name,
        "email" => SortKey::Email,
        "modified_at" => SortKey::ModifiedAt,
        "created_at" => SortKey::CreatedAt,
        "status" => SortKey::Status,
        _ => {
            return Err(bad_request(format!(
                "sort must be one of name, email, modified_at, created_at, status, user_count (optionally prefixed with -), got {sort:?}"
            )))
        }
    };
    let descending = match query.get("sort_dir").map(String::as_str) {
        None => prefixed_desc,
        Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(bad_request(format!(
                "sort_dir must be asc or desc, got {other:?}"
            )))
        }
    };
    Ok((key, descending))
}

/// ListRoleUsers' `sort`: name, email or status, `-` for descending.
fn role_users_sort(query: &Query) -> Result<(SortKey, bool), ApiError> {
    let sort = query.get("sort").map(String::as_str).unwrap_or("name");
    let (descending, field) = match sort.strip_prefix('-') {
        Some(field) => (true, field),
        None => (false, sort),
    };
    let key = match field {
        "name" => SortKey::Name,
        "email" => SortKey::Email,
        "status" => SortKey::Status,
        _ => {
            return Err(bad_request(format!(
                "sort must be name, email or status (optionally prefixed with -), got {sort:?}"
            )))
        }
    };
    Ok((key, descending))
}

/// `filter[status]`: a comma list of Active, Pending, Disabled (any case).
fn status_filter(query: &Query) -> Result<Option<u8>, ApiError> {
    let Some(text) = query.get("filter[status]") else {
        return Ok(None);
    };
    let mut mask = 0;
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        mask |= status_filter_bit(part).ok_or_else(|| {
            bad_request(format!(
                "filter[status] values must be Active, Pending or Disabled, got {part:?}"
            ))
        })?;
    }
    Ok((mask != 0).then_some(mask))
}

fn text_filter(query: &Query) -> Option<String> {
    query
        .get("filter")
        .map(|f| f.trim().to_lowercase())
        .filter(|f| !f.is_empty())
}

// ---------------------------------------------------------------------------------------
// Request bodies

fn parse_body(bytes: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| bad_request(format!("The request body is not valid JSON: {e}")))
}

fn object<'a>(value: Option<&'a Value>, what: &str) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .and_then(Value::as_object)
        .ok_or_else(|| bad_request(format!("{what} is required and must be an object")))
}

fn expect_type(data: &Map<String, Value>, expected: &str, what: &str) -> Result<(), ApiError> {
    match data.get("type").and_then(Value::as_str) {
        Some(kind) if kind == expected => Ok(()),
        Some(kind) => Err(bad_request(format!(
            "{what}.type must be {expected:?}, got {kind:?}"
        ))),
        None => Err(bad_request(format!("{what}.type is required"))),
    }
}

fn string_field<'a>(
    data: &'a Map<String, Value>,
    name: &str,
    what: &str,
) -> Result<&'a str, ApiError> {
    data.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request(format!("{what}.{name} is required and must be a string")))
}

/// `{"data":{"type":kind,"id":...}}` (AddUserToRole, grants) → the id.
fn relationship_id(bytes: &Bytes, kind: &str) -> Result<String, ApiError> {
    let body = parse_body(bytes)?;
    let data = object(body.get("data"), "data")?;
    expect_type(data, kind, "data")?;
    Ok(string_field(data, "id", "data")?.to_owned())
}

/// The same address rules the client applies as people type (`crate::email`).
fn validate_email(email: &str) -> Result<String, ApiError> {
    crate::email::validate_email(email.trim())
        .map_err(|problem| bad_request(format!("Invalid email address {email:?}: {problem}")))
}

fn validate_name(name: &str) -> Result<String, ApiError> {
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(bad_request(format!(
            "name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    if name.contains('<') || name.contains('>') {
        return Err(bad_request("name must not contain < or >"));
    }
    Ok(name.to_owned())
}

/// An optional, nullable string attribute: `Ok(None)` absent, `Ok(Some(None))` null.
fn nullable_string(
    attrs: &Map<String, Value>,
    name: &str,
) -> Result<Option<Option<String>>, ApiError> {
    match attrs.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(bad_request(format!(
            "attributes.{name} must be a string or null"
        ))),
    }
}

/// The attribute changes of an UpdateUser / UpdateCurrentUser, validated.
#[derive(Default)]
struct UserChanges {
    name: Option<Option<String>>,
    email: Option<String>,
    title: Option<Option<String>>,
    disabled: Option<bool>,
}

fn parse_user_changes(attrs: &Map<String, Value>) -> Result<UserChanges, ApiError> {
    let name = match nullable_string(attrs, "name")? {
        Some(Some(name)) => Some(Some(validate_name(&name)?)),
        other => other,
    };
    let email = match nullable_string(attrs, "email")? {
        None => None,
        Some(None) => return Err(bad_request("attributes.email must not be null")),
        Some(Some(email)) => Some(validate_email(&email)?),
    };
    let disabled = match attrs.get("disabled") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => return Err(bad_request("attributes.disabled must be a boolean")),
    };
    Ok(UserChanges {
        name,
        email,
        title: nullable_string(attrs, "title")?,
        disabled,
    })
}

/// Reads an UpdateUser-shaped body: type users, an id, attributes.
fn parse_update_body(bytes: &Bytes) -> Result<(String, UserChanges), ApiError> {
    let body = parse_body(bytes)?;
    let data = object(body.get("data"), "data")?;
    expect_type(data, "users", "data")?;
    let id = string_field(data, "id", "data")?.to_owned();
    let attrs = object(data.get("attributes"), "data.attributes")?;
    Ok((id, parse_user_changes(attrs)?))
}

/// Applies validated changes; 409 when the new email belongs to someone else.
fn apply_user_changes(
    store: &mut Store,
    idx: usize,
    changes: UserChanges,
    now: OffsetDateTime,
) -> Result<(), ApiError> {
    if let Some(email) = &changes.email {
        if store.user_by_email(email).is_some_and(|other| other != idx) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                format!("User with email {email} already exists"),
            ));
        }
    }
    if let Some(email) = changes.email {
        store.set_email(idx, email);
    }
    if changes.disabled == Some(true) {
        // Disabling revokes the user's application keys; re-enabling does not restore them.
        store.revoke_application_keys(idx);
    }
    let user = &mut store.users[idx];
    if let Some(name) = changes.name {
        user.name = name;
    }
    if let Some(title) = changes.title {
        user.title = title;
    }
    if let Some(disabled) = changes.disabled {
        // Re-enabling gives Active to users who had joined and Pending to the others,
        // which `status()` derives from `verified`.
        user.disabled = disabled;
    }
    user.modified_at = now;
    user.refresh_search();
    store.touch();
    Ok(())
}

fn user_idx(store: &Store, id: &str) -> Result<usize, ApiError> {
    store.user_index(id).ok_or_else(|| not_found(id))
}

fn role_idx(store: &Store, id: &str) -> Result<usize, ApiError> {
    store.role_index(id).ok_or_else(|| not_found(id))
}

fn page_meta(total: usize, filtered: Option<usize>) -> Option<ResponseMeta> {
    Some(ResponseMeta {
        page: Some(PageMeta {
            total_count: Some(total as i64),
            total_filtered_count: filtered.map(|f| f as i64),
        }),
    })
}

// ---------------------------------------------------------------------------------------
// Users

async fn list_users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let store = shared.read();
    authorize(&store, &headers, Some(READ))?;
    let (number, size) = paging(&query)?;
    let (sort, descending) = users_sort(&query)?;
    let selection = Selection {
        text: text_filter(&query),
        statuses: status_filter(&query)?,
        role: None,
        sort,
    };
    let matched = store.select(&selection);
    let page = page_of(&matched, descending, number, size);
    ok(&UsersResponse {
        data: page.iter().map(|&i| store.user_model(i)).collect(),
        included: store.users_included(&page),
        meta: page_meta(store.users.len(), Some(matched.len())),
    })
}

/// The validated content of a CreateUser body.
struct NewUserRequest {
    email: String,
    name: Option<String>,
    title: Option<String>,
    roles: Vec<String>,
}

fn parse_create_body(bytes: &Bytes) -> Result<NewUserRequest, ApiError> {
    let body = parse_body(bytes)?;
    let data = object(body.get("data"), "data")?;
    expect_type(data, "users", "data")?;
    let attrs = object(data.get("attributes"), "data.attributes")?;
    let email = validate_email(string_field(attrs, "email", "data.attributes")?)?;
    let name = match nullable_string(attrs, "name")? {
        Some(Some(name)) => Some(validate_name(&name)?),
        _ => None,
    };
    let title = nullable_string(attrs, "title")?.flatten();
    let mut roles = Vec::new();
    let role_data = data
        .get("relationships")
        .and_then(|r| r.get("roles"))
        .and_then(|r| r.get("data"));
    match role_data {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                if let Some(kind) = item.get("type").and_then(Value::as_str) {
                    if kind != "roles" {
                        return Err(bad_request(format!(
                            "relationships.roles.data[].type must be \"roles\", got {kind:?}"
                        )));
                    }
                }
                let id = item.get("id").and_then(Value::as_str).ok_or_else(|| {
                    bad_request("relationships.roles.data[].id is required and must be a string")
                })?;
                if !roles.iter().any(|r| r == id) {
                    roles.push(id.to_owned());
                }
            }
        }
        Some(_) => return Err(bad_request("relationships.roles.data must be an array")),
    }
    Ok(NewUserRequest {
        email,
        name,
        title,
        roles,
    })
}

fn fresh_user_id(store: &mut Store) -> String {
    loop {
        let id = new_id(&mut store.rng);
        if store.user_index(&id).is_none() {
            return id;
        }
    }
}

async fn create_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut store = shared.write();
    authorize(&store, &headers, Some(INVITE))?;
    let request = parse_create_body(&body)?;
    if store.user_by_email(&request.email).is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            format!("User with email {} already exists", request.email),
        ));
    }
    if let Some(unknown) = request.roles.iter().find(|r| store.role_index(r).is_none()) {
        return Err(bad_request(format!("Role {unknown} does not exist")));
    }
    let now = shared.now();
    let user = UserRec {
        id: fresh_user_id(&mut store),
        name: request.name,
        handle: request.email.clone(),
        email: request.email,
        title: request.title,
        created_at: now,
        modified_at: now,
        verified: false,
        service_account: false,
        disabled: false,
        mfa_enabled: false,
        last_login_time: None,
        roles: request.roles,
        identity_providers: Vec::new(),
        anonymized: false,
        search: String::new(),
    };
    let idx = store.insert_user(user);
    let response = store.user_response(idx);
    drop(store);
    shared.applied();
    Ok(json_response(StatusCode::CREATED, &response))
}

async fn get_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let store = shared.read();
    authorize(&store, &headers, Some(READ))?;
    let idx = user_idx(&store, &id)?;
    ok(&store.user_response(idx))
}

async fn update_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut store = shared.write();
    authorize(&store, &headers, Some(MANAGE))?;
    let (body_id, changes) = parse_update_body(&body)?;
    if body_id != id {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UUID's in the URL and request body do not match",
        ));
    }
    let idx = user_idx(&store, &id)?;
    apply_user_changes(&mut store, idx, changes, shared.now())?;
    let response = store.user_response(idx);
    drop(store);
    shared.applied();
    ok(&response)
}

/// DisableUser: 204 with no body; an unknown or already disabled user is 404 (observed).
async fn disable_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let mut store = shared.write();
    authorize(&store, &headers, Some(MANAGE))?;
    let idx = user_idx(&store, &id)?;
    if store.users[idx].disabled {
        return Err(not_found(&id));
    }
    store.revoke_application_keys(idx);
    let user = &mut store.users[idx];
    user.disabled = true;
    user.modified_at = shared.now();
    store.touch();
    drop(store);
    shared.applied();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn user_orgs(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let store = shared.read();
    authorize(&store, &headers, None)?;
    let idx = user_idx(&store, &id)?;
    ok(&UserResponse {
        data: store.user_model(idx),
        included: vec![Included::Org(store.org_model())],
    })
}

async fn user_permissions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let store = shared.read();
    authorize(&store, &headers, Some(READ))?;
    let idx = user_idx(&store, &id)?;
    ok(&PermissionsResponse {
        data: store
            .user_permissions(idx)
            .into_iter()
            .map(|p| store.permission_model(p))
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Invitations

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
async fn send_invitations(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut store = shared.write();
    authorize(&store, &headers, Some(INVITE))?;
    let user_ids = parse_invitations_body(&body)?;
    for id in &user_ids {
        let idx = user_idx(&store, id)?;
        if store.users[idx].disabled {
            return Err(bad_request(format!(
                "User {id} is disabled; re-enable it before sending an invitation"
            )));
        }
    }
    let now = shared.now();
    let mut created = Vec::with_capacity(user_ids.len());
    for user_id in user_ids {
        let inv = InvRec {
            id: new_id(&mut store.rng),
            user_id,
            created_at: now,
            expires_at: now + Duration::hours(48),
        };
        created.push(invitation_model(&inv));
        store.invitations.push(inv);
    }
    store.touch();
    drop(store);
    shared.applied();
    Ok(json_response(
        StatusCode::CREATED,
        &InvitationsResponse { data: created },
    ))
}

async fn get_invitation(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let store = shared.read();
    authorize(&store, &headers, Some(INVITE))?;
    let inv = store.invitation_by_id(&id).ok_or_else(|| not_found(&id))?;
    ok(&InvitationResponse {
        data: invitation_model(inv),
    })
}

/// DeleteUserInvitations: 200 with an empty body, like the service declares.
async fn cancel_invitations(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let mut store = shared.write();
    authorize(&store, &headers, Some(INVITE))?;
    user_idx(&store, &id)?;
    let before = store.invitations.len();
    store.invitations.retain(|inv| inv.user_id != id);
    let changed = store.invitations.len() != before;
    if changed {
        store.touch();
    }
    drop(store);
    if changed {
        shared.applied();
    }
    Ok(StatusCode::OK.into_response())
}

// ---------------------------------------------------------------------------------------
// Current user

async fn get_current_user(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    let store = shared.read();
    let caller = authorize(&store, &headers, None)?;
    ok(&store.user_response(caller))
}

/// UpdateCurrentUser: `data.id` must be the caller's id (422 otherwise); `disabled`
/// cannot be changed on oneself (400).
async fn update_current_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut store = shared.write();
    let caller = authorize(&store, &headers, Some(SELF_WRITE))?;
    let (body_id, changes) = parse_update_body(&body)?;
    if body_id != store.users[caller].id {
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
    apply_user_changes(&mut store, caller, changes, shared.now())?;
    let response = store.user_response(caller);
    drop(store);
    shared.applied();
    ok(&response)
}

// ---------------------------------------------------------------------------------------
// Anonymize and identity providers

fn parse_anonymize_body(bytes: &Bytes) -> Result<Vec<String>, ApiError> {
    let body = parse_body(bytes)?;
    let data = object(body.get("data"), "data")?;
    expect_type(data, "anonymize_users_request", "data")?;
    let attrs = object(data.get("attributes"), "data.attributes")?;
    let ids = attrs
        .get("user_ids")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_request("data.attributes.user_ids is required and must be an array"))?;
    ids.iter()
        .map(|id| {
            id.as_str()
                .map(str::to_owned)
                .ok_or_else(|| bad_request("data.attributes.user_ids must hold strings"))
        })
        .collect()
}

fn anonymize(store: &mut Store, idx: usize, now: OffsetDateTime) {
    let id = store.users[idx].id.clone();
    let email = format!("anonymized-{id}@anonymized.invalid");
    store.set_email(idx, email.clone());
    store.revoke_application_keys(idx);
    let user = &mut store.users[idx];
    user.name = None;
    user.handle = email;
    user.title = None;
    user.disabled = true;
    user.mfa_enabled = false;
    user.roles.clear();
    user.identity_providers.clear();
    user.anonymized = true;
    user.modified_at = now;
    user.refresh_search();
    store.invitations.retain(|inv| inv.user_id != id);
}

async fn anonymize_users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let mut store = shared.write();
    let caller = authorize(&store, &headers, Some(MANAGE))?;
    let ids = parse_anonymize_body(&body)?;
    let now = shared.now();
    let mut result = AnonymizeUsersResult::default();
    for id in ids {
        let error = match store.user_index(&id) {
            None => Some(format!("{id} not found")),
            Some(idx) if idx == caller => {
                Some("The user making the request cannot anonymize themselves".to_owned())
            }
            Some(idx) if store.users[idx].anonymized => {
                Some("User is already anonymized".to_owned())
            }
            Some(idx) => {
                anonymize(&mut store, idx, now);
                None
            }
        };
        match error {
            Some(error) => result.anonymize_errors.push(AnonymizeError {
                user_id: id.into(),
                error,
            }),
            None => result.anonymized_user_ids.push(id.into()),
        }
    }
    let changed = !result.anonymized_user_ids.is_empty();
    let response_id = new_id(&mut store.rng);
    if changed {
        store.touch();
    }
    drop(store);
    if changed {
        shared.applied();
    }
    ok(&AnonymizeUsersResponse {
        data: AnonymizeUsersResponseData {
            kind: "anonymize_users_response".to_owned(),
            id: response_id,
            attributes: result,
        },
    })
}

async fn get_identity_providers(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let store = shared.read();
    authorize(&store, &headers, Some(MANAGE))?;
    let idx = user_idx(&store, &id)?;
    let data = store.users[idx]
        .identity_providers
        .iter()
        .filter_map(|idp| IDENTITY_PROVIDERS.iter().find(|known| known.id == idp))
        .map(|idp| IdentityProviderOverride {
            kind: "identity_providers".to_owned(),
            id: idp.id.into(),
            attributes: IdentityProviderAttributes {
                authentication_method: idp.authentication_method.to_owned(),
            },
        })
        .collect();
    ok(&crate::api::models::IdentityProvidersResponse { data })
}

fn parse_identity_providers_body(bytes: &Bytes) -> Result<Vec<String>, ApiError> {
    let body = parse_body(bytes)?;
    let items = body
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| bad_request("data is required and must be an array"))?;
    let mut ids: Vec<String> = Vec::new();
    for item in items {
        let item = object(Some(item), "data[]")?;
        expect_type(item, "identity_providers", "data[]")?;
        let id = string_field(item, "id", "data[]")?;
        if !IDENTITY_PROVIDERS.iter().any(|idp| idp.id == id) {
            return Err(bad_request(format!(
                "Identity provider {id} does not exist"
            )));
        }
        if !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    Ok(ids)
}

/// UpdateUserIdentityProviders: 204; an empty list clears the overrides.
async fn set_identity_providers(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let mut store = shared.write();
    authorize(&store, &headers, Some(MANAGE))?;
    let ids = parse_identity_providers_body(&body)?;
    let idx = user_idx(&store, &id)?;
    store.users[idx].identity_providers = ids;
    store.touch();
    drop(store);
    shared.applied();
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---------------------------------------------------------------------------------------
// Roles and permissions

async fn list_roles(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let store = shared.read();
    authorize(&store, &headers, Some(READ))?;
    let (number, size) = paging(&query)?;
    let counts = store.role_user_counts();
    let text = text_filter(&query);
    let ids: Option<Vec<&str>> = query.get("filter[id]").map(|ids| {
        ids.split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .collect()
    });
    let mut matched: Vec<usize> = (0..store.roles.len())
        .filter(|&r| {
            let role = &store.roles[r];
            text.as_deref()
                .is_none_or(|t| role.name.to_lowercase().contains(t))
                && ids
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&role.id.as_str()))
        })
        .collect();
    let sort = query.get("sort").map(String::as_str).unwrap_or("name");
    let (descending, field) = match sort.strip_prefix('-') {
        Some(field) => (true, field),
        None => (false, sort),
    };
    let roles = &store.roles;
    match field {
        "name" => matched.sort_by_cached_key(|&r| (roles[r].name.to_lowercase(), roles[r].id.clone())),
        "modified_at" => matched.sort_by_key(|&r| (roles[r].modified_at, roles[r].id.clone())),
        "user_count" => matched.sort_by_key(|&r| (counts[r], roles[r].id.clone())),
        _ => {
            return Err(bad_request(format!(
                "sort must be one of name, -name, modified_at, -modified_at, user_count, -user_count, got {sort:?}"
            )))
        }
    }
    if descending {
        matched.reverse();
    }
    let start = (number.saturating_mul(size) as usize).min(matched.len());
    let end = start.saturating_add(size as usize).min(matched.len());
    ok(&RolesResponse {
        data: matched[start..end]
            .iter()
            .map(|&r| store.role_model(r, Some(counts[r])))
            .collect(),
        meta: page_meta(store.roles.len(), Some(matched.len())),
    })
}

async fn get_role(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let store = shared.read();
    authorize(&store, &headers, Some(READ))?;
    let r = role_idx(&store, &id)?;
    let counts = store.role_user_counts();
    ok(&RoleResponse {
        data: store.role_model(r, Some(counts[r])),
    })
}

fn role_permissions_response(store: &Store, r: usize) -> PermissionsResponse {
    PermissionsResponse {
        data: store.roles[r]
            .permissions
            .iter()
            .filter_map(|p| store.permission_index(p))
            .map(|p| store.permission_model(p))
            .collect(),
    }
}

async fn role_permissions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let store = shared.read();
    authorize(&store, &headers, Some(READ))?;
    let r = role_idx(&store, &id)?;
    ok(&role_permissions_response(&store, r))
}

/// Grants (`grant = true`) or revokes a permission; unknown permission ids are 400.
fn change_role_permission(
    shared: &Shared,
    headers: &HeaderMap,
    id: &str,
    body: &Bytes,
    grant: bool,
) -> ApiResult {
    let mut store = shared.write();
    authorize(&store, headers, Some(MANAGE))?;
    let r = role_idx(&store, id)?;
    let permission = relationship_id(body, "permissions")?;
    if store.permission_index(&permission).is_none() {
        return Err(bad_request(format!(
            "Permission {permission} does not exist"
        )));
    }
    let role = &mut store.roles[r];
    let changed = set_membership(&mut role.permissions, permission, grant);
    if changed {
        role.modified_at = shared.now();
        store.touch();
    }
    let response = role_permissions_response(&store, r);
    drop(store);
    if changed {
        shared.applied();
    }
    ok(&response)
}

/// Puts `item` in `list` (or takes it out); true when that changed the list.
fn set_membership(list: &mut Vec<String>, item: String, present: bool) -> bool {
    match (present, list.iter().position(|x| *x == item)) {
        (true, None) => {
            list.push(item);
            true
        }
        (false, Some(at)) => {
            list.remove(at);
            true
        }
        _ => false,
    }
}

async fn grant_permission(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    change_role_permission(&shared, &headers, &id, &body, true)
}

async fn revoke_permission(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    change_role_permission(&shared, &headers, &id, &body, false)
}

async fn role_users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let store = shared.read();
    authorize(&store, &headers, Some(READ))?;
    let r = role_idx(&store, &id)?;
    let (number, size) = paging(&query)?;
    let (sort, descending) = role_users_sort(&query)?;
    let members = store.role_user_counts()[r] as usize;
    let matched = store.select(&Selection {
        text: text_filter(&query),
        statuses: None,
        role: Some(r),
        sort,
    });
    let page = page_of(&matched, descending, number, size);
    ok(&UsersResponse {
        data: page.iter().map(|&i| store.user_model(i)).collect(),
        included: vec![Included::Role(store.role_model(r, None))],
        meta: page_meta(members, Some(matched.len())),
    })
}

/// AddUserToRole / RemoveUserFromRole: 200 with every member of the role after the change
/// (sorted by name) and `meta.page.total_count`, as observed.
fn change_role_member(
    shared: &Shared,
    headers: &HeaderMap,
    id: &str,
    body: &Bytes,
    add: bool,
) -> ApiResult {
    let mut store = shared.write();
    authorize(&store, headers, Some(MANAGE))?;
    let r = role_idx(&store, id)?;
    let user_id = relationship_id(body, "users")?;
    let u = user_idx(&store, &user_id)?;
    let role_id = store.roles[r].id.clone();
    let changed = set_membership(&mut store.users[u].roles, role_id, add);
    if changed {
        store.touch();
    }
    let members = store.select(&Selection {
        text: None,
        statuses: None,
        role: Some(r),
        sort: SortKey::Name,
    });
    let response = UsersResponse {
        data: members
            .iter()
            .map(|&i| store.user_model(i as usize))
            .collect(),
        included: Vec::new(),
        meta: page_meta(members.len(), None),
    };
    drop(store);
    if changed {
        shared.applied();
    }
    ok(&response)
}

async fn add_role_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    change_role_member(&shared, &headers, &id, &body, true)
}

async fn remove_role_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    change_role_member(&shared, &headers, &id, &body, false)
}

/// ListPermissions: the catalogue; `include_scopes=true` adds the scope-only permissions.
async fn list_permissions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let store = shared.read();
    authorize(&store, &headers, Some(READ))?;
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
    ok(&PermissionsResponse {
        data: (0..store.permissions.len())
            .filter(|&p| include_scopes || !store.permissions[p].scope_only)
            .map(|p| store.permission_model(p))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_with_encoded_brackets_are_decoded() {
        let q = parse_query(Some("page%5Bsize%5D=2&filter=a%40b.com&sort=-name&x"));
        assert_eq!(q.get("page[size]").map(String::as_str), Some("2"));
        assert_eq!(q.get("filter").map(String::as_str), Some("a@b.com"));
        assert_eq!(q.get("x").map(String::as_str), Some(""));
    }

    #[test]
    fn sort_dir_wins_over_the_minus_prefix() {
        let q = parse_query(Some("sort=-name&sort_dir=asc"));
        assert_eq!(users_sort(&q).ok(), Some((SortKey::Name, false)));
        let q = parse_query(Some("sort=-email"));
        assert_eq!(users_sort(&q).ok(), Some((SortKey::Email, true)));
        assert!(users_sort(&parse_query(Some("sort_dir=up"))).is_err());
    }

    #[test]
    fn emails_are_validated_and_lower_cased() {
        assert_eq!(validate_email("A@B.Co").ok().as_deref(), Some("a@b.co"));
        for bad in ["", "a", "a@b", "@b.co", "a b@c.co", "a@@b.co"] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }
}
