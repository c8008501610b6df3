//! Leavers reconciliation against the sandbox with the real binary: a people file marks
//! some demo users as left (one by an upper-cased address, one by an alias) and omits
//! others; the report names exactly those, sends no write (counted on the sandbox) until
//! `--disable-leavers --yes`, which disables exactly the active leavers. Mistakes in the
//! people file are one line with the usage exit code.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{binary, client, sandbox};
use ddusers::org::load::load_org;
use ddusers::org::{Org, Status, UserRecord};
use ddusers::sandbox::{Sandbox, DEMO_ADMIN_APP_KEY, DEMO_READONLY_APP_KEY};

async fn org(sandbox: &Sandbox) -> Org {
    let reader = client(sandbox, DEMO_READONLY_APP_KEY);
    load_org(&reader, "test").await.expect("the org reads")
}

fn ddusers(sandbox: &Sandbox, app_key: &str, journal: &Path) -> Command {
    binary(journal, &sandbox.base_url(), app_key)
}

async fn run(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
        .await
        .expect("the thread ends")
}

fn ids<'a>(users: impl IntoIterator<Item = &'a UserRecord>) -> BTreeSet<String> {
    users.into_iter().map(|u| u.id.to_string()).collect()
}

/// The people file, and who it makes active leavers and orphans.
struct People {
    csv: String,
    leavers: BTreeSet<String>,
    orphans: BTreeSet<String>,
}

/// Of the org's active or pending people (not the demo users whose keys run the test):
/// three marked left (one upper-cased, one known by an alias only), two omitted, the rest
/// present; a disabled person marked left, and a row without an address.
fn people_file(org: &Org) -> People {
    let open: Vec<&UserRecord> = org
        .users()
        .iter()
        .filter(|u| !u.service_account && matches!(u.status, Status::Active | Status::Pending))
        .filter(|u| !u.email.starts_with("ada.admin") && !u.email.starts_with("rita.readonly"))
        .collect();
    assert!(open.len() > 10, "the demo org has people to reconcile");
    let (left, rest) = open.split_at(3);
    let (omitted, present) = rest.split_at(2);
    let mut csv = String::from("Name,E-Mail,Employment,Other addresses\n");
    csv.push_str(&format!("A,{},Terminated,\n", left[0].email.to_uppercase()));
    csv.push_str(&format!("B,{},offboarded,\n", left[1].email));
    csv.push_str(&format!(
        "C,someone.else@hr.example,left,\"x@hr.example; {}\"\n",
        left[2].email
    ));
    csv.push_str("D,not-an-address,left,\n");
    for user in present {
        csv.push_str(&format!("P,{},active,\n", user.email));
    }
    for user in org.users().iter().filter(|u| u.status == Status::Disabled) {
        csv.push_str(&format!("X,{},left,\n", user.email));
    }
    for email in [
        "ada.admin@demo-org.example",
        "rita.readonly@demo-org.example",
    ] {
        csv.push_str(&format!("Demo,{email},,\n"));
    }
    People {
        csv,
        leavers: ids(left.iter().copied()),
        orphans: ids(omitted.iter().copied()),
    }
}

const COLUMNS: [&str; 6] = [
    "--email-column",
    "e-mail",
    "--status-column",
    "EMPLOYMENT",
    "--aliases-column",
    "other addresses",
];

fn of_kind(report: &serde_json::Value, kind: &str) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == kind)
        .map(|f| f["user"].as_str().expect("an id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciling_names_leavers_and_orphans_and_writes_nothing_until_yes() {
    let sandbox = sandbox(60, 13).await;
    let before = org(&sandbox).await;
    let people = people_file(&before);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    std::fs::write(&file, &people.csv).unwrap();
    let journal = dir.path().join("journal.jsonl");

    // The report, with the read-only key: exactly the leavers, orphans, service accounts.
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY, &journal);
    command
        .args(["reconcile", "--format", "json", "--people"])
        .arg(&file);
    command.args(COLUMNS);
    let out = run(command).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("people.csv row 5: \"not-an-address\" skipped"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(of_kind(&report, "active_leaver"), people.leavers);
    assert_eq!(of_kind(&report, "orphan"), people.orphans);
    let services = ids(before.users().iter().filter(|u| u.service_account));
    assert!(!services.is_empty());
    assert_eq!(of_kind(&report, "service_account"), services);
    let reasons: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["reason"].as_str())
        .collect();
    assert!(
        reasons.contains(&"marked left (Terminated) in people.csv row 2"),
        "{reasons:?}"
    );
    assert!(reasons.contains(&"not in people.csv"), "{reasons:?}");

    // The table says the counts first.
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY, &journal);
    command
        .args(["reconcile", "--people"])
        .arg(&file)
        .args(COLUMNS);
    let out = run(command).await;
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        table.starts_with("3 active leavers, 2 orphans, "),
        "{table}"
    );
    assert!(table.contains("FINDING"), "{table}");

    // --disable-leavers without --yes is a dry run: the plan, and still no write. With
    // JSON findings, stdout stays one JSON document and the plan is said on stderr.
    let mut command = ddusers(&sandbox, DEMO_ADMIN_APP_KEY, &journal);
    command
        .args([
            "reconcile",
            "--format",
            "json",
            "--disable-leavers",
            "--people",
        ])
        .arg(&file)
        .args(COLUMNS);
    let out = run(command).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("dry run: nothing was changed"), "{stderr}");
    assert!(
        stderr.contains("leavers in people.csv"),
        "the plan: {stderr}"
    );
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is one JSON document ({e})"));
    assert_eq!(of_kind(&findings, "active_leaver"), people.leavers);
    assert!(sandbox.stats().requests > 10);
    assert_eq!(sandbox.stats().write_requests, 0, "no write before --yes");

    // With --yes: exactly the active leavers are disabled.
    let mut command = ddusers(&sandbox, DEMO_ADMIN_APP_KEY, &journal);
    command
        .args(["reconcile", "--disable-leavers", "--yes", "--people"])
        .arg(&file)
        .args(COLUMNS);
    let out = run(command).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    assert!(sandbox.stats().write_requests > 0);
    let after = org(&sandbox).await;
    for user in before.users() {
        let now = after.by_id(&user.id).expect("still there");
        let expected = if people.leavers.contains(user.id.as_str()) {
            Status::Disabled
        } else {
            user.status
        };
        assert_eq!(now.status, expected, "{}", user.email);
    }
    assert!(std::fs::read_to_string(&journal)
        .unwrap()
        .contains("leavers in people.csv"));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_file_mistakes_are_one_line_with_a_usage_exit() {
    let sandbox = sandbox(60, 13).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.jsonl");
    let no_email = dir.path().join("no-email.csv");
    std::fs::write(&no_email, "name,mail\nA,a@x.io\n").unwrap();
    let damaged = dir.path().join("damaged.csv");
    std::fs::write(&damaged, b"email\n\xff\xfe@x.io\n").unwrap();
    let fine = dir.path().join("fine.csv");
    std::fs::write(&fine, "email\na@x.io\n").unwrap();
    let missing = dir.path().join("missing.csv");
    let cases: Vec<(Vec<&str>, &Path, &str)> = vec![
        (vec![], &missing, "could not read the people file"),
        (
            vec![],
            &no_email,
            "no-email.csv has no column named \"email\"",
        ),
        (vec![], &damaged, "damaged.csv is not a readable CSV file"),
        (
            vec!["--status-column", "state"],
            &fine,
            "no column named \"state\"",
        ),
        (
            vec!["--disable-leavers", "--from", "snap.json"],
            &fine,
            "drop --from",
        ),
    ];
    for (extra, file, needle) in cases {
        let mut command = ddusers(&sandbox, DEMO_ADMIN_APP_KEY, &journal);
        command
            .args(["reconcile", "--people"])
            .arg(file)
            .args(&extra);
        let out = run(command).await;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{extra:?}: {stderr}");
        assert!(stderr.contains(needle), "{extra:?}: {stderr}");
    }
    assert_eq!(sandbox.stats().write_requests, 0);
    sandbox.shutdown().await;
}
