//! The built-in Datadog-compatible Users API v2 server: starts an axum server on
//! 127.0.0.1 over a seeded (or loaded) in-memory org, with knobs for the link (latency,
//! jitter, bandwidth), rate limits and injected faults. Also serves the Roles API and the Key Management API's
//! application-key reads. Owns its store and state file; never touches the client or the UI.
//!
//! Choices where the real service is undocumented (see also each handler):
//! - Missing or unknown `DD-API-KEY` or `DD-APPLICATION-KEY` → 403 `{"errors":["Forbidden"]}`;
//!   a disabled user's application key → 403 too; a missing permission → 403 naming it.
//! - ListUsers direction: `sort_dir` decides when given; otherwise a leading `-` on `sort`
//!   means descending; otherwise ascending. Ties are broken on the user id.
//! - Rate-limit groups (`X-RateLimit-Name`): `users_list` (GET /users), `users_read`,
//!   `users_write`, `roles_read`, `roles_write`, `permissions_read`, `keys_read` (the
//!   application-key reads), `keys_write`, `other`; each allows [`RateLimitSpec`] requests
//!   per calendar-aligned period (default 10000 per 10 s).
//! - Application keys are records (id, name, created_at, last4, scopes, last_used_at,
//!   owner, secret); a request authenticates by the secret. The secret is never in a
//!   response, not even where the service sends it (`attributes.key` of
//!   GetCurrentUserApplicationKey). `last_used_at` is seeded and not updated by requests,
//!   so listings stay the same from one request to the next.
//! - Disabling a user (DisableUser, UpdateUser with `disabled: true`, AnonymizeUsers)
//!   deletes their application keys, as the service revokes them: the secrets stop
//!   authenticating (403) and the keys leave the listings; re-enabling brings none back.
//! - Key listings: `page[size]` 1–100, default 100 (the recorded listing without
//!   parameters returned 100 of 146; the reference's generic page size is 10); default
//!   order `name`, compared the way the recording is ordered (letters and digits only,
//!   case-insensitive; then the whole lower-cased name, then the id); other `sort` values
//!   than `created_at`, `last4`, `name` (each optionally `-`) → 400; `filter` is a
//!   case-insensitive substring of the name; `filter[created_at][start|end]` take an RFC
//!   3339 time or a date (a whole day, both ends inclusive), anything else → 400;
//!   `filter[owned_by]` takes a user id (an unknown one matches nothing); `include` other
//!   than `owned_by` → 400. `meta` is `{"page":{"total_filtered_count":N},
//!   "max_allowed_per_user":1000}`.
//! - ListApplicationKeys needs `org_app_keys_read`; the current user's endpoints need
//!   `user_app_keys` (the reference; the Datadog Read Only Role lacks it, so Rita
//!   Readonly may list the org's keys but not "her own"). Keys of the current user's
//!   listing carry no `owned_by` unless `include=owned_by` (then the caller is in
//!   `included`); GetCurrentUserApplicationKey always includes the caller and their roles
//!   (as recorded); GetApplicationKey does with `include=owned_by`. An unknown key, or
//!   another user's key on the current user's endpoint → 404
//!   `{"errors":["Application key not found"]}`.
//! - Seeded keys: the two demo keys; one to three for every service account; one to three
//!   for about one active person in six; none for pending or disabled users.
//! - Unknown role ids in a CreateUser body → 400; inviting a disabled user → 400.
//! - AnonymizeUsers replaces name (→ `null`), email and handle
//!   (`anonymized-<id>@anonymized.invalid`), clears title, roles, invitations and identity
//!   providers, and disables the user; unknown, already anonymized and the calling user
//!   are reported in `anonymize_errors`.
//! - Compression: gzip or deflate as the request's `Accept-Encoding` asks (gzip when both
//!   are offered), at level 1, or 4 over a simulated link below 75 Mbit/s (see `link`);
//!   plain otherwise. `Vary: Accept-Encoding` on
//!   every answer, as the recordings show it even on an empty 429.
//! - Audit Trail (`GET /api/v2/audit/events`, `POST /api/v2/audit/events/search`, needing
//!   `audit_logs_read`): an event per user change applied, a seeded history; the query terms
//!   understood and the cursor are described in `audit`.

mod audit;
mod clock;
mod extract;
mod guard;
mod handlers;
mod keyring;
mod link;
mod offline;
mod persist;
mod seed;
mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

pub use clock::{Clock, ManualClock};
pub use guard::{rate_limit_group, DEFAULT_RATE_LIMIT};
pub use link::{Bandwidth, BandwidthParseError};
pub use offline::OFFLINE_APP_KEY;
pub use seed::{ADMIN_ROLE_ID, READ_ONLY_ROLE_ID, STANDARD_ROLE_ID};

use store::Store;

/// The API key the sandbox accepts.
pub const DEMO_API_KEY: &str = "sandbox-api-key";
/// The application key of "Ada Admin", who holds the Datadog Admin Role.
pub const DEMO_ADMIN_APP_KEY: &str = "sandbox-admin-app-key";
/// The application key of "Rita Readonly", who holds the Datadog Read Only Role.
pub const DEMO_READONLY_APP_KEY: &str = "sandbox-readonly-app-key";

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Users to seed (at least the two demo users are created).
    pub users: usize,
    /// Seed of the generated org and of the fault dice.
    pub seed: u64,
    /// Load the org from this file when it exists, else seed and create it; every applied
    /// change is written back.
    pub state_file: Option<PathBuf>,
    /// The round trip: a delay added to every response.
    pub latency: Duration,
    /// A random extra delay per request, uniform between zero and this.
    pub jitter: Duration,
    /// One bandwidth shared by every response body together (the bytes sent, compressed
    /// or not); `None` = unlimited.
    pub bandwidth: Option<Bandwidth>,
    /// Fraction (0–1) of requests answered 500 or 503 before anything is applied.
    pub fail_rate: f64,
    /// Requests allowed per rate-limit group and period; `None` = [`DEFAULT_RATE_LIMIT`].
    pub rate_limit: Option<RateLimitSpec>,
    /// Extra keys accepted besides the demo ones: an API key and an application key of the
    /// demo admin (listed among Ada Admin's keys; never written to the state file; tests
    /// use secret-looking keys to check that none leaks).
    pub extra_keys: Option<(String, String)>,
    /// Fraction (0–1) of answers lost after the request was handled (so a write took
    /// effect but the client cannot tell): the connection is cut mid-body, or a bodiless 204
    /// is replaced by a 504 as a gateway would.
    pub drop_rate: f64,
    /// Where the sandbox reads "now" (timestamps it writes, the seeded "today",
    /// rate-limit windows); the system clock by default, a [`ManualClock`] in tests.
    pub clock: Clock,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            users: 500,
            seed: 1,
            state_file: None,
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            bandwidth: None,
            fail_rate: 0.0,
            rate_limit: None,
            drop_rate: 0.0,
            extra_keys: None,
            clock: Clock::system(),
        }
    }
}

/// A rate limit: `requests` per `period_secs` seconds, per endpoint group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimitSpec {
    /// Requests allowed in each period (`X-RateLimit-Limit`).
    pub requests: u32,
    /// Period length in seconds (`X-RateLimit-Period`); windows are aligned to multiples
    /// of it since the Unix epoch.
    pub period_secs: u32,
}

/// Why a rate-limit text could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid rate limit {input:?}: {reason} (expected REQUESTS/SECONDS, e.g. 30/10)")]
pub struct RateLimitParseError {
    /// The text that was given.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl std::str::FromStr for RateLimitSpec {
    type Err = RateLimitParseError;

    /// Reads `"30/10"`: 30 requests per 10 seconds.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason| RateLimitParseError {
            input: text.to_owned(),
            reason,
        };
        let (requests, period) = text.trim().split_once('/').ok_or(error("missing '/'"))?;
        let requests: u32 = requests
            .trim()
            .parse()
            .map_err(|_| error("the request count is not a whole number"))?;
        let period_secs: u32 = period
            .trim()
            .trim_end_matches('s')
            .parse()
            .map_err(|_| error("the period is not a whole number of seconds"))?;
        if requests == 0 {
            return Err(error("the request count must be at least 1"));
        }
        if period_secs == 0 {
            return Err(error("the period must be at least 1 second"));
        }
        Ok(RateLimitSpec {
            requests,
            period_secs,
        })
    }
}

/// An application key made by [`Sandbox::create_application_key`]. `Debug` hides the
/// secret.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedApplicationKey {
    /// The key's id, as the Key Management API lists it.
    pub id: crate::api::ApplicationKeyId,
    /// The value to send as `DD-APPLICATION-KEY`.
    pub secret: String,
}

impl std::fmt::Debug for IssuedApplicationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedApplicationKey")
            .field("id", &self.id)
            .field("secret", &"***")
            .finish()
    }
}

/// Counters of what the sandbox received and did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SandboxStats {
    /// Every request received, refused ones included.
    pub requests: u64,
    /// POST, PUT, PATCH and DELETE requests received, refused ones included (except the
    /// Audit Trail search, a POST that only reads).
    pub write_requests: u64,
    /// Writes that changed the org.
    pub writes_applied: u64,
    /// Requests refused with a 429 because their rate-limit group's window was spent.
    pub rate_limited: u64,
    /// The most requests being handled at once (from arrival to the answer's headers, the
    /// round trip's delay included).
    pub most_in_flight: u64,
    /// Bytes of answer bodies sent, as they went on the wire (compressed when the request
    /// asked for it).
    pub bytes_sent: u64,
}

/// Why the sandbox could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The port could not be bound on 127.0.0.1.
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// The state file could not be read or written.
    #[error("could not read or write the sandbox state file {path}: {source}")]
    StateFile {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The state file exists but does not hold a usable org.
    #[error("the sandbox state file {path} is not usable ({reason}); delete it to start from a fresh seed")]
    StateFileContent { path: PathBuf, reason: String },
    /// The embedded `assets/permissions.json` does not parse (a build problem).
    #[error("the embedded permission catalogue is invalid: {0}")]
    Catalogue(#[from] serde_json::Error),
    /// Ctrl-C / SIGTERM handlers could not be installed.
    #[error("could not wait for a shutdown signal: {0}")]
    Signal(#[source] std::io::Error),
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    write_requests: AtomicU64,
    writes_applied: AtomicU64,
    rate_limited: AtomicU64,
    in_flight: AtomicU64,
    most_in_flight: AtomicU64,
    bytes_sent: AtomicU64,
}

/// State shared by the handlers and the middleware.
pub(crate) struct Shared {
    store: RwLock<Store>,
    config: SandboxConfig,
    stats: Counters,
    limiter: guard::RateLimiter,
    /// Round trips and bandwidth.
    link: link::Link,
    fault_rng: Mutex<fastrand::Rng>,
    changed: Arc<Notify>,
    /// Faults a test asked for, for the next matching requests.
    injected: Mutex<Vec<Injection>>,
}

/// A fault for the next requests matching a method and a path prefix (tests' precise
/// counterpart of the random `fail_rate` and `drop_rate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Injection {
    /// `GET`, `POST`, `PATCH`, `PUT`, `DELETE`.
    pub method: String,
    /// The path starts with this (`/api/v2/users/`, `/api/v2/user_invitations`).
    pub path_prefix: String,
    /// How many matching requests it applies to.
    pub times: usize,
    pub fault: Fault,
}

/// What an injected fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The request is handled, then its answer is lost (as with `drop_rate`).
    LoseAnswer,
    /// The request is refused with this status before anything is applied.
    Refuse(u16),
}

impl Shared {
    /// The injected fault for this request, if one matches (and counts it used).
    pub(crate) fn injected_fault(&self, method: &str, path: &str) -> Option<Fault> {
        let mut injected = self.injected.lock().unwrap_or_else(PoisonError::into_inner);
        let found = injected.iter_mut().find(|i| {
            i.times > 0 && i.method.eq_ignore_ascii_case(method) && path.starts_with(&i.path_prefix)
        })?;
        found.times -= 1;
        let fault = found.fault;
        injected.retain(|i| i.times > 0);
        Some(fault)
    }

    /// Reads the store, outside a request (the state-file writer). Handlers use
    /// [`Shared::read_as`], which checks the caller first.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes the store, outside a request ([`Sandbox::create_application_key`]).
    /// Handlers use [`Shared::change_as`], which checks the caller and counts the write.
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current time by the sandbox clock.
    pub(crate) fn now(&self) -> time::OffsetDateTime {
        self.config.clock.now()
    }

    /// Records an applied write and wakes the state-file writer.
    pub(crate) fn applied(&self) {
        self.stats.writes_applied.fetch_add(1, Ordering::Relaxed);
        self.changed.notify_one();
    }
}

/// A running sandbox.
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    server: JoinHandle<()>,
    /// Told to stop only after the server has finished, so the last writes are flushed.
    writer_stop: watch::Sender<bool>,
    writer: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Seeds or loads the org and starts serving on 127.0.0.1 only.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let perms = seed::catalogue()?;
        let store = match &config.state_file {
            Some(path) => match persist::load(path, perms.clone())? {
                Some(store) => store,
                None => {
                    let store = seeded(&config, perms)?;
                    let bytes = serde_json::to_vec(&store.snapshot())?;
                    crate::files::write_atomically(path, &bytes).map_err(|source| {
                        SandboxError::StateFile {
                            path: path.clone(),
                            source,
                        }
                    })?;
                    store
                }
            },
            None => seeded(&config, perms)?,
        };
        Sandbox::serve(config, store).await
    }

    /// Serves a prepared store on 127.0.0.1 only.
    async fn serve(config: SandboxConfig, mut store: Store) -> Result<Sandbox, SandboxError> {
        if let Some((api_key, app_key)) = &config.extra_keys {
            store.alias_keys(api_key, app_key, DEMO_ADMIN_APP_KEY);
        }
        // Build the default ListUsers order now rather than on the first request.
        store.sorted(store::SortKey::Name);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|source| SandboxError::Bind {
                port: config.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            port: config.port,
            source,
        })?;
        let changed = Arc::new(Notify::new());
        let shared = Arc::new(Shared {
            store: RwLock::new(store),
            limiter: guard::RateLimiter::new(config.rate_limit),
            link: link::Link::new(&config),
            fault_rng: Mutex::new(fastrand::Rng::with_seed(config.seed ^ 0xfa17)),
            stats: Counters::default(),
            changed: Arc::clone(&changed),
            injected: Mutex::new(Vec::new()),
            config,
        });
        let (stop, stop_rx) = watch::channel(false);
        let (writer_stop, writer_stop_rx) = watch::channel(false);
        let writer = shared.config.state_file.clone().map(|path| {
            tokio::spawn(persist::writer(
                Arc::clone(&shared),
                path,
                changed,
                writer_stop_rx,
                0,
            ))
        });
        let router = handlers::router(Arc::clone(&shared));
        let mut server_stop = stop_rx;
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = server_stop.wait_for(|stop| *stop).await;
            };
            if let Err(e) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                eprintln!("sandbox: server error: {e}");
            }
        });
        Ok(Sandbox {
            addr,
            shared,
            stop,
            server,
            writer_stop,
            writer,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Gives the user with this id a new application key named `name`, as an admin does in
    /// the web UI, and returns it (its secret included, which no response ever shows).
    /// `None` when there is no such user or the user is disabled (disabling revokes keys,
    /// so a disabled user holds none).
    pub fn create_application_key(
        &self,
        user_id: &str,
        name: &str,
    ) -> Option<IssuedApplicationKey> {
        let secret = format!(
            "{:016x}{:016x}{:08x}",
            fastrand::u64(..),
            fastrand::u64(..),
            fastrand::u32(..)
        );
        let id = {
            let now = self.shared.now();
            let mut store = self.shared.write();
            let user = store.user_index(user_id)?;
            store.add_application_key(user, &secret, name, now)?
        };
        // Written to the state file like any change, but not counted as a request's write.
        self.shared.changed.notify_one();
        Some(IssuedApplicationKey {
            id: id.into(),
            secret,
        })
    }

    /// Injects a fault for the next matching requests (for tests).
    pub fn inject(&self, injection: Injection) {
        self.shared
            .injected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(injection);
    }

    /// The request counters so far.
    pub fn stats(&self) -> SandboxStats {
        let c = &self.shared.stats;
        SandboxStats {
            requests: c.requests.load(Ordering::Relaxed),
            write_requests: c.write_requests.load(Ordering::Relaxed),
            writes_applied: c.writes_applied.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            most_in_flight: c.most_in_flight.load(Ordering::Relaxed),
            bytes_sent: c.bytes_sent.load(Ordering::Relaxed),
        }
    }

    /// Stops accepting connections, lets open requests finish, and flushes the state file.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        // Keep-alive connections may hold graceful shutdown open; don't wait forever.
        let mut server = self.server;
        if tokio::time::timeout(Duration::from_secs(5), &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
        let _ = self.writer_stop.send(true);
        if let Some(writer) = self.writer {
            let _ = writer.await;
        }
    }
}

fn seeded(config: &SandboxConfig, perms: Vec<store::PermRec>) -> Result<Store, SandboxError> {
    let today = config.clock.now();
    let snapshot = seed::seed(config.users.max(2), config.seed, &perms, today);
    let mut store =
        Store::from_snapshot(snapshot, perms).map_err(|reason| SandboxError::StateFileContent {
            path: PathBuf::from("<seed>"),
            reason,
        })?;
    store.audit = audit::seed_history(&store, today);
    Ok(store)
}

/// Starts a sandbox, prints its URL and demo keys, and stops it cleanly on Ctrl-C or
/// SIGTERM.
pub async fn run_until_signal(config: SandboxConfig) -> Result<(), SandboxError> {
    let sandbox = Sandbox::start(config).await?;
    println!("Datadog sandbox listening on {}", sandbox.base_url());
    println!("  DD_API_KEY={DEMO_API_KEY}");
    println!("  DD_APP_KEY={DEMO_ADMIN_APP_KEY}     (Ada Admin, Datadog Admin Role)");
    println!("  DD_APP_KEY={DEMO_READONLY_APP_KEY}  (Rita Readonly, Datadog Read Only Role)");
    let result = wait_for_signal().await;
    sandbox.shutdown().await;
    result
}

#[cfg(unix)]
async fn wait_for_signal() -> Result<(), SandboxError> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(SandboxError::Signal)?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.map_err(SandboxError::Signal),
        _ = term.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> Result<(), SandboxError> {
    tokio::signal::ctrl_c().await.map_err(SandboxError::Signal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_handle_can_move_between_threads() {
        fn assert_send<T: Send + 'static>() {}
        assert_send::<Sandbox>();
    }

    #[test]
    fn rate_limit_spec_parses_requests_per_period() {
        assert_eq!(
            "30/10".parse::<RateLimitSpec>(),
            Ok(RateLimitSpec {
                requests: 30,
                period_secs: 10
            })
        );
        assert!("30".parse::<RateLimitSpec>().is_err());
        assert!("0/10".parse::<RateLimitSpec>().is_err());
        assert!("x/10".parse::<RateLimitSpec>().is_err());
        let message = "30/0".parse::<RateLimitSpec>().unwrap_err().to_string();
        assert!(message.contains("30/10"), "{message}");
    }
}
