//! Every response recorded from the real Datadog service (tests/fixtures/recorded, copied
//! from ../shared/api/recorded) parses into our models, whatever format the recorder used;
//! the application-key recordings also into `ddusers::api::keys`, and the sandbox orders
//! key names the way the recorded listing is ordered.

use std::path::{Path, PathBuf};

use ddusers::api::keys::{
    ApplicationKeyIncluded, ApplicationKeyResponse, ApplicationKeysResponse,
    ListApplicationKeysQuery,
};
use ddusers::api::models::*;
use ddusers::api::RateLimit;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

/// One recorded exchange, whatever the cassette format.
struct Exchange {
    file: String,
    method: String,
    url: String,
    status: u16,
    headers: HeaderMap,
    body: String,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recorded")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixture folder is readable") {
        let path = entry.expect("fixture entry").path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn header_map(pairs: impl Iterator<Item = (String, String)>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            map.append(name, value);
        }
    }
    map
}

fn vcr_headers(headers: &Value) -> HeaderMap {
    let pairs = headers
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(k, v)| {
            let values: Vec<String> = match v {
                Value::Array(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_owned))
                    .collect(),
                Value::String(s) => vec![s.clone()],
                _ => vec![],
            };
            values.into_iter().map(move |v| (k.clone(), v))
        });
    header_map(pairs)
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn load(path: &Path) -> Vec<Exchange> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).expect("fixture is text");
    let doc: Value = match path.extension().and_then(|e| e.to_str()) {
        Some("json") | Some("har") => serde_json::from_str(&text).expect("fixture is JSON"),
        Some("yaml") => serde_norway::from_str(&text).expect("fixture is YAML"),
        _ => return vec![],
    };
    let mut out = Vec::new();
    if let Some(items) = doc.get("http_interactions").and_then(Value::as_array) {
        // Rust cassettes.
        for i in items {
            out.push(Exchange {
                file: name.clone(),
                method: str_at(i, "/request/method").to_uppercase(),
                url: str_at(i, "/request/uri").to_owned(),
                status: i
                    .pointer("/response/status/code")
                    .and_then(Value::as_u64)
                    .unwrap_or(0) as u16,
                headers: vcr_headers(i.pointer("/response/headers").unwrap_or(&Value::Null)),
                body: str_at(i, "/response/body/string").to_owned(),
            });
        }
    } else if let Some(items) = doc.get("interactions").and_then(Value::as_array) {
        // Python VCR.py and go-vcr.
        for i in items {
            let go = i.pointer("/response/code").is_some();
            out.push(Exchange {
                file: name.clone(),
                method: str_at(i, "/request/method").to_uppercase(),
                url: if go {
                    str_at(i, "/request/url")
                } else {
                    str_at(i, "/request/uri")
                }
                .to_owned(),
                status: if go {
                    i.pointer("/response/code")
                } else {
                    i.pointer("/response/status/code")
                }
                .and_then(Value::as_u64)
                .unwrap_or(0) as u16,
                headers: vcr_headers(i.pointer("/response/headers").unwrap_or(&Value::Null)),
                body: if go {
                    str_at(i, "/response/body")
                } else {
                    str_at(i, "/response/body/string")
                }
                .to_owned(),
            });
        }
    } else if let Some(entries) = doc.pointer("/log/entries").and_then(Value::as_array) {
        // Polly.JS HAR.
        for e in entries {
            let headers = e
                .pointer("/response/headers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|h| {
                    (
                        str_at(h, "/name").to_owned(),
                        str_at(h, "/value").to_owned(),
                    )
                });
            out.push(Exchange {
                file: name.clone(),
                method: str_at(e, "/request/method").to_uppercase(),
                url: str_at(e, "/request/url").to_owned(),
                status: e
                    .pointer("/response/status")
                    .and_then(Value::as_u64)
                    .unwrap_or(0) as u16,
                headers: header_map(headers),
                body: str_at(e, "/response/content/text").to_owned(),
            });
        }
    }
    out
}

fn all_exchanges() -> Vec<Exchange> {
    let mut paths = Vec::new();
    files(&fixtures(), &mut paths);
    paths.sort();
    paths.iter().flat_map(|p| load(p)).collect()
}

fn path_of(url: &str) -> Vec<String> {
    let url = reqwest::Url::parse(url).expect("recorded URL parses");
    url.path_segments()
        .map(|s| s.map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Parses a success body as the type the operation returns; returns what it was.
fn parse_success(x: &Exchange) -> Result<&'static str, String> {
    let segments = path_of(&x.url);
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    let body = x.body.as_bytes();
    fn check<T: serde::de::DeserializeOwned>(
        body: &[u8],
        what: &'static str,
    ) -> Result<&'static str, String> {
        serde_json::from_slice::<T>(body)
            .map(|_| what)
            .map_err(|e| format!("{what}: {e}"))
    }
    match (x.method.as_str(), parts.as_slice()) {
        (_, [..]) if body.is_empty() => Ok("no body"),
        ("GET", ["api", "v2", "users"]) | ("GET", ["api", "v2", "roles", _, "users"]) => {
            check::<UsersResponse>(body, "UsersResponse")
        }
        ("POST" | "DELETE", ["api", "v2", "roles", _, "users"]) => {
            check::<UsersResponse>(body, "UsersResponse")
        }
        ("POST", ["api", "v2", "users"]) | ("POST", ["api", "v2", "service_accounts"]) => {
            check::<UserResponse>(body, "UserResponse")
        }
        ("GET" | "PATCH", ["api", "v2", "users", _]) => check::<UserResponse>(body, "UserResponse"),
        ("GET", ["api", "v2", "users", _, "permissions"])
        | ("GET", ["api", "v2", "permissions"])
        | ("GET", ["api", "v2", "roles", _, "permissions"]) => {
            check::<PermissionsResponse>(body, "PermissionsResponse")
        }
        ("POST", ["api", "v2", "user_invitations"]) => {
            check::<InvitationsResponse>(body, "InvitationsResponse")
        }
        ("GET", ["api", "v2", "user_invitations", _]) => {
            check::<InvitationResponse>(body, "InvitationResponse")
        }
        ("GET", ["api", "v2", "roles"]) => check::<RolesResponse>(body, "RolesResponse"),
        ("GET", ["api", "v2", "roles", _]) | ("POST", ["api", "v2", "roles"]) => {
            check::<RoleResponse>(body, "RoleResponse")
        }
        ("GET", ["api", "v2", "application_keys"])
        | ("GET", ["api", "v2", "current_user", "application_keys"])
        | ("GET", ["api", "v2", "service_accounts", _, "application_keys"]) => {
            check::<ApplicationKeysResponse>(body, "ApplicationKeysResponse")
        }
        ("GET" | "PATCH", ["api", "v2", "application_keys", _])
        | ("GET" | "PATCH", ["api", "v2", "current_user", "application_keys", _])
        | ("POST", ["api", "v2", "current_user", "application_keys"])
        | ("POST", ["api", "v2", "service_accounts", _, "application_keys"])
        | ("GET" | "PATCH", ["api", "v2", "service_accounts", _, "application_keys", _]) => {
            check::<ApplicationKeyResponse>(body, "ApplicationKeyResponse")
        }
        _ => Ok("not a users or roles response"),
    }
}

#[test]
fn every_recorded_users_and_roles_response_parses() {
    let exchanges = all_exchanges();
    assert!(
        exchanges.len() > 50,
        "found only {} recorded exchanges",
        exchanges.len()
    );
    let mut parsed = 0;
    let mut failures = Vec::new();
    for x in &exchanges {
        if (200..300).contains(&x.status) {
            match parse_success(x) {
                Ok("not a users or roles response") | Ok("no body") => {}
                Ok(_) => parsed += 1,
                Err(e) => failures.push(format!("{} {} {}: {e}", x.file, x.method, x.url)),
            }
        } else if !x.body.is_empty() {
            match ErrorBody::parse(x.body.as_bytes()) {
                Some(body) if !body.errors.is_empty() => parsed += 1,
                _ => failures.push(format!(
                    "{} {}: error body not understood: {}",
                    x.file, x.status, x.body
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(parsed >= 40, "parsed only {parsed}");
}

fn find<'a>(exchanges: &'a [Exchange], file_part: &str, method: &str, status: u16) -> &'a Exchange {
    exchanges
        .iter()
        .find(|x| x.file.contains(file_part) && x.method == method && x.status == status)
        .unwrap_or_else(|| panic!("no {method} {status} in {file_part}"))
}

#[test]
fn recorded_list_page_has_users_roles_permissions_and_totals() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "rust/users/List-all-users-returns-OK-response-with-pagination",
        "GET",
        200,
    );
    let page: UsersResponse = serde_json::from_str(&x.body).unwrap();
    assert_eq!(page.data.len(), 2);
    let alan = &page.data[0];
    assert_eq!(alan.attributes.status, Some(UserStatus::Active));
    assert_eq!(alan.attributes.email.as_deref(), Some("alan@datadoghq.com"));
    assert_eq!(alan.attributes.title, None);
    assert_eq!(
        alan.role_ids().collect::<Vec<_>>(),
        vec![RoleId::from("94172442-be03-11e9-a77a-3b7612558ac1")]
    );
    let roles = page
        .included
        .iter()
        .filter(|i| matches!(i, Included::Role(_)))
        .count();
    let permissions = page
        .included
        .iter()
        .filter(|i| matches!(i, Included::Permission(_)))
        .count();
    assert_eq!((roles, permissions), (1, 148));
    assert_eq!(page.total_count(), Some(203828));
}

#[test]
fn recorded_filtered_list_gives_filtered_count() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "rust/users/List-all-users-returns-OK-response.json",
        "GET",
        200,
    );
    let page: UsersResponse = serde_json::from_str(&x.body).unwrap();
    assert_eq!(page.total_filtered_count(), Some(1));
    assert!(page.included.is_empty());
}

#[test]
fn recorded_create_gives_a_pending_user_with_null_name() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "rust/users/Create-a-user-returns-OK-response",
        "POST",
        201,
    );
    let created: UserResponse = serde_json::from_str(&x.body).unwrap();
    assert_eq!(created.data.attributes.status, Some(UserStatus::Pending));
    assert_eq!(created.data.attributes.verified, Some(false));
    assert!(created.data.attributes.created_at.is_some());
}

#[test]
fn recorded_invitation_expires_two_days_after_creation() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "rust/users/Get-a-user-invitation-returns-OK-response",
        "GET",
        200,
    );
    let invitation: InvitationResponse = serde_json::from_str(&x.body).unwrap();
    let attrs = &invitation.data.attributes;
    let lifetime = attrs.expires_at.unwrap() - attrs.created_at.unwrap();
    assert!((lifetime.whole_hours() - 48).abs() <= 1, "{lifetime}");
    assert_eq!(invitation.data.id.as_str(), attrs.uuid.as_deref().unwrap());
    assert!(invitation.data.user_id().is_some());
}

#[test]
fn recorded_error_bodies_carry_the_message() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "rust/users/Update-a-user-returns-Not-found-response",
        "PATCH",
        404,
    );
    assert_eq!(
        ErrorBody::parse(x.body.as_bytes()).unwrap().errors,
        vec!["00000000-dead-beef-dead-ffffffffffff not found".to_owned()]
    );
    let x = find(
        &exchanges,
        "rust/users/Update-a-user-returns-Bad-User-ID-in-Request-response",
        "PATCH",
        422,
    );
    assert_eq!(
        ErrorBody::parse(x.body.as_bytes()).unwrap().errors,
        vec!["UUID's in the URL and request body do not match".to_owned()]
    );
}

#[test]
fn recorded_rate_limit_headers_parse() {
    let exchanges = all_exchanges();
    let x = find(&exchanges, "python/test_retry", "GET", 429);
    let limit = RateLimit::from_headers(&x.headers).expect("rate-limit headers");
    assert_eq!(limit.limit, Some(10));
    assert_eq!(limit.period, Some(10));
    assert_eq!(limit.remaining, Some(9));
    assert_eq!(limit.reset, Some(3));
    assert_eq!(limit.name.as_deref(), Some("logs_public_search_api"));
}

#[test]
fn recorded_permission_catalogue_with_vnd_api_json_parses_fully() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "roles/rust/List-permissions-returns-OK-response",
        "GET",
        200,
    );
    let catalogue: PermissionsResponse = serde_json::from_str(&x.body).unwrap();
    assert_eq!(catalogue.data.len(), 300);
    assert!(catalogue
        .data
        .iter()
        .all(|p| p.attributes.group_name.is_some()));
    let scoped = find(&exchanges, "roles/go/", "GET", 200);
    let scoped: PermissionsResponse = serde_json::from_str(&scoped.body).unwrap();
    assert!(scoped.data.iter().any(|p| p.name() == "user_access_read"));
}

#[test]
fn models_round_trip_the_recorded_user_shape() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "rust/users/Get-user-details-returns-OK-response",
        "GET",
        200,
    );
    let user: UserResponse = serde_json::from_str(&x.body).unwrap();
    let again: UserResponse = serde_json::from_value(serde_json::to_value(&user).unwrap()).unwrap();
    assert_eq!(user, again);
    let written = serde_json::to_value(&user.data).unwrap();
    // The service writes unset names and titles as null, not absent.
    assert!(written["attributes"]
        .as_object()
        .unwrap()
        .contains_key("title"));
}

// ---------------------------------------------------------------------------------------
// Application keys (beyond-users/)

#[test]
fn recorded_application_key_listing_has_owners_totals_and_mixed_usage() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "beyond-users/cassettes/test_get_all_application_keys_returns_ok",
        "GET",
        200,
    );
    let page: ApplicationKeysResponse = serde_json::from_str(&x.body).unwrap();
    assert_eq!(page.data.len(), 100);
    assert_eq!(page.total_filtered_count(), Some(146));
    assert_eq!(page.meta.as_ref().unwrap().max_allowed_per_user, Some(1000));
    assert!(page.included.is_empty());
    assert!(page.data.iter().all(|k| k.kind == "application_keys"));
    assert!(page.data.iter().all(|k| k.owner_id().is_some()));
    assert!(page.data.iter().all(|k| k
        .relationships
        .leak_information
        .as_ref()
        .is_some_and(|l| l.data.is_none())));
    let first = &page.data[0];
    assert_eq!(first.attributes.name.as_deref(), Some("1PASSWORD_SHARED"));
    assert_eq!(first.attributes.last4.as_deref(), Some("xxxx"));
    assert_eq!(first.attributes.scopes, None);
    assert_eq!(
        first.attributes.last_used_at.map(|t| timestamp::format(&t)),
        Some("2025-09-06T19:03:18.487091+00:00".to_owned())
    );
    let scoped = page
        .data
        .iter()
        .find(|k| k.attributes.scopes.is_some())
        .unwrap();
    assert_eq!(
        scoped.attributes.scopes.as_deref(),
        Some(
            &[
                "connections_read".to_owned(),
                "connections_write".to_owned()
            ][..]
        )
    );
    assert!(page
        .data
        .iter()
        .any(|k| k.attributes.last_used_at.is_none()));
    // Our models write the same document back.
    let again: ApplicationKeysResponse =
        serde_json::from_value(serde_json::to_value(&page).unwrap()).unwrap();
    assert_eq!(page, again);
}

#[test]
fn recorded_current_user_listing_names_no_owner() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "test_get_all_application_keys_owned_by_current_user",
        "GET",
        200,
    );
    let page: ApplicationKeysResponse = serde_json::from_str(&x.body).unwrap();
    assert_eq!(page.total_filtered_count(), Some(16));
    assert_eq!(page.data.len(), 16);
    assert!(page.data.iter().all(|k| k.owner_id().is_none()));
    assert!(page
        .data
        .iter()
        .all(|k| k.relationships.leak_information.is_some()));
}

#[test]
fn recorded_single_keys_parse_and_the_secret_is_not_kept() {
    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "test_get_an_application_key_returns_ok",
        "GET",
        200,
    );
    let key: ApplicationKeyResponse = serde_json::from_str(&x.body).unwrap();
    assert_eq!(key.data.id.as_str(), "0292830c-dde3-4e62-a568-573e4be65dff");
    assert_eq!(
        key.data.owner_id(),
        Some(UserId::from("9919ec9b-ebc7-49ee-8dc8-03626e717cca"))
    );
    assert_eq!(
        key.data
            .attributes
            .created_at
            .map(|t| timestamp::format(&t)),
        Some("2025-09-08T09:24:48.499395+00:00".to_owned())
    );
    assert!(key.included.is_empty());

    // The current user's key comes with its secret, the user and their role.
    let x = find(
        &exchanges,
        "test_get_one_application_key_owned_by_current_user_returns_ok",
        "GET",
        200,
    );
    assert!(x.body.contains("\"key\":"));
    let mine: ApplicationKeyResponse = serde_json::from_str(&x.body).unwrap();
    let user = mine
        .included
        .iter()
        .find_map(|i| match i {
            ApplicationKeyIncluded::User(user) => Some(user),
            _ => None,
        })
        .unwrap();
    assert_eq!(user.attributes.service_account, Some(true));
    assert!(mine.included.iter().any(
        |i| matches!(i, ApplicationKeyIncluded::Role(r) if r.display_name() == "Datadog Admin Role")
    ));
    let written = serde_json::to_string(&mine).unwrap();
    assert!(
        !written.contains("\"key\":"),
        "the secret was kept: {written}"
    );

    // A created key has no last_used_at at all.
    let x = find(
        &exchanges,
        "test_create_an_application_key_for_current_user",
        "POST",
        201,
    );
    let created: ApplicationKeyResponse = serde_json::from_str(&x.body).unwrap();
    assert!(!x.body.contains("last_used_at"));
    assert_eq!(created.data.attributes.last_used_at, None);
}

#[test]
fn recorded_missing_keys_are_404_with_one_message() {
    let exchanges = all_exchanges();
    for file in [
        "test_get_an_application_key_returns_not_found",
        "test_get_one_application_key_owned_by_current_user_returns_not_found",
    ] {
        let x = find(&exchanges, file, "GET", 404);
        assert_eq!(
            ErrorBody::parse(x.body.as_bytes()).unwrap().errors,
            vec!["Application key not found".to_owned()]
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_orders_key_names_like_the_recorded_listing() {
    use ddusers::api::{Client, ClientOptions};
    use ddusers::config::{parse_base_url, Credentials};
    use ddusers::sandbox::{Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY};

    let exchanges = all_exchanges();
    let x = find(
        &exchanges,
        "beyond-users/cassettes/test_get_all_application_keys_returns_ok",
        "GET",
        200,
    );
    let recorded: ApplicationKeysResponse = serde_json::from_str(&x.body).unwrap();
    let names: Vec<String> = recorded
        .data
        .iter()
        .map(|k| k.display_name().to_owned())
        .collect();

    let sandbox = Sandbox::start(SandboxConfig {
        users: 2,
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let client = Client::new(ClientOptions::new(
        parse_base_url(&sandbox.base_url(), false).unwrap(),
        Credentials::new(DEMO_API_KEY, DEMO_ADMIN_APP_KEY),
    ))
    .unwrap();
    let ada = client.get_current_user().await.unwrap().data.id;
    // Given in reverse, so insertion order cannot pass for sorting.
    for name in names.iter().rev() {
        sandbox.create_application_key(ada.as_str(), name).unwrap();
    }
    let listed = client
        .list_all_application_keys(&ListApplicationKeysQuery::default())
        .await
        .unwrap();
    let listed: Vec<String> = listed
        .data
        .iter()
        .map(|k| k.display_name().to_owned())
        .filter(|n| !n.starts_with("ddusers demo"))
        .collect();
    assert_eq!(listed, names);
    sandbox.shutdown().await;
}
