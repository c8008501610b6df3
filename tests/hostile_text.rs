//! Hostile strings in every field a server sends — escape sequences, BEL, C1 controls, bidi
//! overrides, zero-width characters, line breaks, spreadsheet formulas — through every
//! output mode of the command line (table, CSV, JSON, errors) and the console's screen:
//! nothing hidden reaches a terminal, CSV cells never start a formula, and JSON stays exact.

mod common;

use ddusers::app::msg::LoadMsg;
use std::process::Command;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use ddusers::app::{update, Msg};
use ddusers::text::is_hidden;
use serde_json::{json, Value};

/// Everything a terminal, a spreadsheet or a reader could be fooled by.
const HOSTILE: &str =
    "Evil\u{1b}[2J\u{7}\u{9b}31m CFO\u{202e}gnp.exe\u{200b}\u{feff}\u{2066}x\u{2069}\r\nend\u{85}";
const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"click\")";

fn user() -> Value {
    json!({
        "type": "users",
        "id": "u-evil",
        "attributes": {
            "name": HOSTILE,
            "email": "evil@example.com",
            "handle": HOSTILE,
            "title": format!("{FORMULA}{HOSTILE}"),
            "status": "Active",
            "disabled": false,
            "verified": true,
            "service_account": false,
            "mfa_enabled": false,
            "created_at": "2024-01-01T00:00:00.000000+00:00",
            "modified_at": "2024-01-01T00:00:00.000000+00:00"
        },
        "relationships": {
            "roles": {"data": [{"type": "roles", "id": "r-evil"}]},
            "org": {"data": {"type": "orgs", "id": "o-evil"}}
        }
    })
}

fn role() -> Value {
    json!({
        "type": "roles",
        "id": "r-evil",
        "attributes": {"name": format!("-{HOSTILE}"), "user_count": 1},
        "relationships": {"permissions": {"data": [{"type": "permissions", "id": "p-evil"}]}}
    })
}

fn permission() -> Value {
    json!({
        "type": "permissions",
        "id": "p-evil",
        "attributes": {"name": HOSTILE, "display_name": HOSTILE, "group_name": format!("@{HOSTILE}")}
    })
}

fn org() -> Value {
    json!({"type": "orgs", "id": "o-evil", "attributes": {"name": HOSTILE, "public_id": HOSTILE}})
}

fn page() -> Value {
    json!({
        "data": [user()],
        "included": [role(), permission()],
        "meta": {"page": {"total_count": 1, "total_filtered_count": 1}}
    })
}

/// A server that answers every read with hostile text, and errors with hostile messages.
async fn serve() -> String {
    let one = || json!({"data": user(), "included": [role(), permission(), org()]});
    let app = Router::new()
        .route("/api/v2/users", get(|| async { Json(page()) }))
        .route(
            "/api/v2/users/{id}",
            get(move |Path(id): Path<String>| async move {
                if id == "u-evil" {
                    Json(one()).into_response()
                } else {
                    let body = json!({"errors": [HOSTILE]});
                    (StatusCode::NOT_FOUND, Json(body)).into_response()
                }
            }),
        )
        .route("/api/v2/current_user", get(move || async move { Json(one()) }))
        .route(
            "/api/v2/users/{id}/permissions",
            get(|| async { Json(json!({"data": [permission()]})) }),
        )
        .route(
            "/api/v2/users/{id}/orgs",
            get(|| async { Json(json!({"data": user(), "included": [org()]})) }),
        )
        .route(
            "/api/v2/roles",
            get(|| async {
                Json(json!({"data": [role()], "meta": {"page": {"total_count": 1, "total_filtered_count": 1}}}))
            }),
        )
        .route(
            "/api/v2/permissions",
            get(|| async { Json(json!({"data": [permission()]})) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

fn ddusers(url: &str, args: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().expect("dir");
    let output = Command::new(env!("CARGO_BIN_EXE_ddusers"))
        .env_clear()
        .env("DD_API_KEY", "k")
        .env("DD_APP_KEY", "a")
        .env("DDUSERS_BASE_URL", url)
        .env("DDUSERS_JOURNAL", dir.path().join("journal.jsonl"))
        .args(args)
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// No hidden character but the line breaks between lines (CSV ends lines with CRLF or LF).
fn assert_clean(what: &str, text: &str) {
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(bad) = line.chars().find(|c| is_hidden(*c)) {
            panic!(
                "{what}: U+{:04X} reached the output in {line:?}",
                u32::from(bad)
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_text_never_reaches_a_terminal_raw_in_any_output_mode() {
    let url = serve().await;
    for args in [
        vec!["users", "list"],
        vec!["users", "list", "--format", "csv"],
        vec!["users", "list", "--format", "json"],
        vec!["users", "get", "u-evil"],
        vec!["users", "get", "u-evil", "--format", "csv"],
        vec!["users", "get", "u-evil", "--format", "json"],
        vec!["users", "permissions", "u-evil"],
        vec!["users", "orgs", "u-evil"],
        vec!["roles", "list"],
        vec!["roles", "list", "--format", "csv"],
        vec!["permissions"],
        vec!["me"],
        vec!["users", "get", "u-missing"],
        vec!["audit", "admins"],
        vec!["audit", "admins", "--format", "csv"],
        vec!["audit", "admins", "--format", "json"],
        vec!["journal", "--format", "csv"],
    ] {
        let (out, err) = ddusers(&url, &args);
        assert_clean(&format!("{args:?} stdout"), &out);
        assert_clean(&format!("{args:?} stderr"), &err);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn json_output_escapes_hidden_characters_and_stays_exact() {
    let url = serve().await;
    let (out, _) = ddusers(&url, &["users", "list", "--format", "json"]);
    assert!(out.contains("\\u202e") && out.contains("\\u0085"), "{out}");
    let users: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(users[0]["attributes"]["name"], HOSTILE, "exact when parsed");
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_cells_never_start_a_formula_and_raw_csv_opts_out() {
    let url = serve().await;
    let cells = |text: &str| -> Vec<String> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        reader
            .records()
            .flat_map(|r| {
                r.expect("a record")
                    .iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (out, _) = ddusers(&url, &["users", "list", "--format", "csv"]);
    let all = cells(&out);
    assert!(all.iter().any(|c| c.starts_with("'=HYPERLINK")), "{all:?}");
    assert!(
        !all.iter().any(|c| c.starts_with(['=', '+', '-', '@'])),
        "{all:?}"
    );
    let (out, _) = ddusers(&url, &["users", "list", "--format", "csv", "--raw-csv"]);
    let raw = cells(&out);
    assert!(raw
        .iter()
        .any(|c| c.starts_with("=HYPERLINK") && c.contains('\u{202e}')));
    let (out, _) = ddusers(&url, &["roles", "list", "--format", "csv"]);
    assert!(cells(&out).iter().any(|c| c.starts_with("'-Evil")), "{out}");
}

#[test]
fn the_console_shows_hostile_text_only_as_placeholders() {
    let mut state = common::loaded(160, 48);
    let response: ddusers::api::models::UsersResponse =
        serde_json::from_value(page()).expect("a page");
    let request_id = state
        .load
        .request
        .current()
        .expect("a listing was asked for");
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 1,
            total_pages: Some(2),
            response,
        }),
    );
    // Whatever path the user arrived by, the list, the detail and a toast are clean.
    let screen = common::screen(&state, 160, 48);
    assert_clean("list", &screen);
    let id: ddusers::api::models::UserId = "u-evil".into();
    let evil = state.store.by_id(&id).expect("stored");
    assert!(evil.name.contains('\u{fffd}'), "{}", evil.name);
    update(&mut state, Msg::Notice(HOSTILE.to_owned()));
    assert_clean("toast", &common::screen(&state, 160, 48));
}
