//! The journal view: runs, their items, resume and undo through the gate.

use super::*;

#[test]
fn the_journal_lists_runs_newest_first_and_shows_items() {
    let mut state = loaded_with_roles();
    journal_open(&mut state);
    assert_eq!(state.context(), Context::Journal);
    let ids: Vec<&str> = journal(&state)
        .runs
        .iter()
        .map(|r| r.run.0.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "20261103T000000-cccc",
            "20261102T000000-bbbb",
            "20261101T000000-aaaa"
        ]
    );
    act(&mut state, Action::Down);
    act(&mut state, Action::Down);
    act(&mut state, Action::Down);
    assert_eq!(journal(&state).cursor.pos, 2);
    act(&mut state, Action::Submit);
    assert_eq!(journal(&state).items, Some(0));
    act(&mut state, Action::Cancel);
    assert_eq!(journal(&state).items, None);
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none());
}

#[test]
fn undo_goes_through_the_gate_and_its_items_come_back_by_ticket() {
    let mut state = loaded_with_roles();
    journal_open(&mut state);
    act(&mut state, Action::Bottom); // the complete run here
    let effects = act(&mut state, Action::UndoRun);
    assert!(matches!(&effects[..], [Effect::Prepare { .. }]));
    // Cancel keeps the journal open and sends nothing.
    assert!(act(&mut state, Action::Cancel).is_empty());
    assert!(state.plan.is_none());
    journal(&state);
    let effects = act(&mut state, Action::UndoRun);
    prepared_at_address(&mut state, &effects);
    assert_eq!(state.context(), Context::Confirm);
    let effects = act(&mut state, Action::Submit);
    let [Effect::Apply { ticket, plan }] = &effects[..] else {
        panic!("one apply, got {effects:?}");
    };
    assert!(effects[0].is_mutating());
    let changes: Vec<&Change> = plan.items().iter().map(|i| &i.change).collect();
    assert_eq!(
        changes,
        [
            &Change::Enable { user: "u2".into() },
            &Change::Enable { user: "u1".into() }
        ],
        "newest first"
    );
    assert_eq!(state.run.as_ref().map(|r| r.total), Some(2));
    for (index, change) in changes.into_iter().enumerate() {
        update(
            &mut state,
            Msg::Run(RunMsg::Item {
                ticket: *ticket,
                report: Box::new(crate::runs::ItemReport {
                    index,
                    change: change.clone(),
                    result: ItemResult::done("enabled (now Active)", None),
                }),
            }),
        );
    }
    let effects = update(
        &mut state,
        Msg::Run(RunMsg::Ended {
            ticket: *ticket,
            stopped: None,
            error: None,
        }),
    );
    assert!(matches!(effects[..], [Effect::LoadUsers { .. }]));
    let Some(Overlay::Summary(summary)) = &state.overlay else {
        panic!("a summary");
    };
    assert_eq!(summary.counts, vec![("done".to_owned(), 2)]);
}

#[test]
fn resume_plans_only_what_is_left() {
    let mut state = loaded_with_roles();
    journal_open(&mut state);
    act(&mut state, Action::Down); // the interrupted run
    let effects = act(&mut state, Action::ResumeRun);
    prepared_at_address(&mut state, &effects);
    let effects = act(&mut state, Action::Confirm);
    let [Effect::Apply { plan, .. }] = &effects[..] else {
        panic!("one apply, got {effects:?}");
    };
    assert_eq!(
        plan.kind(),
        &crate::runs::RunKind::Resume(RunId("20261102T000000-bbbb".into()))
    );
    let left: Vec<&str> = plan.items().iter().map(|i| i.change.target()).collect();
    assert_eq!(left, ["u4"]);
    assert_eq!(
        plan.items()[0].index,
        1,
        "the item keeps its number in the run"
    );
}

#[test]
fn another_orgs_run_is_refused_by_the_gate_and_a_complete_run_has_nothing_to_resume() {
    let mut state = loaded_with_roles();
    journal_open(&mut state);
    // Newest: another org's run.
    let effects = act(&mut state, Action::ResumeRun);
    prepared_at_address(&mut state, &effects);
    let verdict = state
        .plan
        .as_ref()
        .and_then(|p| p.verdict())
        .expect("checked");
    assert!(verdict.plan().is_none());
    let refusal = verdict.summary.refusals[0].line();
    assert!(
        refusal.contains("api.datadoghq.eu") && refusal.contains(ADDRESS),
        "{refusal}"
    );
    assert!(act(&mut state, Action::Confirm).is_empty());
    act(&mut state, Action::Cancel);
    // Oldest: complete, nothing to resume.
    act(&mut state, Action::Bottom);
    assert!(act(&mut state, Action::ResumeRun).is_empty());
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("complete")));
    // Read-only: explained, nothing asked or sent.
    update(
        &mut state,
        Msg::Access(Access::known(true, Some("read-only mode".into()))),
    );
    assert!(act(&mut state, Action::UndoRun).is_empty());
    assert!(state.plan.is_none());
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("read-only")));
}

#[test]
fn a_run_that_cannot_start_says_why_and_sends_nothing() {
    let mut state = loaded_with_roles();
    journal_open(&mut state);
    act(&mut state, Action::Bottom);
    let effects = act(&mut state, Action::UndoRun);
    prepared_at_address(&mut state, &effects);
    let effects = act(&mut state, Action::Confirm);
    let [Effect::Apply { ticket, .. }] = &effects[..] else {
        panic!("apply");
    };
    update(
        &mut state,
        Msg::Run(RunMsg::Ended {
            ticket: *ticket,
            stopped: None,
            error: Some(
                "run 20261101T000000-aaaa is being carried out by another ddusers process".into(),
            ),
        }),
    );
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("another ddusers process")));
}
