//! What the gate tells a person before they confirm: the [`Summary`] of a plan (who it
//! touches, how many are admins or service accounts, what looks done already, which
//! application keys a disable revokes) and the confirmation its size asks for. Built from
//! the ordered items and the facts; decides nothing.

use std::collections::BTreeSet;

use serde::Serialize;
use time::OffsetDateTime;

use super::rules::ByUser;
use super::Refusal;
use crate::api::models::{UserId, UserStatus};
use crate::domain::{Confirmation, RECENT_KEY_DAYS};
use crate::runs::change::Change;
use crate::runs::observe::in_effect;
use crate::runs::plan::{Draft, Facts, KeyFact, Keys, PlanItem, Subject};

/// A user, for summaries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserRef {
    pub id: UserId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl UserRef {
    fn of(subject: &Subject) -> UserRef {
        UserRef {
            id: subject.id.clone(),
            name: subject.name.clone(),
            email: subject.email.clone(),
        }
    }

    /// "Ada Admin <ada@example.com>", or the id.
    pub fn label(&self) -> String {
        crate::runs::plan::label(&self.id, self.name.as_deref(), self.email.as_deref())
    }
}

/// One key a disable revokes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyRef {
    pub name: String,
    #[serde(with = "crate::api::models::timestamp::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// Used in the last 30 days: automation may break.
    pub recently_used: bool,
}

/// A user's keys that the plan revokes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserKeys {
    pub user: UserRef,
    pub keys: Vec<KeyRef>,
}

/// The application keys a plan revokes (Datadog revokes a user's keys on disable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeySummary {
    /// False when the keys could not be read (see `unknown_reason`).
    pub known: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_reason: Option<String>,
    pub total: usize,
    pub recently_used: usize,
    /// Owners with at least one key, most recently used first.
    pub owners: Vec<UserKeys>,
}

/// One item as the confirmation and `--dry-run` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemPreview {
    pub op: &'static str,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserRef>,
    /// "would disable", "already disabled: nothing to do", "no such user", ...
    pub expected: String,
}

/// What a plan contains and what it will break: shown before confirming, printed by
/// `--dry-run`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub title: String,
    /// When the org was read for this summary.
    #[serde(with = "crate::api::models::timestamp")]
    pub read_at: OffsetDateTime,
    /// Changes in the plan.
    pub changes: usize,
    /// Distinct users (or emails) it touches.
    pub users: usize,
    /// Holders of `user_access_manage` among them.
    pub admins: Vec<UserRef>,
    pub service_accounts: Vec<UserRef>,
    pub pending: usize,
    /// Changes that look done already (they will be read again and skipped).
    pub already_so: usize,
    /// Targets the service does not know.
    pub unknown_users: usize,
    /// Of the users, how many the console's filter or tab hides (the console sets it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_by_filter: Option<usize>,
    /// The plan could lock the caller out (disable, anonymize, or take away their
    /// `user_access_manage`); allowed, their items run last.
    pub includes_you: bool,
    /// For disables and anonymizations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<KeySummary>,
    pub destructive: bool,
    pub confirmation: Confirmation,
    pub refusals: Vec<Refusal>,
    pub items: Vec<ItemPreview>,
}

/// The summary of `items` (ordered by the gate) with the gate's `refusals`.
pub(super) fn summarize(
    draft: &Draft,
    facts: &Facts,
    items: &[PlanItem],
    by_user: &ByUser<'_>,
    includes_you: bool,
    refusals: Vec<Refusal>,
) -> Summary {
    let subjects: Vec<&Subject> = by_user
        .keys()
        .filter_map(|id| facts.subjects.get(*id))
        .collect();
    let users = by_user.len() + invited_emails(items);
    let previews = previews(facts, items);
    Summary {
        title: draft.title(),
        read_at: facts.read_at,
        changes: items.len(),
        users,
        admins: refs(&subjects, |s| facts.grants_manage(&s.roles)),
        service_accounts: refs(&subjects, |s| s.service_account),
        pending: subjects
            .iter()
            .filter(|s| s.status == UserStatus::Pending)
            .count(),
        already_so: previews.already_so,
        unknown_users: previews.unknown_users,
        hidden_by_filter: None,
        includes_you,
        keys: key_summary(facts, items),
        destructive: items.iter().any(|i| i.change.is_destructive()),
        confirmation: confirmation(facts, items, by_user, &subjects, users),
        refusals,
        items: previews.items,
    }
}

/// Distinct emails the plan invites (changes of no user id yet).
fn invited_emails(items: &[PlanItem]) -> usize {
    items
        .iter()
        .filter(|i| i.change.user().is_none())
        .map(|i| i.change.target().to_lowercase())
        .collect::<BTreeSet<String>>()
        .len()
}

/// The subjects that `keep` keeps, for listing.
fn refs(subjects: &[&Subject], keep: impl Fn(&Subject) -> bool) -> Vec<UserRef> {
    subjects
        .iter()
        .filter(|s| keep(s))
        .map(|s| UserRef::of(s))
        .collect()
}

/// How much typing the plan asks for: more for destruction, anonymization, a big set, or
/// admins and service accounts among the users destroyed.
fn confirmation(
    facts: &Facts,
    items: &[PlanItem],
    by_user: &ByUser<'_>,
    subjects: &[&Subject],
    users: usize,
) -> Confirmation {
    let destructive_users: BTreeSet<&UserId> = items
        .iter()
        .filter(|i| i.change.is_destructive())
        .filter_map(|i| by_user.get_key_value(&UserId(i.change.target().to_owned())))
        .map(|(id, _)| *id)
        .collect();
    let privileged = subjects
        .iter()
        .filter(|s| destructive_users.contains(&s.id))
        .filter(|s| s.service_account || facts.grants_manage(&s.roles))
        .count();
    let destructive = items.iter().any(|i| i.change.is_destructive());
    let anonymize = items
        .iter()
        .any(|i| matches!(i.change, Change::Anonymize { .. }));
    Confirmation::sized(destructive, anonymize, users, privileged)
}

/// Each item as it will be shown, and the counts of items already so and of unknown users.
struct Previews {
    items: Vec<ItemPreview>,
    already_so: usize,
    unknown_users: usize,
}

fn previews(facts: &Facts, items: &[PlanItem]) -> Previews {
    let mut previews = Previews {
        items: Vec::with_capacity(items.len()),
        already_so: 0,
        unknown_users: 0,
    };
    for item in items {
        let user = item.change.user();
        let subject = user.as_ref().and_then(|u| facts.subjects.get(u));
        let expected = match (&user, subject) {
            (Some(id), None) if facts.missing.contains_key(id) => {
                previews.unknown_users += 1;
                format!("no such user: {}", facts.missing[id])
            }
            (Some(_), Some(subject))
                if in_effect(&item.change, &subject.observed(&item.change)) =>
            {
                previews.already_so += 1;
                "already so: nothing to do".to_owned()
            }
            _ => format!("would {}", item.change.verb()),
        };
        previews.items.push(ItemPreview {
            op: item.change.verb(),
            target: item.change.target().to_owned(),
            user: subject.map(UserRef::of),
            expected,
        });
    }
    previews
}

/// The keys the plan's disables and anonymizations revoke; `None` when it revokes none.
fn key_summary(facts: &Facts, items: &[PlanItem]) -> Option<KeySummary> {
    let revoking: BTreeSet<UserId> = items
        .iter()
        .filter(|i| matches!(i.change, Change::Disable { .. } | Change::Anonymize { .. }))
        .filter_map(|i| i.change.user())
        .collect();
    if revoking.is_empty() {
        return None;
    }
    Some(match &facts.keys {
        Keys::Known(by_owner) => {
            let recent_since = facts.read_at - time::Duration::days(RECENT_KEY_DAYS);
            let mut owners: Vec<UserKeys> = revoking
                .iter()
                .filter_map(|id| {
                    let keys = by_owner.get(id).filter(|k| !k.is_empty())?;
                    Some(owner_keys(facts, id, keys, recent_since))
                })
                .collect();
            owners.sort_by(|a, b| b.keys[0].last_used_at.cmp(&a.keys[0].last_used_at));
            known_keys(owners)
        }
        Keys::Unknown(reason) => KeySummary {
            unknown_reason: Some(reason.clone()),
            known: false,
            ..known_keys(Vec::new())
        },
        Keys::NotNeeded => known_keys(Vec::new()),
    })
}

/// One owner's keys, most recently used first.
fn owner_keys(
    facts: &Facts,
    id: &UserId,
    keys: &[KeyFact],
    recent_since: OffsetDateTime,
) -> UserKeys {
    let user = facts.subjects.get(id).map(UserRef::of).unwrap_or(UserRef {
        id: id.clone(),
        name: None,
        email: None,
    });
    let mut keys: Vec<KeyRef> = keys
        .iter()
        .map(|k| KeyRef {
            name: k.name.clone(),
            last_used_at: k.last_used_at,
            recently_used: k.last_used_at.is_some_and(|t| t >= recent_since),
        })
        .collect();
    keys.sort_by_key(|k| std::cmp::Reverse(k.last_used_at));
    UserKeys { user, keys }
}

/// The summary of keys known to be `owners`' (none: nothing is revoked).
fn known_keys(owners: Vec<UserKeys>) -> KeySummary {
    KeySummary {
        known: true,
        unknown_reason: None,
        total: owners.iter().map(|o| o.keys.len()).sum(),
        recently_used: owners
            .iter()
            .flat_map(|o| &o.keys)
            .filter(|k| k.recently_used)
            .count(),
        owners,
    }
}
