//! Datadog's rate-limit headers (`X-RateLimit-Limit/Period/Remaining/Reset/Name`). They
//! come from the server, so they are read defensively (anything but a plain non-negative
//! integer is ignored) and every wait derived from them is capped by the caller.

use std::time::Duration;

use reqwest::header::HeaderMap;

/// The rate-limit state a response announced. Fields are absent when the header was.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per period.
    pub limit: Option<u64>,
    /// Period length in seconds.
    pub period: Option<u64>,
    /// Requests left in the current period.
    pub remaining: Option<u64>,
    /// Seconds until the current period resets.
    pub reset: Option<u64>,
    /// The limit's name (what to quote when asking Datadog for an increase).
    pub name: Option<String>,
}

impl RateLimit {
    /// How long until the current period resets, capped at `ceiling`: a server may announce
    /// any number, and no wait may be longer than the caller allows.
    pub fn reset_after(&self, ceiling: Duration) -> Option<Duration> {
        self.reset
            .map(|secs| Duration::from_secs(secs).min(ceiling))
    }

    /// The period's length, between one second and `ceiling`.
    pub fn period_within(&self, ceiling: Duration) -> Option<Duration> {
        self.period.map(|secs| {
            Duration::from_secs(secs)
                .clamp(Duration::from_secs(1), ceiling.max(Duration::from_secs(1)))
        })
    }

    /// Reads the headers; `None` when the response carried none of them. Negative,
    /// fractional, garbled or out-of-range numbers read as absent.
    pub fn from_headers(headers: &HeaderMap) -> Option<RateLimit> {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let limit = RateLimit {
            limit: number("x-ratelimit-limit"),
            period: number("x-ratelimit-period"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
            name: headers
                .get("x-ratelimit-name")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        };
        (limit != RateLimit::default()).then_some(limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_all_five_headers_case_insensitively() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("X-RateLimit-Limit", "10"),
            ("x-ratelimit-period", "10"),
            ("X-RATELIMIT-REMAINING", "9"),
            ("x-ratelimit-reset", "3"),
            ("x-ratelimit-name", "logs_public_search_api"),
        ] {
            headers.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_static(value),
            );
        }
        let limit = RateLimit::from_headers(&headers).unwrap();
        assert_eq!(limit.limit, Some(10));
        assert_eq!(limit.remaining, Some(9));
        assert_eq!(limit.reset, Some(3));
        assert_eq!(limit.name.as_deref(), Some("logs_public_search_api"));
    }

    #[test]
    fn absent_or_garbled_headers_are_none() {
        assert_eq!(RateLimit::from_headers(&HeaderMap::new()), None);
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("soon"));
        assert_eq!(RateLimit::from_headers(&headers), None);
    }

    #[test]
    fn negative_fractional_and_overflowing_numbers_read_as_absent() {
        for bad in ["-5", "1.5", "abc", "99999999999999999999999", "", "0x10"] {
            let mut headers = HeaderMap::new();
            headers.insert("x-ratelimit-reset", HeaderValue::from_str(bad).unwrap());
            assert_eq!(RateLimit::from_headers(&headers), None, "{bad:?}");
        }
    }

    #[test]
    fn a_reset_is_never_longer_than_the_ceiling() {
        let ceiling = Duration::from_secs(60);
        for (reset, expected) in [
            (3, Duration::from_secs(3)),
            (1_000_000_000, ceiling),
            (u64::MAX, ceiling),
        ] {
            let limit = RateLimit {
                reset: Some(reset),
                ..RateLimit::default()
            };
            assert_eq!(limit.reset_after(ceiling), Some(expected));
        }
        let limit = RateLimit {
            period: Some(u64::MAX),
            ..RateLimit::default()
        };
        assert_eq!(limit.period_within(ceiling), Some(ceiling));
        let limit = RateLimit {
            period: Some(0),
            ..RateLimit::default()
        };
        assert_eq!(limit.period_within(ceiling), Some(Duration::from_secs(1)));
    }
}
