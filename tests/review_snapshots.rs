//! An access review open in the console, drawn on ratatui's TestBackend at 80×24 and
//! 160×48 with a fixed clock and compared with reviewed insta snapshots: the lens with
//! decisions of every kind and a mark, the role picker, the justification line asking for
//! a required justification, and a signed review.

mod common;

use common::fixtures::{demo_review, demo_review_signed, NOW};
use common::{act, loaded, screen};
use ddusers::app::action::{Action, DecisionKey, InputRequest};
use ddusers::app::msg::{Msg, ReviewMsg};
use ddusers::app::state::{OpenedReview, State};
use ddusers::app::{update, Effect};
use ddusers::review::Review;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn snap(name: &str, review: impl Fn() -> Review, setup: impl Fn(&mut State)) {
    for (w, h) in SIZES {
        let mut state = loaded(w, h);
        let opened = OpenedReview {
            path: "q4.json".into(),
            review: review(),
            decider: "tester".into(),
            note: None,
        };
        update(
            &mut state,
            Msg::Review(ReviewMsg::Opened(Ok(Box::new(opened)))),
        );
        setup(&mut state);
        // The toast expires; snapshots show the resting screen.
        update(&mut state, Msg::Tick { now: NOW + 60 });
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(&state, w, h));
    }
}

fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        act(state, Action::TextEdit(InputRequest::InsertChar(c)));
    }
}

/// Each review write among `effects` lands.
fn saved(state: &mut State, effects: Vec<Effect>) {
    for effect in effects {
        if let Effect::WriteReview { lens, revision, .. } = effect {
            let result = Ok(());
            update(
                state,
                Msg::Review(ReviewMsg::Saved {
                    lens,
                    revision,
                    result,
                }),
            );
        }
    }
}

/// Decides the cursor's row with `key` (the role `down` rows below the first offered,
/// when one is asked for) and `why`; the write lands.
fn decide(state: &mut State, key: DecisionKey, down: usize, why: &str) {
    let mut effects = act(state, Action::Decide(key));
    if state.context() == ddusers::app::Context::Picker {
        for _ in 0..down {
            act(state, Action::Down);
        }
        effects.extend(act(state, Action::Submit));
    }
    type_text(state, why);
    effects.extend(act(state, Action::Submit));
    saved(state, effects);
}

#[test]
fn review_lens_with_decisions_and_a_mark() {
    snap("review_lens", demo_review, |state| {
        decide(
            state,
            DecisionKey::Keep,
            0,
            "on-call lead, break-glass owner",
        );
        decide(state, DecisionKey::Disable, 0, "left in October");
        decide(state, DecisionKey::RevokeRole, 0, "");
        decide(state, DecisionKey::ChangeRole, 1, "moved to support");
        act(state, Action::Down);
        act(state, Action::ToggleMark);
    });
}

#[test]
fn review_justification_required_for_a_privileged_row() {
    snap("review_justification", demo_review, |state| {
        act(state, Action::Decide(DecisionKey::Keep));
        type_text(state, "  ");
        act(state, Action::Submit);
    });
}

#[test]
fn review_role_picker_for_an_account_row() {
    snap("review_role_picker", demo_review, |state| {
        act(state, Action::Bottom);
        act(state, Action::Decide(DecisionKey::ChangeRole));
        act(state, Action::Down);
    });
}

#[test]
fn review_signed_refuses_decisions() {
    snap("review_signed", demo_review_signed, |state| {
        update(state, Msg::Tick { now: NOW + 60 });
        act(state, Action::Decide(DecisionKey::Disable));
    });
}
