//! Access-review campaigns with the real binary against the sandbox: a review started from
//! a snapshot, decided from the command line (the justification rule, every kind of
//! decision), signed with the read-only key, refused changes once signed, applied through
//! the change gate (the roles are gone on the sandbox, the journal holds the run, the
//! review names it), users changed since the snapshot left out unless `--force`, and the
//! evidence pack written twice with identical bytes. Everything but `apply` sends no write
//! (counted on the sandbox).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{binary, client, sandbox};
use ddusers::api::models::UserId;
use ddusers::org::load::load_org;
use ddusers::org::Org;
use ddusers::sandbox::{Fault, Injection, Sandbox, DEMO_ADMIN_APP_KEY, DEMO_READONLY_APP_KEY};
use serde_json::Value;

const ADMIN_ROLE: &str = "Datadog Admin Role";
const STANDARD_ROLE: &str = "Datadog Standard Role";
const PACK: [&str; 6] = [
    "decisions.csv",
    "exceptions.csv",
    "manifest.json",
    "population.csv",
    "remediation.csv",
    "summary.md",
];

/// A campaign's files (journal, snapshot, review) in a temporary folder, on a sandbox.
struct Campaign {
    dir: tempfile::TempDir,
    base_url: String,
}

impl Campaign {
    fn new(sandbox: &Sandbox) -> Campaign {
        Campaign {
            dir: tempfile::tempdir().expect("a temporary folder"),
            base_url: sandbox.base_url(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn review(&self) -> PathBuf {
        self.path("review.json")
    }

    fn journal(&self) -> PathBuf {
        self.path("journal.jsonl")
    }

    /// Runs `ddusers ARGS` with this application key, off the async runtime.
    async fn ddusers(&self, app_key: &str, args: &[&str]) -> Output {
        let mut command: Command = binary(&self.journal(), &self.base_url, app_key);
        command.current_dir(self.dir.path()).args(args);
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs"))
            .await
            .expect("the thread ends")
    }

    /// Runs it and expects success; its stdout and stderr.
    async fn ok(&self, app_key: &str, args: &[&str]) -> (String, String) {
        let out = self.ddusers(app_key, args).await;
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{args:?} failed: {stderr}");
        (stdout, stderr)
    }

    /// Runs it and expects the exit code `code`; its stderr.
    async fn fails(&self, app_key: &str, args: &[&str], code: i32) -> String {
        let out = self.ddusers(app_key, args).await;
        let (_, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        stderr
    }

    /// `review decide review.json --user USER ARGS`.
    async fn decide(&self, user: &str, args: &[&str]) -> Output {
        let mut all = vec!["review", "decide", "review.json", "--user", user];
        all.extend_from_slice(args);
        self.ddusers(DEMO_READONLY_APP_KEY, &all).await
    }

    async fn decided(&self, user: &str, args: &[&str]) -> String {
        let out = self.decide(user, args).await;
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "decide {user} {args:?}: {stderr}");
        stdout
    }

    /// The review file as JSON.
    fn read_review(&self) -> Value {
        let bytes = std::fs::read(self.review()).expect("the review file");
        serde_json::from_slice(&bytes).expect("JSON")
    }

    /// `review status --format json`.
    async fn status(&self) -> Value {
        let (stdout, _) = self
            .ok(
                DEMO_READONLY_APP_KEY,
                &["review", "status", "review.json", "--format", "json"],
            )
            .await;
        serde_json::from_str(&stdout).expect("status JSON")
    }

    /// Keeps every row still undecided ("reviewed"), in one command, and checks none is left.
    async fn keep_the_rest(&self) {
        let review = self.review();
        let review = review.to_str().expect("a UTF-8 path");
        let args = [
            "review",
            "decide",
            review,
            "--all-undecided",
            "--keep",
            "--why",
            "reviewed",
        ];
        self.ok(DEMO_READONLY_APP_KEY, &args).await;
        let status = self.status().await;
        assert_eq!(status["progress"]["undecided"], 0, "{status}");
    }
}

fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn org(sandbox: &Sandbox) -> Org {
    let reader = client(sandbox, DEMO_READONLY_APP_KEY);
    load_org(&reader, "test").await.expect("the org reads")
}

/// True when `person` holds the role named `role` now.
async fn holds(sandbox: &Sandbox, person: &Person, role: &str) -> bool {
    let org = org(sandbox).await;
    let user = org.by_id(&UserId(person.id.clone())).expect("the user");
    org.sorted_role_names(user).iter().any(|r| r == role)
}

async fn status_of(sandbox: &Sandbox, person: &Person) -> String {
    let org = org(sandbox).await;
    let user = org.by_id(&UserId(person.id.clone())).expect("the user");
    user.status_text().to_owned()
}

/// A role of the review's org that `person` does not hold (to change them with).
fn a_role_not_held(review: &Value, person: &Person) -> String {
    let held: Vec<&Value> = review["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["user"]["id"] == person.id.as_str())
        .flat_map(|i| i["user"]["roles"].as_array().expect("roles"))
        .map(|r| &r["id"])
        .collect();
    review["roles"]
        .as_array()
        .expect("the org's roles")
        .iter()
        .find(|r| !held.contains(&&r["id"]))
        .and_then(|r| r["name"].as_str())
        .expect("a role the user does not hold")
        .to_owned()
}

/// A reviewed person: id and email.
#[derive(Clone, Debug)]
struct Person {
    id: String,
    email: String,
}

/// Active people of the review whose one privileged row is the admin role (not the demo
/// users whose keys run the test).
fn plain_admins(review: &Value) -> Vec<Person> {
    let items = review["items"].as_array().expect("items");
    let rows_of = |id: &str| items.iter().filter(|i| i["user"]["id"] == id).count();
    let mut seen = BTreeSet::new();
    items
        .iter()
        .filter(|i| i["role"]["name"] == ADMIN_ROLE && i["user"]["status"] == "Active")
        .filter(|i| i["user"]["service_account"] == false)
        .map(|i| Person {
            id: i["user"]["id"].as_str().expect("id").to_owned(),
            email: i["user"]["email"].as_str().expect("email").to_owned(),
        })
        .filter(|p| !p.email.starts_with("ada.admin") && !p.email.starts_with("rita.readonly"))
        .filter(|p| rows_of(&p.id) == 1 && seen.insert(p.id.clone()))
        .collect()
}

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("the pack's folder")
        .map(|e| e.expect("an entry").path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("a file"))
        })
        .collect();
    files.sort();
    files
}

/// `review start --name NAME --scope admins --output review.json` and `more`.
fn start_admins_review<'a>(name: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["review", "start", "--name", name, "--scope", "admins"];
    args.extend(["--output", "review.json"]);
    args.extend_from_slice(more);
    args
}

/// The people a campaign decides about, one per kind of decision, plus one changed
/// before the review is applied.
struct Cast {
    kept: Person,
    revoked: Person,
    disabled: Person,
    changed_role: Person,
    drifted: Person,
}

fn cast(review: &Value) -> Cast {
    let admins = plain_admins(review);
    assert!(admins.len() >= 5, "enough admins to review: {admins:?}");
    Cast {
        kept: admins[0].clone(),
        revoked: admins[1].clone(),
        disabled: admins[2].clone(),
        changed_role: admins[3].clone(),
        drifted: admins[4].clone(),
    }
}

/// Snapshot, start, decide (each kind, and the refusals), status: offline but for the
/// snapshot; the review file holds it all.
async fn decide_a_campaign(campaign: &Campaign) -> Cast {
    let reader = DEMO_READONLY_APP_KEY;
    campaign
        .ok(reader, &["snapshot", "--output", "snapshot.json"])
        .await;
    let start = start_admins_review("Q4 2026 access review", &["--snapshot", "snapshot.json"]);
    let (_, said) = campaign.ok(reader, &start).await;
    assert!(said.contains("written to review.json"), "{said}");
    let again = campaign.fails(reader, &start, 2).await;
    assert!(again.contains("--force"), "{again}");
    let unknown = [
        "review",
        "start",
        "--name",
        "x",
        "--snapshot",
        "snapshot.json",
    ];
    let unknown = [
        &unknown[..],
        &["--scope", "role:Datadog Admn", "-o", "x.json"],
    ]
    .concat();
    let said = campaign.fails(reader, &unknown, 2).await;
    assert!(
        said.contains("did you mean") && said.contains(ADMIN_ROLE),
        "{said}"
    );

    let review = campaign.read_review();
    let snapshot = std::fs::read(campaign.path("snapshot.json")).unwrap();
    assert_eq!(
        review["source"]["sha256"],
        ddusers::digest::sha256_hex(&snapshot)
    );
    let cast = cast(&review);

    let refused = campaign.decide(&cast.kept.email, &["--keep"]).await;
    assert_eq!(refused.status.code(), Some(2));
    let (_, why) = texts(&refused);
    assert!(why.contains("needs a justification (--why)"), "{why}");
    assert!(!why.contains("panicked"), "{why}");

    let said = campaign
        .decided(&cast.kept.email, &["--keep", "--why", "on-call lead"])
        .await;
    assert!(
        said.contains(&format!(
            "{} ({ADMIN_ROLE}): keep — on-call lead",
            cast.kept.email
        )),
        "{said}"
    );
    campaign
        .decided(&cast.revoked.id, &["--revoke-role", ADMIN_ROLE])
        .await;
    campaign.decided(&cast.disabled.email, &["--disable"]).await;
    let change = format!("{ADMIN_ROLE}:{STANDARD_ROLE}");
    campaign
        .decided(&cast.changed_role.email, &["--change-role", &change])
        .await;
    campaign
        .decided(
            &cast.drifted.email,
            &["--revoke-role", "datadog admin role"],
        )
        .await;

    let status = campaign.status().await;
    let progress = &status["progress"];
    assert_eq!(progress["keep"], 1, "{progress}");
    assert_eq!(progress["revoke_role"], 2, "{progress}");
    assert_eq!(progress["disable"], 1, "{progress}");
    assert_eq!(progress["change_role"], 1, "{progress}");
    assert_eq!(progress["decided"], 5, "{progress}");
    campaign.keep_the_rest().await;
    assert_eq!(campaign.status().await["progress"]["undecided"], 0);
    cast
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_from_a_snapshot_is_decided_signed_applied_and_evidenced() {
    let sandbox = sandbox(60, 21).await;
    let campaign = Campaign::new(&sandbox);
    let reader = DEMO_READONLY_APP_KEY;
    let cast = decide_a_campaign(&campaign).await;

    let unsigned = campaign
        .fails(
            DEMO_ADMIN_APP_KEY,
            &["review", "apply", "review.json", "--yes"],
            2,
        )
        .await;
    assert!(unsigned.contains("sign it first"), "{unsigned}");

    let (_, signed) = campaign
        .ok(reader, &["review", "sign", "review.json"])
        .await;
    assert!(signed.contains("rita.readonly@"), "{signed}");
    let review = campaign.read_review();
    assert_eq!(
        review["signature"]["reviewer"]["email"],
        "rita.readonly@demo-org.example"
    );
    let after_signing = campaign.decide(&cast.kept.email, &["--disable"]).await;
    assert_eq!(after_signing.status.code(), Some(2));
    assert!(texts(&after_signing).1.contains("cannot change"));
    assert_eq!(
        sandbox.stats().write_requests,
        0,
        "starting, deciding and signing send no write"
    );

    // Someone changes a reviewed user before the review is applied.
    let another = a_role_not_held(&review, &cast.drifted);
    campaign
        .ok(
            DEMO_ADMIN_APP_KEY,
            &["roles", "add-user", &another, &cast.drifted.id, "--yes"],
        )
        .await;

    let apply = ["review", "apply", "review.json", "--yes"];
    let (_, said) = campaign.ok(DEMO_ADMIN_APP_KEY, &apply).await;
    assert!(
        said.contains(&format!(
            "left out {}: changed since the snapshot",
            cast.drifted.email
        )),
        "{said}"
    );
    assert!(!holds(&sandbox, &cast.revoked, ADMIN_ROLE).await, "revoked");
    assert_eq!(status_of(&sandbox, &cast.disabled).await, "Disabled");
    assert!(!holds(&sandbox, &cast.changed_role, ADMIN_ROLE).await);
    assert!(holds(&sandbox, &cast.changed_role, STANDARD_ROLE).await);
    assert!(holds(&sandbox, &cast.kept, ADMIN_ROLE).await, "kept");
    assert!(holds(&sandbox, &cast.drifted, ADMIN_ROLE).await, "left out");

    let review = campaign.read_review();
    let first = &review["runs"][0];
    let run = first["run"].as_str().expect("the review names the run");
    assert_eq!(first["left_out"][0]["user"], cast.drifted.id.as_str());
    assert_eq!(first["forced"], false);
    let runs = ddusers::runs::journal::read_runs(&campaign.journal()).expect("the journal");
    let journaled = runs
        .iter()
        .find(|r| r.run.0 == run)
        .expect("the journal holds the review's run");
    assert!(
        journaled.title.contains("Q4 2026 access review"),
        "{}",
        journaled.title
    );
    let tally = journaled.tally();
    assert_eq!(
        tally.done + tally.skipped,
        journaled.changes.len(),
        "{tally}"
    );
    assert!(tally.done >= 3, "{tally}");

    // --force includes the user changed since the snapshot.
    let forced = ["review", "apply", "review.json", "--yes", "--force"];
    campaign.ok(DEMO_ADMIN_APP_KEY, &forced).await;
    assert!(!holds(&sandbox, &cast.drifted, ADMIN_ROLE).await, "forced");
    assert!(holds(&sandbox, &cast.drifted, &another).await);
    let review = campaign.read_review();
    assert_eq!(review["runs"][1]["forced"], true);
    assert_eq!(review["runs"].as_array().map(Vec::len), Some(2));

    check_the_evidence(&campaign, &sandbox).await;
}

/// The pack, written once with Audit Trail (no write sent) and twice offline: the same six
/// files, the same bytes, hashes that verify.
async fn check_the_evidence(campaign: &Campaign, sandbox: &Sandbox) {
    let writes = sandbox.stats().write_requests;
    for dir in ["pack-1", "pack-2"] {
        campaign
            .ok(
                DEMO_READONLY_APP_KEY,
                &["review", "evidence", "review.json", "--output", dir],
            )
            .await;
    }
    let trail = [
        "review",
        "evidence",
        "review.json",
        "--output",
        "pack-3",
        "--audit-trail",
    ];
    let (_, said) = campaign.ok(DEMO_READONLY_APP_KEY, &trail).await;
    assert!(
        said.contains(
            "1 user disabled by the review's runs (when and by whom: 1 from audit trail)"
        ),
        "{said}"
    );
    assert_eq!(
        sandbox.stats().write_requests,
        writes,
        "evidence sends no write (the Audit Trail search only reads)"
    );

    // Without Audit Trail (refused), the journal says who disabled them.
    sandbox.inject(Injection {
        method: "POST".into(),
        path_prefix: "/api/v2/audit/events/search".into(),
        times: 1,
        fault: Fault::Refuse(403),
    });
    let fallback = [
        "review",
        "evidence",
        "review.json",
        "--output",
        "pack-4",
        "--audit-trail",
    ];
    let (_, said) = campaign.ok(DEMO_READONLY_APP_KEY, &fallback).await;
    assert!(said.contains("Audit Trail is not permitted"), "{said}");
    assert!(
        said.contains("(when and by whom: 1 from journal)"),
        "{said}"
    );

    let (first, second) = (
        files_in(&campaign.path("pack-1")),
        files_in(&campaign.path("pack-2")),
    );
    assert_eq!(first, second, "the same inputs give the same bytes");
    let names: Vec<&str> = first.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, PACK, "the pack's files");
    let manifest = first
        .iter()
        .find(|(n, _)| n == "manifest.json")
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    for (name, bytes) in first.iter().filter(|(n, _)| n != "manifest.json") {
        let hash = ddusers::digest::sha256_hex(bytes);
        assert!(manifest.contains(&hash), "the manifest has {name}'s sha256");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_but_apply_works_with_the_read_only_key_and_sends_no_write() {
    let sandbox = sandbox(60, 22).await;
    let campaign = Campaign::new(&sandbox);
    let reader = DEMO_READONLY_APP_KEY;
    let start = start_admins_review("live", &[]);
    let (_, said) = campaign.ok(reader, &start).await;
    assert!(said.contains("review.snapshot.json"), "{said}");
    let review = campaign.read_review();
    let snapshot = std::fs::read(campaign.path("review.snapshot.json")).expect("beside it");
    assert_eq!(
        review["source"]["sha256"],
        ddusers::digest::sha256_hex(&snapshot)
    );
    assert_eq!(
        review["started_by"]["email"],
        "rita.readonly@demo-org.example"
    );

    let someone = plain_admins(&review).remove(0);
    let revoke = ["--revoke-role", ADMIN_ROLE];
    campaign.decided(&someone.email, &revoke).await;
    campaign.decided(&someone.email, &["--undecide"]).await;
    assert_eq!(campaign.status().await["progress"]["decided"], 0);
    campaign.decided(&someone.email, &revoke).await;
    let early = campaign
        .fails(reader, &["review", "sign", "review.json"], 2)
        .await;
    assert!(early.contains("still undecided"), "{early}");
    campaign.keep_the_rest().await;
    let (table, _) = campaign
        .ok(reader, &["review", "status", "review.json"])
        .await;
    assert!(table.contains("0 undecided"), "{table}");
    assert!(table.contains(&format!("revoke {ADMIN_ROLE}")), "{table}");
    let (undecided, _) = campaign
        .ok(reader, &["review", "status", "review.json", "--undecided"])
        .await;
    assert_eq!(
        undecided.lines().count(),
        3,
        "no row under the header: {undecided}"
    );
    campaign
        .ok(reader, &["review", "sign", "review.json"])
        .await;
    campaign
        .ok(
            reader,
            &[
                "review",
                "evidence",
                "review.json",
                "--output",
                "pack",
                "--audit-trail",
            ],
        )
        .await;

    // Applying with the read-only key is refused by the gate before anything is sent.
    let refused = campaign
        .ddusers(reader, &["review", "apply", "review.json", "--yes"])
        .await;
    assert!(!refused.status.success());
    assert_eq!(sandbox.stats().write_requests, 0);
    assert!(
        holds(&sandbox, &someone, ADMIN_ROLE).await,
        "nothing was changed"
    );
    assert!(campaign.read_review()["runs"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// The console on `sandbox`'s org with the admin key (writes would be allowed), loaded.
async fn live_console(
    sandbox: &Sandbox,
) -> ddusers::runtime::Runtime<ratatui::backend::TestBackend> {
    use ddusers::app::state::{Options, State};
    use ddusers::effects::{EffectsQueue, QueueOptions};
    let (queue, msgs) = EffectsQueue::new(
        client(sandbox, DEMO_ADMIN_APP_KEY),
        QueueOptions {
            origin: sandbox.base_url(),
            ..QueueOptions::default()
        },
    );
    let state = State::new(Options::default(), ddusers::runtime::unix_now());
    let backend = ratatui::backend::TestBackend::new(120, 40);
    let terminal = ratatui::Terminal::new(backend).expect("a terminal");
    let mut console = ddusers::runtime::Runtime::new(terminal, state, queue, msgs);
    console.start();
    let loaded = console
        .run_until(std::time::Duration::from_secs(30), |s| {
            s.load.done && s.me.is_some()
        })
        .await
        .expect("draws");
    assert!(loaded, "the console loads the org");
    console
}

/// The console on the live org with the admin key (writes would be allowed): a review
/// opened with `:review FILE` and decided by keys is written to its file, decision by
/// decision, and the sandbox sees no write request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deciding_in_the_console_writes_the_review_file_and_sends_no_write() {
    use ddusers::app::state::State;
    use ddusers::app::{Key, KeyCode};

    let sandbox = sandbox(60, 23).await;
    let campaign = Campaign::new(&sandbox);
    campaign
        .ok(DEMO_READONLY_APP_KEY, &start_admins_review("console", &[]))
        .await;
    let path = campaign.review();
    let mut console = live_console(&sandbox).await;
    let wait = std::time::Duration::from_secs(30);
    let writes = sandbox.stats().write_requests;

    console.press(Key::ch(':'));
    console.type_text(&format!("review {}", path.display()));
    console.press(Key::plain(KeyCode::Enter));
    let open = console
        .run_until(wait, |s| s.review.active.is_some())
        .await
        .expect("draws");
    assert!(open, "the review opens");
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("Review \"console\": 0 of"), "{screen}");
    let saved = |decided: usize| {
        move |s: &State| {
            s.review
                .active
                .as_ref()
                .is_some_and(|l| l.decided == decided && l.unsaved.is_empty())
        }
    };
    // The first row is privileged: kept with a justification.
    console.press(Key::ch('y'));
    console.type_text("on-call lead");
    console.press(Key::plain(KeyCode::Enter));
    assert!(console.run_until(wait, saved(1)).await.expect("draws"));
    console.press(Key::ch('d'));
    console.press(Key::plain(KeyCode::Enter));
    assert!(console.run_until(wait, saved(2)).await.expect("draws"));
    console.shutdown().await;

    assert_eq!(
        sandbox.stats().write_requests,
        writes,
        "deciding sends nothing to the org"
    );
    let review = ddusers::review::Review::read(&path).expect("the review reads back");
    let decided: Vec<(&str, &str)> = review
        .items
        .iter()
        .filter_map(|i| {
            let d = i.decision.as_ref()?;
            Some((d.decision.name(), d.why.as_str()))
        })
        .collect();
    assert_eq!(decided, [("keep", "on-call lead"), ("disable", "")]);
    assert!(review.items[0]
        .decision
        .as_ref()
        .is_some_and(|d| !d.by.is_empty()));
}

/// `review open` says what is wrong before it takes the terminal: no terminal, or a review
/// whose snapshot is gone and whose own rows cannot stand in for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_open_says_what_is_wrong_before_taking_the_terminal() {
    let sandbox = sandbox(30, 24).await;
    let campaign = Campaign::new(&sandbox);
    let reader = DEMO_READONLY_APP_KEY;
    campaign.ok(reader, &start_admins_review("open", &[])).await;
    let open = ["review", "open", "review.json"];
    let said = campaign.fails(reader, &open, 2).await;
    assert!(
        said.contains("the console needs a terminal; use `ddusers review status`"),
        "{said}"
    );
    // No snapshot, and nobody in the review holds a role: no stand-in either.
    std::fs::remove_file(campaign.path("review.snapshot.json")).expect("removed");
    let mut review = campaign.read_review();
    for item in review["items"].as_array_mut().expect("rows") {
        item["user"]["roles"] = serde_json::json!([]);
    }
    let text = serde_json::to_vec(&review).expect("JSON");
    std::fs::write(campaign.review(), text).expect("written");
    let said = campaign.fails(reader, &open, 2).await;
    assert!(
        said.contains("the review's snapshot review.snapshot.json is missing, and its own rows cannot stand in for it: no user of it is enabled and holds a role"),
        "{said}"
    );
    assert!(
        said.contains("Put the snapshot the review was started from back"),
        "{said}"
    );
    assert_eq!(sandbox.stats().write_requests, 0);
}
