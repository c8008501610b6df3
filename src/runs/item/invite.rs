//! Invitations: find the user by email or create them, then send the invitation; a user
//! created whose invitation could not be sent is "partly done", with how to finish it.

use super::{client_send, gave_up_words, plain_error, ItemContext, Next};
use crate::api::models::{User, UserStatus};
use crate::runs::change::{Change, ItemResult};
use crate::runs::observe::Observed;
use crate::runs::plan::PlanItem;

/// Creates the user when the email has none, then sends the invitation. A user created
/// whose invitation could not be sent is "partly done", with how to finish it.
pub(super) async fn invite(ctx: &ItemContext, item: &PlanItem) -> ItemResult {
    let change = &item.change;
    let Some(new) = change.new_user() else {
        return ItemResult::failed("not an invitation");
    };
    let next = format!(
        "send the invitation again: ddusers users invite {} (r in the console)",
        new.email
    );
    let mut before = item.before.clone();
    let mut send_lost = false;
    let mut last = None;
    for attempt in 0..ctx.retry.attempts {
        pause_or_stop!(ctx, attempt);
        let found = or_next!(ctx, last, ctx.client.find_user_by_email(&new.email).await);
        let user = match found {
            Some(user) => user,
            None => {
                if let Err(reason) = ctx.intent_once(item.index, &mut before, &Observed::default())
                {
                    return ItemResult::failed(reason);
                }
                match ctx.client.create_user(&new).await {
                    Ok(created) => created.data,
                    // Someone (or a lost earlier attempt) created it: read again.
                    Err(error) if error.status() == Some(409) => {
                        last = Some(plain_error(&error));
                        continue;
                    }
                    Err(error) => next_attempt!(ctx, last, error),
                }
            }
        };
        let user = match ready_to_send(ctx, item, &mut before, user) {
            Ok(user) => user,
            Err(result) => return *result,
        };
        match client_send(&ctx.client, &user.id).await {
            Ok(expires) => return invited(change, user, expires, &before, send_lost),
            Err(error) => {
                send_lost |= error.outcome_unknown();
                match ctx.judge(&error) {
                    Next::Retry(words) => last = Some(words),
                    Next::Fail(words) => return partial(&before, words, Some(user), &next),
                    Next::Stop(reason) => return ItemResult::Unfinished { reason },
                }
            }
        }
    }
    partial(&before, gave_up_words(ctx, last), None, &next)
}

/// The user found (or created) for an invitation, when one is still to be sent; otherwise
/// the item's result: a disabled user is not invited, an active one found by the first
/// read is left alone, one created by this run who joined since needs nothing more. The
/// first read is journaled as the state before.
fn ready_to_send(
    ctx: &ItemContext,
    item: &PlanItem,
    before: &mut Option<Observed>,
    user: User,
) -> Result<User, Box<ItemResult>> {
    let change = &item.change;
    if user.is_disabled() {
        return Err(Box::new(ItemResult::failed(
            "a disabled user has this email: enable them first, then invite",
        )));
    }
    let active = user.status() == UserStatus::Active;
    if before.is_none() {
        if active {
            return Err(Box::new(ItemResult::skipped(
                "already active: not re-invited, roles not changed",
                Some(user),
            )));
        }
        let seen = Observed::of(change, Some(&user));
        ctx.intent(item.index, &seen)
            .map_err(|reason| Box::new(ItemResult::failed(reason)))?;
        *before = Some(seen);
    } else if active {
        // Created by this run and joined already: nothing left to send.
        return Err(Box::new(ItemResult::Done {
            detail: "created; they have joined already".into(),
            undo: None,
            left: Some(Box::new(Observed::of(change, Some(&user)))),
            user: Some(Box::new(user)),
            invitation_expires_at: None,
        }));
    }
    Ok(user)
}

/// Whether this run created the user (the first read found no one with the email).
fn created_here(before: &Option<Observed>) -> bool {
    before.as_ref().is_some_and(|b| b.user.is_none())
}

/// An invitation that could not be sent: "partly done" when this run created the user
/// (`next` says how to finish), failed otherwise.
fn partial(before: &Option<Observed>, why: String, user: Option<User>, next: &str) -> ItemResult {
    if created_here(before) {
        ItemResult::Partial {
            detail: format!("created, but the invitation was not sent: {why}"),
            next: next.to_owned(),
            user: user.map(Box::new),
        }
    } else {
        ItemResult::failed(why)
    }
}

/// An invitation sent: to a user this run created, or again to one who had not joined.
fn invited(
    change: &Change,
    user: User,
    expires: Option<i64>,
    before: &Option<Observed>,
    send_lost: bool,
) -> ItemResult {
    let mut detail = if created_here(before) {
        "created and invited".to_owned()
    } else {
        "invitation sent again (had not joined); roles not changed".to_owned()
    };
    if send_lost {
        detail.push_str(" (an earlier attempt's answer was lost: they may get two emails)");
    }
    ItemResult::Done {
        detail,
        undo: None,
        left: Some(Box::new(Observed::of(change, Some(&user)))),
        user: Some(Box::new(user)),
        invitation_expires_at: expires,
    }
}
