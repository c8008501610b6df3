//! Changes an admin can trust, against the sandbox over loopback: lost answers on every write
//! kind, resume and undo after them, the per-run lock, undo leaving later changes alone, the
//! org check, the auth circuit breaker, and the command line's guard rails, consequences and
//! confirmations. Precise faults come from `Sandbox::inject`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::execute;
use ddusers::api::models::{IdentityProviderId, RoleId, User, UserId, UserStatus};
use ddusers::api::{Client, ClientOptions, ListRoleUsersQuery};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::runs::journal::{find_run, read_runs};
use ddusers::runs::{
    Change, Draft, GateOptions, ItemResult, ItemRetry, Journal, Record, RunId, Runner,
};
use ddusers::sandbox::{
    Fault, Injection, ManualClock, Sandbox, SandboxConfig, ADMIN_ROLE_ID, DEMO_ADMIN_APP_KEY,
    DEMO_API_KEY, READ_ONLY_ROLE_ID, STANDARD_ROLE_ID,
};

const ME: &str = "ada.admin@demo-org.example";
const SAML: &str = "0c6a1f0e-5d2b-11ee-8c99-0242ac120002";

async fn sandbox(users: usize, latency_ms: u64) -> Sandbox {
    Sandbox::start(SandboxConfig {
        port: 0,
        users,
        seed: 11,
        latency: Duration::from_millis(latency_ms),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

fn client_with(sandbox: &Sandbox, app_key: &str) -> Client {
    Client::new(ClientOptions::new(
        parse_base_url(&sandbox.base_url(), false).expect("url"),
        Credentials::new(DEMO_API_KEY, app_key),
    ))
    .expect("client")
}

fn admin(sandbox: &Sandbox) -> Client {
    client_with(sandbox, DEMO_ADMIN_APP_KEY)
}

fn lose(sandbox: &Sandbox, method: &str, path: String) {
    sandbox.inject(Injection {
        method: method.into(),
        path_prefix: path,
        times: 1,
        fault: Fault::LoseAnswer,
    });
}

use common::everyone;

/// Active people who are neither admins nor the caller nor service accounts.
fn plain_active(users: &[User]) -> Vec<User> {
    users
        .iter()
        .filter(|u| {
            u.status() == UserStatus::Active
                && !u.is_service_account()
                && !u.has_role(&RoleId::from(ADMIN_ROLE_ID))
                && u.attributes.email.as_deref() != Some(ME)
        })
        .cloned()
        .collect()
}

fn with_status(users: &[User], status: UserStatus) -> Vec<User> {
    users
        .iter()
        .filter(|u| u.status() == status && !u.is_service_account())
        .cloned()
        .collect()
}

async fn get(client: &Client, id: &UserId) -> User {
    client.get_user(id).await.expect("get user").data
}

fn journaled(client: &Client, dir: &Path, origin: &str) -> (Runner, PathBuf) {
    let path = dir.join("journal.jsonl");
    let journal = Journal::open(&path).expect("journal");
    (
        Runner::new(client.clone(), Some(Arc::new(journal)), origin, 4),
        path,
    )
}

fn read_back(result: &ItemResult) -> bool {
    matches!(result, ItemResult::Done { detail, .. } if detail.contains("read back") || detail.contains("lost"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_answer_on_every_write_kind_is_read_back_as_done_with_the_undo_of_the_state_before()
{
    let sb = sandbox(120, 0).await;
    let api = admin(&sb);
    let users = everyone(&api).await;
    let plain = plain_active(&users);
    let pending = with_status(&users, UserStatus::Pending);
    let disabled = with_status(&users, UserStatus::Disabled);
    let id = |u: &User| u.id.clone();
    let path = |u: &User| format!("/api/v2/users/{}", u.id);
    let role_path = |r: &str| format!("/api/v2/roles/{r}/users");
    let standard = RoleId::from(STANDARD_ROLE_ID);
    let read_only = RoleId::from(READ_ONLY_ROLE_ID);
    let holder = plain
        .iter()
        .find(|u| u.has_role(&standard) && !u.has_role(&read_only))
        .expect("a standard user")
        .clone();
    // The seed pins some people to identity providers: pin one who is not yet.
    let unpinned = plain
        .iter()
        .find(|u| {
            u.attributes
                .allowed_login_methods
                .as_ref()
                .is_some_and(Vec::is_empty)
        })
        .expect("a user following the org's login methods")
        .clone();
    let cases: Vec<(&str, String, Change, Option<Change>)> = vec![
        (
            "DELETE",
            path(&plain[0]),
            Change::Disable {
                user: id(&plain[0]),
            },
            Some(Change::Enable {
                user: id(&plain[0]),
            }),
        ),
        (
            "PATCH",
            path(&disabled[0]),
            Change::Enable {
                user: id(&disabled[0]),
            },
            Some(Change::Disable {
                user: id(&disabled[0]),
            }),
        ),
        (
            "PATCH",
            path(&plain[1]),
            Change::Update {
                user: id(&plain[1]),
                name: None,
                email: None,
                title: Some(Some("Chief Tester".into())),
                current_user: false,
            },
            Some(Change::Update {
                user: id(&plain[1]),
                name: None,
                email: None,
                title: Some(plain[1].attributes.title.clone()),
                current_user: false,
            }),
        ),
        (
            "POST",
            role_path(READ_ONLY_ROLE_ID),
            Change::AddRole {
                user: id(&holder),
                role: read_only.clone(),
            },
            Some(Change::RemoveRole {
                user: id(&holder),
                role: read_only.clone(),
            }),
        ),
        (
            "DELETE",
            role_path(STANDARD_ROLE_ID),
            Change::RemoveRole {
                user: id(&holder),
                role: standard.clone(),
            },
            Some(Change::AddRole {
                user: id(&holder),
                role: standard.clone(),
            }),
        ),
        (
            "PATCH",
            format!("{}/relationships/identity_providers", path(&unpinned)),
            Change::SetIdentityProviders {
                user: id(&unpinned),
                providers: vec![IdentityProviderId::from(SAML)],
            },
            None, // checked below: the providers read before
        ),
        (
            "POST",
            "/api/v2/users".into(),
            Change::Create {
                email: "lost.create@example.com".into(),
                name: None,
                title: None,
                roles: vec![],
            },
            None, // checked below: disables the created user
        ),
        (
            "POST",
            "/api/v2/user_invitations".into(),
            Change::Invite {
                email: "lost.invite@example.com".into(),
                name: None,
                title: None,
                roles: vec![],
            },
            None,
        ),
        (
            "POST",
            "/api/v2/user_invitations".into(),
            Change::ResendInvitation {
                user: id(&pending[0]),
            },
            None,
        ),
        (
            "DELETE",
            format!("{}/invitations", path(&pending[1])),
            Change::CancelInvitations {
                user: id(&pending[1]),
            },
            None,
        ),
        (
            "PUT",
            "/api/v2/anonymize_users".into(),
            Change::Anonymize {
                user: id(&plain[3]),
            },
            None,
        ),
    ];
    for (method, prefix, change, expected_undo) in cases {
        let applied_before = sb.stats().writes_applied;
        lose(&sb, method, prefix);
        let result = common::run_change(&api, change.clone()).await;
        assert!(
            matches!(result, ItemResult::Done { .. }),
            "{change:?}: {result:?}"
        );
        assert!(
            read_back(&result),
            "{change:?} says how it knows: {result:?}"
        );
        let ItemResult::Done { undo, .. } = &result else {
            unreachable!()
        };
        match &change {
            Change::SetIdentityProviders { .. } => assert!(
                matches!(undo, Some(Change::SetIdentityProviders { providers, .. }) if !providers.contains(&IdentityProviderId::from(SAML))),
                "{undo:?}"
            ),
            Change::Create { .. } => {
                assert!(matches!(undo, Some(Change::Disable { .. })), "{undo:?}")
            }
            _ => assert_eq!(undo, &expected_undo, "{change:?}"),
        }
        // Applied once: the retry read first and did not send the change again (a resent
        // invitation may go twice, and says so; a repeated anonymize changes nothing).
        let applied = sb.stats().writes_applied - applied_before;
        match change {
            Change::Invite { .. } => assert!(applied <= 3, "{applied}"),
            Change::ResendInvitation { .. } => assert!(applied <= 2, "{applied}"),
            _ => assert_eq!(applied, 1, "{change:?}"),
        }
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_after_lost_answers_records_the_undo_from_the_state_before_and_undo_restores_it() {
    let sb = sandbox(80, 0).await;
    let api = admin(&sb);
    let users = everyone(&api).await;
    let plain = plain_active(&users);
    let standard = RoleId::from(STANDARD_ROLE_ID);
    let read_only = RoleId::from(READ_ONLY_ROLE_ID);
    let with_standard: Vec<&User> = plain.iter().filter(|u| u.has_role(&standard)).collect();
    let (a, b, c, d, e) = (
        plain[0].clone(),
        plain[1].clone(),
        with_standard[2].clone(),
        with_standard[3].clone(),
        plain[4].clone(),
    );
    let original: Vec<User> = [&a, &b, &c, &d, &e].iter().map(|u| (*u).clone()).collect();
    let changes = vec![
        Change::Disable { user: a.id.clone() },
        Change::Update {
            user: b.id.clone(),
            name: Some("Renamed Person".into()),
            email: None,
            title: Some(Some("New Title".into())),
            current_user: false,
        },
        Change::AddRole {
            user: c.id.clone(),
            role: read_only.clone(),
        },
        Change::RemoveRole {
            user: d.id.clone(),
            role: standard.clone(),
        },
        Change::SetIdentityProviders {
            user: e.id.clone(),
            providers: vec![IdentityProviderId::from(SAML)],
        },
    ];
    // Every write's answer is lost, and the first run gives up after one attempt: each
    // item ends "failed" although the change was applied — what a crash leaves too.
    lose(&sb, "DELETE", format!("/api/v2/users/{}", a.id));
    lose(&sb, "PATCH", format!("/api/v2/users/{}", b.id));
    lose(
        &sb,
        "POST",
        format!("/api/v2/roles/{READ_ONLY_ROLE_ID}/users"),
    );
    lose(
        &sb,
        "DELETE",
        format!("/api/v2/roles/{STANDARD_ROLE_ID}/users"),
    );
    lose(
        &sb,
        "PATCH",
        format!("/api/v2/users/{}/relationships/identity_providers", e.id),
    );
    let dir = tempfile::tempdir().expect("dir");
    let (runner, journal) = journaled(&api, dir.path(), "here");
    let impatient = runner.with_retry(ItemRetry {
        attempts: 1,
        ..ItemRetry::default()
    });
    let (run, _) = execute(
        &impatient,
        Draft::new("lost", changes),
        GateOptions::default(),
    )
    .await;
    let state = find_run(&journal, &run.0).expect("run");
    assert_eq!(state.tally().failed, 5, "{}", state.tally());
    assert!(
        state.before.iter().all(Option::is_some),
        "the state before is journaled"
    );

    // Resume reads each back: done, with the undo built from the state before.
    let (_, reports) = execute(
        &runner,
        Draft::Resume {
            run: Box::new(state),
        },
        GateOptions::default(),
    )
    .await;
    assert_eq!(reports.len(), 5);
    let state = find_run(&journal, &run.0).expect("run");
    assert_eq!(state.tally().done, 5, "{}", state.tally());
    assert!(state
        .outcomes
        .iter()
        .all(|o| matches!(o, Some(ItemResult::Done { undo: Some(_), .. }))));

    // Undo puts every original value back.
    let all = read_runs(&journal).expect("runs");
    let (undo, _) = execute(&runner, Draft::undo(state, &all), GateOptions::default()).await;
    let undo_state = find_run(&journal, &undo.0).expect("undo run");
    assert_eq!(undo_state.tally().done, 5, "{}", undo_state.tally());
    for before in &original {
        let now = get(&api, &before.id).await;
        assert_eq!(now.status(), before.status(), "{}", before.id);
        assert_eq!(now.attributes.name, before.attributes.name);
        assert_eq!(now.attributes.title, before.attributes.title);
        let mut roles_now: Vec<RoleId> = now.role_ids().collect();
        let mut roles_before: Vec<RoleId> = before.role_ids().collect();
        roles_now.sort();
        roles_before.sort();
        assert_eq!(roles_now, roles_before, "{}", before.id);
    }
    let providers = api
        .get_user_identity_providers(&e.id)
        .await
        .expect("providers");
    assert!(!providers
        .data
        .iter()
        .any(|p| p.id == IdentityProviderId::from(SAML)));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_leaves_users_changed_since_the_run_unless_forced() {
    // The sandbox clock moves only when the test says, so "later" is never the same moment.
    let clock = ManualClock::new(time::macros::datetime!(2026-03-02 10:15 UTC));
    let sb = Sandbox::start(SandboxConfig {
        port: 0,
        users: 60,
        seed: 11,
        clock: clock.clock(),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let api = admin(&sb);
    let plain = plain_active(&everyone(&api).await);
    let (a, b, c) = (
        plain[0].id.clone(),
        plain[1].id.clone(),
        plain[2].id.clone(),
    );
    let dir = tempfile::tempdir().expect("dir");
    let (runner, journal) = journaled(&api, dir.path(), "here");
    let changes = vec![
        Change::Disable { user: a.clone() },
        Change::Disable { user: b.clone() },
        Change::Update {
            user: c.clone(),
            name: None,
            email: None,
            title: Some(Some("Set by the run".into())),
            current_user: false,
        },
    ];
    let (run, _) = execute(
        &runner,
        Draft::new("three", changes),
        GateOptions::default(),
    )
    .await;
    // Somebody else, later: re-enables b and disables them again on purpose, and edits c.
    let enable = ddusers::api::models::UserUpdate {
        disabled: Some(false),
        ..Default::default()
    };
    api.update_user(&b, &enable).await.expect("enable");
    clock.advance(Duration::from_secs(1));
    api.disable_user(&b).await.expect("disable again");
    let later = ddusers::api::models::UserUpdate {
        title: ddusers::api::models::Patch::Set("Set later by someone".into()),
        ..Default::default()
    };
    api.update_user(&c, &later).await.expect("edit");

    let all = read_runs(&journal).expect("runs");
    let state = find_run(&journal, &run.0).expect("run");
    let (_, reports) = execute(
        &runner,
        Draft::undo(state.clone(), &all),
        GateOptions::default(),
    )
    .await;
    let result = |id: &UserId| {
        reports
            .iter()
            .find(|r| r.change.target() == id.as_str())
            .map(|r| r.result.clone())
            .expect("a result")
    };
    assert!(matches!(result(&a), ItemResult::Done { .. }));
    for id in [&b, &c] {
        assert!(
            matches!(result(id), ItemResult::Skipped { ref detail, .. } if detail.contains("changed since the run")),
            "{:?}",
            result(id)
        );
    }
    assert_eq!(get(&api, &a).await.status(), UserStatus::Active);
    assert_eq!(get(&api, &b).await.status(), UserStatus::Disabled);
    assert_eq!(
        get(&api, &c).await.attributes.title.as_deref(),
        Some("Set later by someone")
    );
    // A second undo of the same run is refused by the gate; forced, it undoes the rest.
    let all = read_runs(&journal).expect("runs");
    let again = Draft::undo(state, &all);
    let facts = ddusers::runs::gather(
        &api,
        &again,
        &ddusers::runs::FactsOptions {
            read_only: false,
            origin: "here".into(),
        },
    )
    .await
    .expect("facts");
    let verdict = ddusers::runs::check(&again, &facts, GateOptions::default());
    assert_eq!(
        verdict.summary.refusals[0].rule,
        ddusers::runs::Rule::AlreadyUndone
    );
    let forced = GateOptions {
        force: true,
        ..GateOptions::default()
    };
    execute(&runner, again, forced).await;
    assert_eq!(get(&api, &b).await.status(), UserStatus::Active);
    assert_eq!(
        get(&api, &c).await.attributes.title,
        plain[2].attributes.title
    );
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The command line

fn ddusers(journal: &Path, base_url: &str, app_key: &str) -> Command {
    common::binary(journal, base_url, app_key)
}

fn run(journal: &Path, sb: &Sandbox, args: &[&str]) -> Output {
    ddusers(journal, &sb.base_url(), DEMO_ADMIN_APP_KEY)
        .args(args)
        .output()
        .expect("ddusers runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn me(api: &Client) -> User {
    api.get_current_user().await.expect("me").data
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_yourself_is_refused_and_allowed_with_allow_self_it_runs_last() {
    let sb = sandbox(40, 0).await;
    let api = admin(&sb);
    let me = me(&api).await.id;
    let other = plain_active(&everyone(&api).await)[0].id.clone();
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let writes = sb.stats().write_requests;
    let output = run(
        &journal,
        &sb,
        &["users", "disable", me.as_str(), other.as_str(), "--yes"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("is you") && said.contains("--allow-self"),
        "{said}"
    );
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    assert_eq!(sb.stats().write_requests, writes, "nothing was sent");

    let output = run(
        &journal,
        &sb,
        &[
            "users",
            "disable",
            me.as_str(),
            other.as_str(),
            "--yes",
            "--allow-self",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with(other.as_str()),
        "the others first: {lines:?}"
    );
    assert!(
        lines[1].starts_with(me.as_str()),
        "the caller last: {lines:?}"
    );
    sb.shutdown().await;
}

/// Every active user holding a role that grants user_access_manage.
async fn active_admins(api: &Client) -> Vec<UserId> {
    let page = api
        .list_role_users(
            &RoleId::from(ADMIN_ROLE_ID),
            &ListRoleUsersQuery {
                page_size: Some(100),
                ..Default::default()
            },
        )
        .await
        .expect("role users");
    let users = everyone(api).await;
    let manage_roles: Vec<RoleId> = api
        .list_all_roles()
        .await
        .expect("roles")
        .into_iter()
        .filter(|r| {
            r.attributes
                .name
                .as_deref()
                .is_some_and(|n| n == "Datadog Admin Role")
        })
        .map(|r| r.id)
        .collect();
    assert!(!page.data.is_empty());
    users
        .into_iter()
        .filter(|u| u.status() == UserStatus::Active)
        .filter(|u| manage_roles.iter().any(|r| u.has_role(r)))
        .map(|u| u.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_last_admins_cannot_be_disabled_even_with_allow_self() {
    let sb = sandbox(40, 0).await;
    let api = admin(&sb);
    let admins = active_admins(&api).await;
    assert!(admins.len() >= 2, "{admins:?}");
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let mut args = vec!["users", "disable", "--yes", "--allow-self"];
    args.extend(admins.iter().map(|a| a.as_str()));
    let writes = sb.stats().write_requests;
    let output = run(&journal, &sb, &args);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no active user who holds user_access_manage"),
        "{}",
        stderr(&output)
    );
    assert_eq!(sb.stats().write_requests, writes, "nothing was sent");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_lists_the_keys_a_disable_revokes_and_the_service_accounts() {
    let sb = sandbox(200, 0).await;
    let api = admin(&sb);
    let users = everyone(&api).await;
    let bots: Vec<&User> = users
        .iter()
        .filter(|u| u.is_service_account() && u.status() == UserStatus::Active)
        .collect();
    assert!(!bots.is_empty());
    let people = plain_active(&users);
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let mut args = vec!["users", "disable", "--dry-run", "--format", "json"];
    args.push(bots[0].id.as_str());
    args.extend(people.iter().take(3).map(|u| u.id.as_str()));
    let writes = sb.stats().write_requests;
    let output = run(&journal, &sb, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(plan["users"], 4);
    assert_eq!(plan["service_accounts"][0]["id"], bots[0].id.as_str());
    assert_eq!(plan["confirmation"]["kind"], "type");
    assert_eq!(plan["confirmation"]["text"], "4");
    let keys = &plan["keys"];
    assert_eq!(keys["known"], true);
    assert!(
        keys["total"].as_u64().unwrap_or(0) >= 1,
        "every service account owns a key"
    );
    assert!(keys["owners"]
        .as_array()
        .expect("owners")
        .iter()
        .any(|o| o["user"]["id"] == bots[0].id.as_str()));
    let recently: u64 = keys["owners"]
        .as_array()
        .expect("owners")
        .iter()
        .flat_map(|o| o["keys"].as_array().cloned().unwrap_or_default())
        .filter(|k| k["recently_used"] == true)
        .count() as u64;
    assert_eq!(keys["recently_used"].as_u64(), Some(recently));
    assert_eq!(sb.stats().write_requests, writes, "a dry run sends nothing");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_refuses_every_change_before_a_single_request() {
    let sb = sandbox(20, 0).await;
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let before = sb.stats().requests;
    for args in [
        vec!["--read-only", "users", "disable", "someone", "--yes"],
        vec!["--read-only", "users", "invite", "a@example.com", "--yes"],
        vec!["--read-only", "roles", "add-user", ADMIN_ROLE_ID, "someone"],
    ] {
        let output = run(&journal, &sb, &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("read-only"), "{}", stderr(&output));
    }
    // `roles add-user` looks the role up first (a read); the two others read nothing.
    assert!(sb.stats().requests - before <= 2);
    assert_eq!(sb.stats().write_requests, 0);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invite_whose_invitation_could_not_go_out_is_partly_done_with_the_resend_command() {
    let sb = sandbox(20, 0).await;
    sb.inject(Injection {
        method: "POST".into(),
        path_prefix: "/api/v2/user_invitations".into(),
        times: 1,
        fault: Fault::Refuse(400),
    });
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let output = run(
        &journal,
        &sb,
        &["users", "invite", "half@example.com", "--yes"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("partly done"), "{out}");
    assert!(
        out.contains("ddusers users invite half@example.com"),
        "{out}"
    );
    let runs = read_runs(&journal).expect("runs");
    assert_eq!(runs[0].tally().partial, 1);
    let listing = run(&journal, &sb, &["journal"]);
    assert!(
        stdout(&listing).contains("1 partly done"),
        "{}",
        stdout(&listing)
    );
    // Resuming sends the invitation.
    let resumed = run(&journal, &sb, &["resume", &runs[0].run.0, "--yes"]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(
        find_run(&journal, &runs[0].run.0)
            .expect("run")
            .tally()
            .done,
        1
    );
    sb.shutdown().await;
}

/// A run journaled with `changes` and no item carried out (as a crash right after the
/// start leaves it).
async fn unstarted_run(api: &Client, journal: &Path, origin: &str, changes: Vec<Change>) -> RunId {
    let runner = Runner::new(
        api.clone(),
        Some(Arc::new(Journal::open(journal).expect("journal"))),
        origin,
        4,
    );
    let draft = Draft::new("left unfinished", changes);
    let facts = ddusers::runs::gather(
        api,
        &draft,
        &ddusers::runs::FactsOptions {
            read_only: false,
            origin: origin.into(),
        },
    )
    .await
    .expect("facts");
    let plan = ddusers::runs::check(&draft, &facts, GateOptions::default())
        .into_plan()
        .expect("allowed");
    let started = runner.start(plan).expect("starts");
    started.run
}

#[tokio::test(flavor = "multi_thread")]
async fn two_resumes_of_one_run_send_each_write_once() {
    let sb = sandbox(120, 30).await;
    let api = admin(&sb);
    let plain = plain_active(&everyone(&api).await);
    let ids: Vec<UserId> = plain.iter().take(30).map(|u| u.id.clone()).collect();
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let changes = ids
        .iter()
        .map(|user| Change::Disable { user: user.clone() })
        .collect();
    let run_id = unstarted_run(&api, &journal, &sb.base_url(), changes).await;
    let applied = sb.stats().writes_applied;
    let spawn = || {
        ddusers(&journal, &sb.base_url(), DEMO_ADMIN_APP_KEY)
            .args(["resume", &run_id.0, "--yes"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let (first, second) = (spawn(), spawn());
    let outputs = [
        first.wait_with_output().expect("first"),
        second.wait_with_output().expect("second"),
    ];
    assert_eq!(
        sb.stats().writes_applied - applied,
        30,
        "each disable sent once: {} / {}",
        stderr(&outputs[0]),
        stderr(&outputs[1])
    );
    let state = find_run(&journal, &run_id.0).expect("run");
    assert_eq!(state.tally().done, 30, "{}", state.tally());
    let busy = outputs
        .iter()
        .filter(|o| stderr(o).contains("another ddusers process"))
        .count();
    let succeeded = outputs.iter().filter(|o| o.status.success()).count();
    assert!(succeeded >= 1);
    assert_eq!(
        busy + succeeded,
        2,
        "the other waited its turn or was told why"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn resume_and_undo_refuse_a_run_of_another_org_at_the_same_address_unless_forced() {
    let sb = sandbox(30, 0).await;
    let api = admin(&sb);
    let someone = plain_active(&everyone(&api).await)[0].id.clone();
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let file = Journal::open(&journal).expect("journal");
    let run = RunId("20261201T000000-0123".into());
    file.append(
        &Record::Run {
            run: run.clone(),
            at: time::OffsetDateTime::now_utc(),
            title: "disable 1 user".into(),
            origin: sb.base_url(),
            of: None,
            org: Some("another-org".into()),
            by: None,
            changes: vec![Change::Disable {
                user: someone.clone(),
            }],
            expect: Vec::new(),
        },
        true,
    )
    .expect("written");
    let output = run_cli(&journal, &sb, &["resume", &run.0, "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("another org"),
        "{}",
        stderr(&output)
    );
    assert_eq!(get(&api, &someone).await.status(), UserStatus::Active);
    let output = run_cli(&journal, &sb, &["resume", &run.0, "--yes", "--force"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(get(&api, &someone).await.status(), UserStatus::Disabled);
    sb.shutdown().await;
}

fn run_cli(journal: &Path, sb: &Sandbox, args: &[&str]) -> Output {
    run(journal, sb, args)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_key_owner_disabled_mid_run_stops_the_run_with_the_rest_unfinished_not_failed() {
    let sb = sandbox(150, 40).await;
    let api = admin(&sb);
    let users = everyone(&api).await;
    let me = me(&api).await.id;
    // Another admin, with a key of their own.
    let other_admin = active_admins(&api)
        .await
        .into_iter()
        .find(|id| *id != me)
        .expect("a second admin");
    let key = sb
        .create_application_key(other_admin.as_str(), "ops laptop")
        .expect("a key");
    let them = client_with(&sb, &key.secret);
    let ids: Vec<UserId> = plain_active(&users)
        .iter()
        .take(60)
        .map(|u| u.id.clone())
        .collect();
    let dir = tempfile::tempdir().expect("dir");
    let journal = dir.path().join("journal.jsonl");
    let mut args = vec!["users".to_owned(), "disable".to_owned(), "--yes".to_owned()];
    args.extend(ids.iter().map(|id| id.to_string()));
    let child = ddusers(&journal, &sb.base_url(), DEMO_ADMIN_APP_KEY)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let finished = read_runs(&journal)
            .ok()
            .and_then(|runs| runs.first().map(|r| r.finished_count()))
            .unwrap_or(0);
        if finished >= 5 {
            break;
        }
        assert!(Instant::now() < deadline, "the run never got going");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Someone else disables the key's owner: her key is revoked.
    them.disable_user(&me)
        .await
        .expect("the other admin disables Ada");
    let output = child.wait_with_output().expect("ends");
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("stopped") && said.contains("resume"),
        "{said}"
    );
    let state = read_runs(&journal).expect("runs").remove(0);
    let tally = state.tally();
    assert_eq!(tally.failed, 0, "{tally}");
    assert!(tally.unfinished > 0, "{tally}");
    assert_eq!(tally.done + tally.unfinished, 60, "{tally}");
    sb.shutdown().await;
}
