//! The console's audit views, export and journal view end to end: runtime, effects queue,
//! client and the built-in sandbox over loopback, driven by scripted keys, checked through
//! the API and the files written.

mod common;

use common::{client, confirm_plan, enter, sandbox};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use ddusers::api::models::{UserId, UserStatus};
use ddusers::api::{Client, ListUsersQuery};
use ddusers::app::state::{Options, Overlay, State};
use ddusers::app::Key;
use ddusers::audit::{view, ViewKind};
use ddusers::effects::{EffectsQueue, QueueOptions};
use ddusers::org::load::load_org;
use ddusers::runs::Journal;
use ddusers::runtime::Runtime;
use ddusers::sandbox::{DEMO_ADMIN_APP_KEY, DEMO_READONLY_APP_KEY};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const WAIT: Duration = Duration::from_secs(30);

async fn console(client: Client, options: QueueOptions) -> Runtime<TestBackend> {
    let (queue, msgs) = EffectsQueue::new(client, options);
    let state = State::new(
        Options {
            origin_label: "demo org — sandbox".into(),
            monochrome: false,
            demo: false,
        },
        ddusers::runtime::unix_now(),
    );
    let terminal = Terminal::new(TestBackend::new(160, 48)).expect("test terminal");
    let mut runtime = Runtime::new(terminal, state, queue, msgs);
    runtime.start();
    let ready = runtime
        .run_until(WAIT, |s| {
            s.load.done && s.me.is_some() && (s.access.blocked().is_none() || s.access.read_only)
        })
        .await
        .expect("draws");
    assert!(ready, "the console loads the org");
    runtime
}

fn shown(state: &State) -> Vec<UserId> {
    state.shown_ids()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_admins_shows_exactly_the_admins_and_exports_them_with_a_read_only_key() {
    let sandbox = sandbox(80, 7).await;
    let api = client(&sandbox, DEMO_READONLY_APP_KEY);
    let org = load_org(&api, "test").await.expect("org");
    let as_of = org.reading().expect("read whole").taken_at;
    let admins = view(&org, &ViewKind::Admins, as_of).expect("view");
    let expected: HashSet<UserId> = admins.users(&org).map(|u| u.id.clone()).collect();
    assert!(!expected.is_empty() && expected.len() < org.users().len());

    let options = QueueOptions {
        origin: sandbox.base_url(),
        ..QueueOptions::default()
    };
    let mut console = console(api, options).await;
    let requests = sandbox.stats().requests;
    console.press(Key::ch(':'));
    console.type_text("audit admins");
    console.press(enter());
    let opened = console
        .run_until(WAIT, |s| s.audit.active.is_some())
        .await
        .expect("draws");
    assert!(opened, "the audit view opens");
    assert_eq!(
        sandbox.stats().requests,
        requests,
        "the view is computed from the org as loaded: no request"
    );
    let ids: HashSet<UserId> = shown(&console.state).into_iter().collect();
    assert_eq!(ids, expected);
    let screen = console.terminal.backend().to_string();
    assert!(
        screen.contains(&format!("Admins ({})", expected.len())),
        "{screen}"
    );

    // Sorted by email, exported as CSV to a chosen path.
    console.press(Key::ch(':'));
    console.type_text("sort email");
    console.press(enter());
    let order = shown(&console.state);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("admins.csv");
    console.press(Key::ch('e'));
    assert!(matches!(console.state.overlay, Some(Overlay::Export(_))));
    console.press(Key::ctrl('u'));
    console.type_text(&path.display().to_string());
    console.press(enter());
    let written = console.run_until(WAIT, exported).await.expect("draws");
    assert!(written, "the export finishes");
    let toast = console.state.toast.clone().expect("toast").text;
    assert!(toast.contains(&path.display().to_string()), "{toast}");

    // Again to the same file: asked first; n leaves it, y overwrites it.
    std::fs::write(&path, "keep me").expect("the file is writable");
    let asks = |s: &ddusers::app::State| matches!(&s.overlay, Some(Overlay::Export(p)) if p.overwrite.is_some());
    console.press(Key::ch('e'));
    console.press(Key::ctrl('u'));
    console.type_text(&path.display().to_string());
    console.press(enter());
    assert!(console.run_until(WAIT, asks).await.expect("draws"), "asked");
    let screen = console.terminal.backend().to_string();
    assert!(
        screen.contains("The file exists — overwrite it?"),
        "{screen}"
    );
    console.press(Key::ch('n'));
    assert!(!asks(&console.state), "n goes back to the name");
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "keep me");
    console.press(enter());
    assert!(
        console.run_until(WAIT, asks).await.expect("draws"),
        "asked again"
    );
    console.press(Key::ch('y'));
    let rewritten = console.run_until(WAIT, exported).await.expect("draws");
    assert!(rewritten, "y overwrites");
    console.shutdown().await;

    let mut reader = csv::Reader::from_path(&path).expect("the CSV");
    let headers = reader.headers().expect("headers").clone();
    let id_col = headers
        .iter()
        .position(|h| h == "id")
        .expect("an id column");
    assert!(headers.iter().any(|h| h == "admin_because"), "{headers:?}");
    let rows: Vec<UserId> = reader
        .records()
        .map(|r| UserId(r.expect("a row")[id_col].to_owned()))
        .collect();
    assert_eq!(rows, order, "the rows are the list as shown, in order");

    // Beside the CSV, what it is: the view, the rows against the total, who read it, and
    // the sha256 of the CSV's bytes.
    let meta_path = dir.path().join("admins.csv.meta.json");
    let meta: ddusers::audit::meta::EvidenceMeta =
        serde_json::from_slice(&std::fs::read(&meta_path).expect("the meta file"))
            .expect("meta JSON");
    use sha2::Digest;
    let body = std::fs::read(&path).expect("the CSV");
    let hash: String = sha2::Sha256::digest(&body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(meta.sha256, hash);
    assert_eq!(meta.view, "admins");
    assert_eq!((meta.rows, meta.total), (order.len(), expected.len()));
    assert_eq!(meta.ddusers_version, env!("CARGO_PKG_VERSION"));
    let me = meta.taken_by.expect("the keys' user");
    assert_eq!(Some(&me.id), console.state.me.as_ref());
    assert!(me.email.is_some_and(|e| e.contains('@')));
    assert_eq!(meta.origin, sandbox.base_url(), "the console's org address");
    assert_eq!(sandbox.stats().write_requests, 0, "an audit never writes");
    sandbox.shutdown().await;
}

/// The console says an export was written.
fn exported(state: &ddusers::app::State) -> bool {
    state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("Exported"))
}

async fn status_of(api: &Client, ids: &[UserId]) -> Vec<Option<UserStatus>> {
    let users = api
        .list_all_users(ListUsersQuery::default())
        .await
        .expect("list");
    ids.iter()
        .map(|id| {
            users
                .iter()
                .find(|u| &u.id == id)
                .and_then(|u| u.attributes.status.clone())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_users_then_undoing_the_run_from_the_journal_view_enables_them_again() {
    let sandbox = sandbox(40, 7).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = Arc::new(Journal::open(&dir.path().join("journal.jsonl")).expect("journal"));
    let options = QueueOptions {
        journal: Some(journal),
        origin: sandbox.base_url(),
        ..Default::default()
    };
    let mut console = console(api.clone(), options).await;

    // Two active people (not me), disabled from the list.
    console.press(Key::ch('2'));
    let me = console.state.me.clone();
    while console
        .state
        .selected()
        .map(|u| Some(&u.id) == me.as_ref() || u.service_account)
        == Some(true)
    {
        console.press(Key::ch('j'));
    }
    console.press(Key::ch(' '));
    while console
        .state
        .selected()
        .map(|u| Some(&u.id) == me.as_ref() || u.service_account)
        == Some(true)
    {
        console.press(Key::ch('j'));
    }
    console.press(Key::ch(' '));
    let marked: Vec<UserId> = console.state.marks.iter().cloned().collect();
    assert_eq!(marked.len(), 2);
    console.press(Key::ch('d'));
    confirm_plan(&mut console).await;
    let done = console
        .run_until(WAIT, |s| s.run.as_ref().is_some_and(|r| r.finished))
        .await
        .expect("draws");
    assert!(done, "the disable finishes");
    assert_eq!(
        status_of(&api, &marked).await,
        vec![Some(UserStatus::Disabled); 2]
    );
    console.press(enter()); // close the summary

    // The journal view: the newest run is that disable; undo it.
    console.press(Key::ch('J'));
    let listed = console
        .run_until(
            WAIT,
            |s| matches!(&s.overlay, Some(Overlay::Journal(v)) if !v.loading && !v.runs.is_empty()),
        )
        .await
        .expect("draws");
    assert!(listed, "the journal lists the run");
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("Disable 2 marked users"), "{screen}");
    console.press(Key::ch('U'));
    let checked = console
        .run_until(WAIT, |s| {
            s.plan.as_ref().is_some_and(|p| p.verdict().is_some())
        })
        .await
        .expect("draws");
    assert!(checked);
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("undo of"), "{screen}");
    confirm_plan(&mut console).await;
    let undone = console
        .run_until(WAIT, |s| {
            s.run
                .as_ref()
                .is_some_and(|r| r.finished && r.title.starts_with("undo"))
                && matches!(s.overlay, Some(Overlay::Summary(_)))
        })
        .await
        .expect("draws");
    assert!(undone, "the undo finishes");
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("undo of"), "{screen}");
    console.shutdown().await;

    assert_eq!(
        status_of(&api, &marked).await,
        vec![Some(UserStatus::Active); 2]
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_with_a_snapshot_lists_who_changed_since_with_what_changed() {
    let sandbox = sandbox(60, 11).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.json");
    let before = load_org(&api, "test").await.expect("org");
    ddusers::org::snapshot::Snapshot::of(&before)
        .write(&old)
        .expect("snapshot written");
    // Since the snapshot: one active user disabled, one new user.
    let me = api.get_current_user().await.expect("me").data.id;
    let disabled = before
        .users()
        .iter()
        .find(|u| u.status == ddusers::org::Status::Active && u.id != me)
        .map(|u| u.id.clone())
        .expect("an active user");
    api.disable_user(&disabled).await.expect("disabled");
    let created = api
        .create_user(&ddusers::api::models::NewUser {
            email: "new.hire@example.com".into(),
            ..Default::default()
        })
        .await
        .expect("created")
        .data
        .id;

    let mut console = console(api.clone(), QueueOptions::default()).await;
    console.press(Key::ch(':'));
    console.type_text(&format!("diff {}", old.display()));
    console.press(enter());
    let compared = console
        .run_until(WAIT, |s| s.diff.active.is_some())
        .await
        .expect("draws");
    assert!(compared, "the snapshot is read and compared");
    let changed: HashSet<UserId> = shown(&console.state).into_iter().collect();
    assert_eq!(changed, HashSet::from([disabled.clone(), created.clone()]));
    let screen = console.terminal.backend().to_string();
    assert!(
        screen.contains("Diff: changed since the snapshot (2)"),
        "{screen}"
    );
    console.press(Key::ch(':'));
    console.type_text("diff added");
    console.press(enter());
    assert_eq!(shown(&console.state), vec![created]);
    console.shutdown().await;
    assert_eq!(
        sandbox.stats().write_requests,
        2,
        "the console wrote nothing"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_reads_a_people_file_and_lists_the_leaver_without_writing() {
    let sandbox = sandbox(60, 12).await;
    let api = client(&sandbox, DEMO_READONLY_APP_KEY);
    let org = load_org(&api, "test").await.expect("org");
    let people: Vec<_> = org
        .users()
        .iter()
        .filter(|u| !u.service_account && u.status == ddusers::org::Status::Active)
        .collect();
    let (leaver, present) = people.split_first().expect("active people");
    let mut csv = format!("Email,Status\n{},Terminated\n", leaver.email.to_uppercase());
    for user in present {
        csv.push_str(&format!("{},active\n", user.email));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("people.csv");
    std::fs::write(&file, csv).expect("written");

    let mut console = console(api, QueueOptions::default()).await;
    console.press(Key::ch(':'));
    console.type_text(&format!("reconcile {}", file.display()));
    console.press(enter());
    let found = console
        .run_until(WAIT, |s| s.reconcile.active.is_some())
        .await
        .expect("draws");
    assert!(found, "the people file is read and matched");
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("Reconcile: every finding"), "{screen}");
    assert!(
        screen.contains("leaver: marked left (Terminated) in"),
        "{screen}"
    );
    console.press(Key::ch(':'));
    console.type_text("reconcile leavers");
    console.press(enter());
    assert_eq!(shown(&console.state), vec![leaver.id.clone()]);
    console.shutdown().await;
    assert_eq!(
        sandbox.stats().write_requests,
        0,
        "reconciling writes nothing"
    );
    sandbox.shutdown().await;
}
