//! An access review open as the list (`:review FILE`, `ddusers review open`): a row per
//! review item, decisions by key (the role picker and the justification line), marked
//! rows decided together, the justification rule, a signed review refused, narrowing,
//! the next undecided row, and every decision written once by an effect, a failed write
//! shown as such.

use super::*;
use crate::app::action::DecisionKey;
use crate::app::fixtures::{demo_review, demo_review_signed};
use crate::app::msg::ReviewMsg;
use crate::review::{Decision, Review};

/// Ada Lovelace's admin-role row (privileged) and Taro's account row (two roles held).
const ADA: &str = "ada@example.com";
const TARO: &str = "taro.yamada@example.jp";

fn opened(state: &mut State, review: Review) {
    let opened = OpenedReview {
        path: "q4.json".into(),
        review,
        decider: "tester".into(),
        note: None,
    };
    update(state, Msg::Review(ReviewMsg::Opened(Ok(Box::new(opened)))));
}

/// The demo org loaded, its review open.
fn reviewing() -> State {
    let mut state = loaded_with_roles();
    opened(&mut state, demo_review());
    state
}

fn lens(state: &State) -> &ReviewLens {
    state.review.active.as_ref().expect("the review is open")
}

/// The item of `email`'s (first) row.
fn item_of(state: &State, email: &str) -> usize {
    let items = &lens(state).review.items;
    items
        .iter()
        .position(|i| i.user.email == email)
        .unwrap_or_else(|| panic!("{email} has a row"))
}

/// Puts the cursor on `email`'s row.
fn go_to(state: &mut State, email: &str) {
    let item = item_of(state, email);
    let pos = lens(state)
        .rows
        .iter()
        .position(|r| *r == item)
        .expect("the row is shown");
    let lens = state.review.active.as_mut().expect("open");
    lens.cursor.select(pos, lens.rows.len(), 10);
}

fn decision_of(state: &State, email: &str) -> Option<(Decision, String, String)> {
    let item = &lens(state).review.items[item_of(state, email)];
    let decided = item.decision.as_ref()?;
    Some((
        decided.decision.clone(),
        decided.why.clone(),
        decided.by.clone(),
    ))
}

/// The revisions of the review writes among `effects`.
fn writes(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::WriteReview { revision, path, .. } => {
                assert_eq!(path, std::path::Path::new("q4.json"));
                Some(*revision)
            }
            _ => None,
        })
        .collect()
}

fn justification(state: &State) -> &Justification {
    match &state.overlay {
        Some(Overlay::ReviewDecision(dialog)) => match &dialog.step {
            DecisionStep::Justify(line) => line,
            other => panic!("expected the justification line, got {other:?}"),
        },
        other => panic!("expected a decision dialog, got {other:?}"),
    }
}

fn picker(state: &State) -> &RolePick {
    match &state.overlay {
        Some(Overlay::ReviewDecision(dialog)) => match &dialog.step {
            DecisionStep::PickRole(pick) => pick,
            other => panic!("expected the role picker, got {other:?}"),
        },
        other => panic!("expected a decision dialog, got {other:?}"),
    }
}

fn picked_names(state: &State) -> Vec<String> {
    picker(state).roles.iter().map(|r| r.name.clone()).collect()
}

fn toast(state: &State) -> String {
    state
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

/// Decides the cursor's row (or the marked rows) with `key`, justified by `why`.
fn decide(state: &mut State, key: DecisionKey, why: &str) -> Vec<Effect> {
    let mut effects = act(state, Action::Decide(key));
    effects.extend(type_in(state, why));
    effects.extend(act(state, Action::Submit));
    effects
}

#[test]
fn a_review_opens_as_a_row_per_item_with_its_progress_in_the_title() {
    let mut state = reviewing();
    let review = demo_review();
    assert_eq!(
        lens(&state).rows,
        (0..review.items.len()).collect::<Vec<_>>()
    );
    assert_eq!(review.items.len(), 10);
    assert_eq!(state.context(), Context::Review);
    assert_eq!(
        crate::app::review::title(lens(&state)),
        "Review \"Q4 2026\": 0 of 10 decided"
    );
    assert!(toast(&state).contains("y keep"), "{}", toast(&state));
    // Deciding counts as it goes.
    go_to(&mut state, TARO);
    decide(&mut state, DecisionKey::Keep, "");
    assert_eq!(
        crate::app::review::title(lens(&state)),
        "Review \"Q4 2026\": 1 of 10 decided"
    );
}

#[test]
fn a_review_read_while_the_org_loads_opens_once_it_is_loaded() {
    let (mut state, request_id) = started();
    opened(&mut state, demo_review());
    assert!(state.review.active.is_none() && state.review.pending.is_some());
    answer_listing(&mut state, request_id);
    assert_eq!(lens(&state).rows.len(), 10);
    assert!(state.review.pending.is_none());
}

#[test]
fn review_file_is_read_by_an_effect_and_a_bad_one_is_said() {
    let mut state = loaded_with_roles();
    let effects = command(&mut state, "review ~/reviews/q4 2026.json");
    assert_eq!(
        effects,
        [Effect::ReadReview {
            path: "~/reviews/q4 2026.json".into()
        }]
    );
    update(
        &mut state,
        Msg::Review(ReviewMsg::Opened(Err(
            "q4.json is not a ddusers review".into()
        ))),
    );
    assert!(state.review.active.is_none());
    assert!(toast(&state).contains("is not a ddusers review"));
    command(&mut state, "review undecided");
    assert!(toast(&state).contains("No review is open"));
}

#[test]
fn keeping_a_privileged_row_needs_a_justification_and_refuses_an_empty_one() {
    let mut state = reviewing();
    go_to(&mut state, ADA);
    assert!(act(&mut state, Action::Decide(DecisionKey::Keep)).is_empty());
    assert_eq!(state.context(), Context::Justify);
    assert!(justification(&state).required);
    type_in(&mut state, "   ");
    assert!(
        act(&mut state, Action::Submit).is_empty(),
        "nothing written"
    );
    assert!(justification(&state)
        .error
        .as_deref()
        .is_some_and(|e| e.contains("Required")));
    assert_eq!(decision_of(&state, ADA), None);
    // Pasted (on one line) like typed.
    update(&mut state, Msg::Paste("on-call\nlead".into()));
    let effects = act(&mut state, Action::Submit);
    assert_eq!(writes(&effects), [1]);
    assert!(state.overlay.is_none());
    assert_eq!(
        decision_of(&state, ADA),
        Some((Decision::Keep, "on-call lead".into(), "tester".into()))
    );
    // A plain row's justification is optional.
    go_to(&mut state, TARO);
    act(&mut state, Action::Decide(DecisionKey::Keep));
    assert!(!justification(&state).required);
    assert_eq!(writes(&act(&mut state, Action::Submit)), [2]);
    assert_eq!(decision_of(&state, TARO).map(|d| d.0), Some(Decision::Keep));
}

#[test]
fn marked_rows_are_decided_together_and_the_marks_go() {
    let mut state = reviewing();
    go_to(&mut state, "alan@example.com");
    act(&mut state, Action::ToggleMark);
    go_to(&mut state, "barbara@example.com");
    act(&mut state, Action::ToggleMark);
    assert_eq!(lens(&state).marks.len(), 2);
    let effects = decide(&mut state, DecisionKey::Disable, "left in October");
    assert_eq!(writes(&effects), [1], "one write for the decision");
    for email in ["alan@example.com", "barbara@example.com"] {
        assert_eq!(
            decision_of(&state, email),
            Some((Decision::Disable, "left in October".into(), "tester".into()))
        );
    }
    assert_eq!(lens(&state).decided, 2);
    assert!(lens(&state).marks.is_empty());
    assert!(toast(&state).contains("disable: 2 rows — 2 of 10 decided"));
    // Marking every row shown, then one key: all of them, in one write.
    act(&mut state, Action::MarkAllInView);
    assert_eq!(lens(&state).marks.len(), 10);
    act(&mut state, Action::Decide(DecisionKey::Keep));
    assert!(justification(&state).required, "Ada and Ken are among them");
    type_in(&mut state, "confirmed with managers");
    assert_eq!(writes(&act(&mut state, Action::Submit)), [2]);
    assert_eq!(lens(&state).decided, 10);
}

#[test]
fn revoking_on_an_account_row_asks_which_role_and_a_user_without_one_is_refused() {
    let mut state = reviewing();
    go_to(&mut state, TARO);
    act(&mut state, Action::Decide(DecisionKey::RevokeRole));
    assert_eq!(state.context(), Context::Picker);
    assert_eq!(
        picked_names(&state),
        ["Datadog Read Only Role", "Datadog Standard Role"]
    );
    act(&mut state, Action::Down);
    assert!(act(&mut state, Action::Submit).is_empty());
    assert!(!justification(&state).required);
    let effects = act(&mut state, Action::Submit);
    assert_eq!(writes(&effects), [1]);
    let Some((Decision::RevokeRole { role }, _, _)) = decision_of(&state, TARO) else {
        panic!("a revocation is recorded");
    };
    assert_eq!(role.name, "Datadog Standard Role");

    // A privileged row revokes its own role: no question.
    go_to(&mut state, ADA);
    act(&mut state, Action::Decide(DecisionKey::RevokeRole));
    assert_eq!(state.context(), Context::Justify);
    act(&mut state, Action::Submit);
    let Some((Decision::RevokeRole { role }, _, _)) = decision_of(&state, ADA) else {
        panic!("a revocation is recorded");
    };
    assert_eq!(role.name, "Datadog Admin Role");

    // No role at all: said, nothing opens.
    go_to(&mut state, "noname@example.com");
    assert!(act(&mut state, Action::Decide(DecisionKey::RevokeRole)).is_empty());
    assert!(state.overlay.is_none());
    assert!(
        toast(&state).contains("holds no role to revoke: d disables"),
        "{}",
        toast(&state)
    );
}

#[test]
fn changing_a_role_picks_the_new_one_and_esc_records_nothing() {
    let mut state = reviewing();
    go_to(&mut state, ADA);
    act(&mut state, Action::Decide(DecisionKey::ChangeRole));
    let names = picked_names(&state);
    assert!(
        !names.contains(&"Datadog Admin Role".to_owned()),
        "{names:?}"
    );
    assert!(matches!(
        &picker(&state).purpose,
        PickFor::ChangeTo { from } if from.name == "Datadog Admin Role"
    ));
    // Esc: nothing recorded, nothing written.
    assert!(act(&mut state, Action::Cancel).is_empty());
    assert!(state.overlay.is_none() && decision_of(&state, ADA).is_none());

    act(&mut state, Action::Decide(DecisionKey::ChangeRole));
    let standard = names
        .iter()
        .position(|n| n == "Datadog Standard Role")
        .expect("the standard role is offered");
    for _ in 0..standard {
        act(&mut state, Action::Down);
    }
    act(&mut state, Action::ToggleItem);
    assert!(!justification(&state).required, "no admin access kept");
    assert_eq!(writes(&act(&mut state, Action::Submit)), [1]);
    let Some((Decision::ChangeRole { from, to }, _, _)) = decision_of(&state, ADA) else {
        panic!("a change is recorded");
    };
    assert_eq!(
        (from.name.as_str(), to.name.as_str()),
        ("Datadog Admin Role", "Datadog Standard Role")
    );

    // Taro's two roles: which one changes is asked first.
    go_to(&mut state, TARO);
    act(&mut state, Action::Decide(DecisionKey::ChangeRole));
    assert_eq!(picker(&state).purpose, PickFor::ChangeFrom);
    act(&mut state, Action::Submit);
    assert!(matches!(
        &picker(&state).purpose,
        PickFor::ChangeTo { from } if from.name == "Datadog Read Only Role"
    ));
}

#[test]
fn delete_clears_decisions_and_writes_the_review() {
    let mut state = reviewing();
    go_to(&mut state, TARO);
    decide(&mut state, DecisionKey::Disable, "");
    go_to(&mut state, TARO);
    assert_eq!(lens(&state).decided, 1);
    let effects = act(&mut state, Action::Undecide);
    assert_eq!(writes(&effects), [2]);
    assert_eq!(decision_of(&state, TARO), None);
    assert_eq!(lens(&state).decided, 0);
    // Nothing to clear: nothing written.
    assert!(act(&mut state, Action::Undecide).is_empty());
    assert!(toast(&state).contains("No decision to clear"));
}

#[test]
fn a_signed_review_opens_and_refuses_every_decision() {
    let mut state = loaded_with_roles();
    opened(&mut state, demo_review_signed());
    assert!(toast(&state).contains("signed by Ada Lovelace"));
    for key in [
        Action::Decide(DecisionKey::Keep),
        Action::Decide(DecisionKey::Disable),
        Action::Decide(DecisionKey::RevokeRole),
        Action::Decide(DecisionKey::ChangeRole),
        Action::Undecide,
    ] {
        state.toast = None;
        assert!(act(&mut state, key).is_empty(), "{key:?} writes nothing");
        assert!(state.overlay.is_none(), "{key:?} opens nothing");
        let said = toast(&state);
        assert!(
            said.contains("signed by Ada Lovelace <ada@example.com>")
                && said.contains("decisions are final"),
            "{key:?}: {said}"
        );
    }
    assert!(crate::app::review::title(lens(&state)).ends_with("10 of 10 decided, signed"));
}

#[test]
fn review_narrows_to_undecided_rows_or_one_decision_and_back() {
    let mut state = reviewing();
    go_to(&mut state, TARO);
    decide(&mut state, DecisionKey::Disable, "");
    go_to(&mut state, ADA);
    decide(&mut state, DecisionKey::Keep, "break-glass owner");
    command(&mut state, "review disable");
    assert_eq!(lens(&state).rows, [item_of(&state, TARO)]);
    assert_eq!(lens(&state).only, Narrow::Only("disable"));
    command(&mut state, "review keep");
    assert_eq!(lens(&state).rows, [item_of(&state, ADA)]);
    command(&mut state, "review decided");
    assert_eq!(lens(&state).rows.len(), 2);
    command(&mut state, "review undecided");
    assert_eq!(lens(&state).rows.len(), 8);
    // A row decided while narrowed stays where it is until the rows are listed again.
    act(&mut state, Action::Top);
    decide(&mut state, DecisionKey::Disable, "");
    assert_eq!(lens(&state).rows.len(), 8);
    command(&mut state, "review undecided");
    assert_eq!(lens(&state).rows.len(), 7);
    command(&mut state, "review all");
    assert_eq!(lens(&state).rows.len(), 10);
}

#[test]
fn n_goes_to_the_next_undecided_row_then_from_the_top() {
    let mut state = reviewing();
    // Keep the second and third rows; from the first, n skips them.
    act(&mut state, Action::Down);
    act(&mut state, Action::ToggleMark);
    act(&mut state, Action::ToggleMark);
    decide(&mut state, DecisionKey::Disable, "");
    act(&mut state, Action::Top);
    act(&mut state, Action::NextUndecided);
    assert_eq!(lens(&state).cursor.pos, 3);
    // From the last row, n wraps to the first undecided one.
    act(&mut state, Action::Bottom);
    act(&mut state, Action::NextUndecided);
    assert_eq!(lens(&state).cursor.pos, 0);
    // Deciding the cursor's row goes on to the next undecided one by itself.
    decide(&mut state, DecisionKey::Disable, "");
    assert_eq!(lens(&state).cursor.pos, 3);
    // Once all are decided, n says so.
    act(&mut state, Action::MarkAllInView);
    decide(&mut state, DecisionKey::Keep, "fine");
    act(&mut state, Action::NextUndecided);
    assert_eq!(toast(&state), "Every row shown is decided");
}

#[test]
fn each_decision_is_written_once_and_in_order() {
    let mut state = reviewing();
    let mut revisions = Vec::new();
    for _ in 0..3 {
        revisions.extend(writes(&decide(&mut state, DecisionKey::Disable, "")));
    }
    act(&mut state, Action::Top);
    revisions.extend(writes(&act(&mut state, Action::Undecide)));
    assert_eq!(revisions, [1, 2, 3, 4]);
    // A write carries every row not saved yet, as it stands now: those of the writes
    // still under way too (a write waiting is replaced by the newest).
    let rows_of = |effects: &[Effect]| match effects {
        [Effect::WriteReview { rows, .. }] => rows
            .iter()
            .map(|r| (r.row, r.decided.as_ref().map(|d| d.decision.name())))
            .collect::<Vec<_>>(),
        other => panic!("one write, got {other:?}"),
    };
    let effects = decide(&mut state, DecisionKey::Disable, "");
    let disabled = Some("disable");
    assert_eq!(
        rows_of(&effects),
        [(0, disabled), (1, disabled), (2, disabled)]
    );
    let id = lens(&state).id;
    let result = Ok(());
    let saved = ReviewMsg::Saved {
        lens: id,
        revision: 5,
        result,
    };
    update(&mut state, Msg::Review(saved));
    let effects = decide(&mut state, DecisionKey::Disable, "");
    assert_eq!(rows_of(&effects), [(3, disabled)], "only what is not saved");
    // Moving around, narrowing, filtering and cancelling write nothing.
    for action in [
        Action::Down,
        Action::Up,
        Action::Bottom,
        Action::NextUndecided,
    ] {
        assert!(act(&mut state, action).is_empty());
    }
    act(&mut state, Action::Decide(DecisionKey::Keep));
    assert!(act(&mut state, Action::Cancel).is_empty());
    assert!(command(&mut state, "review undecided").is_empty());
}

#[test]
fn a_failed_write_is_shown_and_its_decisions_stay_unsaved_until_a_write_lands() {
    let mut state = reviewing();
    go_to(&mut state, TARO);
    decide(&mut state, DecisionKey::Disable, "");
    let id = lens(&state).id;
    let taro = item_of(&state, TARO);
    assert_eq!(lens(&state).unsaved.get(&taro), Some(&1));
    let saved = |state: &mut State, revision, result| {
        update(
            state,
            Msg::Review(ReviewMsg::Saved {
                lens: id,
                revision,
                result,
            }),
        )
    };
    saved(
        &mut state,
        1,
        Err("could not write q4.json: disk full".into()),
    );
    assert_eq!(lens(&state).unsaved.get(&taro), Some(&1), "not saved");
    assert_eq!(
        lens(&state).save_error.as_deref(),
        Some("could not write q4.json: disk full")
    );
    let said = state.toast.clone().expect("said");
    assert_eq!(said.level, Level::Error);
    assert!(said.text.contains("disk full") && said.text.contains(":review save"));
    // Another lens's answer changes nothing here.
    update(
        &mut state,
        Msg::Review(ReviewMsg::Saved {
            lens: id + 100,
            revision: 5,
            result: Ok(()),
        }),
    );
    assert!(lens(&state).save_error.is_some());
    // `:review save` writes it all again; once it lands, everything is saved.
    let again = command(&mut state, "review save");
    assert_eq!(writes(&again), [1]);
    saved(&mut state, 1, Ok(()));
    assert!(lens(&state).unsaved.is_empty() && lens(&state).save_error.is_none());
    // A write of an older revision does not cover a newer decision.
    go_to(&mut state, ADA);
    decide(&mut state, DecisionKey::Disable, "");
    go_to(&mut state, "alan@example.com");
    decide(&mut state, DecisionKey::Disable, "");
    saved(&mut state, 2, Ok(()));
    assert_eq!(lens(&state).unsaved.len(), 1);
    saved(&mut state, 3, Ok(()));
    assert!(lens(&state).unsaved.is_empty());
}

#[test]
fn the_filter_matches_users_roles_reasons_and_decisions() {
    let mut state = reviewing();
    go_to(&mut state, TARO);
    decide(&mut state, DecisionKey::Disable, "left in October");
    let shown = |state: &State| -> Vec<String> {
        let lens = lens(state);
        lens.rows
            .iter()
            .map(|r| lens.review.items[*r].user.email.clone())
            .collect()
    };
    act(&mut state, Action::StartFilter);
    assert_eq!(state.context(), Context::Filter);
    type_in(&mut state, "admin role");
    let mut admins = shown(&state);
    admins.sort();
    assert_eq!(admins, [ADA, "ken@example.com"]);
    retype_filter(&mut state, "october");
    assert_eq!(shown(&state), [TARO]);
    retype_filter(&mut state, "status:pending");
    let mut pending = shown(&state);
    pending.sort();
    assert_eq!(pending, ["noname@example.com", "zoe@example.com"]);
    retype_filter(&mut state, "bjorn");
    assert_eq!(shown(&state), ["bjorn@example.com"]);
    // Esc on the line clears it; Esc in the list then closes the review.
    act(&mut state, Action::Submit);
    assert_eq!(state.context(), Context::Review);
    act(&mut state, Action::Back);
    assert_eq!(lens(&state).rows.len(), 10);
    act(&mut state, Action::Back);
    assert!(state.review.active.is_none());
    assert_eq!(state.context(), Context::Browse);
}

#[test]
fn commands_that_change_users_wait_until_the_review_is_closed() {
    let mut state = reviewing();
    assert!(command(&mut state, "disable").is_empty());
    assert!(state.plan.is_none());
    assert!(toast(&state).contains("close it (Esc)"));
    // `:mark` marks the review's rows.
    command(&mut state, "mark");
    assert_eq!(lens(&state).marks.len(), 10);
    command(&mut state, "review off");
    assert!(state.review.active.is_none());
}
