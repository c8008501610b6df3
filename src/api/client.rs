//! The HTTP side of the client: one `Client` (cheap to clone) that signs requests with the
//! keys, retries what is safe to retry, and turns answers into typed values or `ApiError`s.
//!
//! Retry rules: a GET (or a search sent as a POST) is retried on 408, 429, 5xx and network failures with bounded
//! exponential backoff and full jitter (a 429 waits `X-RateLimit-Reset` instead). A write is
//! retried only when it is known not to have been applied: on a 429 (the service refuses
//! before doing anything) or when the connection could not even be opened. Any other failed
//! write is returned as is; callers that must know its outcome read first (see `outcome`).
//!
//! Nothing the server says is trusted without a bound: redirects are not followed (a 3xx is
//! an error naming the host it pointed to), bodies are read in chunks up to
//! `ClientOptions::max_body_bytes`, every wait a rate-limit header asks for is capped at
//! `RetryPolicy::max_rate_limit_wait`, and ids that would change the endpoint (`..`) are
//! refused before anything is sent.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

pub(crate) use super::answer::Answer;
use super::answer::{self, decode, network_error, root_cause};
use super::error::ApiError;
use super::pacer::Pacer;
use super::ratelimit::RateLimit;
use crate::config::{redact_url, ConfigError, Credentials};

/// How reads (and writes refused with 429) are retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff; doubles each attempt.
    pub base_delay: Duration,
    /// Ceiling of one backoff.
    pub max_delay: Duration,
    /// Ceiling of one wait for a rate-limit reset, after a 429 and in the pacer alike:
    /// whatever `X-RateLimit-Reset` says, no request waits longer than this.
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
        let ceiling = self.max_rate_limit_wait;
        if let Some(reset) = error.rate_limit().and_then(|r| r.reset_after(ceiling)) {
            if error.status() == Some(429) {
                // The window resets at a whole second; a little jitter keeps concurrent
                // callers from stampeding the first instant of the new window.
                let jitter = Duration::from_millis(fastrand::u64(0..=250));
                return reset.saturating_add(jitter).min(ceiling);
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

/// Something that wants to hear how each attempt of one request went: its status (none when
/// no answer came), the answer's `X-RateLimit-Remaining`, and how long it took from sending
/// to the body's last byte. A listing sizes its pages in flight by it.
pub(crate) type AttemptObserver = Arc<dyn Fn(Option<u16>, Option<u64>, Duration) + Send + Sync>;

/// The largest answer the client reads by default: 64 MiB. A page of 100 users is about
/// 250 KB, so only a broken or hostile server comes near it.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Everything a `Client` needs.
#[derive(Clone)]
pub struct ClientOptions {
    /// Where the API is; no user-info, query or fragment (see `config::parse_base_url`).
    pub base_url: Url,
    pub credentials: Credentials,
    pub retry: RetryPolicy,
    /// Timeout of one HTTP exchange.
    pub timeout: Duration,
    /// The most list pages in flight at once after the first: the ceiling of the adaptive
    /// limit (see `api::adaptive`).
    pub page_concurrency: usize,
    /// The largest answer read, in bytes: reading stops there with an error (default
    /// [`DEFAULT_MAX_BODY_BYTES`]).
    pub max_body_bytes: usize,
    /// The most pages one "every page" listing reads before it stops with an error
    /// (default [`MAX_PAGES`](super::paging::MAX_PAGES)).
    pub max_pages: u64,
}

impl ClientOptions {
    /// Default retries, timeout, concurrency and bounds for `base_url` and `credentials`.
    pub fn new(base_url: Url, credentials: Credentials) -> Self {
        Self {
            base_url,
            credentials,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            page_concurrency: super::adaptive::MAX_PAGES_IN_FLIGHT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_pages: super::paging::MAX_PAGES,
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("base_url", &redact_url(self.base_url.as_str()))
            .field("credentials", &self.credentials)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("page_concurrency", &self.page_concurrency)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("max_pages", &self.max_pages)
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
    max_body_bytes: usize,
    max_pages: u64,
    observer: Option<RetryObserver>,
    answers: Option<AnswerObserver>,
    pacer: Arc<Pacer>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &redact_url(self.inner.base.as_str()))
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
    /// A POST that only reads (a search): retried as a GET is.
    pub reads_only: bool,
    /// Told how every attempt went.
    pub attempts: Option<AttemptObserver>,
}

impl Request {
    pub fn new(operation: &'static str, method: Method, segments: &[&str]) -> Self {
        Self {
            operation,
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            reads_only: false,
            attempts: None,
        }
    }

    /// Marks a request with a body that changes nothing (a search), so that failures are
    /// retried as a GET's are.
    pub fn reading(mut self) -> Self {
        self.reads_only = true;
        self
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

    /// Tells `observer` how every attempt of this request goes.
    pub fn observed(mut self, observer: Option<AttemptObserver>) -> Self {
        self.attempts = observer;
        self
    }
}

impl Client {
    /// Builds a client; fails when the keys cannot be sent as headers, or when the base URL
    /// carries user-info or a query (they would travel with every request, and show in
    /// errors).
    pub fn new(options: ClientOptions) -> Result<Client, ConfigError> {
        options.credentials.validate()?;
        let base = &options.base_url;
        if !base.username().is_empty() || base.password().is_some() || base.query().is_some() {
            return Err(ConfigError::BadBaseUrl {
                url: redact_url(base.as_str()),
                reason: "credentials or a query in the URL are not supported".into(),
            });
        }
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
            // The keys are ordinary headers: a followed redirect would hand them to whatever
            // host (and scheme) the answer names, and replay a DELETE there. The Datadog API
            // never redirects, so a 3xx is an error (see `send_once`).
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::BadBaseUrl {
                url: redact_url(options.base_url.as_str()),
                reason: format!(
                    "the HTTP client could not be set up: {}",
                    root_cause(&e.without_url())
                ),
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base: options.base_url,
                page_concurrency: options.page_concurrency.max(1),
                max_body_bytes: options.max_body_bytes.max(1),
                max_pages: options.max_pages.max(1),
                observer: None,
                answers: None,
                pacer: Arc::new(Pacer::new(options.retry.max_rate_limit_wait)),
                retry: options.retry,
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
                max_body_bytes: self.inner.max_body_bytes,
                max_pages: self.inner.max_pages,
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

    /// The most list pages in flight at once (the adaptive limit's ceiling).
    pub fn page_concurrency(&self) -> usize {
        self.inner.page_concurrency
    }

    /// The most pages one "every page" listing reads.
    pub fn max_pages(&self) -> u64 {
        self.inner.max_pages
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
        // Segments are percent-encoded when the URL is built, but `.` and `..` would still
        // be resolved into another endpoint (`users/..` is `users`): refuse them first.
        for segment in &request.segments {
            if let Some(reason) = id_problem(segment) {
                return Err(ApiError::BadId {
                    operation: request.operation,
                    id: segment.clone(),
                    reason,
                });
            }
        }
        let result = self.send_with_retries(request).await;
        if let Some(answers) = &self.inner.answers {
            answers(request.operation, result.as_ref().err());
        }
        result
    }

    async fn send_with_retries(&self, request: &Request) -> Result<Answer, ApiError> {
        let is_read = request.method == Method::GET || request.reads_only;
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

    /// Waits until the pacer has a slot for this operation, telling the observer why. Holds
    /// no longer than the pacer's ceiling in all: after that the request goes anyway, and a
    /// 429 it may meet is retried within bounds.
    async fn pace(&self, operation: &'static str) {
        let budget = self.inner.pacer.max_wait();
        let mut held = Duration::ZERO;
        while let Err(hold) = self.inner.pacer.take(operation) {
            let wait = hold.wait.min(budget.saturating_sub(held));
            if wait.is_zero() {
                return;
            }
            held = held.saturating_add(wait);
            if let Some(observer) = &self.inner.observer {
                observer(&RetryNotice {
                    operation,
                    attempt: 0,
                    wait,
                    reason: format!("rate limit {} reached", hold.limit),
                    rate_limited: true,
                });
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One exchange. The flag says whether the request may have reached the server.
    async fn send_once(&self, request: &Request) -> (Result<Answer, ApiError>, bool) {
        self.pace(request.operation).await;
        let url = self.url(request);
        let mut builder = self.inner.http.request(request.method.clone(), url.clone());
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let started = tokio::time::Instant::now();
        let report = |status: Option<u16>, remaining: Option<u64>| {
            if let Some(observer) = &request.attempts {
                observer(status, remaining, started.elapsed());
            }
        };
        let response = match builder.send().await {
            Ok(response) => response,
            Err(e) => {
                report(None, None);
                let sent = !e.is_connect();
                return (Err(network_error(request.operation, e)), sent);
            }
        };
        let status = response.status().as_u16();
        let rate_limit = RateLimit::from_headers(response.headers());
        if let Some(headers) = &rate_limit {
            self.inner.pacer.observe(request.operation, headers);
        }
        let remaining = rate_limit.as_ref().and_then(|r| r.remaining);
        // From here on, the request reached the server.
        let limit = self.inner.max_body_bytes;
        let answer = answer::read(request.operation, &url, response, rate_limit, limit).await;
        report(Some(status), remaining);
        (answer, true)
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

/// Why `id` cannot be a path segment of a request, if it cannot: empty, `.` or `..` (which
/// URL resolution turns into another endpoint), or containing `/`. Ids of every kind go
/// through this one rule, in the client before anything is sent and on the command line.
pub fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("an id cannot be empty")
    } else if id == "." || id == ".." {
        Some("\".\" and \"..\" are not ids: they would address another endpoint")
    } else if id.contains('/') {
        Some("an id cannot contain \"/\"")
    } else {
        None
    }
}
