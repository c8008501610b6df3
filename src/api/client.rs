//! The HTTP side of the client: one `Client` (cheap to clone) that signs requests with the
//! keys, retries what is safe to retry, and turns answers into typed values or `ApiError`s.
//!
//! Retry rules: a GET is retried on 408, 429, 5xx and network failures with bounded
//! exponential backoff and full jitter (a 429 waits `X-RateLimit-Reset` instead). A write is
//! retried only when it is known not to have been applied: on a 429 (the service refuses
//! before doing anything) or when the connection could not even be opened. Any other failed
//! write is returned as is; callers that must know its outcome read first (see `outcome`).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::models::ErrorBody;
use super::pacer::Pacer;
use super::ratelimit::RateLimit;
use crate::config::{ConfigError, Credentials};

/// How reads (and writes refused with 429) are retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff; doubles each attempt.
    pub base_delay: Duration,
    /// Ceiling of one backoff.
    pub max_delay: Duration,
    /// Ceiling of one wait for a rate-limit reset.
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base_delay: Duration::from_millis(300),
            max_delay: Duration::from_secs(10),
            max_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How long to wait before retry number `attempt` (0-based) after `error`.
    pub fn delay(&self, attempt: u32, error: &ApiError) -> Duration {
        if let Some(reset) = error.rate_limit().and_then(|r| r.reset) {
            if error.status() == Some(429) {
                // The window resets at a whole second; a little jitter keeps concurrent
                // callers from stampeding the first instant of the new window.
                let wait =
                    Duration::from_secs(reset) + Duration::from_millis(fastrand::u64(0..=250));
                return wait.min(self.max_rate_limit_wait);
            }
        }
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_delay);
        // Full jitter: anywhere between zero and the exponential ceiling.
        let ceiling = exp.as_millis().max(1) as u64;
        Duration::from_millis(fastrand::u64(ceiling / 2..=ceiling))
    }
}

/// A retry the client is about to make, for status lines ("rate limited — retrying in 3 s").
#[derive(Clone, Debug)]
pub struct RetryNotice {
    pub operation: &'static str,
    pub attempt: u32,
    pub wait: Duration,
    pub reason: String,
    pub rate_limited: bool,
}

/// Something that wants to hear about retries.
pub type RetryObserver = Arc<dyn Fn(&RetryNotice) + Send + Sync>;

/// Something that wants to hear how every request ended (after its retries): the operation,
/// and the error when it failed. A run's circuit breaker listens here.
pub type AnswerObserver = Arc<dyn Fn(&'static str, Option<&ApiError>) + Send + Sync>;

/// Everything a `Client` needs.
#[derive(Clone)]
pub struct ClientOptions {
    pub base_url: Url,
    pub credentials: Credentials,
    pub retry: RetryPolicy,
    /// Timeout of one HTTP exchange.
    pub timeout: Duration,
    /// How many list pages are fetched at once after the first.
    pub page_concurrency: usize,
}

impl ClientOptions {
    pub fn new(base_url: Url, credentials: Credentials) -> Self {
        Self {
            base_url,
            credentials,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            page_concurrency: 8,
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("base_url", &self.base_url.as_str())
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("page_concurrency", &self.page_concurrency)
            .finish()
    }
}

/// The Datadog Users API v2 client. Clones share one connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    retry: RetryPolicy,
    page_concurrency: usize,
    observer: Option<RetryObserver>,
    answers: Option<AnswerObserver>,
    pacer: Arc<Pacer>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .finish_non_exhaustive()
    }
}

/// One request, before it is sent.
pub(crate) struct Request {
    pub operation: &'static str,
    pub method: Method,
    pub segments: Vec<String>,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
}

impl Request {
    pub fn new(operation: &'static str, method: Method, segments: &[&str]) -> Self {
        Self {
            operation,
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
        }
    }

    pub fn get(operation: &'static str, segments: &[&str]) -> Self {
        Self::new(operation, Method::GET, segments)
    }

    pub fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    pub fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    pub fn body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// A successful answer.
pub(crate) struct Answer {
    pub status: u16,
    pub body: bytes::Bytes,
}

impl Client {
    /// Builds a client; fails only when the keys cannot be sent as headers.
    pub fn new(options: ClientOptions) -> Result<Client, ConfigError> {
        options.credentials.validate()?;
        let mut headers = HeaderMap::new();
        for (name, key, what) in [
            ("dd-api-key", &options.credentials.api_key, "API key"),
            (
                "dd-application-key",
                &options.credentials.app_key,
                "application key",
            ),
        ] {
            let mut value =
                HeaderValue::from_str(key.expose()).map_err(|_| ConfigError::MalformedKey(what))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("ddusers/", env!("CARGO_PKG_VERSION"))),
        );
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(options.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ConfigError::BadBaseUrl {
                url: options.base_url.to_string(),
                reason: format!("the HTTP client could not be set up: {e}"),
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base: options.base_url,
                retry: options.retry,
                page_concurrency: options.page_concurrency.max(1),
                observer: None,
                answers: None,
                pacer: Arc::new(Pacer::default()),
            }),
        })
    }

    /// The same client, telling `observer` about every retry it makes.
    pub fn with_retry_observer(&self, observer: RetryObserver) -> Client {
        self.derived(Some(observer), self.inner.answers.clone())
    }

    /// The same client (same connections and pacer), telling `observer` how every request
    /// ended.
    pub fn with_answer_observer(&self, observer: AnswerObserver) -> Client {
        self.derived(self.inner.observer.clone(), Some(observer))
    }

    fn derived(&self, observer: Option<RetryObserver>, answers: Option<AnswerObserver>) -> Client {
        Client {
            inner: Arc::new(Inner {
                http: self.inner.http.clone(),
                base: self.inner.base.clone(),
                retry: self.inner.retry.clone(),
                page_concurrency: self.inner.page_concurrency,
                observer,
                answers,
                pacer: self.inner.pacer.clone(),
            }),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// How many list pages are fetched at once.
    pub fn page_concurrency(&self) -> usize {
        self.inner.page_concurrency
    }

    fn url(&self, request: &Request) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            for segment in &request.segments {
                path.push(segment);
            }
        }
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter());
        }
        url
    }

    /// Sends `request`, retrying what is safe to retry, and tells the answer observer how
    /// it ended.
    pub(crate) async fn send(&self, request: &Request) -> Result<Answer, ApiError> {
        let result = self.send_with_retries(request).await;
        if let Some(answers) = &self.inner.answers {
            answers(request.operation, result.as_ref().err());
        }
        result
    }

    async fn send_with_retries(&self, request: &Request) -> Result<Answer, ApiError> {
        let is_read = request.method == Method::GET;
        let mut attempt = 0;
        loop {
            let (result, sent) = self.send_once(request).await;
            let error = match result {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            let safe = if is_read {
                error.is_retryable()
            } else {
                error.status() == Some(429) || !sent
            };
            if !safe || attempt >= self.inner.retry.max_retries {
                return Err(error);
            }
            let wait = self.inner.retry.delay(attempt, &error);
            if let Some(observer) = &self.inner.observer {
                observer(&RetryNotice {
                    operation: request.operation,
                    attempt: attempt + 1,
                    wait,
                    reason: error.to_string(),
                    rate_limited: error.status() == Some(429),
                });
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Waits until the pacer has a slot for this operation, telling the observer why.
    async fn pace(&self, operation: &'static str) {
        while let Err(hold) = self.inner.pacer.take(operation) {
            if let Some(observer) = &self.inner.observer {
                observer(&RetryNotice {
                    operation,
                    attempt: 0,
                    wait: hold.wait,
                    reason: format!("rate limit {} reached", hold.limit),
                    rate_limited: true,
                });
            }
            tokio::time::sleep(hold.wait).await;
        }
    }

    /// One exchange. The flag says whether the request may have reached the server.
    async fn send_once(&self, request: &Request) -> (Result<Answer, ApiError>, bool) {
        self.pace(request.operation).await;
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), self.url(request));
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => {
                let sent = !e.is_connect();
                return (Err(network_error(request.operation, &e)), sent);
            }
        };
        let status = response.status();
        let rate_limit = RateLimit::from_headers(response.headers());
        if let Some(headers) = &rate_limit {
            self.inner.pacer.observe(request.operation, headers);
        }
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(e) => return (Err(network_error(request.operation, &e)), true),
        };
        if status.is_success() {
            return (
                Ok(Answer {
                    status: status.as_u16(),
                    body,
                }),
                true,
            );
        }
        (
            Err(status_error(request.operation, status, &body, rate_limit)),
            true,
        )
    }

    /// Sends and decodes a JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(&self, request: Request) -> Result<T, ApiError> {
        let answer = self.send(&request).await?;
        decode(request.operation, &answer)
    }

    /// Sends and ignores any body (204s and the bodiless 200 of DeleteUserInvitations).
    pub(crate) async fn no_content(&self, request: Request) -> Result<(), ApiError> {
        self.send(&request).await.map(|_| ())
    }
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

fn network_error(operation: &'static str, error: &reqwest::Error) -> ApiError {
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
        format!("the request to {host} failed ({})", root_cause(error))
    };
    ApiError::Network { operation, detail }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}
