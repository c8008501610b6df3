//! Helpers shared by the console's test files: a loaded demo state for drawing tests, and a
//! sandbox with a client for end-to-end tests. (Each test file uses a part of them.)
#![allow(dead_code)]

use ddusers::api::{Client, ClientOptions};
use ddusers::app::action::Action;
use ddusers::app::fixtures::{demo_org, demo_page, NOW};
use ddusers::app::msg::Msg;
use ddusers::app::state::{Options, State};
use ddusers::app::{init, update, Effect, Key, KeyCode};
use ddusers::config::Credentials;
use ddusers::sandbox::{Sandbox, SandboxConfig, DEMO_API_KEY};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// The demo fixture org loaded into a fresh state at this terminal size, with a fixed clock.
pub fn loaded(width: u16, height: u16) -> State {
    let mut state = State::new(
        Options {
            origin_label: "demo org — sandbox".into(),
            monochrome: false,
        },
        NOW,
    );
    let effects = init(&mut state);
    let Some(Effect::LoadUsers { request_id, .. }) = effects.last().cloned() else {
        panic!("init loads users");
    };
    update(&mut state, Msg::Resize { width, height });
    update(
        &mut state,
        Msg::UsersPage {
            request_id,
            number: 0,
            total_pages: Some(1),
            response: demo_page(),
        },
    );
    update(&mut state, Msg::UsersLoaded { request_id });
    update(&mut state, Msg::Roles(Ok(demo_org().1)));
    let me = demo_page().data[0].clone();
    update(&mut state, Msg::CurrentUser(Ok(Box::new((me, vec![])))));
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
