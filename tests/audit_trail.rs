//! Audit Trail over loopback: the sandbox records an event for each change it applies and
//! serves them, cursor-paged, to the typed client; `ddusers history` shows them, or the
//! local journal without `audit_logs_read`. No mocks.

use std::process::{Command, Output, Stdio};

use ddusers::api::models::*;
use ddusers::api::{Client, ClientOptions, ListUsersQuery};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::sandbox::{
    Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY, DEMO_READONLY_APP_KEY,
    READ_ONLY_ROLE_ID, STANDARD_ROLE_ID,
};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        port: 0,
        users: 60,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts on loopback")
}

fn client_for(sandbox: &Sandbox, app_key: &str) -> Client {
    let options = ClientOptions::new(
        parse_base_url(&sandbox.base_url(), false).expect("sandbox URL"),
        Credentials::new(DEMO_API_KEY, app_key),
    );
    Client::new(options).expect("client")
}

/// An active person other than the demo users.
async fn active_person(client: &Client) -> User {
    let page = client
        .list_users(&ListUsersQuery {
            page_size: Some(100),
            status: vec![UserStatus::Active],
            ..ListUsersQuery::default()
        })
        .await
        .expect("list users");
    page.data
        .into_iter()
        .find(|u| {
            let email = u.attributes.email.clone().unwrap_or_default();
            !email.starts_with("ada.")
                && !email.starts_with("rita.")
                && u.attributes.service_account != Some(true)
        })
        .expect("an active person")
}

/// Takes `audit_logs_read` from the Datadog Read Only Role (Rita Readonly's).
async fn revoke_audit_read(admin: &Client) {
    let permissions = admin.list_permissions(false).await.expect("permissions");
    let audit_read = permissions
        .data
        .iter()
        .find(|p| p.attributes.name.as_deref() == Some("audit_logs_read"))
        .expect("audit_logs_read in the catalogue");
    admin
        .revoke_permission(&RoleId(READ_ONLY_ROLE_ID.into()), &audit_read.id)
        .await
        .expect("revoke");
}

/// Runs the binary on `sandbox` with `app_key`, off the async runtime.
async fn ddusers(
    sandbox: &Sandbox,
    app_key: &str,
    journal: &std::path::Path,
    args: &[&str],
) -> Output {
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
        .env("DD_API_KEY", DEMO_API_KEY)
        .env("DD_APP_KEY", app_key)
        .env("DDUSERS_BASE_URL", sandbox.base_url())
        .env("DDUSERS_JOURNAL", journal)
        .args(args)
        .stdin(Stdio::null());
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("the command finishes")
}

/// Disables an active person with `ddusers users disable` as the demo admin, journaled in
/// `journal`, and returns them as they were.
async fn disable_through_cli(sandbox: &Sandbox, admin: &Client, journal: &std::path::Path) -> User {
    let user = active_person(admin).await;
    let done = ddusers(
        sandbox,
        DEMO_ADMIN_APP_KEY,
        journal,
        &["users", "disable", user.id.as_str(), "--yes"],
    )
    .await;
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    user
}

fn details(event: &AuditEvent) -> &AuditDetails {
    &event.attributes.attributes
}

#[tokio::test]
async fn changes_by_the_admin_are_read_back_by_another_user_with_the_admin_as_actor() {
    let sandbox = sandbox().await;
    let (admin, reader) = (
        client_for(&sandbox, DEMO_ADMIN_APP_KEY),
        client_for(&sandbox, DEMO_READONLY_APP_KEY),
    );
    let admin_id = admin.get_current_user().await.expect("me").data.id;
    let user = active_person(&admin).await;
    admin
        .add_user_to_role(&RoleId(STANDARD_ROLE_ID.into()), &user.id)
        .await
        .ok();
    admin
        .add_user_to_role(&RoleId(READ_ONLY_ROLE_ID.into()), &user.id)
        .await
        .expect("grant read-only");
    admin.disable_user(&user.id).await.expect("disable");

    let query = format!(
        "@evt.name:\"Access Management\" @asset.type:user @asset.id:{} something-unknown",
        user.id
    );
    let events = reader
        .search_audit_events(&query, "now-90d", "now")
        .await
        .expect("the read-only role grants audit_logs_read");
    assert!(events.len() >= 2, "{events:#?}");
    let newest = details(&events[0]);
    assert_eq!(newest.action.as_deref(), Some("modified"));
    let actor = newest.usr.as_ref().expect("usr");
    assert_eq!(actor.uuid.as_deref(), Some(admin_id.as_str()));
    assert_eq!(actor.email.as_deref(), Some("ada.admin@demo-org.example"));
    let asset = newest.asset.as_ref().expect("asset");
    assert_eq!(asset.kind.as_deref(), Some("user"));
    assert_eq!(asset.id.as_deref(), Some(user.id.as_str()));
    assert_eq!(
        asset.prev_value,
        Some(serde_json::json!({"status": "enabled"}))
    );
    assert_eq!(
        asset.new_value,
        Some(serde_json::json!({"status": "disabled"}))
    );
    let granted = details(&events[1])
        .asset
        .as_ref()
        .and_then(|a| a.new_value.clone());
    let roles = granted
        .and_then(|v| v.get("roles").cloned())
        .expect("roles after");
    assert!(
        roles.to_string().contains("Datadog Read Only Role"),
        "{roles}"
    );
    assert!(
        events
            .iter()
            .all(|e| details(e).asset.as_ref().and_then(|a| a.id.as_deref())
                == Some(user.id.as_str()))
    );
}

#[tokio::test]
async fn the_seeded_history_pages_by_cursor_without_gaps_or_repeats() {
    let sandbox = sandbox().await;
    let admin = client_for(&sandbox, DEMO_ADMIN_APP_KEY);
    let query = "@asset.type:user";
    let all = admin
        .search_audit_events(query, "now-90d", "now")
        .await
        .expect("search");
    assert!(all.len() >= 4, "a seeded history: {all:#?}");
    let mut request = AuditSearchRequest {
        filter: AuditSearchFilter {
            query: Some(query.into()),
            from: Some("now-90d".into()),
            to: Some("now".into()),
        },
        page: AuditSearchPage {
            limit: Some(2),
            cursor: None,
        },
        sort: None,
    };
    let mut paged = Vec::new();
    loop {
        let page = admin.search_audit_page(&request).await.expect("page");
        assert!(page.data.len() <= 2);
        paged.extend(page.data);
        let Some(after) = page.meta.and_then(|m| m.page).and_then(|p| p.after) else {
            assert!(page.links.is_none(), "no next link on the last page");
            break;
        };
        request.page.cursor = Some(after);
    }
    assert_eq!(paged, all);
    let times: Vec<&str> = all
        .iter()
        .map(|e| e.attributes.timestamp.as_str())
        .collect();
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first);
    // Outside the range: nothing.
    let recent = admin
        .search_audit_events(query, "now-1d", "now")
        .await
        .expect("search");
    assert!(recent.is_empty(), "{recent:#?}");
}

#[tokio::test]
async fn a_role_without_audit_logs_read_is_refused_with_403() {
    let sandbox = sandbox().await;
    let admin = client_for(&sandbox, DEMO_ADMIN_APP_KEY);
    let reader = client_for(&sandbox, DEMO_READONLY_APP_KEY);
    revoke_audit_read(&admin).await;
    let error = reader
        .search_audit_events("@asset.type:user", "now-90d", "now")
        .await
        .expect_err("refused");
    assert_eq!(error.status(), Some(403), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_shows_a_change_made_by_another_keys_user_with_that_actor() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = dir.path().join("journal.jsonl");
    let admin = client_for(&sandbox, DEMO_ADMIN_APP_KEY);
    let user = disable_through_cli(&sandbox, &admin, &journal).await;
    let email = user.attributes.email.clone().expect("email");
    let writes = sandbox.stats().write_requests;

    let output = ddusers(
        &sandbox,
        DEMO_READONLY_APP_KEY,
        &journal,
        &["history", &email, "--format", "json"],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let entries: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let newest = &entries[0];
    assert_eq!(newest["actor"], "ada.admin@demo-org.example", "{entries:#}");
    assert_eq!(newest["source"], "audit_trail");
    assert!(
        newest["change"].as_str().unwrap_or("").contains("disabled"),
        "{entries:#}"
    );

    let table = ddusers(
        &sandbox,
        DEMO_READONLY_APP_KEY,
        &journal,
        &["history", user.id.as_str()],
    )
    .await;
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("WHEN"), "{text}");
    assert!(text.contains("ada.admin@demo-org.example"), "{text}");
    assert_eq!(
        sandbox.stats().write_requests,
        writes,
        "reading a history sends no write"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_audit_logs_read_history_says_so_and_reads_the_journal() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = dir.path().join("journal.jsonl");
    let admin = client_for(&sandbox, DEMO_ADMIN_APP_KEY);
    let user = disable_through_cli(&sandbox, &admin, &journal).await;
    revoke_audit_read(&admin).await;

    let output = ddusers(
        &sandbox,
        DEMO_READONLY_APP_KEY,
        &journal,
        &["history", user.id.as_str(), "--format", "json"],
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("audit_logs_read") && stderr.contains("journal"),
        "{stderr}"
    );
    let entries: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(entries[0]["source"], "journal", "{entries:#}");
    assert_eq!(entries[0]["action"], "disable", "{entries:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_that_fails_with_503_is_retried_as_a_read() {
    let sandbox = sandbox().await;
    let reader = client_for(&sandbox, DEMO_READONLY_APP_KEY);
    let expected = reader
        .search_audit_events("@asset.type:user", "now-90d", "now")
        .await
        .expect("search");
    // The search is a POST, but it changes nothing: a failure is tried again, as a GET's is.
    sandbox.inject(ddusers::sandbox::Injection {
        method: "POST".into(),
        path_prefix: "/api/v2/audit/events/search".into(),
        times: 2,
        fault: ddusers::sandbox::Fault::Refuse(503),
    });
    let retried = reader
        .search_audit_events("@asset.type:user", "now-90d", "now")
        .await
        .expect("retried past two 503s");
    assert_eq!(retried.len(), expected.len());
    sandbox.shutdown().await;
}
