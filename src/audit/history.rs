//! A user's change history: who changed their roles, status, email (and name, title), and
//! when, newest first; from Audit Trail events, or from the local journal when Audit Trail
//! is not available. Pure: the caller reads the events or the journal.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::api::models::AuditEvent;
use crate::api::ApiError;
use crate::runs::journal::RunState;

/// The Audit Trail query of one user's access-management events.
pub fn audit_query(user_id: &str) -> String {
    format!("@evt.name:\"Access Management\" @asset.type:user @asset.id:{user_id}")
}

/// Why Audit Trail could not give the history, as one sentence: a refusal names the
/// permission; anything else says what went wrong.
pub fn unavailable_reason(error: &ApiError) -> String {
    match error.status() {
        Some(403) => {
            "Audit Trail is not permitted for these keys (their user lacks audit_logs_read)"
                .to_owned()
        }
        _ => format!("Audit Trail is not available ({error})"),
    }
}

/// Where an entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistorySource {
    AuditTrail,
    Journal,
}

/// One change to the user.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// RFC 3339, UTC.
    pub at: String,
    /// Who did it: an email from Audit Trail, the keys' user id from the journal.
    pub actor: String,
    pub action: String,
    /// What changed, in words (the event's message, or the journal item's outcome).
    pub change: String,
    pub source: HistorySource,
}

/// A user's history as the console shows it: the entries, and when Audit Trail could not
/// be read, the sentence saying why (the entries then come from the local journal).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    pub entries: Vec<HistoryEntry>,
    pub unavailable: Option<String>,
}

/// Entries of Audit Trail events, newest first.
pub fn from_audit_events(events: &[AuditEvent]) -> Vec<HistoryEntry> {
    let mut entries: Vec<HistoryEntry> = events
        .iter()
        .map(|event| {
            let details = &event.attributes.attributes;
            let actor = details
                .usr
                .as_ref()
                .and_then(|u| u.email.clone().or_else(|| u.id.clone()));
            HistoryEntry {
                at: event.attributes.timestamp.clone(),
                actor: actor.unwrap_or_else(|| "unknown".into()),
                action: details.action.clone().unwrap_or_default(),
                change: event.attributes.message.clone().unwrap_or_default(),
                source: HistorySource::AuditTrail,
            }
        })
        .collect();
    newest_first(&mut entries);
    entries
}

/// Entries of the journal's items about `user_id` since `since`, newest first.
pub fn from_journal(runs: &[RunState], user_id: &str, since: OffsetDateTime) -> Vec<HistoryEntry> {
    let mut entries = Vec::new();
    for run in runs.iter().filter(|run| run.at >= since) {
        for (i, change) in run.changes.iter().enumerate() {
            if change.user().is_none_or(|u| u.as_str() != user_id) {
                continue;
            }
            let outcome = match run.outcomes.get(i).and_then(Option::as_ref) {
                Some(result) => format!("{}: {}", result.label(), result.detail()),
                None => "no outcome recorded".to_owned(),
            };
            entries.push(HistoryEntry {
                at: run.at.format(&Rfc3339).unwrap_or_default(),
                actor: run
                    .by
                    .as_ref()
                    .map_or_else(|| "unknown".into(), |u| u.to_string()),
                action: change.verb().to_owned(),
                change: format!("{} ({outcome})", run.title),
                source: HistorySource::Journal,
            });
        }
    }
    newest_first(&mut entries);
    entries
}

/// RFC 3339 UTC times sort as text once their fractions agree; parse to be safe.
fn newest_first(entries: &mut [HistoryEntry]) {
    let key = |e: &HistoryEntry| OffsetDateTime::parse(&e.at, &Rfc3339).ok();
    entries.sort_by_key(|e| std::cmp::Reverse(key(e)));
}
