//! Helpers shared by the console's test files: a loaded demo state for drawing tests, and a
//! sandbox with a client for end-to-end tests. (Each test file uses a part of them.)
#![allow(dead_code)]

pub mod fixtures;

use crate::common::fixtures::{demo_org, demo_page, NOW};
use ddusers::api::models::UsersResponse;
use ddusers::api::{Client, ClientOptions};
use ddusers::app::action::Action;
use ddusers::app::msg::Msg;
use ddusers::app::msg::{LoadMsg, RunMsg};
use ddusers::app::state::{Options, State};
use ddusers::app::{init, update, Effect, Key, KeyCode};
use ddusers::config::Credentials;
use ddusers::sandbox::{Sandbox, SandboxConfig, DEMO_API_KEY};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// The demo fixture org loaded into a fresh state at this terminal size, with a fixed clock,
/// its roles and the current user known.
pub fn loaded(width: u16, height: u16) -> State {
    let mut state = loaded_with(demo_page(), width, height);
    update(&mut state, Msg::Load(LoadMsg::Roles(Ok(demo_org().1))));
    let me = demo_page().data[0].clone();
    update(
        &mut state,
        Msg::Load(LoadMsg::CurrentUser(Ok(Box::new((me, vec![]))))),
    );
    state
}

/// A fresh state at this terminal size, with a fixed clock, that has loaded `users` (one
/// page, the whole listing) with permissions known to allow changes.
pub fn loaded_with(users: UsersResponse, width: u16, height: u16) -> State {
    let mut state = State::new(
        Options {
            origin_label: "demo org — sandbox".into(),
            monochrome: false,
            demo: false,
        },
        NOW,
    );
    let effects = init(&mut state);
    let Some(Effect::LoadUsers { request_id, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::LoadUsers { .. }))
        .cloned()
    else {
        panic!("init loads users");
    };
    update(&mut state, Msg::Resize { width, height });
    update(
        &mut state,
        Msg::Access(ddusers::app::state::Access::known(false, None)),
    );
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 0,
            total_pages: Some(1),
            response: users,
        }),
    );
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    state
}

/// Feeds one action through `update`.
pub fn act(state: &mut State, action: Action) -> Vec<Effect> {
    update(state, Msg::Action(action))
}

/// `state` drawn on a TestBackend of this size.
pub fn terminal_for(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| ddusers::ui::draw(frame, state))
        .expect("draw");
    terminal
}

/// The screen as text.
pub fn screen(state: &State, width: u16, height: u16) -> String {
    terminal_for(state, width, height).backend().to_string()
}

/// A sandbox on an ephemeral loopback port.
pub async fn sandbox(users: usize, seed: u64) -> Sandbox {
    Sandbox::start(SandboxConfig {
        port: 0,
        users,
        seed,
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

/// A client of `sandbox` with the demo API key and this application key.
pub fn client(sandbox: &Sandbox, app_key: &str) -> Client {
    let url = sandbox.base_url().parse().expect("sandbox URL");
    Client::new(ClientOptions::new(
        url,
        Credentials::new(DEMO_API_KEY, app_key),
    ))
    .expect("client")
}

pub fn enter() -> Key {
    Key::plain(KeyCode::Enter)
}

/// Checks `changes` through the change gate as the user of `client`'s keys, then carries
/// them out without a journal; each item's result, in item order.
pub async fn run_changes(
    client: &Client,
    changes: Vec<ddusers::runs::Change>,
) -> Vec<ddusers::runs::ItemResult> {
    use ddusers::runs::{check, gather, Draft, FactsOptions, GateOptions, Runner};
    use futures::StreamExt;
    let draft = Draft::new("test", changes);
    let facts = gather(client, &draft, &FactsOptions::default())
        .await
        .expect("the facts can be read");
    let plan = check(&draft, &facts, GateOptions::default())
        .into_plan()
        .expect("the gate lets the test's changes through");
    let runner = Runner::new(client.clone(), None, "test", 4);
    let started = runner.start(plan).expect("the run starts");
    let mut reports: Vec<_> = started.reports.collect().await;
    reports.sort_by_key(|r| r.index);
    reports.into_iter().map(|r| r.result).collect()
}

/// The result of one change, carried out as `run_changes` does.
pub async fn run_change(
    client: &Client,
    change: ddusers::runs::Change,
) -> ddusers::runs::ItemResult {
    run_changes(client, vec![change])
        .await
        .pop()
        .expect("one result")
}

/// Waits for the change dialog to be checked, then answers it as it asks (y, or the typed
/// count or word and Enter). Panics when the gate refused.
pub async fn confirm_plan(console: &mut ddusers::runtime::Runtime<TestBackend>) {
    use ddusers::domain::Confirmation;
    let ready = console
        .run_until(std::time::Duration::from_secs(20), |s| {
            s.plan.as_ref().is_some_and(|p| p.verdict().is_some())
        })
        .await
        .expect("draws");
    assert!(ready, "the change is checked");
    let verdict = console
        .state
        .plan
        .as_ref()
        .and_then(|p| p.verdict())
        .cloned()
        .expect("a verdict");
    assert!(
        verdict.plan().is_some(),
        "refused: {:?}",
        verdict.summary.refusals
    );
    match verdict.summary.confirmation {
        Confirmation::Enter | Confirmation::Yes => console.press(Key::ch('y')),
        Confirmation::Type(word) => {
            console.type_text(&word);
            console.press(enter());
        }
    }
}

/// Answers the `Prepare` among `effects` with the demo fixture org's facts, `caller` holding
/// the keys (as the effects queue would after reading them).
pub fn prepare_plan(state: &mut State, effects: &[Effect], caller: &str) -> Vec<Effect> {
    let Some(Effect::Prepare { plan, draft }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Prepare { .. }))
        .cloned()
    else {
        panic!("expected the facts to be asked for, got {effects:?}");
    };
    let facts = crate::common::fixtures::demo_facts(caller, &draft);
    update(
        state,
        Msg::Run(RunMsg::Prepared {
            plan,
            result: Ok(Box::new(facts)),
        }),
    )
}

/// Answers the checked plan's dialog as it asks; the run's ticket.
pub fn accept_plan(state: &mut State) -> ddusers::app::Ticket {
    use ddusers::domain::Confirmation;
    let confirmation = state
        .plan
        .as_ref()
        .and_then(|p| p.verdict())
        .map(|v| v.summary.confirmation.clone())
        .expect("a checked plan");
    let effects = match confirmation {
        Confirmation::Enter | Confirmation::Yes => act(state, Action::Confirm),
        Confirmation::Type(word) => {
            for c in word.chars() {
                act(
                    state,
                    Action::TextEdit(ddusers::app::action::InputRequest::InsertChar(c)),
                );
            }
            act(state, Action::Submit)
        }
    };
    match effects.first() {
        Some(Effect::Apply { ticket, .. }) => *ticket,
        other => panic!("expected the plan to be applied, got {other:?}"),
    }
}

/// Proposes `action`'s change, checks it as Ken Thompson (u11, an admin) and accepts it.
pub fn start_run(state: &mut State, action: Action) -> ddusers::app::Ticket {
    let effects = act(state, action);
    prepare_plan(state, &effects, "u11");
    accept_plan(state)
}

/// One item of run `ticket` finished.
pub fn item_done(
    state: &mut State,
    ticket: ddusers::app::Ticket,
    index: usize,
    change: ddusers::runs::Change,
    result: ddusers::runs::ItemResult,
) {
    update(
        state,
        Msg::Run(RunMsg::Item {
            ticket,
            report: Box::new(ddusers::runs::ItemReport {
                index,
                change,
                result,
            }),
        }),
    );
}

/// Checks `draft` through the gate as the user of `runner`'s keys and carries it out with
/// `runner` (journaled when it has a journal); the run's id and every item's report.
pub async fn execute(
    runner: &ddusers::runs::Runner,
    draft: ddusers::runs::Draft,
    options: ddusers::runs::GateOptions,
) -> (ddusers::runs::RunId, Vec<ddusers::runs::ItemReport>) {
    use ddusers::runs::{check, gather, FactsOptions};
    use futures::StreamExt;
    let facts = gather(
        runner.client(),
        &draft,
        &FactsOptions {
            read_only: false,
            origin: runner.origin().to_owned(),
        },
    )
    .await
    .expect("the facts can be read");
    let plan = check(&draft, &facts, options)
        .into_plan()
        .expect("the gate lets the test's plan through");
    let started = runner.start(plan).expect("the run starts");
    let run = started.run.clone();
    (run, started.reports.collect().await)
}

/// The real binary, talking to `base_url` with the demo API key and `app_key`, journaling to
/// `journal`, with nothing else from the environment.
pub fn binary(journal: &std::path::Path, base_url: &str, app_key: &str) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ddusers"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DD_API_KEY", DEMO_API_KEY)
        .env("DD_APP_KEY", app_key)
        .env("DDUSERS_JOURNAL", journal)
        .env("DDUSERS_BASE_URL", base_url)
        .stdin(std::process::Stdio::null());
    command
}

/// Every user of the org behind `client`.
pub async fn everyone(client: &Client) -> Vec<ddusers::api::models::User> {
    client
        .list_all_users(ddusers::api::ListUsersQuery::default())
        .await
        .expect("listing")
}

/// Waits for the console's run to finish; the screen then.
pub async fn finish_run(console: &mut ddusers::runtime::Runtime<TestBackend>) -> String {
    let finished = console
        .run_until(std::time::Duration::from_secs(20), |s| {
            s.run.as_ref().is_some_and(|r| r.finished)
        })
        .await
        .expect("draws");
    assert!(finished, "the run finishes");
    console.terminal.backend().to_string()
}
