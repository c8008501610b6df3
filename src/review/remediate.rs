//! From decisions to changes: what `review apply` hands to the change gate. A user with a
//! `disable` decision is disabled (their other decisions are moot); otherwise each revoked
//! role is removed and each changed role is replaced (the new role added first, so the
//! user is never left without one). Users whose status or roles changed since the snapshot
//! are left out, listed with what changed, unless forced: the decision was made about the
//! account as it was.

use std::collections::BTreeMap;

use crate::api::models::UserId;
use crate::org::Org;
use crate::runs::Change;

use super::{Decision, LeftOut, Member, Review};

/// What applying a review would send.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Remediation {
    pub changes: Vec<Change>,
    /// Users whose decisions are not carried out, and why.
    pub left_out: Vec<LeftOut>,
}

/// The changes `review` asks for, against the org as it is now (`now`). With `force`,
/// users changed since the snapshot are included (a user no longer in the org never is).
pub fn remediation(review: &Review, now: &Org, force: bool) -> Remediation {
    let mut per_user: BTreeMap<&UserId, (&Member, Vec<&Decision>)> = BTreeMap::new();
    let mut order: Vec<&UserId> = Vec::new();
    for item in &review.items {
        let Some(decided) = &item.decision else {
            continue;
        };
        if !decided.decision.changes_something() {
            continue;
        }
        let entry = per_user.entry(&item.user.id).or_insert_with(|| {
            order.push(&item.user.id);
            (&item.user, Vec::new())
        });
        entry.1.push(&decided.decision);
    }
    let mut remediation = Remediation::default();
    for id in order {
        let (then, decisions) = &per_user[id];
        let left_out = |reason: String| LeftOut {
            user: then.id.clone(),
            email: then.email.clone(),
            reason,
        };
        let Some(current) = now.by_id(id) else {
            remediation
                .left_out
                .push(left_out("no longer in the org".to_owned()));
            continue;
        };
        if let Some(drift) = then.drift(&Member::of(now, current)) {
            if !force {
                remediation.left_out.push(left_out(format!(
                    "changed since the snapshot ({drift}); --force includes it"
                )));
                continue;
            }
        }
        remediation.changes.extend(changes_for(id, decisions));
    }
    remediation
}

/// One user's changes: disabling wins; otherwise additions first, then removals.
fn changes_for(user: &UserId, decisions: &[&Decision]) -> Vec<Change> {
    if decisions.iter().any(|d| matches!(d, Decision::Disable)) {
        return vec![Change::Disable { user: user.clone() }];
    }
    let mut add = Vec::new();
    let mut remove = Vec::new();
    for decision in decisions {
        match decision {
            Decision::RevokeRole { role } => remove.push(role.id.clone()),
            Decision::ChangeRole { from, to } => {
                add.push(to.id.clone());
                remove.push(from.id.clone());
            }
            Decision::Keep | Decision::Disable => {}
        }
    }
    add.sort();
    add.dedup();
    remove.sort();
    remove.dedup();
    // A role both added (by one change) and revoked (by another row) stays: adding wins
    // over removing only where the reviewer asked for it as a replacement.
    remove.retain(|r| !add.contains(r));
    add.into_iter()
        .map(|role| Change::AddRole {
            user: user.clone(),
            role,
        })
        .chain(remove.into_iter().map(|role| Change::RemoveRole {
            user: user.clone(),
            role,
        }))
        .collect()
}
