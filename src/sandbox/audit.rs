//! The sandbox's Audit Trail: an "Access Management" event for every change to a user
//! that the one write path (`Shared::change_as`) applies, a seeded history for the demo
//! org, and the search over them (query terms, time range, cursor). Knows nothing of HTTP.
//!
//! Choices where the real service is undocumented or richer than the sandbox:
//! - The query language is Datadog's log search; the sandbox understands the ANDed terms
//!   `@asset.type:X`, `@asset.id:X`, `@asset.name:X`, `@evt.name:X` (quoted or not),
//!   `@usr.email:X` and `@action:X`. Other terms (free text, `OR`, `-negation`, other
//!   attributes) are ignored rather than refused, so a query written for the real service
//!   still returns the sandbox's events (possibly more of them).
//! - Before/after values go in `@asset.prev_value` / `@asset.new_value`, one key per
//!   changed field (`roles` as role names, `status`, `email`, `name`, `title`).
//! - Cursors are opaque strings that name the last event of the page; the last page has
//!   no `meta.page.after`. Events older than 90 days (the retention) are never returned.
//! - Events live in memory only: a state file keeps the org, not its history.

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::store::{Store, UserRec};
use crate::api::models::{
    AuditActor, AuditAsset, AuditDetails, AuditEvent, AuditEventAttributes, AuditEvt,
};

/// How long the service keeps events when Audit Trail is enabled.
const RETENTION: Duration = Duration::days(90);
/// The event family of user and role changes.
pub(crate) const ACCESS_MANAGEMENT: &str = "Access Management";

/// One recorded event, with its time parsed for filtering and its place in the trail.
#[derive(Clone, Debug)]
pub(crate) struct AuditRec {
    pub seq: u64,
    pub at: OffsetDateTime,
    pub event: AuditEvent,
}

/// Every event, oldest first (appended in time order, so `seq` order is time order).
#[derive(Clone, Debug, Default)]
pub(crate) struct AuditTrail {
    events: Vec<AuditRec>,
}

/// The audited fields of a user, as they were before a change.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AuditedUser {
    name: Option<String>,
    email: String,
    title: Option<String>,
    status: &'static str,
    roles: Vec<String>,
}

impl AuditedUser {
    fn of(user: &UserRec) -> Self {
        Self {
            name: user.name.clone(),
            email: user.email.clone(),
            title: user.title.clone(),
            status: if user.disabled { "disabled" } else { "enabled" },
            roles: user.roles.clone(),
        }
    }
}

/// The audited fields of every user, taken before a change so it can be described after.
pub(crate) fn before_change(store: &Store) -> Vec<AuditedUser> {
    store.users.iter().map(AuditedUser::of).collect()
}

/// Who made a change, as `@usr` names them.
fn actor_of(user: &UserRec) -> AuditActor {
    AuditActor {
        id: Some(user.email.clone()),
        email: Some(user.email.clone()),
        uuid: Some(user.id.clone()),
    }
}

fn role_names(store: &Store, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| match store.role_index(id) {
            Some(r) => store.roles[r].name.clone(),
            None => id.clone(),
        })
        .collect()
}

/// The changed fields as `(prev_value, new_value, phrases for the message)`.
fn describe(
    store: &Store,
    before: &AuditedUser,
    after: &AuditedUser,
) -> (Value, Value, Vec<String>) {
    let (mut prev, mut new, mut said) = (Map::new(), Map::new(), Vec::new());
    if before.roles != after.roles {
        let (was, is) = (
            role_names(store, &before.roles),
            role_names(store, &after.roles),
        );
        for role in is.iter().filter(|r| !was.contains(r)) {
            said.push(format!("added role {role}"));
        }
        for role in was.iter().filter(|r| !is.contains(r)) {
            said.push(format!("removed role {role}"));
        }
        prev.insert("roles".into(), json!(was));
        new.insert("roles".into(), json!(is));
    }
    if before.status != after.status {
        said.push(if after.status == "disabled" {
            "disabled".into()
        } else {
            "enabled".into()
        });
        prev.insert("status".into(), json!(before.status));
        new.insert("status".into(), json!(after.status));
    }
    for (field, was, is) in [
        ("email", Some(&before.email), Some(&after.email)),
        ("name", before.name.as_ref(), after.name.as_ref()),
        ("title", before.title.as_ref(), after.title.as_ref()),
    ] {
        if was != is {
            said.push(format!("changed {field}"));
            prev.insert(field.into(), json!(was));
            new.insert(field.into(), json!(is));
        }
    }
    (Value::Object(prev), Value::Object(new), said)
}

impl AuditTrail {
    /// Records one event per user that `before` → the store's users changed or created.
    pub(crate) fn record_changes(
        &mut self,
        store: &Store,
        before: &[AuditedUser],
        actor: usize,
        at: OffsetDateTime,
    ) {
        for (idx, user) in store.users.iter().enumerate() {
            let after = AuditedUser::of(user);
            match before.get(idx) {
                Some(was) if *was == after => {}
                Some(was) => {
                    let (prev, new, said) = describe(store, was, &after);
                    let what = said.join(", ");
                    self.push_user_event(
                        store,
                        actor,
                        idx,
                        at,
                        "modified",
                        &what,
                        (Some(prev), Some(new)),
                    );
                }
                None => {
                    let new =
                        json!({"email": after.email, "roles": role_names(store, &after.roles)});
                    self.push_user_event(
                        store,
                        actor,
                        idx,
                        at,
                        "created",
                        "created",
                        (None, Some(new)),
                    );
                }
            }
        }
    }

    /// Appends an event about user `idx` made by user `actor`.
    #[allow(clippy::too_many_arguments)]
    fn push_user_event(
        &mut self,
        store: &Store,
        actor: usize,
        idx: usize,
        at: OffsetDateTime,
        action: &str,
        what: &str,
        (prev_value, new_value): (Option<Value>, Option<Value>),
    ) {
        let (who, user) = (&store.users[actor], &store.users[idx]);
        let seq = self.events.len() as u64 + 1;
        let label = user.name.clone().unwrap_or_else(|| user.email.clone());
        let event = AuditEvent {
            kind: "audit".into(),
            id: format!("AQAAAZ{seq:020}"),
            attributes: AuditEventAttributes {
                timestamp: timestamp(at),
                message: Some(format!("{} {what} for user {label}", who.email)),
                tags: vec!["source:audit".into()],
                attributes: AuditDetails {
                    evt: Some(AuditEvt {
                        name: Some(ACCESS_MANAGEMENT.into()),
                    }),
                    asset: Some(AuditAsset {
                        kind: Some("user".into()),
                        id: Some(user.id.clone()),
                        name: Some(label),
                        prev_value,
                        new_value,
                    }),
                    usr: Some(actor_of(who)),
                    action: Some(action.into()),
                },
            },
        };
        self.events.push(AuditRec { seq, at, event });
    }

    /// The events matching `search`, in its order, from after its cursor; and the cursor
    /// of the next page when there are more.
    pub(crate) fn search(
        &self,
        search: &TrailSearch,
        now: OffsetDateTime,
    ) -> (Vec<AuditEvent>, Option<String>) {
        let oldest = now - RETENTION;
        let after: Option<u64> = search
            .cursor
            .as_deref()
            .and_then(|c| c.strip_prefix('c')?.parse().ok());
        let keep = |rec: &&AuditRec| {
            rec.at >= search.from.max(oldest)
                && rec.at <= search.to
                && search.terms.iter().all(|t| t.matches(&rec.event))
                && after.is_none_or(|a| {
                    if search.newest_first {
                        rec.seq < a
                    } else {
                        rec.seq > a
                    }
                })
        };
        let matching: Box<dyn Iterator<Item = &AuditRec>> = if search.newest_first {
            Box::new(self.events.iter().rev().filter(keep))
        } else {
            Box::new(self.events.iter().filter(keep))
        };
        let mut page: Vec<&AuditRec> = matching.take(search.limit + 1).collect();
        let more = page.len() > search.limit;
        page.truncate(search.limit);
        let cursor = more
            .then(|| page.last().map(|r| format!("c{}", r.seq)))
            .flatten();
        (page.into_iter().map(|r| r.event.clone()).collect(), cursor)
    }
}

fn timestamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// A search: parsed query terms, the time range, the order, the page.
#[derive(Clone, Debug)]
pub(crate) struct TrailSearch {
    pub terms: Vec<Term>,
    pub from: OffsetDateTime,
    pub to: OffsetDateTime,
    pub newest_first: bool,
    pub limit: usize,
    pub cursor: Option<String>,
}

/// One understood query term: an attribute path and the value it must equal.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Term {
    attribute: String,
    value: String,
}

impl Term {
    fn matches(&self, event: &AuditEvent) -> bool {
        let details = &event.attributes.attributes;
        let asset = details.asset.as_ref();
        let found = match self.attribute.as_str() {
            "asset.type" => asset.and_then(|a| a.kind.as_deref()),
            "asset.id" => asset.and_then(|a| a.id.as_deref()),
            "asset.name" => asset.and_then(|a| a.name.as_deref()),
            "evt.name" => details.evt.as_ref().and_then(|e| e.name.as_deref()),
            "usr.email" => details.usr.as_ref().and_then(|u| u.email.as_deref()),
            "action" => details.action.as_deref(),
            _ => return true,
        };
        found.is_some_and(|f| f.eq_ignore_ascii_case(&self.value))
    }
}

const UNDERSTOOD: &[&str] = &[
    "asset.type",
    "asset.id",
    "asset.name",
    "evt.name",
    "usr.email",
    "action",
];

/// The understood terms of a query; everything else is ignored (see the module's notes).
pub(crate) fn parse_query(query: &str) -> Vec<Term> {
    split_terms(query)
        .into_iter()
        .filter_map(|term| {
            let (attribute, value) = term.strip_prefix('@')?.split_once(':')?;
            let value = value.trim_matches('"');
            (UNDERSTOOD.contains(&attribute) && !value.is_empty()).then(|| Term {
                attribute: attribute.to_owned(),
                value: value.to_owned(),
            })
        })
        .collect()
}

/// Splits on spaces outside double quotes.
fn split_terms(query: &str) -> Vec<String> {
    let (mut terms, mut current, mut quoted) = (Vec::new(), String::new(), false);
    for c in query.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                terms.extend((!current.is_empty()).then(|| std::mem::take(&mut current)))
            }
            c => current.push(c),
        }
    }
    terms.extend((!current.is_empty()).then_some(current));
    terms
}

/// A time of the range: `now`, `now-<N><s|m|h|d|w>`, RFC 3339, or Unix milliseconds.
pub(crate) fn parse_time(text: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let text = text.trim();
    if text == "now" {
        return Some(now);
    }
    if let Some(ago) = text.strip_prefix("now-") {
        let unit = ago.chars().last()?;
        let n: i64 = ago[..ago.len() - unit.len_utf8()].parse().ok()?;
        let span = match unit {
            's' => Duration::seconds(n),
            'm' => Duration::minutes(n),
            'h' => Duration::hours(n),
            'd' => Duration::days(n),
            'w' => Duration::weeks(n),
            _ => return None,
        };
        return Some(now - span);
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    let millis: i128 = text.parse().ok()?;
    OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000).ok()
}

/// Seeds a plausible history for the demo org: the demo admin granted the current roles of
/// a few people and disabled a few of the disabled ones, at fixed days before `today`
/// (inside the retention, oldest first). The same org gives the same history.
pub(crate) fn seed_history(store: &Store, today: OffsetDateTime) -> AuditTrail {
    let mut trail = AuditTrail::default();
    let people = |disabled: bool| {
        (2..store.users.len()).filter(move |&i| {
            !store.users[i].service_account && store.users[i].disabled == disabled
        })
    };
    let granted: Vec<usize> = people(false)
        .filter(|&i| !store.users[i].roles.is_empty())
        .take(4)
        .collect();
    let disabled: Vec<usize> = people(true).take(2).collect();
    let mut day = 80;
    for idx in granted {
        let roles = role_names(store, &store.users[idx].roles);
        let what = format!("added role {}", roles.join(", added role "));
        let values = (Some(json!({"roles": []})), Some(json!({"roles": roles})));
        trail.push_user_event(
            store,
            0,
            idx,
            today - Duration::days(day),
            "modified",
            &what,
            values,
        );
        day -= 11;
    }
    for idx in disabled {
        let values = (
            Some(json!({"status": "enabled"})),
            Some(json!({"status": "disabled"})),
        );
        trail.push_user_event(
            store,
            0,
            idx,
            today - Duration::days(day),
            "modified",
            "disabled",
            values,
        );
        day -= 13;
    }
    trail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_keep_understood_terms_and_ignore_the_rest() {
        let terms = parse_query(
            r#"@evt.name:"Access Management" AND @asset.type:user -@usr.email:x free @http.method:GET"#,
        );
        let attributes: Vec<&str> = terms.iter().map(|t| t.attribute.as_str()).collect();
        assert_eq!(attributes, ["evt.name", "asset.type"]);
        assert_eq!(terms[0].value, "Access Management");
    }

    #[test]
    fn times_read_now_relative_rfc3339_and_milliseconds() {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).expect("a time");
        assert_eq!(parse_time("now", now), Some(now));
        assert_eq!(parse_time("now-90d", now), Some(now - Duration::days(90)));
        assert_eq!(
            parse_time("now-15m", now),
            Some(now - Duration::minutes(15))
        );
        assert_eq!(
            parse_time("2027-01-15T08:00:00Z", now).map(|t| t.unix_timestamp()),
            Some(1_800_000_000)
        );
        assert_eq!(parse_time("1800000000000", now), Some(now));
        assert_eq!(parse_time("yesterday", now), None);
        assert_eq!(parse_time("now-5y", now), None);
    }
}
