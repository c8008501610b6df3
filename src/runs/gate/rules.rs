//! The guard rails, one function each: given the draft, the facts read and the changes per
//! user, each says whether it refuses and why. The gate (`check`) calls them in the order
//! their refusals are shown; nothing here orders or runs a plan.

use std::collections::{BTreeMap, BTreeSet};

use super::{GateOptions, Refusal, Rule};
use crate::api::models::{RoleId, UserId, UserStatus};
use crate::domain::{ADMIN_ROLE_NAME, INVITE, MANAGE};
use crate::runs::change::Change;
use crate::runs::plan::{Draft, Facts, Subject};

/// The changes a plan makes, by the user they change.
pub(super) type ByUser<'a> = BTreeMap<&'a UserId, Vec<&'a Change>>;

/// Groups `changes` by the user each one changes (`user_ids[i]` is the user of
/// `changes[i]`); changes of no user (invitations by email) are left out.
pub(super) fn by_user<'a>(changes: &[&'a Change], user_ids: &'a [Option<UserId>]) -> ByUser<'a> {
    let mut by_user: ByUser<'a> = BTreeMap::new();
    for (change, user) in changes.iter().zip(user_ids) {
        if let Some(user) = user {
            by_user.entry(user).or_default().push(change);
        }
    }
    by_user
}

/// Read-only mode refuses everything; otherwise the first permission the caller lacks.
pub(super) fn access(changes: &[&Change], facts: &Facts) -> Option<Refusal> {
    if facts.read_only {
        return Some(Refusal {
            rule: Rule::ReadOnly,
            message: "refused: read-only mode (started with --read-only)".into(),
            how_to_override: Some("start without --read-only".into()),
        });
    }
    missing_permission(changes, facts).map(|needed| Refusal {
        rule: Rule::Permission,
        message: format!("refused: your user lacks the {needed} permission"),
        how_to_override: Some(format!("use keys of a user who holds {needed}")),
    })
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

/// Whether the plan could lock the caller out (disable or anonymize them, or take away
/// every role giving them `user_access_manage`), and the refusal when that is not allowed.
pub(super) fn self_lockout(
    facts: &Facts,
    by_user: &ByUser<'_>,
    options: GateOptions,
) -> (bool, Option<Refusal>) {
    if facts.read_only {
        return (false, None);
    }
    let me = &facts.caller.id;
    let (Some(my_changes), Some(subject)) = (by_user.get(me), facts.subjects.get(me)) else {
        return (false, None);
    };
    let locks_out = my_changes
        .iter()
        .any(|c| matches!(c, Change::Disable { .. } | Change::Anonymize { .. }))
        || (facts.grants_manage(&subject.roles)
            && !facts.grants_manage(&roles_after(subject, my_changes)));
    let refusal = (locks_out && !options.allow_self).then(|| Refusal {
        rule: Rule::SelfLockout,
        message: format!(
            "refused: {} is you (the owner of the application key in use); this would lock you out mid-run",
            subject.label()
        ),
        how_to_override: Some(
            "leave yourself out, or allow it (--allow-self; in the console, type your email) and it runs last".into(),
        ),
    });
    (locks_out, refusal)
}

/// The users the plan changes that were read, each with its changes.
type Touched<'a> = Vec<(&'a Subject, &'a Vec<&'a Change>)>;

/// Refuses a plan that leaves nobody able to manage users, or the Datadog Admin Role with
/// no active member (one refusal at most: the first says enough). Never overridable here.
pub(super) fn last_admin(facts: &Facts, by_user: &ByUser<'_>) -> Option<Refusal> {
    if facts.read_only {
        return None;
    }
    let touched: Touched<'_> = by_user
        .iter()
        .filter_map(|(id, cs)| facts.subjects.get(*id).map(|s| (s, cs)))
        .collect();
    last_manager(facts, &touched).or_else(|| last_admin_member(facts, &touched))
}

/// Refuses when some active user holds `user_access_manage` now and none would after.
fn last_manager(facts: &Facts, touched: &Touched<'_>) -> Option<Refusal> {
    let manager_now = |s: &Subject| s.status == UserStatus::Active && facts.grants_manage(&s.roles);
    let manager_after = |s: &Subject, cs: &[&Change]| {
        active_after(s, cs) && facts.grants_manage(&roles_after(s, cs))
    };
    let before = facts.other_managers || touched.iter().any(|(s, _)| manager_now(s));
    let after = facts.other_managers || touched.iter().any(|(s, cs)| manager_after(s, cs));
    (before && !after).then(|| Refusal {
        rule: Rule::LastAdmin,
        message: format!(
            "refused: this would leave the org with no active user who holds {MANAGE} (nobody could manage users)"
        ),
        how_to_override: Some(
            "give another active user a role with that permission first; this tool will not do it".into(),
        ),
    })
}

/// Refuses when the Datadog Admin Role has an active member now and would have none after.
fn last_admin_member(facts: &Facts, touched: &Touched<'_>) -> Option<Refusal> {
    let admin_role = facts.admin_role()?;
    let member_now = |s: &Subject| s.status == UserStatus::Active && s.roles.contains(admin_role);
    let member_after = |s: &Subject, cs: &[&Change]| {
        active_after(s, cs) && roles_after(s, cs).contains(admin_role)
    };
    let before = facts.other_admin_members || touched.iter().any(|(s, _)| member_now(s));
    let after = facts.other_admin_members || touched.iter().any(|(s, cs)| member_after(s, cs));
    (before && !after).then(|| Refusal {
        rule: Rule::LastAdmin,
        message: format!("refused: this would leave the {ADMIN_ROLE_NAME} with no active member"),
        how_to_override: Some(
            "add another active user to that role first; this tool will not do it".into(),
        ),
    })
}

/// For a resume or an undo: refuses a run made against another org (or address), and an
/// undo of a run undone already — unless forced.
pub(super) fn source_run(draft: &Draft, facts: &Facts, options: GateOptions) -> Vec<Refusal> {
    let Some(run) = draft.source() else {
        return Vec::new();
    };
    let mut refusals = Vec::new();
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
    refusals
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
