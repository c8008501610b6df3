//! Changes whose effect can be read back (disable, enable, update, roles, identity
//! providers, create): read, settle what is in effect already, journal the intent, write,
//! and keep what the write left for the undo.

use super::{gave_up, plain_error, ItemContext, Next};
use crate::api::models::{User, UserStatus, UserUpdate};
use crate::api::{ApiError, Client};
use crate::runs::change::{Change, ItemResult};
use crate::runs::observe::{in_effect, observe, unchanged_since, undo_of, Observed};
use crate::runs::plan::PlanItem;

/// Changes whose effect can be read back: disable, enable, update, roles, identity
/// providers, create.
pub(super) async fn readable(ctx: &ItemContext, item: &PlanItem) -> ItemResult {
    let change = &item.change;
    let mut before = item.before.clone();
    // A resumed item may have been sent before the interruption.
    let mut maybe_applied = before.is_some();
    let mut last = None;
    for attempt in 0..ctx.retry.attempts {
        pause_or_stop!(ctx, attempt);
        let now = or_next!(ctx, last, observe(&ctx.client, change).await);
        if let Some(settled) = settled(ctx, item, before.as_ref(), maybe_applied, &now) {
            return settled;
        }
        if let Err(reason) = ctx.intent_once(item.index, &mut before, &now) {
            return ItemResult::failed(reason);
        }
        match write(&ctx.client, change).await {
            Ok(user) => {
                let old = before.as_ref().unwrap_or(&now);
                return written(ctx, change, old, user).await;
            }
            Err(error) => {
                maybe_applied |= error.outcome_unknown();
                if read_again_after(change, &error) {
                    last = Some(plain_error(&error));
                    continue;
                }
                next_attempt!(ctx, last, error);
            }
        }
    }
    gave_up(ctx, last)
}

/// The item's result when nothing is to be written: the user changed since the run being
/// undone, or the change is in effect already — done by an earlier attempt whose answer
/// was lost (with its undo), or already so. `None` when the write is still to be made.
fn settled(
    ctx: &ItemContext,
    item: &PlanItem,
    before: Option<&Observed>,
    maybe_applied: bool,
    now: &Observed,
) -> Option<ItemResult> {
    let change = &item.change;
    if let Some(left) = &item.expect {
        if !ctx.force && !unchanged_since(change, left, now) {
            return Some(ItemResult::skipped(
                "changed since the run: left as is (--force undoes it anyway)",
                None,
            ));
        }
    }
    if !in_effect(change, now) {
        return None;
    }
    Some(match before {
        Some(old) if maybe_applied && !in_effect(change, old) => ItemResult::Done {
            detail: format!(
                "{} (read back after a lost answer)",
                done_words(change, None)
            ),
            undo: undo_of(change, old, now.user.as_ref()),
            left: Some(Box::new(now.clone())),
            user: None,
            invitation_expires_at: None,
        },
        _ => ItemResult::skipped(already_words(change, now), None),
    })
}

/// A 404 on a disable is the service's "already disabled", and a 409 on a create says the
/// email is taken (perhaps by a lost earlier attempt): both are settled by reading again.
fn read_again_after(change: &Change, error: &ApiError) -> bool {
    let not_found_disable = error.is_not_found() && matches!(change, Change::Disable { .. });
    let conflict_create = error.status() == Some(409) && matches!(change, Change::Create { .. });
    not_found_disable || conflict_create
}

/// A write that succeeded: its undo from the state before (`old`), and what it left — from
/// the answer when it carries the user, read back otherwise.
async fn written(
    ctx: &ItemContext,
    change: &Change,
    old: &Observed,
    user: Option<User>,
) -> ItemResult {
    let left = match &user {
        Some(user) if !matches!(change, Change::SetIdentityProviders { .. }) => {
            Some(Box::new(Observed::of(change, Some(user))))
        }
        _ => observe(&ctx.client, change).await.ok().map(Box::new),
    };
    let created = user.as_ref().map(|u| &u.id);
    ItemResult::Done {
        detail: done_words(change, user.as_ref()),
        undo: undo_of(change, old, created),
        left,
        user: user.map(Box::new),
        invitation_expires_at: None,
    }
}

/// The write itself; the user when the answer carries it.
async fn write(client: &Client, change: &Change) -> Result<Option<User>, ApiError> {
    match change {
        Change::Disable { user } => client.disable_user(user).await.map(|()| None),
        Change::Enable { user } => {
            let update = UserUpdate {
                disabled: Some(false),
                ..Default::default()
            };
            Ok(Some(client.update_user(user, &update).await?.data))
        }
        Change::Update {
            user, current_user, ..
        } => {
            let body = change.update_body().unwrap_or_default();
            let answer = if *current_user {
                client.update_current_user(user, &body).await?
            } else {
                client.update_user(user, &body).await?
            };
            Ok(Some(answer.data))
        }
        Change::AddRole { user, role } => client.add_user_to_role(role, user).await.map(|_| None),
        Change::RemoveRole { user, role } => {
            client.remove_user_from_role(role, user).await.map(|_| None)
        }
        Change::SetIdentityProviders { user, providers } => client
            .update_user_identity_providers(user, providers)
            .await
            .map(|_| None),
        Change::Create { .. } => {
            let new = change.new_user().unwrap_or_default();
            Ok(Some(client.create_user(&new).await?.data))
        }
        Change::Invite { .. }
        | Change::ResendInvitation { .. }
        | Change::CancelInvitations { .. }
        | Change::Anonymize { .. } => Ok(None),
    }
}

fn done_words(change: &Change, user: Option<&User>) -> String {
    match change {
        Change::Disable { .. } => "disabled".into(),
        Change::Enable { .. } => match user {
            Some(user) => format!("enabled (now {})", user.status()),
            None => "enabled".into(),
        },
        Change::Update { .. } => "updated".into(),
        Change::AddRole { .. } => "role added".into(),
        Change::RemoveRole { .. } => "role removed".into(),
        Change::SetIdentityProviders { .. } => "identity providers set".into(),
        Change::Create { .. } => match user {
            Some(user) => format!("created {}", user.id),
            None => "created".into(),
        },
        other => other.verb().to_owned(),
    }
}

fn already_words(change: &Change, now: &Observed) -> String {
    match change {
        Change::Disable { .. } => "already disabled".into(),
        Change::Enable { .. } => format!(
            "already enabled ({})",
            now.status.as_ref().map_or("Active", UserStatus::as_str)
        ),
        Change::AddRole { .. } => "already has the role".into(),
        Change::RemoveRole { .. } => "does not have the role".into(),
        Change::Create { .. } => format!(
            "a user with this email exists already: {}",
            now.user.as_ref().map(|u| u.as_str()).unwrap_or("?")
        ),
        _ => "already so".into(),
    }
}
