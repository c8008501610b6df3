//! Audit Trail: ListAuditLogs (`GET /api/v2/audit/events`) and SearchAuditLogs
//! (`POST /api/v2/audit/events/search`), both needing `audit_logs_read`. The search itself
//! lives in `crate::sandbox::audit`; here only the query, the body and the page document.
//! `page[limit]` 1–1000 (default 10, the service's); the time range defaults to the
//! service's `now-15m` … `now`; `sort` is `timestamp` or `-timestamp` (the default).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use time::OffsetDateTime;

use super::request::parse_query;
use super::response::{bad_request, ok, ApiError, ApiResult};
use crate::api::models::{
    AuditEventsResponse, AuditLinks, AuditMeta, AuditPageMeta, AuditSearchFilter, AuditSearchPage,
    AuditSearchRequest,
};
use crate::sandbox::audit::{parse_query as parse_terms, parse_time, TrailSearch};
use crate::sandbox::extract::AUDIT_READ;
use crate::sandbox::Shared;

const MAX_LIMIT: u32 = 1000;

/// ListAuditLogs: the same search, from query parameters.
pub(super) async fn list_events(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let query = parse_query(raw.as_deref());
    let get = |name: &str| query.get(name).cloned();
    let limit = match get("page[limit]") {
        None => None,
        Some(text) => Some(text.trim().parse().map_err(|_| {
            bad_request(format!("page[limit] must be a whole number, got {text:?}"))
        })?),
    };
    let request = AuditSearchRequest {
        filter: AuditSearchFilter {
            query: get("filter[query]"),
            from: get("filter[from]"),
            to: get("filter[to]"),
        },
        page: AuditSearchPage {
            limit,
            cursor: get("page[cursor]"),
        },
        sort: get("sort"),
    };
    answer(&shared, &headers, &request)
}

/// SearchAuditLogs: the search from a JSON body (an empty body searches with defaults).
pub(super) async fn search_events(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let request: AuditSearchRequest = if body.is_empty() {
        AuditSearchRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| bad_request(format!("The request body is not a valid search: {e}")))?
    };
    answer(&shared, &headers, &request)
}

fn answer(shared: &Shared, headers: &HeaderMap, request: &AuditSearchRequest) -> ApiResult {
    let now = shared.now();
    let search = trail_search(request, now)?;
    let (store, _) = shared.read_as(headers, AUDIT_READ)?;
    let (data, after) = store.audit.search(&search, now);
    drop(store);
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let links = after.as_ref().map(|cursor| AuditLinks {
        next: Some(next_link(host, request, cursor, search.limit)),
    });
    let meta = after.map(|after| AuditMeta {
        page: Some(AuditPageMeta { after: Some(after) }),
    });
    ok(&AuditEventsResponse { data, meta, links })
}

fn trail_search(
    request: &AuditSearchRequest,
    now: OffsetDateTime,
) -> Result<TrailSearch, ApiError> {
    let time = |text: Option<&str>, default: &str, what: &str| {
        let text = text.unwrap_or(default);
        parse_time(text, now).ok_or_else(|| {
            bad_request(format!(
                "filter.{what} must be now, now-<N><s|m|h|d|w>, an RFC 3339 time or milliseconds, got {text:?}"
            ))
        })
    };
    let newest_first = match request.sort.as_deref() {
        None | Some("-timestamp") => true,
        Some("timestamp") => false,
        Some(other) => {
            return Err(bad_request(format!(
                "sort must be timestamp or -timestamp, got {other:?}"
            )))
        }
    };
    let limit = request.page.limit.unwrap_or(10);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad_request(format!(
            "page.limit must be between 1 and {MAX_LIMIT}, got {limit}"
        )));
    }
    Ok(TrailSearch {
        terms: parse_terms(request.filter.query.as_deref().unwrap_or("")),
        from: time(request.filter.from.as_deref(), "now-15m", "from")?,
        to: time(request.filter.to.as_deref(), "now", "to")?,
        newest_first,
        limit: limit as usize,
        cursor: request.page.cursor.clone(),
    })
}

/// `links.next`: the GET form of the same search from the next cursor.
fn next_link(host: &str, request: &AuditSearchRequest, cursor: &str, limit: usize) -> String {
    let encode = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    let filter = &request.filter;
    let mut params = vec![format!("page%5Bcursor%5D={}", encode(cursor))];
    params.push(format!("page%5Blimit%5D={limit}"));
    for (name, value) in [
        ("filter%5Bquery%5D", &filter.query),
        ("filter%5Bfrom%5D", &filter.from),
        ("filter%5Bto%5D", &filter.to),
        ("sort", &request.sort),
    ] {
        if let Some(value) = value {
            params.push(format!("{name}={}", encode(value)));
        }
    }
    format!("http://{host}/api/v2/audit/events?{}", params.join("&"))
}
