//! The Key Management API's application-key reads: ListApplicationKeys,
//! GetApplicationKey, ListCurrentUserApplicationKeys and GetCurrentUserApplicationKey, with
//! the same authentication, error bodies and paging checks as the other handlers.
//! Responses are serialised through `crate::api::keys`. Choices where the service is
//! undocumented are listed in the sandbox module's header.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use time::{Duration, OffsetDateTime};

use super::request::{paging_with_default, parse_query, Query};
use super::response::{bad_request, ok, ApiError, ApiResult};
use crate::api::keys::{
    ApplicationKeyIncluded, ApplicationKeyResponse, ApplicationKeySort, ApplicationKeysMeta,
    ApplicationKeysResponse,
};
use crate::api::models::{timestamp, PageMeta};
use crate::sandbox::extract::{ORG_KEYS_READ, OWN_KEYS};
use crate::sandbox::keyring::{AppKeyRec, KeySelection, MAX_KEYS_PER_USER};
use crate::sandbox::store::{page_of, Store};
use crate::sandbox::Shared;

/// `page[size]` when none is given: the recorded listing without parameters returned 100.
const DEFAULT_PAGE_SIZE: i64 = 100;

/// The four routes, for the main router to merge.
pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/application_keys", get(list_application_keys))
        .route("/api/v2/application_keys/{id}", get(get_application_key))
        .route(
            "/api/v2/current_user/application_keys",
            get(list_current_user_application_keys),
        )
        .route(
            "/api/v2/current_user/application_keys/{id}",
            get(get_current_user_application_key),
        )
}

fn key_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Application key not found")
}

/// A validated listing query.
struct ListRequest {
    selection: KeySelection,
    sort: ApplicationKeySort,
    number: u64,
    size: u64,
    include_owner: bool,
}

/// `include`: absent, or `owned_by` (the only related resource the service offers).
fn include_owner(query: &Query) -> Result<bool, ApiError> {
    match query.get("include").map(|v| v.trim()) {
        None | Some("") => Ok(false),
        Some("owned_by") => Ok(true),
        Some(other) => Err(bad_request(format!(
            "include supports only owned_by, got {other:?}"
        ))),
    }
}

/// `filter[created_at][start|end]`: an RFC 3339 time, or a date (the whole day counts).
fn time_bound(query: &Query, name: &str, end: bool) -> Result<Option<OffsetDateTime>, ApiError> {
    let Some(text) = query.get(name).map(|t| t.trim()).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(at) = timestamp::parse(text) {
        return Ok(Some(at));
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(text, &date_format) {
        let start = date.midnight().assume_utc();
        return Ok(Some(if end {
            start + Duration::days(1) - Duration::microseconds(1)
        } else {
            start
        }));
    }
    Err(bad_request(format!(
        "{name} must be an RFC 3339 time (2025-09-08T09:24:46+00:00) or a date (2025-09-08), got {text:?}"
    )))
}

fn parse_list(query: &Query) -> Result<ListRequest, ApiError> {
    let (number, size) = paging_with_default(query, DEFAULT_PAGE_SIZE)?;
    let sort = match query.get("sort").map(|s| s.trim()) {
        None => ApplicationKeySort::NameAsc,
        Some(text) => ApplicationKeySort::parse(text).ok_or_else(|| {
            let allowed: Vec<&str> = ApplicationKeySort::ALL.iter().map(|s| s.as_str()).collect();
            bad_request(format!(
                "sort must be one of {}, got {text:?}",
                allowed.join(", ")
            ))
        })?,
    };
    let selection = KeySelection {
        text: query
            .get("filter")
            .map(|f| f.trim().to_lowercase())
            .filter(|f| !f.is_empty()),
        owner: query
            .get("filter[owned_by]")
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty()),
        created_from: time_bound(query, "filter[created_at][start]", false)?,
        created_to: time_bound(query, "filter[created_at][end]", true)?,
    };
    Ok(ListRequest {
        selection,
        sort,
        number,
        size,
        include_owner: include_owner(query)?,
    })
}

/// One page of a listing. `with_owner` puts `relationships.owned_by` on each key.
fn list_response(
    store: &Store,
    request: &ListRequest,
    with_owner: bool,
) -> ApplicationKeysResponse {
    let matched = store.keys.select(&request.selection, request.sort);
    let page = page_of(&matched, false, request.number, request.size);
    let keys: Vec<&AppKeyRec> = page.iter().map(|&i| store.keys.at(i as u32)).collect();
    let mut included = Vec::new();
    if request.include_owner {
        let mut seen = HashSet::new();
        for key in &keys {
            if seen.insert(key.owner.as_str()) {
                if let Some(owner) = store.user_index(&key.owner) {
                    included.push(ApplicationKeyIncluded::User(Box::new(
                        store.user_model(owner),
                    )));
                }
            }
        }
    }
    ApplicationKeysResponse {
        data: keys.iter().map(|k| k.model(with_owner)).collect(),
        included,
        meta: Some(ApplicationKeysMeta {
            page: Some(PageMeta {
                total_count: None,
                total_filtered_count: Some(matched.len() as i64),
            }),
            max_allowed_per_user: Some(MAX_KEYS_PER_USER),
        }),
    }
}

/// One key; `include_owner` adds the owner and their roles (without their permissions)
/// to `included`, as the recorded GetCurrentUserApplicationKey does.
fn key_response(store: &Store, key: &AppKeyRec, include_owner: bool) -> ApplicationKeyResponse {
    let mut included = Vec::new();
    if let Some(owner) = store.user_index(&key.owner).filter(|_| include_owner) {
        included.push(ApplicationKeyIncluded::User(Box::new(
            store.user_model(owner),
        )));
        for role in &store.users[owner].roles {
            if let Some(r) = store.role_index(role) {
                let mut model = store.role_model(r, None);
                model.relationships = None;
                included.push(ApplicationKeyIncluded::Role(model));
            }
        }
    }
    ApplicationKeyResponse {
        data: key.model(true),
        included,
    }
}

/// ListApplicationKeys: every key of the org, each naming its owner.
async fn list_application_keys(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let (store, _) = shared.read_as(&headers, ORG_KEYS_READ)?;
    let request = parse_list(&query)?;
    ok(&list_response(&store, &request, true))
}

/// GetApplicationKey: any key of the org by id.
async fn get_application_key(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let (store, _) = shared.read_as(&headers, ORG_KEYS_READ)?;
    let include = include_owner(&query)?;
    let key = store.keys.by_id(&id).ok_or_else(key_not_found)?;
    ok(&key_response(&store, key, include))
}

/// ListCurrentUserApplicationKeys: the caller's keys. As recorded, the keys carry no
/// `owned_by` unless `include=owned_by` asks for the owner; `filter[owned_by]` is ignored.
async fn list_current_user_application_keys(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let (store, caller) = shared.read_as(&headers, OWN_KEYS)?;
    let mut request = parse_list(&query)?;
    request.selection.owner = Some(store.users[caller.user].id.clone());
    let with_owner = request.include_owner;
    ok(&list_response(&store, &request, with_owner))
}

/// GetCurrentUserApplicationKey: one of the caller's keys, with the caller and their roles
/// in `included` (as recorded, even without `include`); another user's key is a 404.
async fn get_current_user_application_key(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let (store, caller) = shared.read_as(&headers, OWN_KEYS)?;
    let key = store
        .keys
        .by_id(&id)
        .filter(|k| k.owner == store.users[caller.user].id)
        .ok_or_else(key_not_found)?;
    ok(&key_response(&store, key, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> Query {
        parse_query(Some(text))
    }

    #[test]
    fn created_at_bounds_take_times_and_whole_days() {
        let q = query(
            "filter%5Bcreated_at%5D%5Bstart%5D=2025-09-08&filter[created_at][end]=2025-09-08",
        );
        let request = parse_list(&q).expect("valid query");
        let from = request.selection.created_from.expect("start");
        let to = request.selection.created_to.expect("end");
        assert_eq!(timestamp::format(&from), "2025-09-08T00:00:00.000000+00:00");
        assert_eq!(timestamp::format(&to), "2025-09-08T23:59:59.999999+00:00");
        let q = query("filter[created_at][start]=2025-09-08T09:24:46.992326%2B00:00");
        let request = parse_list(&q).expect("valid query");
        assert_eq!(
            request
                .selection
                .created_from
                .map(|t| timestamp::format(&t)),
            Some("2025-09-08T09:24:46.992326+00:00".to_owned())
        );
        assert!(parse_list(&query("filter[created_at][end]=yesterday")).is_err());
    }

    #[test]
    fn listing_defaults_to_100_by_name_and_refuses_bad_values() {
        let request = parse_list(&query("")).expect("valid");
        assert_eq!((request.number, request.size), (0, 100));
        assert_eq!(request.sort, ApplicationKeySort::NameAsc);
        assert!(!request.include_owner);
        for bad in [
            "sort=owner",
            "sort=last_used_at",
            "page[size]=0",
            "page[size]=101",
            "page[number]=-1",
            "include=roles",
        ] {
            assert!(parse_list(&query(bad)).is_err(), "{bad}");
        }
        let request =
            parse_list(&query("sort=-last4&include=owned_by&filter=%20CI%20")).expect("valid");
        assert_eq!(request.sort, ApplicationKeySort::Last4Desc);
        assert!(request.include_owner);
        assert_eq!(request.selection.text.as_deref(), Some("ci"));
    }
}
