//! Slowing down before the service says 429. Datadog announces, per named limit, how many
//! requests are left in the current window and when it resets. The pacer remembers which
//! limit each operation falls under and, when a window has no requests left, holds further
//! requests of that limit until it resets — instead of spending them on 429s. Concurrent
//! requests each take one of the remaining slots, so a burst cannot overshoot the window.
//! Windows follow one another every `X-RateLimit-Period` (Datadog's last 10 s or 60 s), so
//! the pacer knows when the next one ends without waiting for an answer from it.
//!
//! The headers come from the server, so nothing it says can hold a request for long: every
//! wait is capped at `max_wait` (the client's `RetryPolicy::max_rate_limit_wait`), a window
//! always has at least one slot, and no time arithmetic can overflow.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::ratelimit::RateLimit;

/// One named limit's current window, as last announced (minus slots taken since).
#[derive(Clone, Debug)]
struct Window {
    limit: u64,
    remaining: u64,
    resets_at: Instant,
    /// How long a window lasts (`X-RateLimit-Period`, one second when not announced): the
    /// next one starts when this one resets.
    period: Duration,
}

/// The longest hold when none is given: a minute, like `RetryPolicy::max_rate_limit_wait`.
const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(60);

/// Shared by every clone of a client.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
    max_wait: Duration,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer::new(DEFAULT_MAX_WAIT)
    }
}

/// `at + wait`, or `at` itself if that is past what the clock can represent (it cannot be
/// with capped waits; this only keeps the arithmetic from ever panicking).
fn after(at: Instant, wait: Duration) -> Instant {
    at.checked_add(wait).unwrap_or(at)
}

/// The end of the window `now` falls in, given that one ended at `ended` and that they last
/// `period`: Datadog's windows are calendar-aligned, so a window begins where the last one
/// ended, not when the next request comes (a request 5 s into a 10 s window has 5 s left).
fn next_reset(ended: Instant, period: Duration, now: Instant) -> Instant {
    let period = period.max(Duration::from_millis(1));
    let late = now.saturating_duration_since(ended);
    let whole_periods = late.as_nanos() / period.as_nanos() + 1;
    let ahead = period
        .checked_mul(u32::try_from(whole_periods).unwrap_or(u32::MAX))
        .unwrap_or(Duration::MAX);
    after(ended, ahead).max(after(now, Duration::from_millis(1)))
}

#[derive(Debug, Default)]
struct State {
    /// Operation → the name of the limit it counts against.
    limits_of: HashMap<&'static str, String>,
    windows: HashMap<String, Window>,
}

/// How long a request must wait for a slot, and under which limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    pub wait: Duration,
    pub limit: String,
}

impl Pacer {
    /// A pacer that never holds a request longer than `max_wait`, whatever the headers say.
    pub fn new(max_wait: Duration) -> Self {
        Pacer {
            state: Mutex::default(),
            max_wait,
        }
    }

    /// The longest it holds one request.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }

    /// Takes a slot for `operation`, or says how long to wait before asking again.
    pub fn take(&self, operation: &'static str) -> Result<(), Hold> {
        let now = Instant::now();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(name) = state.limits_of.get(operation).cloned() else {
            return Ok(());
        };
        let Some(window) = state.windows.get_mut(&name) else {
            return Ok(());
        };
        if now >= window.resets_at {
            // A new window: assume the full limit until an answer says otherwise.
            window.remaining = window.limit;
            window.resets_at = next_reset(window.resets_at, window.period, now);
        }
        if window.remaining > 0 {
            window.remaining -= 1;
            return Ok(());
        }
        Err(Hold {
            wait: window.resets_at.saturating_duration_since(now),
            limit: name,
        })
    }

    /// Learns from an answer's rate-limit headers.
    pub fn observe(&self, operation: &'static str, headers: &RateLimit) {
        let (Some(name), Some(remaining), Some(reset)) = (
            headers.name.clone(),
            headers.remaining,
            headers.reset_after(self.max_wait),
        ) else {
            return;
        };
        let now = Instant::now();
        // Windows end on whole seconds; a little slack avoids arriving a hair early.
        let resets_at = after(now, reset.saturating_add(Duration::from_millis(50)));
        let period = headers
            .period_within(self.max_wait)
            .unwrap_or(Duration::from_secs(1));
        // A limit of zero would hold every request of the operation for good: a window
        // always lets at least one through (the service says 429 if it really meant zero).
        let limit = headers.limit.unwrap_or(remaining).max(1);
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.limits_of.insert(operation, name.clone());
        let window = state.windows.entry(name).or_insert(Window {
            limit,
            remaining,
            resets_at,
            period,
        });
        let same_window = resets_at <= after(window.resets_at, Duration::from_millis(1100));
        window.limit = limit;
        window.period = period;
        window.remaining = if same_window && now < window.resets_at {
            // Answers to requests sent earlier may report more than we still hold.
            window.remaining.min(remaining)
        } else {
            remaining
        };
        window.resets_at = resets_at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(remaining: u64, reset: u64) -> RateLimit {
        RateLimit {
            limit: Some(3),
            period: Some(10),
            remaining: Some(remaining),
            reset: Some(reset),
            name: Some("users_write".into()),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn unknown_operations_pass_until_a_limit_is_announced() {
        let pacer = Pacer::default();
        assert_eq!(pacer.take("disable user"), Ok(()));
        pacer.observe("disable user", &headers(2, 5));
        assert_eq!(pacer.take("disable user"), Ok(()));
        assert_eq!(pacer.take("disable user"), Ok(()));
        let hold = pacer.take("disable user").unwrap_err();
        assert_eq!(hold.limit, "users_write");
        assert!(hold.wait > Duration::from_secs(4) && hold.wait <= Duration::from_secs(6));
        assert_eq!(
            pacer.take("list users"),
            Ok(()),
            "other limits are not held"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_window_frees_the_slots() {
        let pacer = Pacer::default();
        pacer.observe("disable user", &headers(0, 1));
        assert!(pacer.take("disable user").is_err());
        tokio::time::advance(Duration::from_millis(1100)).await;
        assert_eq!(pacer.take("disable user"), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn absurd_resets_hold_no_longer_than_the_ceiling() {
        let pacer = Pacer::new(Duration::from_secs(5));
        for reset in [1_000_000_000, u64::MAX] {
            pacer.observe("disable user", &headers(0, reset));
            let hold = pacer.take("disable user").unwrap_err();
            assert!(
                hold.wait <= Duration::from_millis(5_050),
                "{reset}: {hold:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_limit_of_zero_still_lets_one_request_through_each_window() {
        let pacer = Pacer::default();
        let zero = RateLimit {
            limit: Some(0),
            remaining: Some(0),
            ..headers(0, 1)
        };
        pacer.observe("disable user", &zero);
        assert!(pacer.take("disable user").is_err());
        tokio::time::advance(Duration::from_millis(1100)).await;
        assert_eq!(pacer.take("disable user"), Ok(()));
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_window_lasts_the_announced_period() {
        let pacer = Pacer::default();
        pacer.observe("disable user", &headers(0, 1));
        tokio::time::advance(Duration::from_millis(1100)).await;
        // headers(..) announce a limit of 3 per 10 s: the new window holds 3, for 10 s.
        for _ in 0..3 {
            assert_eq!(pacer.take("disable user"), Ok(()));
        }
        let hold = pacer.take("disable user").unwrap_err();
        assert!(hold.wait > Duration::from_secs(9), "{hold:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn windows_follow_one_another_by_the_announced_period() {
        let pacer = Pacer::default();
        // The window ends in 1 s; windows last 10 s (headers(..)).
        pacer.observe("disable user", &headers(0, 1));
        // 5 s into the next window: it has 5 s (and 3 requests) left, not 10 s.
        tokio::time::advance(Duration::from_millis(1050 + 5000)).await;
        for _ in 0..3 {
            assert_eq!(pacer.take("disable user"), Ok(()));
        }
        let hold = pacer.take("disable user").unwrap_err();
        assert!(
            hold.wait > Duration::from_secs(4) && hold.wait <= Duration::from_secs(5),
            "{hold:?}"
        );
        // Two windows and a half later, the same: the end of the window now running.
        tokio::time::advance(hold.wait + Duration::from_secs(25)).await;
        assert_eq!(pacer.take("disable user"), Ok(()));
        pacer.take("disable user").unwrap();
        pacer.take("disable user").unwrap();
        let hold = pacer.take("disable user").unwrap_err();
        assert!(
            hold.wait > Duration::from_secs(4) && hold.wait <= Duration::from_secs(5),
            "{hold:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn stale_answers_do_not_give_back_slots_already_taken() {
        let pacer = Pacer::default();
        pacer.observe("disable user", &headers(2, 5));
        pacer.take("disable user").unwrap();
        pacer.take("disable user").unwrap();
        // An answer to an earlier request still says 2 left.
        pacer.observe("disable user", &headers(2, 5));
        assert!(pacer.take("disable user").is_err());
    }
}
