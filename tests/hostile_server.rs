//! Bad input from the server: a loopback server that answers with malformed JSON, HTML
//! error pages, truncated bodies, wrong types, huge strings, unknown statuses and empty
//! 200s. Every one must give a clear error, never a panic; and the response parser is
//! fuzzed with proptest.

use std::time::Duration;

use ddusers::api::models::{UserResponse, UsersResponse};
use ddusers::api::{ApiError, Client, ClientOptions, ErrorKind, ListUsersQuery, RetryPolicy};
use ddusers::config::{parse_base_url, Credentials};
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves `response` (raw HTTP bytes) to every connection, then closes it.
async fn serve(response: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let response = response.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                let _ = socket.read(&mut buffer).await;
                let _ = socket.write_all(&response).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
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
