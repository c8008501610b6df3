//! `ddusers history` as scripts run it, against a sandbox on loopback: a change made by
//! one key's user is shown, with that actor, to another key's user; without
//! `audit_logs_read` the command says so and falls back to the local journal.

use std::process::{Command, Output, Stdio};

use ddusers::api::models::*;
use ddusers::api::{Client, ClientOptions, ListUsersQuery};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::sandbox::{
    Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY, DEMO_READONLY_APP_KEY,
    READ_ONLY_ROLE_ID,
};

fn client_for(sandbox: &Sandbox, app_key: &str) -> Client {
    let options = ClientOptions::new(
        parse_base_url(&sandbox.base_url(), false).expect("sandbox URL"),
        Credentials::new(DEMO_API_KEY, app_key),
    );
    Client::new(options).expect("client")
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

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        port: 0,
        users: 60,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts on loopback")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_shows_a_change_made_by_another_keys_user_with_that_actor() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = dir.path().join("journal.jsonl");
    let admin = client_for(&sandbox, DEMO_ADMIN_APP_KEY);
    let user = active_person(&admin).await;
    let email = user.attributes.email.clone().expect("email");
    let done = ddusers(
        &sandbox,
        DEMO_ADMIN_APP_KEY,
        &journal,
        &["users", "disable", user.id.as_str(), "--yes"],
    )
    .await;
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );

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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_audit_logs_read_history_says_so_and_reads_the_journal() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = dir.path().join("journal.jsonl");
    let admin = client_for(&sandbox, DEMO_ADMIN_APP_KEY);
    let user = active_person(&admin).await;
    let done = ddusers(
        &sandbox,
        DEMO_ADMIN_APP_KEY,
        &journal,
        &["users", "disable", user.id.as_str(), "--yes"],
    )
    .await;
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let permissions = admin.list_permissions(false).await.expect("permissions");
    let audit_read = permissions
        .data
        .iter()
        .find(|p| p.attributes.name.as_deref() == Some("audit_logs_read"))
        .expect("audit_logs_read");
    admin
        .revoke_permission(&RoleId(READ_ONLY_ROLE_ID.into()), &audit_read.id)
        .await
        .expect("revoke");

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
