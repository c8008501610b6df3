//! Every pane and dialog drawn at the smallest terminal the layout takes and at odd shapes
//! around it (short and wide, narrow and tall), with long text in it: nothing panics and
//! the frame is drawn. Snapshots check how they look at 80×24 and 160×48; this checks that
//! the edges do not break them.

mod common;

use common::{act, loaded, prepare_plan, terminal_for};
use ddusers::app::action::{Action, DecisionKey, InputRequest};
use ddusers::app::msg::Msg;
use ddusers::app::state::State;
use ddusers::app::update;

const SIZES: [(u16, u16); 7] = [
    (50, 10),
    (51, 11),
    (60, 12),
    (200, 10),
    (50, 60),
    (80, 24),
    (300, 80),
];

fn type_in(state: &mut State, text: &str) {
    for c in text.chars() {
        act(state, Action::TextEdit(InputRequest::InsertChar(c)));
    }
}

fn command(state: &mut State, text: &str) {
    act(state, Action::CommandLine);
    type_in(state, text);
    act(state, Action::Submit);
}

fn mark_three(state: &mut State) {
    for _ in 0..3 {
        act(state, Action::ToggleMark);
    }
}

/// Each case: a name and how to get there from the loaded fixture org.
type Setup = fn(&mut State);

const CASES: &[(&str, Setup)] = &[
    ("help searched", |s| {
        act(s, Action::Help);
        act(s, Action::StartFilter);
        type_in(s, "mark");
    }),
    ("palette", |s| {
        act(s, Action::CommandLine);
        type_in(s, "au");
        act(s, Action::NextField);
    }),
    ("role picker, marked users", |s| {
        mark_three(s);
        act(s, Action::EditRoles);
        act(s, Action::ToggleItem);
    }),
    ("role picker, one user", |s| {
        act(s, Action::EditRoles);
    }),
    ("title of marked users", |s| {
        mark_three(s);
        act(s, Action::EditUser);
        type_in(s, &"Very long title ".repeat(20));
    }),
    ("invite", |s| {
        act(s, Action::Invite);
        type_in(s, &"someone@example.com, ".repeat(30));
    }),
    ("column picker", |s| command(s, "columns")),
    ("export prompt", |s| act_only(s, Action::Export)),
    ("permission picker", |s| act_only(s, Action::PickPermission)),
    ("filter with a bad term", |s| {
        act(s, Action::StartFilter);
        type_in(s, "role:admin colour:red status:nonsense ");
    }),
    ("marked only", |s| {
        mark_three(s);
        act(s, Action::ToggleMarkedOnly);
    }),
    ("disable dialog for marked users", |s| {
        mark_three(s);
        let effects = act(s, Action::Disable);
        prepare_plan(s, &effects, "u11");
    }),
    ("detail with a permission search", |s| {
        act(s, Action::OpenDetail);
        act(s, Action::SwitchFocus);
        act(s, Action::StartFilter);
        type_in(s, "dash");
    }),
    ("role lens", |s| command(s, "role Datadog Standard Role")),
    ("audit view with explanations", |s| {
        command(s, "audit inactive 1")
    }),
    ("review justification", |s| {
        open_review(s);
        act(s, Action::Decide(DecisionKey::Keep));
        act(s, Action::Submit);
        type_in(s, &"a long justification ".repeat(10));
    }),
    ("review role picker", |s| {
        open_review(s);
        act(s, Action::Bottom);
        act(s, Action::Decide(DecisionKey::ChangeRole));
    }),
];

/// The demo org's access review open as the list, its first row marked.
fn open_review(state: &mut State) {
    let opened = ddusers::app::state::OpenedReview {
        path: "q4.json".into(),
        review: common::fixtures::demo_review(),
        decider: "tester".into(),
        note: None,
    };
    let opened = ddusers::app::msg::ReviewMsg::Opened(Ok(Box::new(opened)));
    update(state, Msg::Review(opened));
    act(state, Action::ToggleMark);
}

fn act_only(state: &mut State, action: Action) {
    act(state, action);
}

#[test]
fn every_dialog_draws_at_the_edges_of_the_layout_without_panicking() {
    for (name, setup) in CASES {
        for (width, height) in SIZES {
            let mut state = loaded(width, height);
            setup(&mut state);
            // Drawn at the size, then again after the terminal shrinks or grows under it.
            terminal_for(&state, width, height);
            update(
                &mut state,
                Msg::Resize {
                    width: width / 2 + 25,
                    height: height / 2 + 5,
                },
            );
            terminal_for(&state, width / 2 + 25, height / 2 + 5);
            assert!(!state.should_quit, "{name} at {width}x{height}");
        }
    }
}
