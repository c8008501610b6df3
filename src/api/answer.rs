//! Reading what the server answered, within bounds: a body is read chunk by chunk up to a
//! limit, a redirect is an error naming only the host it points to, an error status
//! becomes an `ApiError` with Datadog's messages (or a word on what came instead), and a
//! failed exchange is told without the URL. Decoding a success body lives here too.

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::models::ErrorBody;
use super::ratelimit::RateLimit;

/// A successful answer.
pub(crate) struct Answer {
    pub status: u16,
    pub body: bytes::Bytes,
}

/// The answer to a request that reached the server: its body when the status is a
/// success, otherwise the error its status, redirect or body says.
pub(crate) async fn read(
    operation: &'static str,
    url: &Url,
    response: reqwest::Response,
    rate_limit: Option<RateLimit>,
    limit: usize,
) -> Result<Answer, ApiError> {
    let status = response.status();
    if status.is_redirection() {
        // Not followed (see `Client::new`); the body is not even read.
        return Err(ApiError::Redirected {
            operation,
            status: status.as_u16(),
            location: location_host(url, response.headers()),
        });
    }
    let body = match read_body(response, limit).await {
        Ok(body) => body,
        Err(BodyError::Network(e)) => return Err(network_error(operation, e)),
        Err(BodyError::TooLarge) if status.is_success() => {
            return Err(ApiError::Decode {
                operation,
                status: status.as_u16(),
                detail: too_large(limit),
            })
        }
        Err(BodyError::TooLarge) => {
            // The status still says what happened (a 429 is still retried); only the
            // body is dropped.
            let mut error = status_error(operation, status, b"", rate_limit);
            if let ApiError::Status { messages, .. } = &mut error {
                messages.push(too_large(limit));
            }
            return Err(error);
        }
    };
    if status.is_success() {
        Ok(Answer {
            status: status.as_u16(),
            body,
        })
    } else {
        Err(status_error(operation, status, &body, rate_limit))
    }
}

/// Why a body could not be read whole.
enum BodyError {
    /// Longer than the limit, declared or as it arrived.
    TooLarge,
    Network(reqwest::Error),
}

/// Reads a body chunk by chunk, stopping as soon as it passes `limit` bytes: an endless or
/// enormous answer costs at most `limit` bytes of memory. A `content-length` above the
/// limit is refused before reading anything.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, BodyError> {
    let declared = response.content_length();
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    // The declared length only sizes the first allocation, and never beyond 1 MiB: a server
    // may declare what it likes.
    let first = declared.unwrap_or(0).min(limit as u64).min(1 << 20) as usize;
    let mut body = Vec::with_capacity(first);
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Network)? {
        if chunk.len() > limit - body.len() {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(bytes::Bytes::from(body))
}

/// "the answer was larger than 64 MB: stopped reading".
fn too_large(limit: usize) -> String {
    const MB: usize = 1024 * 1024;
    let size = if limit >= MB && limit.is_multiple_of(MB) {
        format!("{} MB", limit / MB)
    } else if limit >= 1024 && limit.is_multiple_of(1024) {
        format!("{} KB", limit / 1024)
    } else {
        format!("{limit} bytes")
    };
    format!("the answer was larger than {size}: stopped reading (no Datadog answer comes near that; is the base URL right?)")
}

/// The host (and port) a redirect points to, resolved against the request's URL; never its
/// path, query or user-info, which may carry tokens. At most 100 characters.
fn location_host(from: &Url, headers: &HeaderMap) -> Option<String> {
    let text = headers.get(LOCATION)?.to_str().ok()?;
    let target = from.join(text.trim()).ok()?;
    let host = target.host_str()?;
    let mut shown = match target.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    if shown.chars().count() > 100 {
        shown = shown.chars().take(100).collect::<String>() + "…";
    }
    Some(shown)
}

/// Decodes a success body as `T`, with a clear error for empty or malformed bodies.
pub(crate) fn decode<T: DeserializeOwned>(
    operation: &'static str,
    answer: &Answer,
) -> Result<T, ApiError> {
    if answer.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::Decode {
            operation,
            status: answer.status,
            detail: "the body is empty".into(),
        });
    }
    serde_json::from_slice(&answer.body).map_err(|e| ApiError::Decode {
        operation,
        status: answer.status,
        detail: format!("{e} (body starts with {})", snippet(&answer.body)),
    })
}

/// The first characters of a body, for error messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut cut: String = text.chars().take(60).collect();
    cut = cut.replace(|c: char| c.is_control(), " ");
    if text.chars().count() > 60 {
        cut.push('…');
    }
    format!("{cut:?}")
}

fn status_error(
    operation: &'static str,
    status: StatusCode,
    body: &[u8],
    rate_limit: Option<RateLimit>,
) -> ApiError {
    let messages = match ErrorBody::parse(body) {
        Some(parsed) => parsed.errors,
        // An HTML error page or plain text: say so rather than pasting markup.
        None if body.iter().all(u8::is_ascii_whitespace) => Vec::new(),
        None if looks_like_html(body) => vec!["the body is an HTML page, not JSON".to_owned()],
        None => vec![format!("unexpected body {}", snippet(body))],
    };
    ApiError::Status {
        operation,
        status: status.as_u16(),
        messages,
        rate_limit: rate_limit.map(Box::new),
    }
}

fn looks_like_html(body: &[u8]) -> bool {
    let start = String::from_utf8_lossy(&body[..body.len().min(200)]).to_ascii_lowercase();
    start.trim_start().starts_with('<')
}

/// A failed exchange in words. Names the host and port only: reqwest's errors carry the
/// URL, which is dropped before any of its text is used.
pub(crate) fn network_error(operation: &'static str, error: reqwest::Error) -> ApiError {
    let host = error
        .url()
        .map(|u| {
            let host = u.host_str().unwrap_or("?");
            match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            }
        })
        .unwrap_or_else(|| "the server".to_owned());
    let detail = if error.is_timeout() {
        format!("{host} did not answer in time")
    } else if error.is_connect() {
        format!("could not connect to {host} (network down, or the address is wrong)")
    } else if error.is_body() || error.is_decode() {
        format!("the connection to {host} broke while reading the answer")
    } else {
        format!(
            "the request to {host} failed ({})",
            root_cause(&error.without_url())
        )
    };
    ApiError::Network { operation, detail }
}

pub(crate) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}
