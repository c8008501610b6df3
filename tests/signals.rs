//! A command-line run stopped by a signal: SIGINT, SIGTERM or SIGHUP sent to the real
//! binary mid-way through a bulk disable stops it at an item boundary — nothing is
//! journaled as failed — exits with the signal's code (130, 143, 129) and names the resume
//! command, which finishes the run with no write applied twice.

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ddusers::api::models::{User, UserId, UserStatus};
use ddusers::api::{Client, ListUsersQuery};
use ddusers::runs::journal::{find_run, read_runs};
use ddusers::runs::ItemResult;
use ddusers::sandbox::{Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY};

const ME: &str = "ada.admin@demo-org.example";

async fn everyone(client: &Client) -> Vec<User> {
    client
        .list_all_users(ListUsersQuery {
            page_size: Some(100),
            ..Default::default()
        })
        .await
        .expect("listing")
}

fn ddusers(journal: &Path, base_url: &str) -> Command {
    common::binary(journal, base_url, DEMO_ADMIN_APP_KEY)
}

/// Starts `ddusers users disable` of 60 users against a slow sandbox, sends `signal` once
/// a few items are done, and checks how the run ended and that a resume finishes it.
async fn a_bulk_disable_stopped_by(signal: &str, code: i32) {
    let sandbox = Sandbox::start(SandboxConfig {
        port: 0,
        users: 150,
        latency: Duration::from_millis(40),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let client = common::client(&sandbox, DEMO_ADMIN_APP_KEY);
    let ids: Vec<UserId> = everyone(&client)
        .await
        .into_iter()
        .filter(|u| u.status() != UserStatus::Disabled && u.attributes.email.as_deref() != Some(ME))
        .take(60)
        .map(|u| u.id)
        .collect();
    assert_eq!(ids.len(), 60);
    let dir = tempfile::tempdir().expect("a temp dir");
    let journal = dir.path().join("journal.jsonl");
    let url = sandbox.base_url();

    let mut args = vec!["users".to_owned(), "disable".to_owned(), "--yes".to_owned()];
    args.extend(ids.iter().map(|id| id.to_string()));
    let child = ddusers(&journal, &url)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = read_runs(&journal)
            .ok()
            .and_then(|runs| runs.first().map(|r| r.finished_count()))
            .unwrap_or(0);
        if done >= 8 {
            break;
        }
        assert!(Instant::now() < deadline, "the run never got going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sent = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("joined")
        .expect("the binary ends");
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(code),
        "SIG{signal} exits with {code}:\n{said}"
    );

    let stopped = read_runs(&journal).expect("the journal reads").remove(0);
    let run = &stopped.run.0;
    assert!(
        said.contains(&format!("`ddusers resume {run}`")),
        "the resume command is named:\n{said}"
    );
    assert!(
        said.contains(&format!("interrupted by SIG{signal}")),
        "{said}"
    );
    let tally = stopped.tally();
    assert_eq!(tally.failed, 0, "nothing journaled as failed: {tally}");
    assert!(tally.unfinished > 0, "stopped before the end: {tally}");
    assert!(
        stopped
            .outcomes
            .iter()
            .flatten()
            .all(|o| matches!(o, ItemResult::Done { .. })),
        "every journaled outcome is a done item: {tally}"
    );
    let applied = sandbox.stats().writes_applied;
    assert!(
        applied < ids.len() as u64,
        "no new item started after the signal ({applied} applied)"
    );

    let resumed = ddusers(&journal, &url)
        .args(["resume", run, "--yes"])
        .output()
        .expect("resume runs");
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let finished = find_run(&journal, run).expect("the run is found");
    assert!(finished.is_complete(), "{}", finished.tally());
    assert_eq!(finished.tally().done, ids.len(), "{}", finished.tally());
    assert_eq!(
        sandbox.stats().writes_applied,
        ids.len() as u64,
        "no disable applied twice"
    );
    let wanted: HashSet<&UserId> = ids.iter().collect();
    assert!(everyone(&client)
        .await
        .iter()
        .filter(|u| wanted.contains(&u.id))
        .all(|u| u.status() == UserStatus::Disabled));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_a_bulk_run_at_an_item_boundary_and_exits_143_naming_the_resume() {
    a_bulk_disable_stopped_by("TERM", 143).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigint_stops_a_bulk_run_at_an_item_boundary_and_exits_130_naming_the_resume() {
    a_bulk_disable_stopped_by("INT", 130).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sighup_stops_a_bulk_run_at_an_item_boundary_and_exits_129_naming_the_resume() {
    a_bulk_disable_stopped_by("HUP", 129).await;
}
