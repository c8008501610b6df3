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

    /// Waits before a retry; `false` when the run stopped meanwhile.
    async fn pause(&self, attempt: u32) -> bool {
        if attempt > 0 {
            tokio::time::sleep(self.retry.delay(attempt)).await;
        }
        self.stopped().is_none()
    }
}

/// Unwraps `result`, or moves on: a transient error tries the item again (`continue`, the
/// next attempt reads first), a permanent one fails it, and a tripped breaker leaves it
/// unfinished (`return`).
macro_rules! or_next {
    ($ctx:expr, $last:ident, $result:expr) => {
        match $result {
            Ok(value) => value,
            Err(error) => match $ctx.judge(&error) {
                Next::Retry(words) => {
                    $last = Some(words);
                    continue;
                }
                Next::Fail(words) => return ItemResult::failed(words),
                Next::Stop(reason) => return ItemResult::Unfinished { reason },
            },
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
    ItemResult::failed(format!(
        "{} (gave up after {} attempts)",
        last.unwrap_or_else(|| "no answer".into()),
        ctx.retry.attempts
    ))
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
        if let Some(left) = &item.expect {
            if !ctx.force && !unchanged_since(change, left, &now) {
                return ItemResult::skipped(
                    "changed since the run: left as is (--force undoes it anyway)",
                    None,
                );
            }
        }
        if in_effect(change, &now) {
            return match &before {
                Some(old) if maybe_applied && !in_effect(change, old) => {
                    let undo = undo_of(change, old, now.user.as_ref());
                    let detail = format!(
                        "{} (read back after a lost answer)",
                        done_words(change, None)
                    );
                    ItemResult::Done {
                        detail,
                        undo,
                        left: Some(Box::new(now)),
                        user: None,
                        invitation_expires_at: None,
                    }
                }
                _ => ItemResult::skipped(already_words(change, &now), None),
            };
        }
        if before.is_none() {
            if let Err(reason) = ctx.intent(item.index, &now) {
                return ItemResult::failed(reason);
            }
            before = Some(now.clone());
        }
        match write(&ctx.client, change).await {
            Ok(user) => {
                let old = before.as_ref().unwrap_or(&now);
                let left = match &user {
                    Some(user) if !matches!(change, Change::SetIdentityProviders { .. }) => {
                        Some(Box::new(Observed::of(change, Some(user))))
                    }
                    _ => observe(&ctx.client, change).await.ok().map(Box::new),
                };
                let created = user.as_ref().map(|u| &u.id);
                return ItemResult::Done {
                    detail: done_words(change, user.as_ref()),
                    undo: undo_of(change, old, created),
                    left,
                    user: user.map(Box::new),
                    invitation_expires_at: None,
                };
            }
            Err(error) => {
                maybe_applied |= error.outcome_unknown();
                // A 404 on a disable is the service's "already disabled": read again.
                let not_found_disable =
                    error.is_not_found() && matches!(change, Change::Disable { .. });
                let conflict_create =
                    error.status() == Some(409) && matches!(change, Change::Create { .. });
                if not_found_disable || conflict_create {
                    last = Some(plain_error(&error));
                    continue;
                }
                match ctx.judge(&error) {
                    Next::Retry(words) => last = Some(words),
                    Next::Fail(words) => return ItemResult::failed(words),
                    Next::Stop(reason) => return ItemResult::Unfinished { reason },
                }
            }
        }
    }
    gave_up(ctx, last)
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
        let pending = now.status == Some(UserStatus::Pending);
        match change {
            Change::ResendInvitation { .. } if !pending && !maybe_applied => {
                return ItemResult::skipped(
                    "not pending: only pending users have invitations",
                    None,
                )
            }
            Change::CancelInvitations { .. } if !pending && !maybe_applied => {
                return ItemResult::skipped("not pending: no invitation to cancel", None)
            }
            _ => {}
        }
        if before.is_none() {
            if let Err(reason) = ctx.intent(item.index, &now) {
                return ItemResult::failed(reason);
            }
            before = Some(now.clone());
        }
        let lost_note = if maybe_applied {
            " (an earlier attempt's answer was lost)"
        } else {
            ""
        };
        let result = match change {
            Change::ResendInvitation { user } => {
                client_send(&ctx.client, user).await.map(|expires| {
                    let note = if maybe_applied {
                        " (an earlier attempt's answer was lost: they may get two emails)"
                    } else {
                        ""
                    };
                    ItemResult::Done {
                        detail: format!("invitation sent{note}"),
                        undo: None,
                        left: None,
                        user: None,
                        invitation_expires_at: expires,
                    }
                })
            }
            Change::CancelInvitations { user } => {
                ctx.client.cancel_user_invitations(user).await.map(|()| {
                    ItemResult::done(&format!("pending invitations cancelled{lost_note}"), None)
                })
            }
            Change::Anonymize { user } => ctx
                .client
                .anonymize_users(std::slice::from_ref(user))
                .await
                .map(
                    |answer| match answer.data.attributes.anonymize_errors.into_iter().next() {
                        None => ItemResult::done("anonymized (irreversible)", None),
                        Some(failure)
                            if failure
                                .error
                                .to_ascii_lowercase()
                                .contains("already anonymized") =>
                        {
                            if maybe_applied {
                                ItemResult::done(
                                    "anonymized (irreversible; read back after a lost answer)",
                                    None,
                                )
                            } else {
                                ItemResult::skipped("already anonymized", None)
                            }
                        }
                        Some(failure) => ItemResult::failed(failure.error),
                    },
                ),
            _ => return ItemResult::failed("not a change of this kind"),
        };
        match result {
            Ok(result) => return result,
            Err(error) => {
                maybe_applied |= error.outcome_unknown();
                match ctx.judge(&error) {
                    Next::Retry(words) => last = Some(words),
                    Next::Fail(words) => return ItemResult::failed(words),
                    Next::Stop(reason) => return ItemResult::Unfinished { reason },
                }
            }
        }
    }
    gave_up(ctx, last)
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
    let mut before = item.before.clone();
    let mut send_lost = false;
    let mut last = None;
    let next = format!(
        "send the invitation again: ddusers users invite {} (r in the console)",
        new.email
    );
    // Whether this run created the user (the first read found no one with the email).
    let created_here =
        |before: &Option<Observed>| before.as_ref().is_some_and(|b| b.user.is_none());
    let partial = |before: &Option<Observed>, why: String, user: Option<User>| {
        if created_here(before) {
            ItemResult::Partial {
                detail: format!("created, but the invitation was not sent: {why}"),
                next: next.clone(),
                user: user.map(Box::new),
            }
        } else {
            ItemResult::failed(why)
        }
    };
    for attempt in 0..ctx.retry.attempts {
        pause_or_stop!(ctx, attempt);
        let found = or_next!(ctx, last, ctx.client.find_user_by_email(&new.email).await);
        let user = match found {
            None => {
                if before.is_none() {
                    let nobody = Observed::default();
                    if let Err(reason) = ctx.intent(item.index, &nobody) {
                        return ItemResult::failed(reason);
                    }
                    before = Some(nobody);
                }
                match ctx.client.create_user(&new).await {
                    Ok(created) => created.data,
                    // Someone (or a lost earlier attempt) created it: read again.
                    Err(error) if error.status() == Some(409) => {
                        last = Some(plain_error(&error));
                        continue;
                    }
                    Err(error) => or_next!(ctx, last, Err(error)),
                }
            }
            Some(user) => user,
        };
        if user.is_disabled() {
            return ItemResult::failed(
                "a disabled user has this email: enable them first, then invite",
            );
        }
        if before.is_none() {
            let seen = Observed::of(change, Some(&user));
            if user.status() == UserStatus::Active {
                return ItemResult::skipped("already active: not re-invited", Some(user));
            }
            if let Err(reason) = ctx.intent(item.index, &seen) {
                return ItemResult::failed(reason);
            }
            before = Some(seen);
        } else if user.status() == UserStatus::Active {
            // Created by this run and joined already: nothing left to send.
            return ItemResult::Done {
                detail: "created; they have joined already".into(),
                undo: None,
                left: Some(Box::new(Observed::of(change, Some(&user)))),
                user: Some(Box::new(user)),
                invitation_expires_at: None,
            };
        }
        match client_send(&ctx.client, &user.id).await {
            Ok(expires) => {
                let mut detail = if created_here(&before) {
                    "created and invited".to_owned()
                } else {
                    "invitation sent again (had not joined)".to_owned()
                };
                if send_lost {
                    detail.push_str(
                        " (an earlier attempt's answer was lost: they may get two emails)",
                    );
                }
                return ItemResult::Done {
                    detail,
                    undo: None,
                    left: Some(Box::new(Observed::of(change, Some(&user)))),
                    user: Some(Box::new(user)),
                    invitation_expires_at: expires,
                };
            }
            Err(error) => {
                send_lost |= error.outcome_unknown();
                match ctx.judge(&error) {
                    Next::Retry(words) => last = Some(words),
                    Next::Fail(words) => return partial(&before, words, Some(user)),
                    Next::Stop(reason) => return ItemResult::Unfinished { reason },
                }
            }
        }
    }
    let why = format!(
        "{} (gave up after {} attempts)",
        last.unwrap_or_else(|| "no answer".into()),
        ctx.retry.attempts
    );
    partial(&before, why, None)
}
