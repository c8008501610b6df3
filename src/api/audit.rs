//! Audit Trail reads (API.md §12): SearchAuditLogs (`POST /api/v2/audit/events/search`,
//! needs `audit_logs_read`), one page or every page by cursor. No UI here.

use reqwest::Method;

use super::client::{Client, Request};
use super::error::ApiError;
use super::models::{
    AuditEvent, AuditEventsResponse, AuditSearchFilter, AuditSearchPage, AuditSearchRequest,
};

/// Events asked for per page: the service's maximum, so a history takes few requests.
pub const AUDIT_PAGE_LIMIT: u32 = 1000;
/// Pages [`Client::search_audit_events`] reads at most (fewer when the client's
/// `max_pages` is lower): ten million events, far more than 90 days of user changes.
pub const MAX_AUDIT_PAGES: u64 = 10_000;

impl Client {
    /// SearchAuditLogs: one page.
    pub async fn search_audit_page(
        &self,
        request: &AuditSearchRequest,
    ) -> Result<AuditEventsResponse, ApiError> {
        let body = serde_json::to_value(request).map_err(|e| ApiError::Listing {
            operation: "search audit events",
            detail: format!("the search could not be written: {e}"),
        })?;
        let request = Request::new(
            "search audit events",
            Method::POST,
            &["api", "v2", "audit", "events", "search"],
        )
        .body(body)
        .reading();
        self.json(request).await
    }

    /// Every event matching `query` between `from` and `to` (`now-90d`, `now`, RFC 3339),
    /// newest first, following `meta.page.after` until a page has none. A cursor that comes
    /// back again, or more pages than the cap, ends in [`ApiError::Listing`] rather than a
    /// loop that never ends.
    pub async fn search_audit_events(
        &self,
        query: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<AuditEvent>, ApiError> {
        let max_pages = self.max_pages().min(MAX_AUDIT_PAGES);
        let mut request = AuditSearchRequest {
            filter: AuditSearchFilter {
                query: Some(query.to_owned()),
                from: Some(from.to_owned()),
                to: Some(to.to_owned()),
            },
            page: AuditSearchPage {
                limit: Some(AUDIT_PAGE_LIMIT),
                cursor: None,
            },
            sort: Some("-timestamp".to_owned()),
        };
        let mut events = Vec::new();
        let mut cursors = std::collections::HashSet::new();
        for _ in 0..max_pages {
            let page = self.search_audit_page(&request).await?;
            events.extend(page.data);
            let next = page.meta.and_then(|m| m.page).and_then(|p| p.after);
            match next {
                None => return Ok(events),
                Some(cursor) if !cursors.insert(cursor.clone()) => {
                    return Err(ApiError::Listing {
                        operation: "search audit events",
                        detail: "the service returned the same cursor twice".into(),
                    })
                }
                Some(cursor) => request.page.cursor = Some(cursor),
            }
        }
        Err(ApiError::Listing {
            operation: "search audit events",
            detail: format!("stopped after {max_pages} pages"),
        })
    }
}
