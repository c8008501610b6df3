//! A damaged journal hides nothing: runs journaled around a torn line (a kill, a full disk)
//! and a line of invalid UTF-8 are listed, shown, resumed and undone by the real binary,
//! which says how many lines it skipped; the console's journal view says so too.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

use common::{act, execute, loaded, screen};
use ddusers::api::models::{RoleId, User, UserId, UserStatus};
use ddusers::api::Client;
use ddusers::app::action::Action;
use ddusers::app::journal::JournalListing;
use ddusers::app::msg::Msg;
use ddusers::app::{update, Effect};
use ddusers::runs::journal::{find_run, read_journal};
use ddusers::runs::{check, gather, Change, Draft, FactsOptions, GateOptions, Journal, Runner};
use ddusers::sandbox::{Sandbox, ADMIN_ROLE_ID, DEMO_ADMIN_APP_KEY};

const ME: &str = "ada.admin@demo-org.example";

use common::everyone;

/// Active people who are neither admins nor the caller nor service accounts.
fn plain_active(users: &[User]) -> Vec<UserId> {
    users
        .iter()
        .filter(|u| {
            u.status() == UserStatus::Active
                && !u.is_service_account()
                && !u.has_role(&RoleId::from(ADMIN_ROLE_ID))
                && u.attributes.email.as_deref() != Some(ME)
        })
        .map(|u| u.id.clone())
        .collect()
}

fn disable(ids: &[UserId]) -> Draft {
    let changes = ids
        .iter()
        .map(|user| Change::Disable { user: user.clone() })
        .collect();
    Draft::new(format!("disable {} users", ids.len()), changes)
}

/// A runner journaling to `path`, opened afresh as a new process would.
fn runner(client: &Client, path: &Path, sandbox: &Sandbox) -> Runner {
    let journal = Journal::open(path).expect("the journal opens");
    Runner::new(
        client.clone(),
        Some(Arc::new(journal)),
        sandbox.base_url(),
        4,
    )
}

/// Raw bytes at the end of the journal, as damage leaves them.
fn damage(path: &Path, bytes: &[u8]) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("the journal exists");
    file.write_all(bytes).expect("damage written");
}

fn ddusers(journal: &Path, sandbox: &Sandbox, args: &[&str]) -> Output {
    common::binary(journal, &sandbox.base_url(), DEMO_ADMIN_APP_KEY)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn succeeded(output: &Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{what} failed: {stderr}");
    stderr
}

async fn statuses(client: &Client, ids: &[UserId]) -> Vec<UserStatus> {
    let mut statuses = Vec::new();
    for id in ids {
        statuses.push(client.get_user(id).await.expect("get user").data.status());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_beside_torn_and_invalid_lines_are_listed_shown_resumed_and_undone() {
    let sandbox = common::sandbox(60, 3).await;
    let client = common::client(&sandbox, DEMO_ADMIN_APP_KEY);
    let plain = plain_active(&everyone(&client).await);
    assert!(plain.len() >= 6, "the demo org has plain users");
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("journal.jsonl");

    // A first run, finished.
    let (first, _) = execute(
        &runner(&client, &path, &sandbox),
        disable(&plain[0..2]),
        GateOptions::default(),
    )
    .await;
    // A line of invalid UTF-8, then a line torn halfway (the disk filled up mid-write).
    damage(&path, b"{\"record\":\"outcome\",\"run\":\"\xff\xfe\"}\n");
    damage(&path, b"{\"record\":\"intent\",\"run\":\"");
    // A second run, through the normal API: its header must not glue onto the torn line.
    let (second, reports) = execute(
        &runner(&client, &path, &sandbox),
        disable(&plain[2..4]),
        GateOptions::default(),
    )
    .await;
    assert_eq!(reports.len(), 2);
    // A third run journaled, then killed before any item (its lock goes with the stream),
    // with a torn line right after its header.
    let third = {
        let runner = runner(&client, &path, &sandbox);
        let draft = disable(&plain[4..6]);
        let facts = gather(
            &client,
            &draft,
            &FactsOptions {
                read_only: false,
                origin: sandbox.base_url(),
            },
        )
        .await
        .expect("facts");
        let plan = check(&draft, &facts, GateOptions::default())
            .into_plan()
            .expect("the gate lets it through");
        runner.start(plan).expect("the run starts").run
    };
    damage(&path, b"{\"record\":\"outc");

    let read = read_journal(&path).expect("the journal reads");
    let ids: Vec<_> = read.runs.iter().map(|r| r.run.clone()).collect();
    assert_eq!(ids, [first.clone(), second.clone(), third.clone()]);
    assert_eq!(read.skipped, 3);

    // `ddusers journal` lists every run and says lines were skipped, on stderr.
    let listing = ddusers(&path, &sandbox, &["journal"]);
    let said = succeeded(&listing, "ddusers journal");
    let listed = String::from_utf8_lossy(&listing.stdout);
    for run in [&first, &second, &third] {
        assert!(listed.contains(&run.0), "{run} is listed:\n{listed}");
    }
    assert!(
        said.contains("note: 3 damaged lines of the journal"),
        "{said}"
    );
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    let json = ddusers(&path, &sandbox, &["journal", "--format", "json"]);
    succeeded(&json, "ddusers journal --format json");
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON on stdout");
    assert_eq!(rows.as_array().map(Vec::len), Some(3));

    let shown = ddusers(&path, &sandbox, &["journal", "show", &second.0]);
    succeeded(&shown, "ddusers journal show");
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains(plain[2].as_str()), "{shown}");

    // The third run is resumed to its end.
    let resumed = ddusers(&path, &sandbox, &["resume", &third.0, "--yes"]);
    succeeded(&resumed, "ddusers resume");
    assert!(find_run(&path, &third.0).expect("found").is_complete());

    // The second run is undone: its two users are active again, the others untouched.
    let undone = ddusers(&path, &sandbox, &["undo", &second.0, "--yes"]);
    succeeded(&undone, "ddusers undo");
    use UserStatus::{Active, Disabled};
    assert_eq!(statuses(&client, &plain[2..4]).await, [Active, Active]);
    assert_eq!(
        statuses(&client, &plain[0..2]).await,
        [Disabled, Disabled],
        "the first run stands"
    );
    assert_eq!(
        statuses(&client, &plain[4..6]).await,
        [Disabled, Disabled],
        "the resumed run stands"
    );
    let read = read_journal(&path).expect("the journal reads");
    assert_eq!(read.runs.len(), 4, "the undo is a run of its own");
    assert_eq!(read.skipped, 3, "no new damage");
    sandbox.shutdown().await;
}

#[test]
fn the_console_journal_title_counts_the_skipped_lines() {
    let (w, h) = (100, 30);
    let mut state = loaded(w, h);
    let effects = act(&mut state, Action::Journal);
    let Some(Effect::LoadJournal { request_id }) = effects.first().cloned() else {
        panic!("reads the journal, got {effects:?}");
    };
    update(
        &mut state,
        Msg::JournalRuns {
            request_id,
            result: Ok(Box::new(JournalListing {
                runs: Vec::new(),
                skipped: 2,
                address: "http://127.0.0.1:8126".into(),
                path: "/tmp/journal.jsonl".into(),
            })),
        },
    );
    let drawn = screen(&state, w, h);
    assert!(
        drawn.contains("Journal — 0 runs · 2 damaged lines skipped"),
        "{drawn}"
    );
}
