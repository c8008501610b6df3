//! Audit Trail documents (API.md §12): an event list page and the search request. Only the
//! fields ddusers reads are typed; the rest of an event's inner `attributes` (http,
//! network, …) is ignored on the way in.

use serde::{Deserialize, Serialize};

/// A page of Audit Trail events (`GET /api/v2/audit/events`, its search twin).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditEventsResponse {
    #[serde(default)]
    pub data: Vec<AuditEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<AuditMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<AuditLinks>,
}

/// `meta` of an events page; the next cursor is `page.after`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<AuditPageMeta>,
}

/// The cursor of the next page; absent on the last one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditPageMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// `links` of an events page: the URL of the next one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditLinks {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// One event (`type: audit`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub attributes: AuditEventAttributes,
}

/// The event's envelope: when, the sentence, tags, and the event's own attributes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEventAttributes {
    /// RFC 3339, as the service writes it (`2022-04-13T09:21:13.750Z`).
    pub timestamp: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub attributes: AuditDetails,
}

/// The event's attributes ddusers reads (`@evt.name`, `@asset.*`, `@usr.*`, `@action`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evt: Option<AuditEvt>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<AuditAsset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usr: Option<AuditActor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// `@evt`: the event family, e.g. "Access Management" or "Request".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditEvt {
    #[serde(default)]
    pub name: Option<String>,
}

/// `@asset`: what was changed, and its fields before and after where the service gives them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditAsset {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_value: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_value: Option<serde_json::Value>,
}

/// `@usr`: who did it (the service puts the email in `id` too).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditActor {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub uuid: Option<String>,
}

/// SearchAuditLogs' body (`POST /api/v2/audit/events/search`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditSearchRequest {
    #[serde(default)]
    pub filter: AuditSearchFilter,
    #[serde(default)]
    pub page: AuditSearchPage,
    /// `timestamp` (oldest first) or `-timestamp` (newest first, the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
}

/// The search's query and time range (`now`, `now-15m`, `now-90d`, or RFC 3339).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditSearchFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// The page size and the cursor from the previous page's `meta.page.after`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditSearchPage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
