//! The one change gate. Every change, from the console or the command line, is checked
//! here against the org as it was just read, and only a plan this module approved can be
//! run (a [`CheckedPlan`] has no other constructor). Pure: a draft and its facts in, a
//! [`Verdict`] out — the consequences to show before confirming, the refusals with how to
//! override them, and the plan ordered so that additions run before removals and the
//! caller's own items run last.
//!
//! Refused:
//! - everything under `--read-only`, and whatever the caller's permissions do not allow
//!   (the facts were read with the caller's keys; when they could not be read, there is no
//!   verdict at all: writes fail closed);
//! - disabling or anonymizing the caller, or taking away the role(s) that give them
//!   `user_access_manage` — unless allowed (`--allow-self`; in the console, typing one's
//!   own email);
//! - leaving the org with no active user who holds `user_access_manage`, or no active
//!   member of the Datadog Admin Role — never overridable here;
//! - resuming or undoing a run made against another org, or undoing a run again — unless
//!   forced (`--force`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::OffsetDateTime;

use super::change::Change;
use super::journal::RunId;
use super::observe::in_effect;
use super::plan::{Draft, Facts, Keys, PlanItem, Subject};
use crate::api::models::{OrgId, RoleId, UserId, UserStatus};
use crate::domain::{Confirmation, INVITE, MANAGE, RECENT_KEY_DAYS};

/// How the gate may be told to let more through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GateOptions {
    /// The caller may change themselves (their items run last).
    pub allow_self: bool,
    /// Resume or undo a run of another org, undo a run again, undo items changed since.
    pub force: bool,
}

/// Which guard rail refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    ReadOnly,
    Permission,
    SelfLockout,
    LastAdmin,
    OtherOrg,
    AlreadyUndone,
}

/// One refusal: why, and how to get past it when one may.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub rule: Rule,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how_to_override: Option<String>,
}

impl Refusal {
    /// The refusal as one line: what and how to override.
    pub fn line(&self) -> String {
        match &self.how_to_override {
            Some(how) => format!("{} — {how}", self.message),
            None => self.message.clone(),
        }
    }
}

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
        super::plan::label(&self.id, self.name.as_deref(), self.email.as_deref())
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

/// How a checked plan is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunKind {
    /// A new run (`of`: the run it undoes).
    Fresh { of: Option<RunId> },
    /// More of an existing run.
    Resume(RunId),
}

/// A plan the gate approved: the only thing a `Runner` runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedPlan {
    title: String,
    kind: RunKind,
    org: Option<OrgId>,
    by: Option<UserId>,
    items: Vec<PlanItem>,
    force: bool,
}

impl CheckedPlan {
    /// The run's title.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// New run or resume.
    pub fn kind(&self) -> &RunKind {
        &self.kind
    }
    /// The caller's org.
    pub fn org(&self) -> Option<&OrgId> {
        self.org.as_ref()
    }
    /// The caller.
    pub fn by(&self) -> Option<&UserId> {
        self.by.as_ref()
    }
    /// The items, ordered by stage.
    pub fn items(&self) -> &[PlanItem] {
        &self.items
    }
    /// Undo items changed since the run anyway.
    pub fn force(&self) -> bool {
        self.force
    }
}

/// The gate's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub summary: Summary,
    plan: Option<CheckedPlan>,
}

impl Verdict {
    /// The approved plan, when nothing was refused.
    pub fn plan(&self) -> Option<&CheckedPlan> {
        self.plan.as_ref()
    }

    /// The plan, or every refusal.
    pub fn into_plan(self) -> Result<CheckedPlan, Vec<Refusal>> {
        self.plan.ok_or(self.summary.refusals)
    }

    /// True when a refusal could be overridden by allowing self-changes (and only that).
    pub fn only_self_refused(&self) -> bool {
        !self.summary.refusals.is_empty()
            && self
                .summary
                .refusals
                .iter()
                .all(|r| r.rule == Rule::SelfLockout)
    }
}

/// The roles a user holds after the plan's role changes.
fn roles_after(subject: &Subject, changes: &[&Change]) -> Vec<RoleId> {
    let mut roles: BTreeSet<RoleId> = subject.roles.iter().cloned().collect();
    for change in changes {
        match change {
            Change::AddRole { role, .. } => {
                roles.insert(role.clone());
            }
            Change::RemoveRole { role, .. } => {
                roles.remove(role);
            }
            Change::Anonymize { .. } => roles.clear(),
            _ => {}
        }
    }
    roles.into_iter().collect()
}

/// Whether a user is active after the plan's changes of them.
fn active_after(subject: &Subject, changes: &[&Change]) -> bool {
    let mut status = subject.status.clone();
    for change in changes {
        match change {
            Change::Disable { .. } | Change::Anonymize { .. } => status = UserStatus::Disabled,
            // Enabling is not counted on: the user may come back as Pending.
            _ => {}
        }
    }
    status == UserStatus::Active
}

/// Checks `draft` against `facts`.
pub fn check(draft: &Draft, facts: &Facts, options: GateOptions) -> Verdict {
    let mut items = draft.items();
    let mut refusals = Vec::new();
    let all: Vec<Change> = items.iter().map(|i| i.change.clone()).collect();
    let changes: Vec<&Change> = all.iter().collect();

    // Read-only and permissions.
    if facts.read_only {
        refusals.push(Refusal {
            rule: Rule::ReadOnly,
            message: "refused: read-only mode (started with --read-only)".into(),
            how_to_override: Some("start without --read-only".into()),
        });
    } else if let Some(needed) = missing_permission(&changes, facts) {
        refusals.push(Refusal {
            rule: Rule::Permission,
            message: format!("refused: your user lacks the {needed} permission"),
            how_to_override: Some(format!("use keys of a user who holds {needed}")),
        });
    }

    // Per user: the changes of them.
    let mut by_user: BTreeMap<&UserId, Vec<&Change>> = BTreeMap::new();
    let user_ids: Vec<Option<UserId>> = changes.iter().map(|c| c.user()).collect();
    for (change, user) in changes.iter().zip(&user_ids) {
        if let Some(user) = user {
            by_user.entry(user).or_default().push(change);
        }
    }

    // The caller.
    let me = &facts.caller.id;
    let mut includes_you = false;
    if !facts.read_only {
        if let (Some(my_changes), Some(subject)) = (by_user.get(me), facts.subjects.get(me)) {
            let locks_out = my_changes
                .iter()
                .any(|c| matches!(c, Change::Disable { .. } | Change::Anonymize { .. }))
                || (facts.grants_manage(&subject.roles)
                    && !facts.grants_manage(&roles_after(subject, my_changes)));
            includes_you = locks_out;
            if locks_out && !options.allow_self {
                refusals.push(Refusal {
                    rule: Rule::SelfLockout,
                    message: format!(
                        "refused: {} is you (the owner of the application key in use); this would lock you out mid-run",
                        subject.label()
                    ),
                    how_to_override: Some(
                        "leave yourself out, or allow it (--allow-self; in the console, type your email) and it runs last".into(),
                    ),
                });
            }
        }
    }

    // The last admin.
    if !facts.read_only {
        let subjects: Vec<(&Subject, &Vec<&Change>)> = by_user
            .iter()
            .filter_map(|(id, cs)| facts.subjects.get(*id).map(|s| (s, cs)))
            .collect();
        let manager_now =
            |s: &Subject| s.status == UserStatus::Active && facts.grants_manage(&s.roles);
        let manager_after = |s: &Subject, cs: &[&Change]| {
            active_after(s, cs) && facts.grants_manage(&roles_after(s, cs))
        };
        let before = facts.other_managers || subjects.iter().any(|(s, _)| manager_now(s));
        let after = facts.other_managers || subjects.iter().any(|(s, cs)| manager_after(s, cs));
        if before && !after {
            refusals.push(Refusal {
                rule: Rule::LastAdmin,
                message: format!(
                    "refused: this would leave the org with no active user who holds {MANAGE} (nobody could manage users)"
                ),
                how_to_override: Some(
                    "give another active user a role with that permission first; this tool will not do it".into(),
                ),
            });
        }
        if let Some(admin_role) = facts.admin_role() {
            let member_now =
                |s: &Subject| s.status == UserStatus::Active && s.roles.contains(admin_role);
            let member_after = |s: &Subject, cs: &[&Change]| {
                active_after(s, cs) && roles_after(s, cs).contains(admin_role)
            };
            let before = facts.other_admin_members || subjects.iter().any(|(s, _)| member_now(s));
            let after =
                facts.other_admin_members || subjects.iter().any(|(s, cs)| member_after(s, cs));
            if before && !after && !refusals.iter().any(|r| r.rule == Rule::LastAdmin) {
                refusals.push(Refusal {
                    rule: Rule::LastAdmin,
                    message: format!(
                        "refused: this would leave the {} with no active member",
                        crate::domain::ADMIN_ROLE_NAME
                    ),
                    how_to_override: Some(
                        "add another active user to that role first; this tool will not do it"
                            .into(),
                    ),
                });
            }
        }
    }

    // Runs of other orgs, runs undone already.
    if let Some(run) = draft.source() {
        let other_org = match (&run.org, &facts.caller.org) {
            (Some(then), Some(now)) => then != now,
            _ => false,
        };
        if !facts.read_only && !options.force && (other_org || run.origin != facts.origin) {
            let message = if other_org {
                format!(
                    "refused: run {} was made in another org ({}) than these keys belong to ({})",
                    run.run,
                    run.org.as_ref().map(|o| o.as_str()).unwrap_or("?"),
                    facts.caller.org.as_ref().map(|o| o.as_str()).unwrap_or("?")
                )
            } else {
                format!(
                    "refused: run {} was made against {}, but this talks to {}",
                    run.run, run.origin, facts.origin
                )
            };
            refusals.push(Refusal {
                rule: Rule::OtherOrg,
                message,
                how_to_override: Some("use that org's keys and address (or --force)".into()),
            });
        }
        if let Draft::Undo { undone_by, .. } = draft {
            if !undone_by.is_empty() && !options.force {
                let by: Vec<String> = undone_by.iter().map(|r| r.to_string()).collect();
                refusals.push(Refusal {
                    rule: Rule::AlreadyUndone,
                    message: format!(
                        "refused: run {} was undone already (by run {})",
                        run.run,
                        by.join(", ")
                    ),
                    how_to_override: Some("--force undoes it again".into()),
                });
            }
        }
    }

    // Stages: additions before removals; the caller's own items last.
    for item in &mut items {
        let mine = includes_you && item.change.user().as_ref() == Some(me);
        let removal = matches!(item.change, Change::RemoveRole { .. });
        item.stage = u8::from(mine) * 2 + u8::from(removal);
    }
    items.sort_by_key(|i| i.stage);

    let summary = summarize(draft, facts, &items, &by_user, includes_you, refusals);
    let plan = summary.refusals.is_empty().then(|| CheckedPlan {
        title: draft.title(),
        kind: match draft {
            Draft::Resume { run } => RunKind::Resume(run.run.clone()),
            Draft::Undo { run, .. } => RunKind::Fresh {
                of: Some(run.run.clone()),
            },
            Draft::New { .. } => RunKind::Fresh { of: None },
        },
        org: facts.caller.org.clone(),
        by: Some(facts.caller.id.clone()),
        items,
        force: options.force,
    });
    Verdict { summary, plan }
}

/// The permission the caller lacks for `changes`, if any. Invitations need
/// `user_access_invite` (or manage); the caller's own profile needs nothing more; the rest
/// need `user_access_manage`.
fn missing_permission(changes: &[&Change], facts: &Facts) -> Option<&'static str> {
    let caller = &facts.caller;
    for change in changes {
        let allowed = match change {
            Change::Invite { .. }
            | Change::ResendInvitation { .. }
            | Change::CancelInvitations { .. } => caller.has(MANAGE) || caller.has(INVITE),
            Change::Update {
                current_user: true, ..
            } => true,
            _ => caller.has(MANAGE),
        };
        if !allowed {
            return Some(match change {
                Change::Invite { .. }
                | Change::ResendInvitation { .. }
                | Change::CancelInvitations { .. } => INVITE,
                _ => MANAGE,
            });
        }
    }
    None
}

fn summarize(
    draft: &Draft,
    facts: &Facts,
    items: &[PlanItem],
    by_user: &BTreeMap<&UserId, Vec<&Change>>,
    includes_you: bool,
    refusals: Vec<Refusal>,
) -> Summary {
    let subjects: Vec<&Subject> = by_user
        .keys()
        .filter_map(|id| facts.subjects.get(*id))
        .collect();
    let emails: BTreeSet<String> = items
        .iter()
        .filter(|i| i.change.user().is_none())
        .map(|i| i.change.target().to_lowercase())
        .collect();
    let destructive_users: BTreeSet<&UserId> = items
        .iter()
        .filter(|i| i.change.is_destructive())
        .filter_map(|i| by_user.get_key_value(&UserId(i.change.target().to_owned())))
        .map(|(id, _)| *id)
        .collect();
    let admins: Vec<UserRef> = subjects
        .iter()
        .filter(|s| facts.grants_manage(&s.roles))
        .map(|s| UserRef::of(s))
        .collect();
    let service_accounts: Vec<UserRef> = subjects
        .iter()
        .filter(|s| s.service_account)
        .map(|s| UserRef::of(s))
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
    let users = by_user.len() + emails.len();
    let confirmation = Confirmation::sized(destructive, anonymize, users, privileged);

    let mut already_so = 0;
    let mut unknown_users = 0;
    let previews = items
        .iter()
        .map(|item| {
            let user = item.change.user();
            let subject = user.as_ref().and_then(|u| facts.subjects.get(u));
            let expected = match (&user, subject) {
                (Some(id), None) if facts.missing.contains_key(id) => {
                    unknown_users += 1;
                    format!("no such user: {}", facts.missing[id])
                }
                (Some(_), Some(subject))
                    if in_effect(&item.change, &subject.observed(&item.change)) =>
                {
                    already_so += 1;
                    "already so: nothing to do".to_owned()
                }
                _ => format!("would {}", item.change.verb()),
            };
            ItemPreview {
                op: item.change.verb(),
                target: item.change.target().to_owned(),
                user: subject.map(UserRef::of),
                expected,
            }
        })
        .collect();
    let keys = key_summary(facts, items);
    Summary {
        title: draft.title(),
        read_at: facts.read_at,
        changes: items.len(),
        users,
        admins,
        service_accounts,
        pending: subjects
            .iter()
            .filter(|s| s.status == UserStatus::Pending)
            .count(),
        already_so,
        unknown_users,
        hidden_by_filter: None,
        includes_you,
        keys,
        destructive,
        confirmation,
        refusals,
        items: previews,
    }
}

fn key_summary(facts: &Facts, items: &[PlanItem]) -> Option<KeySummary> {
    let revoking: BTreeSet<UserId> = items
        .iter()
        .filter(|i| matches!(i.change, Change::Disable { .. } | Change::Anonymize { .. }))
        .filter_map(|i| i.change.user())
        .collect();
    if revoking.is_empty() {
        return None;
    }
    let recent_since = facts.read_at - time::Duration::days(RECENT_KEY_DAYS);
    Some(match &facts.keys {
        Keys::Known(by_owner) => {
            let mut owners: Vec<UserKeys> = revoking
                .iter()
                .filter_map(|id| {
                    let keys = by_owner.get(id).filter(|k| !k.is_empty())?;
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
                    Some(UserKeys { user, keys })
                })
                .collect();
            owners.sort_by(|a, b| b.keys[0].last_used_at.cmp(&a.keys[0].last_used_at));
            let total = owners.iter().map(|o| o.keys.len()).sum();
            let recently_used = owners
                .iter()
                .flat_map(|o| &o.keys)
                .filter(|k| k.recently_used)
                .count();
            KeySummary {
                known: true,
                unknown_reason: None,
                total,
                recently_used,
                owners,
            }
        }
        Keys::Unknown(reason) => KeySummary {
            known: false,
            unknown_reason: Some(reason.clone()),
            total: 0,
            recently_used: 0,
            owners: Vec::new(),
        },
        Keys::NotNeeded => KeySummary {
            known: true,
            unknown_reason: None,
            total: 0,
            recently_used: 0,
            owners: Vec::new(),
        },
    })
}

#[cfg(test)]
mod tests;
