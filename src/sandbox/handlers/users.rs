//! The Users API's user operations: ListUsers, CreateUser, GetUser, UpdateUser,
//! DisableUser, ListUserOrganizations, ListUserPermissions, the identity-provider
//! overrides and AnonymizeUsers; and the attribute changes UpdateCurrentUser shares.
//! Reads through `Shared::read_as`, writes through `Shared::change_as`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use super::request::{
    expect_type, nullable_string, object, paging, parse_body, parse_query, string_field,
    text_filter, user_idx, Query,
};
use super::response::{bad_request, created, empty, not_found, ok, page_meta, ApiError, ApiResult};
use crate::api::models::{
    AnonymizeError, AnonymizeUsersResponse, AnonymizeUsersResponseData, AnonymizeUsersResult,
    IdentityProviderAttributes, IdentityProviderOverride, IdentityProvidersResponse, Included,
    UserResponse, UsersResponse,
};
use crate::sandbox::extract::{Access, Change, USERS_INVITE, USERS_MANAGE, USERS_READ};
use crate::sandbox::store::{
    page_of, status_filter_bit, Selection, SortKey, Store, UserRec, IDENTITY_PROVIDERS,
};
use crate::sandbox::Shared;

/// The longest display name the service accepts.
const MAX_NAME_CHARS: usize = 55;

// ---------------------------------------------------------------------------------------
// Listing

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

pub(super) async fn list_users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let (store, _) = shared.read_as(&headers, USERS_READ)?;
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

// ---------------------------------------------------------------------------------------
// Attributes

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

fn email_taken(email: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        format!("User with email {email} already exists"),
    )
}

/// The attribute changes of an UpdateUser / UpdateCurrentUser, validated.
#[derive(Default)]
pub(super) struct UserChanges {
    name: Option<Option<String>>,
    email: Option<String>,
    title: Option<Option<String>>,
    /// `Some` when the body sets `disabled` (refused on the current user).
    pub disabled: Option<bool>,
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
pub(super) fn parse_update_body(bytes: &Bytes) -> Result<(String, UserChanges), ApiError> {
    let body = parse_body(bytes)?;
    let data = object(body.get("data"), "data")?;
    expect_type(data, "users", "data")?;
    let id = string_field(data, "id", "data")?.to_owned();
    let attrs = object(data.get("attributes"), "data.attributes")?;
    Ok((id, parse_user_changes(attrs)?))
}

/// Applies validated changes; 409 when the new email belongs to someone else.
pub(super) fn apply_user_changes(
    change: &mut Change<'_>,
    idx: usize,
    changes: UserChanges,
) -> Result<(), ApiError> {
    if let Some(email) = &changes.email {
        if change
            .store()
            .user_by_email(email)
            .is_some_and(|other| other != idx)
        {
            return Err(email_taken(email));
        }
    }
    let now = change.now;
    let store = change.store_mut();
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
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Create, read, update, disable

/// The validated content of a CreateUser body.
struct NewUserRequest {
    email: String,
    name: Option<String>,
    title: Option<String>,
    roles: Vec<String>,
}

/// `relationships.roles.data` of a CreateUser body: role ids, without repeats.
fn parse_role_refs(role_data: Option<&Value>) -> Result<Vec<String>, ApiError> {
    let mut roles: Vec<String> = Vec::new();
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
    Ok(roles)
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
    let role_data = data
        .get("relationships")
        .and_then(|r| r.get("roles"))
        .and_then(|r| r.get("data"));
    Ok(NewUserRequest {
        email,
        name,
        title,
        roles: parse_role_refs(role_data)?,
    })
}

/// A user id nobody has yet.
fn fresh_user_id(change: &mut Change<'_>) -> String {
    loop {
        let id = change.new_id();
        if change.store().user_index(&id).is_none() {
            return id;
        }
    }
}

/// CreateUser: 201; a taken email is 409, an unknown role 400.
pub(super) async fn create_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let response = shared.change_as(&headers, USERS_INVITE, |change| {
        let request = parse_create_body(&body)?;
        let store = change.store();
        if store.user_by_email(&request.email).is_some() {
            return Err(email_taken(&request.email));
        }
        if let Some(unknown) = request.roles.iter().find(|r| store.role_index(r).is_none()) {
            return Err(bad_request(format!("Role {unknown} does not exist")));
        }
        let user = UserRec {
            id: fresh_user_id(change),
            name: request.name,
            handle: request.email.clone(),
            email: request.email,
            title: request.title,
            created_at: change.now,
            modified_at: change.now,
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
        let idx = change.store_mut().insert_user(user);
        Ok(change.store().user_response(idx))
    })?;
    created(&response)
}

pub(super) async fn get_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let (store, _) = shared.read_as(&headers, USERS_READ)?;
    let idx = user_idx(&store, &id)?;
    ok(&store.user_response(idx))
}

/// UpdateUser: the path and body ids must match (422 otherwise).
pub(super) async fn update_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let response = shared.change_as(&headers, USERS_MANAGE, |change| {
        let (body_id, changes) = parse_update_body(&body)?;
        if body_id != id {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "UUID's in the URL and request body do not match",
            ));
        }
        let idx = user_idx(change.store(), &id)?;
        apply_user_changes(change, idx, changes)?;
        Ok(change.store().user_response(idx))
    })?;
    ok(&response)
}

/// DisableUser: 204 with no body; an unknown or already disabled user is 404 (observed).
pub(super) async fn disable_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    shared.change_as(&headers, USERS_MANAGE, |change| {
        let idx = user_idx(change.store(), &id)?;
        if change.store().users[idx].disabled {
            return Err(not_found(&id));
        }
        let now = change.now;
        let store = change.store_mut();
        store.revoke_application_keys(idx);
        let user = &mut store.users[idx];
        user.disabled = true;
        user.modified_at = now;
        Ok(())
    })?;
    empty(StatusCode::NO_CONTENT)
}

/// ListUserOrganizations: any caller with valid keys; the user with the org included.
pub(super) async fn user_orgs(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let (store, _) = shared.read_as(&headers, Access::AnyUser)?;
    let idx = user_idx(&store, &id)?;
    ok(&UserResponse {
        data: store.user_model(idx),
        included: vec![Included::Org(store.org_model())],
    })
}

pub(super) async fn user_permissions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let (store, _) = shared.read_as(&headers, USERS_READ)?;
    let idx = user_idx(&store, &id)?;
    ok(&store.permissions_response(store.user_permissions(idx)))
}

// ---------------------------------------------------------------------------------------
// Identity providers

pub(super) async fn get_identity_providers(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let (store, _) = shared.read_as(&headers, USERS_MANAGE)?;
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
    ok(&IdentityProvidersResponse { data })
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
pub(super) async fn set_identity_providers(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    shared.change_as(&headers, USERS_MANAGE, |change| {
        let ids = parse_identity_providers_body(&body)?;
        let idx = user_idx(change.store(), &id)?;
        change.store_mut().users[idx].identity_providers = ids;
        Ok(())
    })?;
    empty(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------
// Anonymize

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

fn anonymize(store: &mut Store, idx: usize, now: time::OffsetDateTime) {
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

/// The user of an AnonymizeUsers request to anonymize, or why they cannot be.
fn anonymizable(store: &Store, caller: usize, id: &str) -> Result<usize, String> {
    match store.user_index(id) {
        None => Err(format!("{id} not found")),
        Some(idx) if idx == caller => {
            Err("The user making the request cannot anonymize themselves".to_owned())
        }
        Some(idx) if store.users[idx].anonymized => Err("User is already anonymized".to_owned()),
        Some(idx) => Ok(idx),
    }
}

/// AnonymizeUsers: 200 listing who was anonymized and why the others were not.
pub(super) async fn anonymize_users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let response = shared.change_as(&headers, USERS_MANAGE, |change| {
        let ids = parse_anonymize_body(&body)?;
        let caller = change.caller.user;
        let mut result = AnonymizeUsersResult::default();
        for id in ids {
            match anonymizable(change.store(), caller, &id) {
                Err(error) => result.anonymize_errors.push(AnonymizeError {
                    user_id: id.into(),
                    error,
                }),
                Ok(idx) => {
                    let now = change.now;
                    anonymize(change.store_mut(), idx, now);
                    result.anonymized_user_ids.push(id.into());
                }
            }
        }
        Ok(AnonymizeUsersResponse {
            data: AnonymizeUsersResponseData {
                kind: "anonymize_users_response".to_owned(),
                id: change.new_id(),
                attributes: result,
            },
        })
    })?;
    ok(&response)
}

#[cfg(test)]
mod tests {
    use super::*;

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
