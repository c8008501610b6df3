//! The middleware every sandbox request passes first: request counters, rate limits
//! (`X-RateLimit-*` on every response, 429 over the limit), the link's round trip, injected
//! 5xx failures (decided before the handler runs, so a failed write is never applied) and
//! connections dropped mid-body. Owns no org data.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use super::handlers::response::error_response;
use super::{RateLimitSpec, Shared};

/// Limit of each group when no `rate_limit` is configured: high enough that tests and the
/// console never meet it, while the headers still count down.
pub const DEFAULT_RATE_LIMIT: RateLimitSpec = RateLimitSpec {
    requests: 10_000,
    period_secs: 10,
};

/// The rate-limit group (`X-RateLimit-Name`) of a request.
pub fn rate_limit_group(method: &Method, path: &str) -> &'static str {
    let read = method == Method::GET || method == Method::HEAD;
    if path.starts_with("/api/v2/application_keys")
        || path.starts_with("/api/v2/current_user/application_keys")
    {
        if read {
            "keys_read"
        } else {
            "keys_write"
        }
    } else if path.starts_with("/api/v2/permissions") {
        "permissions_read"
    } else if path.starts_with("/api/v2/roles") {
        if read {
            "roles_read"
        } else {
            "roles_write"
        }
    } else if path == "/api/v2/users" && read {
        "users_list"
    } else if path.starts_with("/api/v2/users")
        || path.starts_with("/api/v2/user_invitations")
        || path.starts_with("/api/v2/current_user")
        || path.starts_with("/api/v2/anonymize_users")
    {
        if read {
            "users_read"
        } else {
            "users_write"
        }
    } else {
        "other"
    }
}

/// What the limiter decided for one request.
struct RateDecision {
    allowed: bool,
    limit: u32,
    period: u32,
    remaining: u32,
    reset: u64,
    name: &'static str,
}

/// Period-aligned windows per group, like Datadog's calendar-aligned periods, by the
/// sandbox clock.
pub(crate) struct RateLimiter {
    spec: RateLimitSpec,
    windows: Mutex<HashMap<&'static str, (u64, u32)>>,
}

impl RateLimiter {
    pub fn new(spec: Option<RateLimitSpec>) -> Self {
        let mut spec = spec.unwrap_or(DEFAULT_RATE_LIMIT);
        spec.period_secs = spec.period_secs.max(1);
        Self {
            spec,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of group `name` made at `at`.
    fn check(&self, name: &'static str, at: OffsetDateTime) -> RateDecision {
        let now = (at - OffsetDateTime::UNIX_EPOCH).as_seconds_f64().max(0.0);
        let period = u64::from(self.spec.period_secs);
        let window = (now as u64) / period * period;
        let reset = ((window + period) as f64 - now).ceil().max(1.0) as u64;
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = windows.entry(name).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        let allowed = entry.1 < self.spec.requests;
        if allowed {
            entry.1 += 1;
        }
        RateDecision {
            allowed,
            limit: self.spec.requests,
            period: self.spec.period_secs,
            remaining: self.spec.requests - entry.1,
            reset,
            name,
        }
    }
}

/// Whether a request could change the org. SearchAuditLogs is a POST only because its
/// query travels in a body: it reads, and "sends no write" must stay true of a session
/// that reads a user's history.
fn is_write(method: &Method, path: &str) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) && path != "/api/v2/audit/events/search"
}

fn add_rate_headers(headers: &mut HeaderMap, d: &RateDecision) {
    let pairs = [
        ("x-ratelimit-limit", d.limit.to_string()),
        ("x-ratelimit-period", d.period.to_string()),
        ("x-ratelimit-remaining", d.remaining.to_string()),
        ("x-ratelimit-reset", d.reset.to_string()),
        ("x-ratelimit-name", d.name.to_owned()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// Rolls the seeded dice of a fault knob.
fn roll(shared: &Shared, rate: f64) -> bool {
    rate > 0.0
        && shared
            .fault_rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .f64()
            < rate
}

/// Counts a request as being handled for as long as it lives (a request whose client hung
/// up is dropped, and stops counting then too).
struct Handling<'a>(&'a Shared);

impl<'a> Handling<'a> {
    fn start(shared: &'a Shared) -> Self {
        let stats = &shared.stats;
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.most_in_flight.fetch_max(now, Ordering::SeqCst);
        Handling(shared)
    }
}

impl Drop for Handling<'_> {
    fn drop(&mut self) {
        self.0.stats.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The middleware: counts, limits, delays, fails, then runs the handler.
pub(crate) async fn guard(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let _handling = Handling::start(&shared);
    shared.stats.requests.fetch_add(1, Ordering::Relaxed);
    if is_write(req.method(), req.uri().path()) {
        shared.stats.write_requests.fetch_add(1, Ordering::Relaxed);
    }
    let decision = shared.limiter.check(
        rate_limit_group(req.method(), req.uri().path()),
        shared.now(),
    );
    let round_trip = shared.link.round_trip();
    if !round_trip.is_zero() {
        tokio::time::sleep(round_trip).await;
    }
    let injected = shared.injected_fault(req.method().as_str(), req.uri().path());
    let mut response = if !decision.allowed {
        shared.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
        error_response(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
    } else if let Some(super::Fault::Refuse(status)) = injected {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        error_response(status, "Refused (injected fault)")
    } else if roll(&shared, shared.config.fail_rate) {
        let status = if roll(&shared, 0.5) {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        error_response(status, "Internal Server Error")
    } else {
        next.run(req).await
    };
    add_rate_headers(response.headers_mut(), &decision);
    if injected == Some(super::Fault::LoseAnswer) || roll(&shared, shared.config.drop_rate) {
        response = if response.status() == StatusCode::NO_CONTENT {
            // A bodiless answer cannot be cut mid-body: lose it the way a gateway does, after
            // the change was applied, so the client cannot know whether it took effect.
            let mut lost = error_response(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout");
            add_rate_headers(lost.headers_mut(), &decision);
            lost
        } else {
            truncate(response).await
        };
    }
    response
}

/// Sends the headers and half the body, then fails the body stream so the connection is
/// cut mid-response (what a client sees when a proxy or the network drops it).
async fn truncate(response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let half = bytes.slice(..bytes.len() / 2);
    let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> = vec![
        Ok(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox drop_rate: connection cut mid-body",
        )),
    ];
    let mut response =
        Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)));
    response
        .headers_mut()
        .remove(axum::http::header::CONTENT_LENGTH);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_split_reads_writes_and_lists() {
        assert_eq!(
            rate_limit_group(&Method::GET, "/api/v2/users"),
            "users_list"
        );
        assert_eq!(
            rate_limit_group(&Method::POST, "/api/v2/users"),
            "users_write"
        );
        assert_eq!(
            rate_limit_group(&Method::GET, "/api/v2/users/x"),
            "users_read"
        );
        assert_eq!(
            rate_limit_group(&Method::DELETE, "/api/v2/roles/x/users"),
            "roles_write"
        );
        assert_eq!(
            rate_limit_group(&Method::GET, "/api/v2/permissions"),
            "permissions_read"
        );
        assert_eq!(
            rate_limit_group(&Method::GET, "/api/v2/application_keys/x"),
            "keys_read"
        );
        assert_eq!(
            rate_limit_group(&Method::GET, "/api/v2/current_user/application_keys"),
            "keys_read"
        );
        assert_eq!(
            rate_limit_group(&Method::GET, "/api/v2/current_user"),
            "users_read"
        );
    }

    #[test]
    fn limiter_refuses_the_request_after_the_limit_until_the_next_window() {
        let limiter = RateLimiter::new(Some(RateLimitSpec {
            requests: 2,
            period_secs: 3600,
        }));
        // 10:15:00.5 UTC: the window began at 10:00 and resets at 11:00.
        let at = time::macros::datetime!(2026-03-02 10:15:00.5 UTC);
        assert!(limiter.check("a", at).allowed);
        let second = limiter.check("a", at);
        assert!(second.allowed);
        assert_eq!(second.remaining, 0);
        let third = limiter.check("a", at);
        assert!(!third.allowed);
        assert_eq!((third.remaining, third.reset), (0, 2700));
        assert!(
            limiter.check("b", at).allowed,
            "each group has its own budget"
        );
        let next_window = at + time::Duration::seconds(2700);
        let fourth = limiter.check("a", next_window);
        assert!(fourth.allowed);
        assert_eq!((fourth.remaining, fourth.reset), (1, 3600));
    }
}
