//! Bad input from the server: a loopback server that answers with malformed JSON, HTML
//! error pages, truncated bodies, wrong types, huge strings, unknown statuses and empty
//! 200s; that redirects elsewhere, sends endless bodies, absurd rate-limit headers and
//! listings that never end. Every one must give a clear error (or a bounded success), never
//! a panic or an endless wait; odd ids and base URLs with secrets are refused without
//! echoing them; and the response parser is fuzzed with proptest.
//!
//! Every server here binds 127.0.0.1 only.

use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ddusers::api::models::{RoleId, UserId, UserResponse, UsersResponse};
use ddusers::api::{ApiError, Client, ClientOptions, ErrorKind, ListUsersQuery, RetryPolicy};
use ddusers::config::{parse_base_url, Credentials};
use futures::StreamExt;
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as a test server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    /// Path and query, as sent.
    target: String,
    /// The whole head, lowercased (to look for the keys' headers).
    head: String,
}

/// What a test server sends back.
enum Reply {
    /// These bytes, then the connection closes.
    Raw(Vec<u8>),
    /// A 200 with a chunked body that never ends; the counter adds up the bytes written.
    EndlessChunks(Arc<AtomicUsize>),
    /// A gzip bomb: a 200 whose gzip body decodes to spaces, a megabyte for about a
    /// kilobyte on the wire, until the client hangs up (or 4 GB decoded); the counter adds
    /// up the decoded bytes the server produced.
    GzipBomb(Arc<AtomicUsize>),
}

/// A loopback server and every request it saw.
struct Server {
    url: String,
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("not poisoned").clone()
    }
}

/// Serves every connection with `reply(request)`, one request per connection.
async fn serve_with(reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let reply = Arc::new(reply);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            let reply = reply.clone();
            tokio::spawn(async move {
                let Some(request) = read_head(&mut socket).await else {
                    return;
                };
                log.lock().expect("not poisoned").push(request.clone());
                match reply(&request) {
                    Reply::Raw(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                    }
                    Reply::EndlessChunks(written) => endless_chunks(&mut socket, &written).await,
                    Reply::GzipBomb(decoded) => gzip_bomb(&mut socket, &decoded).await,
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    Server {
        url: format!("http://127.0.0.1:{port}"),
        port,
        seen,
    }
}

/// Reads a request's head (a body, if any, is left unread: every answer closes).
async fn read_head(socket: &mut TcpStream) -> Option<Seen> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
        let n = socket.read(&mut buffer).await.ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut first = head.lines().next()?.split(' ');
    Some(Seen {
        method: first.next()?.to_owned(),
        target: first.next()?.to_owned(),
        head: head.to_ascii_lowercase(),
    })
}

async fn endless_chunks(socket: &mut TcpStream, written: &AtomicUsize) {
    let start =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    if socket.write_all(start).await.is_err() {
        return;
    }
    let chunk = vec![b' '; 64 * 1024];
    let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
    frame.extend_from_slice(&chunk);
    frame.extend_from_slice(b"\r\n");
    // Until the client hangs up.
    while socket.write_all(&frame).await.is_ok() {
        written.fetch_add(frame.len(), Ordering::SeqCst);
    }
}

async fn gzip_bomb(socket: &mut TcpStream, decoded: &AtomicUsize) {
    use std::io::Write;
    let start = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n";
    if socket.write_all(start).await.is_err() {
        return;
    }
    let megabyte = vec![b' '; 1024 * 1024];
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Bounded, like every loop of a test server: 4 GB decoded at most.
    for _ in 0..4096 {
        if gzip
            .write_all(&megabyte)
            .and_then(|()| gzip.flush())
            .is_err()
        {
            return;
        }
        decoded.fetch_add(megabyte.len(), Ordering::SeqCst);
        let compressed = std::mem::take(gzip.get_mut());
        let mut frame = format!("{:x}\r\n", compressed.len()).into_bytes();
        frame.extend_from_slice(&compressed);
        frame.extend_from_slice(b"\r\n");
        if socket.write_all(&frame).await.is_err() {
            return;
        }
    }
}

/// The most memory this test process ever held (`VmHWM`), where Linux tells it.
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Serves `response` (raw HTTP bytes) to every connection, then closes it.
async fn serve(response: Vec<u8>) -> String {
    serve_with(move |_| Reply::Raw(response.clone())).await.url
}

fn http(status: &str, content_type: &str, body: &[u8], declared_length: Option<usize>) -> Vec<u8> {
    let length = declared_length.unwrap_or(body.len());
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn client(url: &str) -> Client {
    let mut options = ClientOptions::new(
        parse_base_url(url, false).unwrap(),
        Credentials::new("k", "a"),
    );
    options.retry = RetryPolicy {
        max_retries: 1,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_rate_limit_wait: Duration::from_millis(10),
    };
    options.timeout = Duration::from_secs(2);
    Client::new(options).unwrap()
}

async fn list_error(response: Vec<u8>) -> ApiError {
    let url = serve(response).await;
    client(&url)
        .list_users(&ListUsersQuery::default())
        .await
        .expect_err("a bad answer is an error")
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_that_says_so() {
    let error = list_error(http("200 OK", "application/json", b"{\"data\": [", None)).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("could not be read"), "{error}");
}

#[tokio::test]
async fn an_html_error_page_is_named_as_such() {
    let page = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
    let error = list_error(http("502 Bad Gateway", "text/html", page, None)).await;
    assert_eq!(error.kind(), ErrorKind::Server);
    assert!(error.to_string().contains("HTML page"), "{error}");
    let error = list_error(http("429 Too Many Requests", "text/html", page, None)).await;
    assert_eq!(error.kind(), ErrorKind::RateLimited);
}

#[tokio::test]
async fn a_truncated_body_is_a_network_error() {
    let error = list_error(http(
        "200 OK",
        "application/json",
        b"{\"data\":[{\"type\"",
        Some(500),
    ))
    .await;
    assert_eq!(error.kind(), ErrorKind::Network, "{error}");
}

#[tokio::test]
async fn wrong_types_are_a_decode_error() {
    let body = br#"{"data":[{"type":"users","id":42,"attributes":{"name":["not","a","string"]}}]}"#;
    let error = list_error(http("200 OK", "application/json", body, None)).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn an_empty_200_is_a_clear_error() {
    let error = list_error(http("200 OK", "application/json", b"", None)).await;
    assert!(error.to_string().contains("the body is empty"), "{error}");
}

#[tokio::test]
async fn an_unknown_status_is_an_error_with_its_code() {
    let error = list_error(http(
        "418 I'm a teapot",
        "application/json",
        b"{\"errors\":[\"short and stout\"]}",
        None,
    ))
    .await;
    assert_eq!(error.status(), Some(418));
    assert!(error.to_string().contains("short and stout"), "{error}");
}

#[tokio::test]
async fn huge_strings_and_unknown_statuses_still_parse() {
    let name = "x".repeat(1_000_000);
    let body = format!(
        r#"{{"data":[{{"type":"users","id":"u1","attributes":{{"name":"{name}","status":"Quarantined"}}}}],"meta":{{"page":{{"total_count":1,"total_filtered_count":1}}}}}}"#
    );
    let url = serve(http("200 OK", "application/json", body.as_bytes(), None)).await;
    let page = client(&url)
        .list_users(&ListUsersQuery::default())
        .await
        .unwrap();
    assert_eq!(
        page.data[0].attributes.name.as_ref().map(String::len),
        Some(1_000_000)
    );
    assert_eq!(
        page.data[0].attributes.status.as_ref().map(|s| s.as_str()),
        Some("Quarantined")
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_clearly() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let _keep = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let mut options = ClientOptions::new(
        parse_base_url(&url, false).unwrap(),
        Credentials::new("k", "a"),
    );
    options.retry = RetryPolicy::none();
    options.timeout = Duration::from_millis(300);
    let error = Client::new(options)
        .unwrap()
        .list_users(&ListUsersQuery::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Network);
    assert!(
        error.to_string().contains("did not answer in time"),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------
// Helpers for the hostile servers below

/// An answer with these extra headers and a JSON body.
fn http_with(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-type: application/json\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A client of `url` with the test's quick retries, changed by `adjust`.
fn client_with(url: &str, adjust: impl FnOnce(&mut ClientOptions)) -> Client {
    let mut options = ClientOptions::new(
        parse_base_url(url, false).unwrap(),
        Credentials::new("test-api-key", "test-app-key"),
    );
    options.retry = RetryPolicy {
        max_retries: 1,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_rate_limit_wait: Duration::from_millis(10),
    };
    options.timeout = Duration::from_secs(5);
    adjust(&mut options);
    Client::new(options).unwrap()
}

/// The `page[number]` a listing request asks for (0 when absent).
fn page_number(target: &str) -> u64 {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    query
        .split('&')
        .find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let name = name.replace("%5B", "[").replace("%5D", "]");
            (name == "page[number]")
                .then(|| value.parse().ok())
                .flatten()
        })
        .unwrap_or(0)
}

/// A listing document of `kind` items with these ids and, optionally, a count.
fn listing(kind: &str, ids: impl IntoIterator<Item = String>, total: Option<i64>) -> Vec<u8> {
    let data: Vec<serde_json::Value> = ids
        .into_iter()
        .map(|id| serde_json::json!({"type": kind, "id": id, "attributes": {"name": id}}))
        .collect();
    let mut page = serde_json::json!({ "data": data });
    if let Some(total) = total {
        page["meta"] =
            serde_json::json!({"page": {"total_count": total, "total_filtered_count": total}});
    }
    http_with("200 OK", &[], page.to_string().as_bytes())
}

/// `len` ids of page `number`, distinct from every other page's.
fn fresh_ids(number: u64, len: usize) -> Vec<String> {
    (0..len).map(|i| format!("p{number}-item{i}")).collect()
}

/// A server whose listing of `kind` items answers page `n` with `page(n)`.
async fn listing_server(
    kind: &'static str,
    page: impl Fn(u64) -> (Vec<String>, Option<i64>) + Send + Sync + 'static,
) -> Server {
    serve_with(move |request| {
        let (ids, total) = page(page_number(&request.target));
        Reply::Raw(listing(kind, ids, total))
    })
    .await
}

/// Fails the test if `work` takes longer than `limit`.
async fn within<T>(limit: Duration, work: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or_else(|_| panic!("did not finish within {limit:?}"))
}

/// One scratch folder for the journals of the binary runs here.
fn scratch() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temp dir"))
        .path()
}

/// Runs the real binary against `base_url` with test keys (off the async runtime, so the
/// test's servers keep answering), within 60 seconds.
async fn ddusers_at(base_url: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ddusers"));
    for var in [
        "DATADOG_API_KEY",
        "DD_APPLICATION_KEY",
        "DATADOG_APP_KEY",
        "DD_SITE",
    ] {
        command.env_remove(var);
    }
    command
        .env("DDUSERS_BASE_URL", base_url)
        .env("DD_API_KEY", "test-api-key")
        .env("DD_APP_KEY", "test-app-key")
        .env("DDUSERS_JOURNAL", scratch().join("journal.jsonl"))
        .args(args)
        .stdin(Stdio::null());
    within(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")),
    )
    .await
    .expect("the binary's thread")
}

fn text_of(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

// ---------------------------------------------------------------------------------------
// Redirects: never followed, so the keys never leave and nothing is replayed

/// A server that redirects every request to `target` with `status`.
async fn redirecting(status: &str, target: String) -> Server {
    let status = status.to_owned();
    serve_with(move |_| Reply::Raw(http_with(&status, &[("location", target.as_str())], b""))).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_is_not_followed_for_reads_or_writes_and_names_only_the_host() {
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let elsewhere = serve_with(|_| Reply::Raw(http_with("204 No Content", &[], b""))).await;
        let target = format!(
            "http://someone:hunter2@127.0.0.1:{}/api/v2/users/stolen?token=abc#frag",
            elsewhere.port
        );
        let server = redirecting(status, target).await;
        let client = client_with(&server.url, |_| {});

        let read = client
            .list_users(&ListUsersQuery::default())
            .await
            .expect_err("a redirected read is an error");
        let write = client
            .disable_user(&UserId::from("u1"))
            .await
            .expect_err("a redirected write is an error");

        let host = format!("127.0.0.1:{}", elsewhere.port);
        for error in [&read, &write] {
            let text = error.to_string();
            assert!(
                matches!(error, ApiError::Redirected { .. }),
                "{status}: {error:?}"
            );
            assert!(text.contains(&host), "{status}: names the host: {text}");
            for secret in ["hunter2", "someone", "token", "abc", "stolen", "frag"] {
                assert!(!text.contains(secret), "{status}: {text} shows {secret:?}");
            }
            assert_eq!(error.kind(), ErrorKind::Decode);
            assert!(!error.is_retryable(), "a redirect is not retried");
            assert!(
                !error.outcome_unknown(),
                "a write answered 3xx was not applied"
            );
        }
        assert_eq!(read.status(), Some(status[..3].parse().unwrap()));
        assert!(
            elsewhere.requests().is_empty(),
            "{status}: the second server saw {:?}",
            elsewhere.requests()
        );
        // The keys went to the configured server, as they should, and nowhere else.
        assert!(server.requests()[0]
            .head
            .contains("dd-api-key: test-api-key"));
        let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
        assert_eq!(
            methods,
            ["GET", "DELETE"],
            "{status}: each sent once, never replayed"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relative_or_missing_location_is_still_an_error_that_names_the_host() {
    let server = redirecting("302 Found", "/login?next=%2Fsecret".into()).await;
    let error = client_with(&server.url, |_| {})
        .get_current_user()
        .await
        .expect_err("redirected");
    let text = error.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{}", server.port)),
        "{text}"
    );
    assert!(
        !text.contains("login") && !text.contains("secret"),
        "{text}"
    );

    let url = serve(http_with("303 See Other", &[], b"")).await;
    let error = client_with(&url, |_| {})
        .get_current_user()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("no usable Location"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_does_not_disable_anyone_through_a_redirect() {
    let elsewhere = serve_with(|_| Reply::Raw(http_with("204 No Content", &[], b""))).await;
    let server = redirecting(
        "307 Temporary Redirect",
        format!("http://127.0.0.1:{}/api/v2/users/u1", elsewhere.port),
    )
    .await;
    let output = ddusers_at(&server.url, &["users", "disable", "u1", "--yes"]).await;
    let text = text_of(&output);
    assert!(!output.status.success(), "{text}");
    assert!(!text.contains("disabled"), "{text}");
    assert!(
        text.contains("redirect") && text.contains(&format!("127.0.0.1:{}", elsewhere.port)),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");
    assert!(
        elsewhere.requests().is_empty(),
        "{:?}",
        elsewhere.requests()
    );
    assert!(
        server.requests().iter().all(|r| r.method == "GET"),
        "the gate reads first, and stops there: {:?}",
        server.requests()
    );
}

// ---------------------------------------------------------------------------------------
// Bodies: read up to a cap, never more

/// Lists users from a server that answers with `reply`, with a cap of 1 MB: the error must
/// come quickly and name the cap.
async fn listing_stopped_at_the_cap(reply: impl Fn() -> Reply + Send + Sync + 'static) -> Server {
    let server = serve_with(move |_| reply()).await;
    let client = client_with(&server.url, |o| o.max_body_bytes = 1024 * 1024);
    let started = Instant::now();
    let error = within(
        Duration::from_secs(10),
        client.list_users(&ListUsersQuery::default()),
    )
    .await
    .expect_err("an answer beyond the cap is an error");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(
        error
            .to_string()
            .contains("larger than 1 MB: stopped reading"),
        "{error}"
    );
    // Whatever the server still pushes after the client hung up lands within 200 ms.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.requests().len(), 1, "not retried");
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_body_stops_at_the_cap_quickly() {
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    listing_stopped_at_the_cap(move || Reply::EndlessChunks(counter.clone())).await;
    // The client hung up soon after the cap: the server could not push much more than
    // that (and what sits in the sockets' buffers).
    let sent = written.load(Ordering::SeqCst);
    assert!(sent < 32 * 1024 * 1024, "the server wrote {sent} bytes");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gzip_bomb_stops_at_the_cap_on_its_decoded_size() {
    let decoded = Arc::new(AtomicUsize::new(0));
    let counter = decoded.clone();
    let server = listing_stopped_at_the_cap(move || Reply::GzipBomb(counter.clone())).await;
    assert!(
        server.requests()[0].head.contains("accept-encoding: gzip"),
        "the client asked for gzip"
    );
    // The server offered more than the cap (a few kilobytes on the wire); the client
    // decoded a megabyte of it, hung up, and held no more.
    let produced = decoded.load(Ordering::SeqCst);
    assert!(produced > 1024 * 1024, "the bomb went off: {produced}");
    if let Some(peak) = peak_memory_bytes() {
        assert!(peak < 1024 * 1024 * 1024, "peak memory {peak} bytes");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_huge_declared_length_is_refused_before_reading() {
    let url = serve(http(
        "200 OK",
        "application/json",
        b"{\"data\":[]}",
        Some(usize::MAX / 2),
    ))
    .await;
    let error = client_with(&url, |_| {})
        .list_users(&ListUsersQuery::default())
        .await
        .expect_err("too large");
    assert!(error.to_string().contains("larger than 64 MB"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_status_with_an_oversized_body_keeps_its_status() {
    let body = vec![b'x'; 4096];
    let url = serve(http("503 Service Unavailable", "text/plain", &body, None)).await;
    let error = client_with(&url, |o| o.max_body_bytes = 1024)
        .list_users(&ListUsersQuery::default())
        .await
        .expect_err("503");
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.kind(), ErrorKind::Server);
    assert!(error.to_string().contains("larger than 1 KB"), "{error}");
}

// ---------------------------------------------------------------------------------------
// Rate-limit headers: every wait bounded, no arithmetic that can panic

const ABSURD_RESETS: [&str; 5] = [
    "1000000000",
    "18446744073709551615",
    "-5",
    "abc",
    "99999999999999999999999999",
];

#[tokio::test(flavor = "multi_thread")]
async fn absurd_resets_on_429s_end_within_bounded_time() {
    for reset in ABSURD_RESETS {
        let url = serve(http_with(
            "429 Too Many Requests",
            &[
                ("x-ratelimit-limit", "0"),
                ("x-ratelimit-period", "18446744073709551615"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", reset),
                ("x-ratelimit-name", "users_read"),
            ],
            b"{\"errors\":[\"slow down\"]}",
        ))
        .await;
        let waits = Arc::new(Mutex::new(Vec::new()));
        let heard = waits.clone();
        let client = client_with(&url, |o| {
            o.retry.max_retries = 2;
            o.retry.max_rate_limit_wait = Duration::from_millis(300);
        })
        .with_retry_observer(Arc::new(move |notice| {
            heard.lock().expect("not poisoned").push(notice.wait)
        }));
        let error = within(
            Duration::from_secs(10),
            client.list_users(&ListUsersQuery::default()),
        )
        .await
        .expect_err("always 429");
        assert_eq!(error.status(), Some(429), "{reset}");
        let waits = waits.lock().expect("not poisoned").clone();
        assert!(!waits.is_empty(), "{reset}: retried");
        assert!(
            waits.iter().all(|w| *w <= Duration::from_millis(300)),
            "{reset}: {waits:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn absurd_resets_on_normal_answers_hold_the_pacer_only_briefly() {
    for reset in ABSURD_RESETS {
        let url = serve(http_with(
            "200 OK",
            &[
                ("x-ratelimit-limit", "0"),
                ("x-ratelimit-period", "1000000000"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", reset),
                ("x-ratelimit-name", "users_read"),
            ],
            b"{\"data\":[]}",
        ))
        .await;
        let client = client_with(&url, |o| {
            o.retry.max_rate_limit_wait = Duration::from_millis(300);
        });
        let started = Instant::now();
        for _ in 0..3 {
            within(
                Duration::from_secs(10),
                client.list_users(&ListUsersQuery::default()),
            )
            .await
            .unwrap_or_else(|e| panic!("{reset}: {e}"));
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{reset}: {:?}",
            started.elapsed()
        );
    }
}

// ---------------------------------------------------------------------------------------
// Listings that lie: every paged read ends, and says why

fn assert_listing_error(error: &ApiError, needle: &str) {
    assert!(matches!(error, ApiError::Listing { .. }), "{error:?}");
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(
        error.to_string().contains(needle),
        "{error} should say {needle:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn full_pages_forever_without_a_count_stop_at_the_page_bound() {
    let server = listing_server("users", |n| (fresh_ids(n, 100), None)).await;
    let client = client_with(&server.url, |o| o.max_pages = 25);
    let error = within(
        Duration::from_secs(30),
        client.list_all_users(ListUsersQuery::default()),
    )
    .await
    .expect_err("endless");
    assert_listing_error(&error, "the server kept sending pages: stopped after 25");
    assert_eq!(server.requests().len(), 25);

    // The stream says the same, after the pages it read, and then ends.
    let mut pages = client.user_pages(ListUsersQuery::default(), 4);
    let mut read = 0;
    let mut last = None;
    while let Some(page) = within(Duration::from_secs(10), pages.next()).await {
        match page {
            Ok(_) => read += 1,
            Err(error) => last = Some(error),
        }
    }
    assert_eq!(read, 25);
    assert_listing_error(&last.expect("an error ends it"), "kept sending pages");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_page_over_and_over_stops_at_once() {
    let server = listing_server("users", |_| (fresh_ids(0, 100), None)).await;
    let error = client_with(&server.url, |_| {})
        .list_all_users(ListUsersQuery::default())
        .await
        .expect_err("repeats");
    assert_listing_error(&error, "repeats itself");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_count_smaller_than_the_pages_sent_is_an_error() {
    let server = listing_server("users", |n| (fresh_ids(n, 100), Some(150))).await;
    let error = client_with(&server.url, |_| {})
        .list_all_users(ListUsersQuery::default())
        .await
        .expect_err("more than counted");
    assert_listing_error(&error, "more users (200) than its count said (150)");
    assert_eq!(
        server.requests().len(),
        2,
        "only the pages the count allows"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_count_larger_than_reality_ends_at_the_first_short_or_repeated_page() {
    // Pages past the end are empty: the listing ends there, with every user.
    let server = listing_server("users", |n| {
        (
            fresh_ids(n, if n < 2 { 100 } else { 0 }),
            Some(1_000_000_000_000),
        )
    })
    .await;
    let client = client_with(&server.url, |o| o.page_concurrency = 4);
    let users = within(
        Duration::from_secs(30),
        client.list_all_users(ListUsersQuery::default()),
    )
    .await
    .expect("ends at the empty page");
    assert_eq!(users.len(), 200);
    assert!(server.requests().len() < 20, "{}", server.requests().len());

    // Pages past the end repeat the last one (a clamped page number): stopped as a repeat.
    let server = listing_server("users", |n| (fresh_ids(n.min(2), 100), Some(i64::MAX))).await;
    let error = within(
        Duration::from_secs(30),
        client_with(&server.url, |o| o.page_concurrency = 4)
            .list_all_users(ListUsersQuery::default()),
    )
    .await
    .expect_err("repeats");
    assert_listing_error(&error, "repeats itself");
}

#[tokio::test(flavor = "multi_thread")]
async fn role_and_role_member_listings_are_bounded_too() {
    let roles = listing_server("roles", |n| (fresh_ids(n, 100), None)).await;
    let client = client_with(&roles.url, |o| o.max_pages = 10);
    let error = within(Duration::from_secs(30), client.list_all_roles())
        .await
        .expect_err("endless roles");
    assert_listing_error(
        &error,
        "list roles: the server kept sending pages: stopped after 10",
    );

    let members = listing_server("users", |_| (fresh_ids(0, 100), None)).await;
    let client = client_with(&members.url, |_| {});
    let role = RoleId::from("admins");
    let error = within(Duration::from_secs(30), client.list_all_role_users(&role))
        .await
        .expect_err("repeated members");
    assert_listing_error(&error, "list role users: page 2 brought no users");
    let mut pages = client.role_user_pages(&role);
    let mut outcomes = Vec::new();
    while let Some(page) = within(Duration::from_secs(10), pages.next()).await {
        outcomes.push(page.is_ok());
    }
    assert_eq!(
        outcomes,
        [true, false],
        "one page, then the error, then the end"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_stops_a_listing_that_does_not_end_with_a_clear_message() {
    let server = listing_server("users", |_| (fresh_ids(0, 100), None)).await;
    let output = ddusers_at(&server.url, &["users", "list", "--all"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("repeats itself"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let server = listing_server("users", |n| (fresh_ids(n, 100), Some(150))).await;
    let output = ddusers_at(&server.url, &["users", "list", "--all"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("than its count said"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// Odd ids and base URLs with secrets

#[tokio::test(flavor = "multi_thread")]
async fn ids_that_would_change_the_endpoint_are_refused_before_any_request() {
    let server = serve_with(|_| Reply::Raw(http_with("204 No Content", &[], b""))).await;
    let client = client_with(&server.url, |_| {});
    for id in ["", ".", "..", "a/b", "../users"] {
        let user = UserId::from(id);
        let errors = [
            client.get_user(&user).await.map(|_| ()),
            client.disable_user(&user).await,
            client.cancel_user_invitations(&user).await,
            client
                .list_role_users(&RoleId::from(id), &Default::default())
                .await
                .map(|_| ()),
        ];
        for error in errors {
            let error = error.expect_err("refused");
            assert!(matches!(error, ApiError::BadId { .. }), "{id:?}: {error:?}");
            assert_eq!(error.kind(), ErrorKind::BadRequest);
            assert!(error.to_string().contains("nothing was sent"), "{error}");
        }
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn other_odd_ids_are_percent_encoded_into_one_segment() {
    let server = serve_with(|_| Reply::Raw(http_with("204 No Content", &[], b""))).await;
    let client = client_with(&server.url, |_| {});
    client
        .disable_user(&UserId::from("a?b#c%2e%2e\\d"))
        .await
        .expect("sent as one segment");
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    let target = &seen[0].target;
    assert!(
        target.starts_with("/api/v2/users/a%3Fb%23c%252e%252e"),
        "{target}"
    );
    assert!(!target.contains('?') && !target.contains('#'), "{target}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_binary_refuses_odd_ids_as_usage_errors_without_sending() {
    let server = serve_with(|_| Reply::Raw(http_with("204 No Content", &[], b""))).await;
    for args in [
        &["users", "get", ".."][..],
        &["invitations", "cancel", "..", "--yes"],
        &["users", "disable", "..", "--yes"],
        &["users", "disable", "ok-id", "a/b", "--yes"],
        &["users", "get", "."],
        &["users", "get", " "],
    ] {
        let output = ddusers_at(&server.url, args).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("is not a user id"), "{args:?}: {stderr}");
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_base_url_with_secrets_is_never_echoed() {
    for url in [
        "http://user:secret@127.0.0.1:1/?token=abc",
        "http://127.0.0.1:1/?token=abc",
        "https://user:secret@api.datadoghq.com",
        "http://user:secret@[::1/?token=abc",
    ] {
        for args in [
            &["users", "list"][..],
            &["users", "get", "u1"],
            &["--base-url", url, "me"],
        ] {
            let output = ddusers_at(url, args).await;
            let text = text_of(&output);
            assert!(!output.status.success(), "{url} {args:?}: {text}");
            assert!(
                !text.contains("secret") && !text.contains("abc"),
                "{url} {args:?}: {text}"
            );
        }
    }
    // And a client built on such a URL by other code refuses it without echoing it.
    let mut options = ClientOptions::new(
        "http://user:secret@127.0.0.1:1/?token=abc".parse().unwrap(),
        Credentials::new("k", "a"),
    );
    options.retry = RetryPolicy::none();
    let error = Client::new(options).expect_err("refused").to_string();
    assert!(
        !error.contains("secret") && !error.contains("abc"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn network_errors_name_the_host_only() {
    let error = client_with("http://127.0.0.1:1", |o| o.retry = RetryPolicy::none())
        .get_user(&UserId::from("u1"))
        .await
        .expect_err("nothing listens on port 1");
    let text = error.to_string();
    assert!(text.contains("127.0.0.1:1"), "{text}");
    assert!(!text.contains("/api/v2"), "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic_the_parsers(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<UsersResponse>(&bytes);
        let _ = serde_json::from_slice::<UserResponse>(&bytes);
        let _ = ddusers::api::models::ErrorBody::parse(&bytes);
    }

    #[test]
    fn a_recorded_page_cut_or_corrupted_anywhere_never_panics(cut in 0usize..4000, flip in 0usize..4000, byte in any::<u8>()) {
        let page = include_str!("fixtures/recorded/rust/users/List-all-users-returns-OK-response-with-pagination.json");
        let body: serde_json::Value = serde_json::from_str(page).unwrap();
        let text = body["http_interactions"][0]["response"]["body"]["string"].as_str().unwrap().as_bytes().to_vec();
        let mut corrupted = text.clone();
        let at = flip % corrupted.len();
        corrupted[at] = byte;
        let _ = serde_json::from_slice::<UsersResponse>(&corrupted);
        let _ = serde_json::from_slice::<UsersResponse>(&text[..cut.min(text.len())]);
    }

    #[test]
    fn any_json_value_never_panics_the_parsers(value in json_value()) {
        let _ = serde_json::from_value::<UsersResponse>(value.clone());
        let _ = serde_json::from_value::<UserResponse>(value);
    }
}

/// Arbitrary JSON, biased toward the shapes the parsers look at.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        "[a-zA-Z_]{0,12}".prop_map(serde_json::Value::String),
        Just(serde_json::json!("users")),
        Just(serde_json::json!("roles")),
        Just(serde_json::json!("2022-05-12T09:53:43.305109+00:00")),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("data".to_owned()),
            Just("type".to_owned()),
            Just("id".to_owned()),
            Just("attributes".to_owned()),
            Just("included".to_owned()),
            Just("relationships".to_owned()),
            Just("created_at".to_owned()),
            Just("status".to_owned()),
            "[a-z]{1,8}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(keys, inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
