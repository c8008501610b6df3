//! The Roles API: ListRoles, GetRole, a role's permissions (list, grant, revoke) and its
//! members (list, add, remove). Roles themselves are fixed: the managed ones and the
//! seeded custom ones; only their permissions and members change.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;

use super::request::{
    paging, parse_query, relationship_id, role_idx, text_filter, user_idx, Query,
};
use super::response::{bad_request, ok, page_meta, ApiError, ApiResult};
use crate::api::models::{
    Included, PermissionsResponse, RoleResponse, RolesResponse, UsersResponse,
};
use crate::sandbox::extract::{USERS_MANAGE, USERS_READ};
use crate::sandbox::store::{page_of, Selection, SortKey, Store};
use crate::sandbox::Shared;

/// ListRoles' `sort` and `filter[id]` applied to the roles that match `filter`.
fn matching_roles(store: &Store, query: &Query, counts: &[i64]) -> Result<Vec<usize>, ApiError> {
    let text = text_filter(query);
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
    Ok(matched)
}

pub(super) async fn list_roles(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let (store, _) = shared.read_as(&headers, USERS_READ)?;
    let (number, size) = paging(&query)?;
    let counts = store.role_user_counts();
    let matched = matching_roles(&store, &query, &counts)?;
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

pub(super) async fn get_role(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let (store, _) = shared.read_as(&headers, USERS_READ)?;
    let r = role_idx(&store, &id)?;
    let counts = store.role_user_counts();
    ok(&RoleResponse {
        data: store.role_model(r, Some(counts[r])),
    })
}

// ---------------------------------------------------------------------------------------
// A role's permissions

fn role_permissions_response(store: &Store, r: usize) -> PermissionsResponse {
    store.permissions_response(
        store.roles[r]
            .permissions
            .iter()
            .filter_map(|p| store.permission_index(p)),
    )
}

pub(super) async fn role_permissions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let (store, _) = shared.read_as(&headers, USERS_READ)?;
    let r = role_idx(&store, &id)?;
    ok(&role_permissions_response(&store, r))
}

/// Puts `item` in `list` (or takes it out), where it is not (or is) yet.
fn set_membership(list: &mut Vec<String>, item: String, present: bool) {
    match (present, list.iter().position(|x| *x == item)) {
        (true, None) => list.push(item),
        (false, Some(at)) => {
            list.remove(at);
        }
        _ => {}
    }
}

/// Grants (`grant = true`) or revokes a permission: 200 with the role's permissions
/// after; unknown permission ids are 400. A write only when that changed the role.
fn change_role_permission(
    shared: &Shared,
    headers: &HeaderMap,
    id: &str,
    body: &Bytes,
    grant: bool,
) -> ApiResult {
    let response = shared.change_as(headers, USERS_MANAGE, |change| {
        let r = role_idx(change.store(), id)?;
        let permission = relationship_id(body, "permissions")?;
        if change.store().permission_index(&permission).is_none() {
            return Err(bad_request(format!(
                "Permission {permission} does not exist"
            )));
        }
        if change.store().roles[r].permissions.contains(&permission) != grant {
            let now = change.now;
            let role = &mut change.store_mut().roles[r];
            set_membership(&mut role.permissions, permission, grant);
            role.modified_at = now;
        }
        Ok(role_permissions_response(change.store(), r))
    })?;
    ok(&response)
}

pub(super) async fn grant_permission(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    change_role_permission(&shared, &headers, &id, &body, true)
}

pub(super) async fn revoke_permission(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    change_role_permission(&shared, &headers, &id, &body, false)
}

// ---------------------------------------------------------------------------------------
// A role's members

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

pub(super) async fn role_users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let (store, _) = shared.read_as(&headers, USERS_READ)?;
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
/// (sorted by name) and `meta.page.total_count`, as observed. A write only when that
/// changed the membership.
fn change_role_member(
    shared: &Shared,
    headers: &HeaderMap,
    id: &str,
    body: &Bytes,
    add: bool,
) -> ApiResult {
    let response = shared.change_as(headers, USERS_MANAGE, |change| {
        let r = role_idx(change.store(), id)?;
        let user_id = relationship_id(body, "users")?;
        let u = user_idx(change.store(), &user_id)?;
        let role_id = change.store().roles[r].id.clone();
        if change.store().users[u].roles.contains(&role_id) != add {
            set_membership(&mut change.store_mut().users[u].roles, role_id, add);
        }
        let store = change.store();
        let members = store.select(&Selection {
            text: None,
            statuses: None,
            role: Some(r),
            sort: SortKey::Name,
        });
        Ok(UsersResponse {
            data: members
                .iter()
                .map(|&i| store.user_model(i as usize))
                .collect(),
            included: Vec::new(),
            meta: page_meta(members.len(), None),
        })
    })?;
    ok(&response)
}

pub(super) async fn add_role_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    change_role_member(&shared, &headers, &id, &body, true)
}

pub(super) async fn remove_role_user(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    change_role_member(&shared, &headers, &id, &body, false)
}
