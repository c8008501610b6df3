//! The result dialog of a finished run: failures first, scrolling within bounds, `r`
//! retrying exactly the failed items as a new run through the gate, `y` copying ids.

use super::*;

/// A run of `changes` as if the gate had approved it; its ticket.
fn running(state: &mut State, title: &str, changes: &[Change]) -> Ticket {
    let ticket = Ticket(state.fresh_id());
    let purpose = Purpose::Bulk(BulkKind::Disable);
    state.run = Some(RunProgress::new(
        ticket,
        purpose,
        title.into(),
        changes.len(),
    ));
    ticket
}

fn ended(state: &mut State, ticket: Ticket) -> Vec<Effect> {
    update(state, crate::app::fixtures::run_ended(ticket))
}

fn summary(state: &State) -> &Summary {
    match &state.overlay {
        Some(Overlay::Summary(summary)) => summary,
        other => panic!("the result dialog is open, got {other:?}"),
    }
}

fn disable(id: &str) -> Change {
    Change::Disable { user: id.into() }
}

/// Eighteen disables (u01…u18): items 0, 6 and 12 done, the other fifteen failed.
fn eighteen_with_fifteen_failures(state: &mut State) {
    let ids: Vec<String> = (1..=18).map(|n| format!("u{n:02}")).collect();
    let changes: Vec<Change> = ids.iter().map(|id| disable(id)).collect();
    let ticket = running(state, "Disable 18 users", &changes);
    for (index, change) in changes.into_iter().enumerate() {
        let result = if index % 6 == 0 {
            ItemResult::done("disabled", None)
        } else {
            ItemResult::failed(format!("permission denied (403) for item {index}"))
        };
        item(state, ticket, index, change, result);
    }
    ended(state, ticket);
}

/// A run that disabled u02, every item settled.
fn one_user_disabled(state: &mut State) {
    let ticket = running(state, "Disable 1 user", &[disable("u02")]);
    let result = ItemResult::done("disabled", None);
    item(state, ticket, 0, disable("u02"), result);
    ended(state, ticket);
}

#[test]
fn the_result_dialog_lists_failures_first_then_the_rest_in_run_order() {
    let mut state = loaded();
    eighteen_with_fifteen_failures(&mut state);
    assert_eq!(state.context(), Context::Results);
    let summary = summary(&state);
    assert_eq!(summary.rows.len(), 18, "every item is listed");
    assert_eq!(summary.attention(), 15);
    assert!(summary.rows[..15].iter().all(|r| r.needs_attention));
    assert!(summary.rows[15..].iter().all(|r| r.outcome == "done"));
    let failed_first: Vec<&str> = summary.rows[..3]
        .iter()
        .filter_map(|r| r.user.as_ref().map(|u| u.as_str()))
        .collect();
    assert_eq!(
        failed_first,
        ["u02", "u03", "u04"],
        "run order within a group"
    );
    let done: Vec<&str> = summary.rows[15..]
        .iter()
        .filter_map(|r| r.user.as_ref().map(|u| u.as_str()))
        .collect();
    assert_eq!(done, ["u01", "u07", "u13"]);
    assert_eq!(summary.retry.len(), 15);
}

#[test]
fn the_result_dialog_scrolls_within_its_items() {
    let mut state = loaded();
    eighteen_with_fifteen_failures(&mut state);
    let pos = |state: &State| summary(state).cursor.pos;
    act(&mut state, Action::Up);
    assert_eq!(pos(&state), 0, "not above the first");
    act(&mut state, Action::Down);
    act(&mut state, Action::Down);
    assert_eq!(pos(&state), 2);
    act(&mut state, Action::PageDown);
    assert_eq!(pos(&state), 12);
    act(&mut state, Action::Bottom);
    assert_eq!(pos(&state), 17);
    act(&mut state, Action::Down);
    act(&mut state, Action::PageDown);
    assert_eq!(pos(&state), 17, "not below the last");
    act(&mut state, Action::PageUp);
    assert_eq!(pos(&state), 7);
    act(&mut state, Action::Top);
    assert_eq!(pos(&state), 0);
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none(), "Enter or Esc closes");
}

#[test]
fn r_in_the_result_dialog_retries_exactly_the_failed_items_as_a_new_run() {
    let mut state = loaded();
    let add = |user: &str| Change::AddRole {
        user: user.into(),
        role: "r-ro".into(),
    };
    let changes = [add("u02"), add("u03"), add("u04"), add("u06")];
    let ticket = running(&mut state, "Add Read Only to 4 users", &changes);
    let results = [
        ItemResult::done("role added", None),
        ItemResult::failed("the service answered 500"),
        ItemResult::skipped("already has the role", None),
        ItemResult::Unfinished {
            reason: "the run stopped".into(),
        },
    ];
    for (index, (change, result)) in changes.iter().zip(results).enumerate() {
        item(&mut state, ticket, index, change.clone(), result);
    }
    ended(&mut state, ticket);
    let effects = act(&mut state, Action::RetryFailed);
    let Some(Effect::Prepare { draft, .. }) = effects.first() else {
        panic!("a retry goes through the gate first, got {effects:?}");
    };
    let sent: Vec<Change> = draft.items().into_iter().map(|i| i.change).collect();
    assert_eq!(sent, [add("u03"), add("u06")], "only what did not settle");
    assert!(
        matches!(&**draft, crate::runs::Draft::New { title, .. } if title == "Retry: Add Read Only to 4 users"),
        "a new run, not a resume of the old one: {draft:?}"
    );
    let plan = state.plan.as_ref().expect("the change dialog");
    assert_eq!(plan.purpose, Purpose::Retry);
    assert!(
        matches!(state.overlay, Some(Overlay::Summary(_))),
        "the results stay under the confirmation"
    );
    prepared(&mut state, &effects);
    let (_, checked) = applied(&act(&mut state, Action::Confirm));
    let items: Vec<Change> = checked.items().iter().map(|i| i.change.clone()).collect();
    assert_eq!(items, [add("u03"), add("u06")]);
    assert!(
        matches!(checked.kind(), crate::runs::RunKind::Fresh { of: None }),
        "journaled as a run of its own"
    );
    assert!(state.overlay.is_none(), "the dialog gives way to the run");
}

#[test]
fn cancelling_a_retry_comes_back_to_the_results() {
    let mut state = loaded();
    eighteen_with_fifteen_failures(&mut state);
    act(&mut state, Action::RetryFailed);
    assert!(state.plan.is_some());
    act(&mut state, Action::Cancel);
    assert!(state.plan.is_none());
    assert_eq!(state.context(), Context::Results);
}

#[test]
fn nothing_is_retried_when_every_item_settled() {
    let mut state = loaded();
    one_user_disabled(&mut state);
    assert!(act(&mut state, Action::RetryFailed).is_empty());
    assert!(state.plan.is_none());
}

#[test]
fn y_copies_the_failed_users_ids_or_every_id_when_none_failed() {
    let mut state = loaded();
    eighteen_with_fifteen_failures(&mut state);
    let effects = act(&mut state, Action::CopyIds);
    let [Effect::CopyToClipboard { text }] = &effects[..] else {
        panic!("one clipboard effect, got {effects:?}");
    };
    let ids: Vec<&str> = text.lines().collect();
    assert_eq!(ids.len(), 15);
    assert_eq!(ids[..2], ["u02", "u03"]);
    assert!(!ids.contains(&"u01"), "a done item is not copied");
    let toast = state.toast.as_ref().expect("a toast");
    assert!(toast.text.contains("copied 15 ids"), "{toast:?}");

    let mut state = loaded();
    one_user_disabled(&mut state);
    let effects = act(&mut state, Action::CopyIds);
    assert_eq!(effects, [Effect::CopyToClipboard { text: "u02".into() }]);
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("copied 1 id ")));
}
