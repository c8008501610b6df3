//! Resend, cancel and anonymize: changes whose effect cannot be read back, so the user's
//! status is read first and a write whose answer was lost is sent again.

use super::{client_send, gave_up, ItemContext, Next};
use crate::api::models::UserStatus;
use crate::api::{ApiError, Client};
use crate::runs::change::{Change, ItemResult};
use crate::runs::observe::{observe, Observed};
use crate::runs::plan::PlanItem;

/// Resend, cancel, anonymize: their effect cannot be read back, so the user is read for
/// its status first and the write is retried when its answer was lost (resending may then
/// email twice; cancelling and anonymizing twice change nothing more).
pub(super) async fn unreadable(ctx: &ItemContext, item: &PlanItem) -> ItemResult {
    let change = &item.change;
    let mut before = item.before.clone();
    let mut maybe_applied = before.is_some();
    let mut last = None;
    for attempt in 0..ctx.retry.attempts {
        pause_or_stop!(ctx, attempt);
        let now = or_next!(ctx, last, observe(&ctx.client, change).await);
        if let Some(skipped) = no_invitation(change, &now, maybe_applied) {
            return skipped;
        }
        if let Err(reason) = ctx.intent_once(item.index, &mut before, &now) {
            return ItemResult::failed(reason);
        }
        match send_unreadable(&ctx.client, change, maybe_applied).await {
            Ok(result) => return result,
            Err(error) => {
                maybe_applied |= error.outcome_unknown();
                next_attempt!(ctx, last, error);
            }
        }
    }
    gave_up(ctx, last)
}

/// Only pending users have invitations: resending or cancelling for anyone else is
/// skipped — unless an earlier attempt may have been applied (and made them join).
fn no_invitation(change: &Change, now: &Observed, maybe_applied: bool) -> Option<ItemResult> {
    if now.status == Some(UserStatus::Pending) || maybe_applied {
        return None;
    }
    match change {
        Change::ResendInvitation { .. } => Some(ItemResult::skipped(
            "not pending: only pending users have invitations",
            None,
        )),
        Change::CancelInvitations { .. } => Some(ItemResult::skipped(
            "not pending: no invitation to cancel",
            None,
        )),
        _ => None,
    }
}

/// Sends a resend, cancel or anonymize; the item's result, or the error to judge.
async fn send_unreadable(
    client: &Client,
    change: &Change,
    maybe_applied: bool,
) -> Result<ItemResult, ApiError> {
    match change {
        Change::ResendInvitation { user } => {
            let expires = client_send(client, user).await?;
            let note = if maybe_applied {
                " (an earlier attempt's answer was lost: they may get two emails)"
            } else {
                ""
            };
            Ok(ItemResult::Done {
                detail: format!("invitation sent{note}"),
                undo: None,
                left: None,
                user: None,
                invitation_expires_at: expires,
            })
        }
        Change::CancelInvitations { user } => {
            client.cancel_user_invitations(user).await?;
            let note = if maybe_applied {
                " (an earlier attempt's answer was lost)"
            } else {
                ""
            };
            Ok(ItemResult::done(
                &format!("pending invitations cancelled{note}"),
                None,
            ))
        }
        Change::Anonymize { user } => {
            let answer = client.anonymize_users(std::slice::from_ref(user)).await?;
            let failure = answer.data.attributes.anonymize_errors.into_iter().next();
            Ok(anonymized(failure.map(|f| f.error), maybe_applied))
        }
        _ => Ok(ItemResult::failed("not a change of this kind")),
    }
}

/// An anonymization's result from the service's error for the user, if any. "Already
/// anonymized" after a lost answer is our own earlier attempt.
fn anonymized(error: Option<String>, maybe_applied: bool) -> ItemResult {
    match error {
        None => ItemResult::done("anonymized (irreversible)", None),
        Some(error) if error.to_ascii_lowercase().contains("already anonymized") => {
            if maybe_applied {
                ItemResult::done(
                    "anonymized (irreversible; read back after a lost answer)",
                    None,
                )
            } else {
                ItemResult::skipped("already anonymized", None)
            }
        }
        Some(error) => ItemResult::failed(error),
    }
}
