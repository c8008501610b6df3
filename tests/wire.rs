//! The network between ddusers and the service, over loopback: compressed answers (the
//! sandbox compresses only when asked, as Datadog does; the client asks for gzip and decodes
//! it), the sandbox's simulated link (one bandwidth for every connection, spent on the
//! bytes actually sent), and the listing's adaptive pages in flight (never above the cap,
//! halved when a tight rate limit answers 429).
//!
//! Every server here binds 127.0.0.1 only.

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ddusers::api::{Client, ClientOptions, ListUsersQuery, RetryPolicy, UsersPage};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::sandbox::{
    Bandwidth, RateLimitSpec, Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY,
};
use futures::StreamExt;
use reqwest::header::{HeaderMap, ACCEPT_ENCODING, CONTENT_ENCODING, VARY};

async fn sandbox(config: SandboxConfig) -> Sandbox {
    Sandbox::start(SandboxConfig { port: 0, ..config })
        .await
        .expect("the sandbox starts on 127.0.0.1")
}

/// A client of `sandbox` with the keys of its admin, changed by `adjust`.
fn client(sandbox: &Sandbox, adjust: impl FnOnce(&mut ClientOptions)) -> Client {
    let mut options = ClientOptions::new(
        parse_base_url(&sandbox.base_url(), false).expect("a loopback URL"),
        Credentials::new(DEMO_API_KEY, DEMO_ADMIN_APP_KEY),
    );
    adjust(&mut options);
    Client::new(options).expect("client")
}

/// A raw HTTP client that neither asks for compression nor decodes it: what it sends and
/// receives is exactly what is on the wire.
fn raw_http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("an HTTP client")
}

/// The users page `number` of 100, as the wire carried it.
struct WirePage {
    headers: HeaderMap,
    bytes: Vec<u8>,
}

impl WirePage {
    fn header(&self, name: reqwest::header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn varies(&self) -> Vec<&str> {
        self.headers
            .get_all(VARY)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect()
    }
}

async fn wire_get(sandbox: &Sandbox, path: &str, accept_encoding: Option<&str>) -> WirePage {
    let mut request = raw_http()
        .get(format!("{}{path}", sandbox.base_url()))
        .header("DD-API-KEY", DEMO_API_KEY)
        .header("DD-APPLICATION-KEY", DEMO_ADMIN_APP_KEY);
    if let Some(encoding) = accept_encoding {
        request = request.header(ACCEPT_ENCODING, encoding);
    }
    let response = request.send().await.expect("the sandbox answers");
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("the body reads").to_vec();
    WirePage { headers, bytes }
}

const PAGE_1: &str = "/api/v2/users?page%5Bsize%5D=100&page%5Bnumber%5D=1";

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .expect("a gzip stream");
    plain
}

// ---------------------------------------------------------------------------------------
// Compression

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_compresses_only_when_asked_and_always_says_it_varies() {
    let sandbox = sandbox(SandboxConfig {
        users: 300,
        ..Default::default()
    })
    .await;

    let plain = wire_get(&sandbox, PAGE_1, None).await;
    assert_eq!(plain.header(CONTENT_ENCODING), None);
    assert_eq!(plain.varies(), ["Accept-Encoding"]);
    let page: serde_json::Value = serde_json::from_slice(&plain.bytes).expect("plain JSON");
    assert_eq!(page["data"].as_array().map(Vec::len), Some(100));

    // Python's client asks for gzip; the answer is the same document, a fraction of the size.
    let gzipped = wire_get(&sandbox, PAGE_1, Some("gzip")).await;
    assert_eq!(gzipped.header(CONTENT_ENCODING), Some("gzip"));
    assert_eq!(gzipped.varies(), ["Accept-Encoding"], "said once");
    assert_eq!(gunzip(&gzipped.bytes), plain.bytes);
    assert!(
        gzipped.bytes.len() * 4 < plain.bytes.len(),
        "{} compressed vs {} plain",
        gzipped.bytes.len(),
        plain.bytes.len()
    );

    // TypeScript's asks for gzip or deflate and gets gzip; deflate alone gets deflate.
    let either = wire_get(&sandbox, PAGE_1, Some("gzip,deflate")).await;
    assert_eq!(either.header(CONTENT_ENCODING), Some("gzip"));
    let deflated = wire_get(&sandbox, PAGE_1, Some("deflate")).await;
    assert_eq!(deflated.header(CONTENT_ENCODING), Some("deflate"));
    let mut inflated = Vec::new();
    flate2::read::ZlibDecoder::new(&deflated.bytes[..])
        .read_to_end(&mut inflated)
        .expect("a deflate (zlib) stream");
    assert_eq!(inflated, plain.bytes);

    // What it cannot give, or was not asked for, stays plain.
    for accepted in ["br", "identity", "gzip;q=0"] {
        let page = wire_get(&sandbox, PAGE_1, Some(accepted)).await;
        assert_eq!(page.header(CONTENT_ENCODING), None, "{accepted}");
        assert_eq!(page.bytes, plain.bytes, "{accepted}");
    }

    // Errors vary too, as Datadog's (even an empty 429) do.
    let missing = wire_get(&sandbox, "/api/v2/users/nobody", Some("gzip")).await;
    assert_eq!(missing.varies(), ["Accept-Encoding"]);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_asks_for_gzip_and_lists_the_same_users_as_a_plain_listing() {
    let sandbox = sandbox(SandboxConfig {
        users: 1_234,
        ..Default::default()
    })
    .await;
    let mut plain_users = Vec::new();
    let mut plain_bytes = 0;
    for number in 0..13 {
        let path = format!("/api/v2/users?page%5Bsize%5D=100&page%5Bnumber%5D={number}");
        let page = wire_get(&sandbox, &path, None).await;
        plain_bytes += page.bytes.len();
        let page: serde_json::Value = serde_json::from_slice(&page.bytes).expect("JSON");
        plain_users.extend(page["data"].as_array().cloned().unwrap_or_default());
    }
    assert_eq!(plain_users.len(), 1_234);

    let before = sandbox.stats().bytes_sent;
    let users = client(&sandbox, |_| {})
        .list_all_users(ListUsersQuery::default())
        .await
        .expect("the listing decodes");
    let sent = sandbox.stats().bytes_sent - before;
    let users: Vec<serde_json::Value> = users
        .iter()
        .map(|u| serde_json::to_value(u).expect("a user serialises"))
        .collect();
    assert_eq!(users, plain_users, "the same users, field for field");
    assert!(
        (sent as usize) * 4 < plain_bytes,
        "the client asked for gzip: {sent} bytes on the wire for {plain_bytes} of JSON"
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The simulated link

/// How long `path` takes to download whole, from the request to the last byte.
async fn download_time(sandbox: &Sandbox, path: &str, accept_encoding: Option<&str>) -> Duration {
    let started = Instant::now();
    let page = wire_get(sandbox, path, accept_encoding).await;
    assert!(!page.bytes.is_empty());
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_bandwidth_is_shared_by_every_connection_and_spent_on_the_bytes_sent() {
    // 8 Mbit/s is a megabyte a second: a plain page of 100 users (about 258 KB) takes a
    // quarter of a second alone.
    let bandwidth = Bandwidth::from_mbit(8.0).expect("a bandwidth");
    let sandbox = sandbox(SandboxConfig {
        users: 300,
        bandwidth: Some(bandwidth),
        ..Default::default()
    })
    .await;
    let size = wire_get(&sandbox, PAGE_1, None).await.bytes.len();
    let link_time = bandwidth.time_for(size);
    assert!(link_time > Duration::from_millis(200), "{link_time:?}");

    let alone = download_time(&sandbox, PAGE_1, None).await;
    assert!(alone >= link_time, "{alone:?} for {size} bytes at 8 Mbit/s");

    // Two at once, on two connections: each takes about twice as long.
    let (first, second) = tokio::join!(
        download_time(&sandbox, PAGE_1, None),
        download_time(&sandbox, PAGE_1, None)
    );
    for together in [first, second] {
        assert!(
            together.as_secs_f64() >= 1.6 * alone.as_secs_f64(),
            "alone {alone:?}, together {first:?} and {second:?}"
        );
    }

    // Compressed, the same page costs the link only its compressed bytes.
    let compressed = download_time(&sandbox, PAGE_1, Some("gzip")).await;
    assert!(
        compressed * 3 < alone,
        "compressed {compressed:?} vs plain {alone:?}"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn jitter_adds_a_random_delay_to_the_round_trip() {
    let sandbox = sandbox(SandboxConfig {
        users: 10,
        latency: Duration::from_millis(20),
        jitter: Duration::from_millis(60),
        ..Default::default()
    })
    .await;
    let mut trips = Vec::new();
    for _ in 0..12 {
        trips.push(download_time(&sandbox, "/api/v2/current_user", None).await);
    }
    let fastest = trips.iter().min().copied().unwrap_or_default();
    let slowest = trips.iter().max().copied().unwrap_or_default();
    assert!(fastest >= Duration::from_millis(20), "{trips:?}");
    assert!(
        slowest - fastest >= Duration::from_millis(15),
        "twelve round trips vary by more than a quarter of the jitter: {trips:?}"
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Adaptive pages in flight

#[tokio::test(flavor = "multi_thread")]
async fn pages_in_flight_never_exceed_the_cap() {
    let sandbox = sandbox(SandboxConfig {
        users: 3_000,
        latency: Duration::from_millis(30),
        ..Default::default()
    })
    .await;
    let cap = 5;
    let client = client(&sandbox, |o| o.page_concurrency = cap);
    let users = client
        .list_all_users(ListUsersQuery::default())
        .await
        .expect("the listing");
    assert_eq!(users.len(), 3_000);
    // The sandbox counted the requests it was handling at once: the cap was reached (this
    // counts what it should) and never passed.
    assert_eq!(sandbox.stats().most_in_flight, cap as u64);
    sandbox.shutdown().await;
}

/// Lists every user of `client`, counting the 429s it met on the way; the pages in order
/// of arrival.
async fn list_counting_429s(client: Client) -> (Vec<UsersPage>, u64) {
    let met = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&met);
    let client = client.with_retry_observer(Arc::new(move |notice| {
        if notice.rate_limited && notice.attempt > 0 {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }));
    let mut pages = Vec::new();
    let mut stream = client.user_pages(ListUsersQuery::default(), client.page_concurrency());
    while let Some(page) = stream.next().await {
        pages.push(page.expect("every page arrives in the end"));
    }
    (pages, met.load(Ordering::SeqCst))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tight_rate_limit_halves_the_pages_in_flight_and_the_listings_still_finish() {
    // Two consoles list the same org at once under 10 list requests a second: each paces
    // itself by the headers it saw, but not by the other's requests, so that each sends
    // its first 8 pages into a window with room for about 8 in all, and 429s come.
    let sandbox = sandbox(SandboxConfig {
        users: 1_000,
        latency: Duration::from_millis(10),
        rate_limit: Some(RateLimitSpec {
            requests: 10,
            period_secs: 1,
        }),
        ..Default::default()
    })
    .await;
    let patient = |o: &mut ClientOptions| {
        o.retry = RetryPolicy {
            max_retries: 12,
            base_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
            max_rate_limit_wait: Duration::from_secs(2),
        };
    };
    let started = Instant::now();
    let (first, second) = tokio::join!(
        list_counting_429s(client(&sandbox, patient)),
        list_counting_429s(client(&sandbox, patient))
    );
    let stats = sandbox.stats();
    assert!(
        stats.rate_limited > 0,
        "the limit was tight enough: {stats:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    for (pages, met) in [first, second] {
        let users: usize = pages.iter().map(|p| p.response.data.len()).sum();
        assert_eq!(users, 1_000);
        let limits: Vec<usize> = pages.iter().map(|p| p.pages_in_flight).collect();
        assert!(limits.iter().all(|&l| (1..=32).contains(&l)), "{limits:?}");
        if met > 0 {
            let backed_off = limits.windows(2).any(|w| w[1] < w[0]);
            assert!(
                backed_off,
                "{met} 429s met, yet the pages in flight never went down: {limits:?}"
            );
        }
    }
    assert!(
        stats.most_in_flight <= 2 * 32,
        "two listings, each within its cap: {stats:?}"
    );
    sandbox.shutdown().await;
}
