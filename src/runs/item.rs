//! Carrying out one item of a run, so that it converges: read the target first, journal the
//! state read (with the intent) before the first write, write, read back what the write
//! left. A write whose answer is lost or that meets a transient failure is settled by
//! reading again — done (with the undo built from the state read before) or not yet — and
//! retried a bounded number of times with backoff. Only permanent refusals (4xx other than
//! 408/429) fail an item; when the run's breaker trips, the item stays unfinished.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;

use super::breaker::Breaker;
use super::change::{Change, ItemResult};
use super::journal::{Journal, Record, RunId};
use super::observe::{in_effect, observe, unchanged_since, undo_of, Observed};
use super::plan::PlanItem;
use crate::api::models::{User, UserStatus, UserUpdate};
use crate::api::{ApiError, Client, ErrorKind};

/// How often, and how patiently, an item is tried within a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ItemRetry {
    /// Attempts in all (each reads first).
    pub attempts: u32,
    /// First backoff; doubles each attempt.
    pub base: Duration,
    /// Ceiling of one backoff.
    pub max: Duration,
}

impl Default for ItemRetry {
    fn default() -> Self {
        Self {
            attempts: 8,
            base: Duration::from_millis(200),
            max: Duration::from_secs(5),
        }
    }
}

impl ItemRetry {
    /// The wait before attempt `attempt` (1-based retries), with jitter.
    fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max);
        let ceiling = exp.as_millis().max(1) as u64;
        Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))
    }
}

/// Words for an API error in a result line or the status line, made safe to print: they
/// quote the service's messages.
pub fn plain_error(error: &ApiError) -> String {
    let words = match error.kind() {
        ErrorKind::Network => format!("network problem — {error}"),
        _ => error.to_string(),
    };
    crate::text::sanitize(&words)
}

/// What one run's items share.
pub(crate) struct ItemContext {
    /// Reports every answer to `breaker`.
    pub client: Client,
    pub journal: Option<Arc<Journal>>,
    pub run: RunId,
    pub breaker: Arc<Breaker>,
    pub retry: ItemRetry,
    /// Undo even items changed since the run.
    pub force: bool,
}

/// What to do after an error.
enum Next {
    Retry(String),
    Fail(String),
    Stop(String),
}

impl ItemContext {
    fn stopped(&self) -> Option<String> {
        self.breaker.tripped()
    }

    /// Classifies an error: transient ones are retried (the next attempt reads first);
    /// when the breaker tripped the item stops unfinished; the rest fail.
    fn judge(&self, error: &ApiError) -> Next {
        if let Some(reason) = self.stopped() {
            return Next::Stop(reason);
        }
        let words = plain_error(error);
        if error.is_retryable() || error.outcome_unknown() {
            Next::Retry(words)
        } else {
            Next::Fail(words)
        }
    }

    /// Journals the intent with the state read before (synced): no intent on disk, no
    /// request.
    fn intent(&self, index: usize, before: &Observed) -> Result<(), String> {
        let Some(journal) = &self.journal else {
            return Ok(());
        };
        journal
            .append(
                &Record::Intent {
                    run: self.run.clone(),
                    item: index,
                    at: OffsetDateTime::now_utc(),
                    before: Some(before.clone()),
                },
                true,
            )
            .map_err(|e| format!("not sent: {e}"))
    }

    /// Journals the intent with `now` as the state before, the first time only: the first
    /// read stands, since a later one may already show an earlier attempt's effect.
    fn intent_once(
        &self,
        index: usize,
        before: &mut Option<Observed>,
        now: &Observed,
    ) -> Result<(), String> {
        if before.is_none() {
            self.intent(index, now)?;
            *before = Some(now.clone());
        }
        Ok(())
    }

    /// Waits before a retry; `false` when the run stopped meanwhile.
    async fn pause(&self, attempt: u32) -> bool {
        if attempt > 0 {
            tokio::time::sleep(self.retry.delay(attempt)).await;
        }
        self.stopped().is_none()
    }
}

/// Moves on after `error`: a transient error tries the item again (`continue`, the next
/// attempt reads first), a permanent one fails it, and a tripped breaker leaves it
/// unfinished (`return`).
macro_rules! next_attempt {
    ($ctx:expr, $last:ident, $error:expr) => {
        match $ctx.judge(&$error) {
            Next::Retry(words) => {
                $last = Some(words);
                continue;
            }
            Next::Fail(words) => return ItemResult::failed(words),
            Next::Stop(reason) => return ItemResult::Unfinished { reason },
        }
    };
}

/// Unwraps `result`, or moves on as [`next_attempt`] says.
macro_rules! or_next {
    ($ctx:expr, $last:ident, $result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => next_attempt!($ctx, $last, error),
        }
    };
}

/// Waits before attempt `attempt`, or returns the item unfinished when the run stopped.
macro_rules! pause_or_stop {
    ($ctx:expr, $attempt:expr) => {
        if !$ctx.pause($attempt).await {
            return ItemResult::Unfinished {
                reason: $ctx.stopped().unwrap_or_default(),
            };
        }
    };
}

/// Carries out one item; never panics, always answers.
pub(crate) async fn carry_out(ctx: &ItemContext, item: &PlanItem) -> ItemResult {
    if let Some(reason) = ctx.stopped() {
        return ItemResult::Unfinished { reason };
    }
    match &item.change {
        Change::Invite { .. } => invite(ctx, item).await,
        Change::ResendInvitation { .. }
        | Change::CancelInvitations { .. }
        | Change::Anonymize { .. } => unreadable(ctx, item).await,
        _ => readable(ctx, item).await,
    }
}

fn gave_up(ctx: &ItemContext, last: Option<String>) -> ItemResult {
    ItemResult::failed(gave_up_words(ctx, last))
}

/// The last error, and that every attempt was used.
fn gave_up_words(ctx: &ItemContext, last: Option<String>) -> String {
    format!(
        "{} (gave up after {} attempts)",
        last.unwrap_or_else(|| "no answer".into()),
        ctx.retry.attempts
    )
}

/// Changes whose effect can be read back: disable, enable, update, roles, identity
/// providers, create.
async fn readable(ctx: &ItemContext, item: &PlanItem) -> ItemResult {
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

/// Resend, cancel, anonymize: their effect cannot be read back, so the user is read for
/// its status first and the write is retried when its answer was lost (resending may then
/// email twice; cancelling and anonymizing twice change nothing more).
async fn unreadable(ctx: &ItemContext, item: &PlanItem) -> ItemResult {
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

/// Sends one user's invitation; its expiry when the answer says.
async fn client_send(
    client: &Client,
    user: &crate::api::models::UserId,
) -> Result<Option<i64>, ApiError> {
    let sent = client.send_invitations(std::slice::from_ref(user)).await?;
    Ok(sent
        .data
        .first()
        .and_then(|i| i.attributes.expires_at)
        .map(|t| t.unix_timestamp()))
}

/// Creates the user when the email has none, then sends the invitation. A user created
/// whose invitation could not be sent is "partly done", with how to finish it.
async fn invite(ctx: &ItemContext, item: &PlanItem) -> ItemResult {
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
                "already active: not re-invited",
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
        "invitation sent again (had not joined)".to_owned()
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
