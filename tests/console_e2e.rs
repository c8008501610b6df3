//! The whole console — runtime, effects queue, client — against the built-in sandbox over
//! loopback, driven by scripted keys on a TestBackend, checked through the API afterwards.

mod common;

use common::{client, confirm_plan, enter, finish_run, sandbox};
use std::collections::HashSet;
use std::time::Duration;

use ddusers::api::models::{UserId, UserStatus};
use ddusers::api::{Client, ListUsersQuery};
use ddusers::app::action::StatusTab;
use ddusers::app::state::{InviteStatus, Options, Overlay, State};
use ddusers::app::{Key, KeyCode, Msg};
use ddusers::effects::{EffectsQueue, QueueOptions};
use ddusers::runtime::Runtime;
use ddusers::sandbox::{DEMO_ADMIN_APP_KEY, DEMO_READONLY_APP_KEY};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const WAIT: Duration = Duration::from_secs(20);

async fn console(client: Client, read_only: bool) -> Runtime<TestBackend> {
    let options = QueueOptions {
        read_only,
        ..Default::default()
    };
    console_with(client, options).await
}

/// The console over `client` with these queue options (a journal, ...), loaded.
async fn console_with(client: Client, options: QueueOptions) -> Runtime<TestBackend> {
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
            s.load.done && s.me.is_some() && s.org_roles.is_some() && s.access.blocked().is_none()
                || s.access.read_only
        })
        .await
        .expect("draws");
    assert!(ready, "the console loads the org");
    runtime
}

async fn disabled_ids(client: &Client) -> HashSet<UserId> {
    client
        .list_all_users(ListUsersQuery::default())
        .await
        .expect("list")
        .into_iter()
        .filter(|u| u.attributes.status == Some(UserStatus::Disabled))
        .map(|u| u.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_detail_mark_three_disable_confirm_disables_exactly_those_three() {
    let sandbox = sandbox(120, 42).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let before = disabled_ids(&api).await;
    let mut console = console(api.clone(), false).await;
    assert_eq!(
        console.state.store.len(),
        console.state.load.total_users.unwrap_or(0) as usize
    );

    // Filter on the domain most active users share, on the Active tab.
    console.press(Key::ch('2'));
    assert_eq!(console.state.view.tab, StatusTab::Active);
    let domain = {
        let s = &console.state;
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for ix in &s.view.rows {
            if let Some(u) = s.store.get(*ix) {
                if let Some((_, d)) = u.email.split_once('@') {
                    *counts.entry(d.to_owned()).or_default() += 1;
                }
            }
        }
        counts
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(d, _)| d)
            .expect("active users")
    };
    console.press(Key::ch('/'));
    console.type_text(&format!("@{domain}"));
    console.press(enter());
    assert!(
        console.state.view.rows.len() >= 3,
        "at least three users match"
    );
    let shown = console.state.view.rows.len();

    // Open the detail (it loads beside the list and never blocks it).
    console.press(enter());
    let loaded = console
        .run_until(WAIT, |s| s.detail.as_ref().is_some_and(|d| !d.loading))
        .await
        .expect("draws");
    assert!(loaded, "detail loads");
    assert!(console
        .terminal
        .backend()
        .to_string()
        .contains("Effective permissions"));

    // Mark three, disable, confirm.
    for _ in 0..3 {
        console.press(Key::ch(' '));
    }
    let marked: HashSet<UserId> = console.state.marks.iter().cloned().collect();
    assert_eq!(marked.len(), 3);
    console.press(Key::ch('d'));
    let checked = console
        .run_until(WAIT, |s| {
            s.plan.as_ref().is_some_and(|p| p.verdict().is_some())
        })
        .await
        .expect("draws");
    assert!(checked, "the plan is checked against the org");
    let dialog = console.terminal.backend().to_string();
    assert!(dialog.contains("Disable 3 marked users"), "{dialog}");
    assert!(dialog.contains("can no longer log in"), "{dialog}");
    assert!(dialog.contains("application key"), "{dialog}");
    // Enter is never yes for a disable.
    console.press(enter());
    assert!(console.state.plan.is_some() && console.state.run.is_none());
    confirm_plan(&mut console).await;
    let screen = finish_run(&mut console).await;
    assert!(
        screen.contains("Disable 3 marked users — finished"),
        "{screen}"
    );
    assert!(screen.contains("3 done"), "{screen}");
    assert!(console.state.marks.is_empty(), "done users are unmarked");
    // Disabled users leave the Active tab.
    assert_eq!(console.state.view.rows.len(), shown - 3);
    console.shutdown().await;

    // Through the API: exactly those three are newly disabled.
    let after = disabled_ids(&api).await;
    let newly: HashSet<UserId> = after.difference(&before).cloned().collect();
    assert_eq!(newly, marked);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_invite_of_several_emails_with_one_invalid_reports_each_email() {
    let sandbox = sandbox(40, 42).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let mut console = console(api.clone(), false).await;
    let active_email = {
        let s = &console.state;
        s.store
            .users()
            .iter()
            .find(|u| u.status == ddusers::org::Status::Active && !u.service_account)
            .map(|u| u.email.to_string())
            .expect("an active user")
    };

    console.press(Key::ch('i'));
    console.dispatch(Msg::Paste(format!(
        "first.new@example.org\nsecond.new@example.org\nnot-an-email\n{active_email}\nthird.new@example.org"
    )));
    // Choose the first role, then send.
    for _ in 0..3 {
        console.press(Key::plain(KeyCode::Tab));
    }
    console.press(Key::ch(' '));
    console.press(Key::ctrl('s'));
    let done = console
        .run_until(WAIT, |s| match &s.overlay {
            Some(Overlay::Invite(form)) => {
                !form.results.is_empty()
                    && form
                        .results
                        .iter()
                        .all(|(_, r)| *r != InviteStatus::Waiting)
            }
            _ => false,
        })
        .await
        .expect("draws");
    assert!(done, "every email gets a result");
    let Some(Overlay::Invite(form)) = &console.state.overlay else {
        panic!("the form shows the results");
    };
    let result = |email: &str| {
        form.results
            .iter()
            .find(|(e, _)| e == email)
            .map(|(_, r)| r.clone())
            .expect("a result per email")
    };
    for email in [
        "first.new@example.org",
        "second.new@example.org",
        "third.new@example.org",
    ] {
        assert!(
            matches!(result(email), InviteStatus::Done(t) if t.contains("created and invited")),
            "{email}: {:?}",
            result(email)
        );
    }
    assert!(matches!(result("not-an-email"), InviteStatus::Failed(t) if t.contains("no @")));
    assert!(matches!(result(&active_email), InviteStatus::Done(t) if t.contains("not re-invited")));
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("✗ not-an-email"), "{screen}");
    console.shutdown().await;

    // Through the API: the three exist, pending, with the chosen role.
    for email in [
        "first.new@example.org",
        "second.new@example.org",
        "third.new@example.org",
    ] {
        let user = api
            .find_user_by_email(email)
            .await
            .expect("lookup")
            .expect("created");
        assert_eq!(user.attributes.status, Some(UserStatus::Pending), "{email}");
        assert_eq!(user.role_ids().count(), 1, "{email}");
    }
    assert!(api
        .find_user_by_email("not-an-email")
        .await
        .expect("lookup")
        .is_none());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_key_makes_the_console_read_only_and_nothing_is_written() {
    let sandbox = sandbox(30, 42).await;
    let api = client(&sandbox, DEMO_READONLY_APP_KEY);
    let mut console = console(api, false).await;
    let ready = console
        .run_until(WAIT, |s| s.access.read_only)
        .await
        .expect("draws");
    assert!(ready, "the current user's permissions make it read-only");
    assert!(console.terminal.backend().to_string().contains("READ-ONLY"));
    console.press(Key::ch(' '));
    console.press(Key::ch('d'));
    assert!(console.state.overlay.is_none() && console.state.plan.is_none());
    console.shutdown().await;
    assert_eq!(sandbox.stats().write_requests, 0);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_loop_quits_on_q_from_a_scripted_input_stream() {
    let sandbox = sandbox(10, 42).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let (queue, msgs) = EffectsQueue::new(api, QueueOptions::default());
    let state = State::new(Options::default(), ddusers::runtime::unix_now());
    let terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
    let mut runtime = Runtime::new(terminal, state, queue, msgs);
    use crossterm::event::{Event, KeyCode as Ct, KeyEvent, KeyModifiers};
    let key = |c| Ok(Event::Key(KeyEvent::new(Ct::Char(c), KeyModifiers::NONE)));
    // Keys arrive after the org loaded; the stream stays open until q.
    let input = futures::stream::iter(vec![key('j'), key('?'), key('q'), key('q')]);
    let slow = futures::StreamExt::then(input, |e| async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        e
    });
    let ended = tokio::time::timeout(WAIT, runtime.run(Box::pin(slow))).await;
    assert!(matches!(ended, Ok(Ok(()))));
    assert!(runtime.state.should_quit);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marking_yourself_asks_for_your_email_and_then_the_count() {
    let sandbox = sandbox(60, 42).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let mut console = console(api.clone(), false).await;
    let me = console.state.me.clone().expect("me");
    let my_email = console
        .state
        .store
        .by_id(&me)
        .map(|u| u.email.to_string())
        .expect("my email");
    // Mark me and the next user.
    while console.state.selected().map(|u| u.id.clone()) != Some(me.clone()) {
        console.press(Key::ch('j'));
    }
    console.press(Key::ch(' '));
    console.press(Key::ch(' '));
    console.press(Key::ch('d'));
    let checked = console
        .run_until(WAIT, |s| {
            s.plan.as_ref().is_some_and(|p| p.verdict().is_some())
        })
        .await
        .expect("draws");
    assert!(checked);
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("is you"), "{screen}");
    assert!(screen.contains("type your email"), "{screen}");
    assert!(console
        .state
        .plan
        .as_ref()
        .is_some_and(|p| p.asks_for_email()));
    console.type_text(&my_email);
    console.press(enter());
    let verdict = console
        .state
        .plan
        .as_ref()
        .and_then(|p| p.verdict())
        .cloned()
        .expect("checked again");
    assert!(verdict.plan().is_some(), "{:?}", verdict.summary.refusals);
    assert_eq!(
        verdict.summary.confirmation,
        ddusers::domain::Confirmation::Type("2".into())
    );
    // Esc: nothing was sent.
    console.press(Key::plain(KeyCode::Esc));
    assert!(console.state.plan.is_none());
    console.shutdown().await;
    assert_eq!(sandbox.stats().write_requests, 0);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_on_three_marked_users_adds_a_role_to_all_three_in_one_run() {
    let sandbox = sandbox(60, 42).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let mut console = console(api.clone(), false).await;
    let me = console.state.me.clone().expect("me");
    // Three active users other than me.
    console.press(Key::ch('2'));
    let mut marked = Vec::new();
    while marked.len() < 3 {
        let id = console
            .state
            .selected()
            .map(|u| u.id.clone())
            .expect("a row");
        if id == me {
            console.press(Key::ch('j'));
        } else {
            console.press(Key::ch(' '));
            marked.push(id);
        }
    }
    // The picker of the marked users: find a role at least one of them lacks.
    console.press(Key::ch('R'));
    let Some(Overlay::Roles(picker)) = &console.state.overlay else {
        panic!("R opens the role picker of the marked users");
    };
    assert!(picker.marked && picker.users.len() == 3);
    let target = picker
        .rows
        .iter()
        .position(|r| r.holders < 3)
        .expect("a role not everyone holds");
    let role_ix = picker.rows[target].role;
    let role = console.state.store.role(role_ix).expect("role").id.clone();
    for _ in 0..target {
        console.press(Key::ch('j'));
    }
    console.press(Key::ch(' '));
    console.draw().expect("draws");
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("Roles of 3 marked users"), "{screen}");
    assert!(screen.contains("+ add to"), "{screen}");
    console.press(enter());
    confirm_plan(&mut console).await;
    let screen = finish_run(&mut console).await;
    assert!(
        screen.contains("Change the roles of 3 marked users — finished"),
        "{screen}"
    );
    let everyone = common::everyone(&api).await;
    for id in &marked {
        let user = everyone.iter().find(|u| &u.id == id).expect("still there");
        assert!(user.has_role(&role), "{id} got the role");
    }
    console.shutdown().await;
    sandbox.shutdown().await;
}

/// The line the palette holds.
fn palette_line(state: &State) -> String {
    match &state.overlay {
        Some(Overlay::Command(line)) => line.input.value().to_owned(),
        other => panic!("the palette is open, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_palette_completes_a_command_a_view_and_a_path_the_effects_layer_lists() {
    let sandbox = sandbox(60, 7).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let mut console = console(api, false).await;
    let tab = Key::plain(KeyCode::Tab);

    // `:au<Tab>` is `:audit `; the view completes from what is typed of it.
    console.press(Key::ch(':'));
    console.type_text("au");
    console.press(tab);
    assert_eq!(palette_line(&console.state), "audit ");
    console.type_text("adm");
    console.press(tab);
    assert_eq!(palette_line(&console.state), "audit admins");
    console.press(enter());
    let opened = console
        .run_until(WAIT, |s| s.audit.active.is_some())
        .await
        .expect("draws");
    assert!(opened, "the admins view opens");
    assert_eq!(
        console.state.audit.active.as_ref().map(|a| a.kind.name()),
        Some("admins")
    );
    assert_eq!(console.state.palette.history, ["audit admins"]);

    // A path: the effects layer lists the working folder (the crate's), Tab completes.
    console.press(Key::ch(':'));
    console.type_text("export json Cargo.t");
    let listed = console
        .run_until(WAIT, |s| s.palette.listing.is_some())
        .await
        .expect("draws");
    assert!(listed, "the folder is listed");
    console.press(tab);
    assert_eq!(palette_line(&console.state), "export json Cargo.toml");
    // Not run: Esc closes the palette and writes nothing.
    console.press(Key::plain(KeyCode::Esc));
    assert!(console.state.overlay.is_none());

    // Up on an empty line brings back the command run before.
    console.press(Key::ch(':'));
    console.press(Key::plain(KeyCode::Up));
    assert_eq!(palette_line(&console.state), "audit admins");
    console.press(Key::plain(KeyCode::Esc));

    // Where am I: the org's name, read from the service at start.
    let named = console
        .run_until(WAIT, |s| s.org_name.is_some())
        .await
        .expect("draws");
    assert!(named);
    assert_eq!(console.state.org_name.as_deref(), Some("Demo Org"));
    console.shutdown().await;
    sandbox.shutdown().await;
}

/// Three users disabled from the list, two of whose writes the sandbox refuses: the result
/// dialog lists those two first, and `r` sends exactly them again as a new journaled run,
/// confirmed like any change, which disables them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_items_are_retried_from_the_result_dialog_as_a_new_run() {
    use ddusers::runs::journal::read_runs;
    use ddusers::runs::Journal;
    use ddusers::sandbox::{Fault, Injection};
    let sandbox = sandbox(40, 11).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.jsonl");
    let journal = std::sync::Arc::new(Journal::open(&path).expect("journal"));
    let options = QueueOptions {
        journal: Some(journal),
        origin: sandbox.base_url(),
        ..Default::default()
    };
    let mut console = console_with(api.clone(), options).await;

    // Three active people, neither me nor service accounts.
    console.press(Key::ch('2'));
    let me = console.state.me.clone();
    for _ in 0..3 {
        while console.state.selected().is_some_and(|u| {
            Some(&u.id) == me.as_ref() || u.service_account || console.state.marks.contains(&u.id)
        }) {
            console.press(Key::ch('j'));
        }
        console.press(Key::ch(' '));
    }
    let mut marked: Vec<UserId> = console.state.marks.iter().cloned().collect();
    marked.sort();
    assert_eq!(marked.len(), 3);
    let refused = &marked[1..];
    for id in refused {
        sandbox.inject(Injection {
            method: "DELETE".into(),
            path_prefix: format!("/api/v2/users/{id}"),
            times: 1,
            fault: Fault::Refuse(400),
        });
    }
    console.press(Key::ch('d'));
    confirm_plan(&mut console).await;
    let finished = console
        .run_until(WAIT, |s| matches!(s.overlay, Some(Overlay::Summary(_))))
        .await
        .expect("draws");
    assert!(finished, "the run ends with its results");
    let Some(Overlay::Summary(summary)) = &console.state.overlay else {
        unreachable!("waited for it");
    };
    let failed_first: HashSet<UserId> = summary.rows[..2]
        .iter()
        .filter(|r| r.needs_attention)
        .filter_map(|r| r.user.clone())
        .collect();
    assert_eq!(
        failed_first,
        refused.iter().cloned().collect(),
        "{summary:?}"
    );
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("r retry 2 failed"), "{screen}");
    let first_run = console.state.run.as_ref().and_then(|r| r.run.clone());

    // r: the gate checks the two again, and the confirmation sends them as a new run.
    console.press(Key::ch('r'));
    confirm_plan(&mut console).await;
    let retried = console
        .run_until(WAIT, |s| {
            s.run
                .as_ref()
                .is_some_and(|r| r.finished && r.title.starts_with("Retry: "))
                && matches!(s.overlay, Some(Overlay::Summary(_)))
        })
        .await
        .expect("draws");
    assert!(retried, "the retry finishes");
    let run = console.state.run.as_ref().expect("the retry run");
    assert_ne!(run.run, first_run, "a run of its own");
    assert_eq!(run.tally().done, 2, "{:?}", run.results);
    console.shutdown().await;

    let disabled = disabled_ids(&api).await;
    assert!(
        marked.iter().all(|id| disabled.contains(id)),
        "all three disabled"
    );
    let runs = read_runs(&path).expect("the journal reads");
    assert_eq!(runs.len(), 2, "the disable and its retry");
    assert_eq!(runs[0].tally().failed, 2);
    let retry_targets: HashSet<&str> = runs[1].changes.iter().map(|c| c.target()).collect();
    let refused_ids: HashSet<&str> = refused.iter().map(|id| id.as_str()).collect();
    assert_eq!(retry_targets, refused_ids, "exactly the failed items");
    assert_eq!(runs[1].tally().done, 2);
    sandbox.shutdown().await;
}

/// Closes a run's results, if shown, and lets the answers in flight arrive.
async fn close_results(console: &mut Runtime<TestBackend>) -> &State {
    if matches!(console.state.overlay, Some(Overlay::Summary(_))) {
        console.press(enter());
    }
    let settle = Duration::from_millis(200);
    console.run_until(settle, |_| false).await.expect("draws");
    &console.state
}

/// The detail of a pending user says when the invitation expires after a resend, and that
/// it is cancelled (no expiry) after a cancel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invitation_state_follows_a_resend_then_a_cancel() {
    let sandbox = sandbox(60, 5).await;
    let api = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let mut console = console(api.clone(), false).await;
    console.press(Key::ch('3'));
    let pending = console
        .state
        .selected()
        .map(|u| u.id.clone())
        .expect("a pending user");
    console.press(enter());
    console.press(Key::ch('r'));
    let resent = console
        .run_until(WAIT, |s| s.run.as_ref().is_some_and(|r| r.finished))
        .await
        .expect("draws");
    assert!(resent, "the resend finishes");
    let info = close_results(&mut console)
        .await
        .invitations
        .get(&pending)
        .copied()
        .expect("the invitation is known");
    assert!(info.expires_at.is_some(), "{info:?}");
    let screen = console.terminal.backend().to_string();
    assert!(!screen.contains("unknown"), "{screen}");
    assert!(screen.contains("Expires"), "{screen}");
    assert!(
        screen.contains("(in 2 days)")
            || screen.contains("(in 1 day)")
            || screen.contains("(in 48 h)"),
        "{screen}"
    );

    console.press(Key::ch('c'));
    confirm_plan(&mut console).await;
    let cancelled = console
        .run_until(WAIT, |s| {
            s.run
                .as_ref()
                .is_some_and(|r| r.finished && r.title.starts_with("Cancel"))
        })
        .await
        .expect("draws");
    assert!(cancelled, "the cancel finishes");
    let info = close_results(&mut console)
        .await
        .invitations
        .get(&pending)
        .copied()
        .expect("still known");
    assert!(
        info.cancelled_at.is_some() && info.expires_at.is_none(),
        "{info:?}"
    );
    let screen = console.terminal.backend().to_string();
    assert!(screen.contains("Cancelled"), "{screen}");
    console.shutdown().await;
    sandbox.shutdown().await;
}
