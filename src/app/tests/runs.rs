//! Runs the console started: items as they come back, runs that stop or cannot start, and
//! what quitting or starting says about unfinished runs.

use super::*;

#[test]
fn a_run_tracks_each_item_keeps_failed_users_marked_and_ignores_other_runs() {
    let mut state = loaded();
    for _ in 0..3 {
        act(&mut state, Action::ToggleMark);
    }
    let effects = act(&mut state, Action::Disable);
    prepared(&mut state, &effects);
    type_in(&mut state, "3");
    let (ticket, _) = applied(&act(&mut state, Action::Submit));
    update(
        &mut state,
        Msg::Run(RunMsg::Started {
            ticket,
            run: crate::runs::RunId("r1".into()),
            total: 3,
        }),
    );
    let disable = |id: &str| Change::Disable { user: id.into() };
    item(
        &mut state,
        ticket,
        0,
        disable("u01"),
        ItemResult::done("disabled", None),
    );
    item(
        &mut state,
        ticket,
        1,
        disable("u02"),
        ItemResult::skipped("already disabled", None),
    );
    item(
        &mut state,
        ticket,
        2,
        disable("u03"),
        ItemResult::failed("permission denied"),
    );
    // A message of another run changes nothing.
    item(
        &mut state,
        Ticket(999),
        0,
        disable("u07"),
        ItemResult::done("disabled", None),
    );
    assert!(state.is_animating());
    update(
        &mut state,
        Msg::Run(RunMsg::Ended {
            ticket,
            stopped: None,
            error: None,
        }),
    );
    assert_eq!(
        state.marks.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        ["u03"]
    );
    let status = |id: &str| state.store.by_id(&id.into()).map(|u| u.status);
    assert_eq!(status("u01"), Some(crate::app::store::Status::Disabled));
    assert_eq!(status("u07"), Some(crate::app::store::Status::Active));
    let Some(Overlay::Summary(summary)) = &state.overlay else {
        panic!("expected a summary");
    };
    assert_eq!(
        summary.counts,
        vec![
            ("done".into(), 1),
            ("already so".into(), 1),
            ("failed".into(), 1)
        ]
    );
    assert_eq!(summary.failures.len(), 1);
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none());
}

#[test]
fn a_run_with_two_changes_of_one_user_counts_both_items() {
    let mut state = loaded();
    let ticket = start_journal_like_run(&mut state);
    let add = Change::AddRole {
        user: "u02".into(),
        role: "r-ro".into(),
    };
    let remove = Change::RemoveRole {
        user: "u02".into(),
        role: "r-std".into(),
    };
    item(
        &mut state,
        ticket,
        0,
        add,
        ItemResult::done("role added", None),
    );
    item(&mut state, ticket, 1, remove, ItemResult::failed("boom"));
    update(
        &mut state,
        Msg::Run(RunMsg::Ended {
            ticket,
            stopped: None,
            error: None,
        }),
    );
    let Some(Overlay::Summary(summary)) = &state.overlay else {
        panic!("expected a summary");
    };
    assert_eq!(
        summary.counts,
        vec![("done".into(), 1), ("failed".into(), 1)]
    );
}

/// Resumes a journal run of two role changes of u02 through the gate; its ticket.
fn start_journal_like_run(state: &mut State) -> Ticket {
    let changes = vec![
        Change::AddRole {
            user: "u02".into(),
            role: "r-ro".into(),
        },
        Change::RemoveRole {
            user: "u02".into(),
            role: "r-std".into(),
        },
    ];
    let effects = crate::app::changes::propose(
        state,
        crate::app::changes::Purpose::Journal(crate::app::journal::RunAction::Resume),
        crate::runs::Draft::new("two changes of one user", changes),
        None,
    );
    prepared(state, &effects);
    applied(&act(state, Action::Confirm)).0
}

#[test]
fn a_stopped_run_says_what_is_left_unfinished() {
    let mut state = loaded();
    let ticket = start_journal_like_run(&mut state);
    item(
        &mut state,
        ticket,
        0,
        Change::AddRole {
            user: "u02".into(),
            role: "r-ro".into(),
        },
        ItemResult::done("role added", None),
    );
    update(
        &mut state,
        Msg::Run(RunMsg::Ended {
            ticket,
            stopped: Some("stopped: the keys lost their access".into()),
            error: None,
        }),
    );
    let toast = state.toast.clone().map(|t| t.text).unwrap_or_default();
    assert!(toast.contains("1 left unfinished"), "{toast}");
    assert!(toast.contains("J resumes"), "{toast}");
}

#[test]
fn a_run_that_could_not_start_says_nothing_was_sent() {
    let mut state = loaded();
    let effects = act(&mut state, Action::Disable);
    prepared(&mut state, &effects);
    type_in(&mut state, "1");
    let (ticket, _) = applied(&act(&mut state, Action::Submit));
    update(
        &mut state,
        Msg::Run(RunMsg::Ended {
            ticket,
            stopped: None,
            error: Some("run r1 is being carried out by another ddusers process".into()),
        }),
    );
    assert!(state.run.as_ref().is_some_and(|r| r.finished));
    let toast = state.toast.clone().map(|t| t.text).unwrap_or_default();
    assert!(toast.starts_with("Nothing was sent: run r1"), "{toast}");
}

#[test]
fn quitting_mid_run_asks_and_says_how_to_finish_later() {
    let mut state = loaded();
    act(&mut state, Action::Down);
    let effects = act(&mut state, Action::Disable);
    prepared(&mut state, &effects);
    applied(&act(&mut state, Action::Confirm));
    act(&mut state, Action::Quit);
    assert!(!state.should_quit);
    assert!(matches!(state.overlay, Some(Overlay::QuitWhileRunning)));
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none() && !state.should_quit);
    act(&mut state, Action::Quit);
    act(&mut state, Action::Confirm);
    assert!(state.should_quit);
}

#[test]
fn the_start_mentions_unfinished_runs_of_this_org() {
    let mut state = State::new(Options::default(), NOW);
    let effects = init(&mut state);
    let Some(Effect::LoadJournal { request_id }) = effects.last().cloned() else {
        panic!("init looks at the journal, got {effects:?}");
    };
    let run = |origin: &str, outcomes: Vec<Option<ItemResult>>| crate::runs::RunState {
        run: crate::runs::RunId(format!("r-{origin}")),
        at: time::OffsetDateTime::UNIX_EPOCH,
        title: "disable 2 users".into(),
        origin: origin.into(),
        of: None,
        org: None,
        by: None,
        changes: vec![Change::Disable { user: "u1".into() }; outcomes.len()],
        expect: Vec::new(),
        started: vec![true; outcomes.len()],
        before: vec![None; outcomes.len()],
        outcomes,
    };
    let listing = crate::app::journal::JournalListing {
        runs: vec![
            run("here", vec![Some(ItemResult::done("disabled", None)), None]),
            run("elsewhere", vec![None]),
        ],
        address: "here".into(),
        path: "journal.jsonl".into(),
        skipped: 0,
    };
    update(
        &mut state,
        Msg::JournalRuns {
            request_id,
            result: Ok(Box::new(listing)),
        },
    );
    let toast = state.toast.clone().map(|t| t.text).unwrap_or_default();
    assert_eq!(toast, "1 unfinished run — J to resume");
    assert!(state.overlay.is_none());
}

#[test]
fn a_second_run_waits_for_the_first() {
    let mut state = loaded();
    act(&mut state, Action::Down);
    let effects = act(&mut state, Action::Disable);
    prepared(&mut state, &effects);
    applied(&act(&mut state, Action::Confirm));
    act(&mut state, Action::Down);
    assert!(act(&mut state, Action::Disable).is_empty());
    assert!(state.plan.is_none());
}

#[test]
fn anonymized_users_are_summarised_and_the_list_reloads() {
    let mut state = loaded();
    let effects = act(&mut state, Action::Anonymize);
    prepared(&mut state, &effects);
    type_in(&mut state, ANONYMIZE_WORD);
    let (ticket, plan) = applied(&act(&mut state, Action::Submit));
    let change = plan.items()[0].change.clone();
    item(
        &mut state,
        ticket,
        0,
        change,
        ItemResult::done("anonymized (irreversible)", None),
    );
    let effects = update(
        &mut state,
        Msg::Run(RunMsg::Ended {
            ticket,
            stopped: None,
            error: None,
        }),
    );
    assert!(matches!(&effects[..], [Effect::LoadUsers { .. }]));
    assert!(matches!(state.overlay, Some(Overlay::Summary(_))));
}
