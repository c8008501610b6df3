//! The client's errors: what failed, the HTTP status, Datadog's messages and the rate-limit
//! headers, in words a person can act on. Keys never appear here: request headers are not
//! kept, and URLs carry no keys.

use super::ratelimit::RateLimit;

/// Broad classes of failure, for exit codes and plain-words status lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400/409/422: the request was refused as invalid.
    BadRequest,
    /// 401/403: a wrong key, or a key without the permission.
    Auth,
    /// 404.
    NotFound,
    /// 429.
    RateLimited,
    /// 5xx.
    Server,
    /// Could not connect, timed out, or the connection dropped.
    Network,
    /// The response could not be read or used: a body that is not what the operation
    /// returns or is too large, a redirect, or a listing that does not end.
    Decode,
}

/// An error of one API call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The service answered with an error status.
    #[error("{operation}: {}", describe_status(*status, messages))]
    Status {
        operation: &'static str,
        status: u16,
        messages: Vec<String>,
        rate_limit: Option<Box<RateLimit>>,
    },
    /// The request did not get an answer (connection refused, timeout, dropped connection).
    /// For a write, whether it was applied is unknown.
    #[error("{operation}: {detail}")]
    Network {
        operation: &'static str,
        detail: String,
    },
    /// The service answered, but the body is not what the operation returns (or was larger
    /// than the client reads: see `ClientOptions::max_body_bytes`).
    #[error("{operation}: the response (HTTP {status}) could not be read: {detail}")]
    Decode {
        operation: &'static str,
        status: u16,
        detail: String,
    },
    /// The server answered with a redirect (3xx). The client follows none: the Datadog API
    /// never redirects, and following would send the keys, and replay a write, elsewhere.
    /// Nothing was sent to the new address, and a write answered so was not applied.
    #[error("{operation}: {}", describe_redirect(*status, location.as_deref()))]
    Redirected {
        operation: &'static str,
        status: u16,
        /// Where the server pointed: the host (and port) only, never a path, query or
        /// user-info; `None` when the `Location` header was missing or unreadable.
        location: Option<String>,
    },
    /// A listing that does not add up (pages that never end, repeat themselves, or bring
    /// more than the announced count) was stopped rather than read forever.
    #[error("{operation}: {detail}")]
    Listing {
        operation: &'static str,
        detail: String,
    },
    /// An id that would change which endpoint a request reaches (empty, `.`, `..`, or with
    /// a `/`) was refused before anything was sent.
    #[error("{operation}: refusing the id {id:?}: {reason}; nothing was sent")]
    BadId {
        operation: &'static str,
        id: String,
        reason: &'static str,
    },
}

fn describe_redirect(status: u16, location: Option<&str>) -> String {
    let target = match location {
        Some(host) => format!("to {host}"),
        None => "with no usable Location".to_owned(),
    };
    format!(
        "the server answered with a redirect (HTTP {status}) {target}; ddusers follows no \
         redirects (the Datadog API never redirects, and following one would send your keys \
         elsewhere), so nothing was sent there and nothing was changed: check DD_SITE or \
         --base-url (DDUSERS_BASE_URL)"
    )
}

fn describe_status(status: u16, messages: &[String]) -> String {
    let what = match status {
        400 => "the request was refused as invalid (400)",
        401 => "not authenticated (401): check DD_API_KEY and DD_APP_KEY",
        403 => "permission denied (403): the keys are wrong or lack the permission",
        404 => "not found (404)",
        409 => "conflict (409)",
        422 => "the request was refused (422)",
        429 => "rate limited (429)",
        500..=599 => "the service failed",
        _ => "unexpected answer",
    };
    let what = if (500..600).contains(&status) {
        format!("{what} (HTTP {status})")
    } else {
        what.to_owned()
    };
    if messages.is_empty() {
        what
    } else {
        format!("{what}: {}", messages.join("; "))
    }
}

impl ApiError {
    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. }
            | ApiError::Decode { status, .. }
            | ApiError::Redirected { status, .. } => Some(*status),
            ApiError::Network { .. } | ApiError::Listing { .. } | ApiError::BadId { .. } => None,
        }
    }

    /// Datadog's messages (`errors`), when there were any.
    pub fn messages(&self) -> &[String] {
        match self {
            ApiError::Status { messages, .. } => messages,
            _ => &[],
        }
    }

    /// The rate-limit headers of the error response.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        match self {
            ApiError::Status { rate_limit, .. } => rate_limit.as_deref(),
            _ => None,
        }
    }

    /// The broad class of the failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Network { .. } => ErrorKind::Network,
            ApiError::Decode { .. } | ApiError::Redirected { .. } | ApiError::Listing { .. } => {
                ErrorKind::Decode
            }
            ApiError::BadId { .. } => ErrorKind::BadRequest,
            ApiError::Status { status, .. } => match status {
                401 | 403 => ErrorKind::Auth,
                404 => ErrorKind::NotFound,
                429 => ErrorKind::RateLimited,
                408 | 500..=599 => ErrorKind::Server,
                _ => ErrorKind::BadRequest,
            },
        }
    }

    /// True for a 404.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// True when a read may succeed if tried again: 408, 429, 5xx and network failures.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Network | ErrorKind::RateLimited | ErrorKind::Server
        )
    }

    /// True when a write may or may not have been applied: no answer came back, or the
    /// answer was a server failure after the request was sent.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Network { .. } => true,
            ApiError::Status { status, .. } => matches!(status, 500 | 502 | 504),
            ApiError::Decode { status, .. } => (200..300).contains(status),
            // The service never redirects: a 3xx came from something that is not the API.
            ApiError::Redirected { .. } | ApiError::Listing { .. } | ApiError::BadId { .. } => {
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_errors_carry_datadogs_messages() {
        let err = ApiError::Status {
            operation: "update user",
            status: 404,
            messages: vec!["00000000-dead-beef-dead-ffffffffffff not found".into()],
            rate_limit: None,
        };
        assert_eq!(
            err.to_string(),
            "update user: not found (404): 00000000-dead-beef-dead-ffffffffffff not found"
        );
        assert!(err.is_not_found());
        assert!(!err.is_retryable());
    }

    #[test]
    fn empty_429_still_reads_clearly() {
        let err = ApiError::Status {
            operation: "list users",
            status: 429,
            messages: vec![],
            rate_limit: None,
        };
        assert_eq!(err.to_string(), "list users: rate limited (429)");
        assert_eq!(err.kind(), ErrorKind::RateLimited);
        assert!(err.is_retryable());
    }
}
