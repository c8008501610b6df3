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
use super::observe::Observed;
use super::plan::PlanItem;
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

// After the macros, which they use.
mod invite;
mod readable;
mod unreadable;

/// Carries out one item; never panics, always answers.
pub(crate) async fn carry_out(ctx: &ItemContext, item: &PlanItem) -> ItemResult {
    if let Some(reason) = ctx.stopped() {
        return ItemResult::Unfinished { reason };
    }
    match &item.change {
        Change::Invite { .. } => invite::invite(ctx, item).await,
        Change::ResendInvitation { .. }
        | Change::CancelInvitations { .. }
        | Change::Anonymize { .. } => unreadable::unreadable(ctx, item).await,
        _ => readable::readable(ctx, item).await,
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
