//! Changes through the gate: plans, confirmations, refusals, runs and their results.

use super::*;

#[test]
fn disabling_reads_the_org_first_and_says_how_many_marked_users_are_hidden() {
    let mut state = loaded();
    act(&mut state, Action::ToggleMark); // u01
    act(&mut state, Action::ToggleMark); // u02
    act(&mut state, Action::StartFilter);
    type_in(&mut state, "bjorn");
    act(&mut state, Action::Submit);
    let effects = act(&mut state, Action::Disable);
    assert!(
        matches!(&effects[..], [Effect::Prepare { .. }]),
        "nothing is sent before the check"
    );
    assert!(state.plan.as_ref().is_some_and(|p| p.is_preparing()));
    assert!(prepared(&mut state, &effects).is_empty());
    let summary = &verdict(&state).summary;
    assert_eq!(summary.users, 2);
    assert_eq!(summary.hidden_by_filter, Some(1));
    assert_eq!(summary.admins.len(), 1, "u01 holds the admin role");
    assert_eq!(summary.confirmation, Confirmation::Type("2".into()));
    let keys = summary.keys.as_ref().expect("a disable revokes keys");
    assert_eq!(keys.total, 1);
    assert_eq!(state.context(), Context::TypedConfirm);
    // Enter alone, or a wrong number, does nothing.
    assert!(act(&mut state, Action::Submit).is_empty());
    type_in(&mut state, "3");
    assert!(act(&mut state, Action::Submit).is_empty());
    act(&mut state, Action::TextEdit(InputRequest::DeletePrevChar));
    type_in(&mut state, "2");
    let (_, plan) = applied(&act(&mut state, Action::Submit));
    assert_eq!(plan.items().len(), 2);
    assert!(state.plan.is_none());
}

#[test]
fn a_small_plain_disable_takes_y_but_never_enter() {
    let mut state = loaded();
    act(&mut state, Action::Down); // u02, a standard user
    let effects = act(&mut state, Action::Disable);
    prepared(&mut state, &effects);
    assert_eq!(verdict(&state).summary.confirmation, Confirmation::Yes);
    assert_eq!(state.context(), Context::Confirm);
    assert!(
        act(&mut state, Action::Submit).is_empty(),
        "Enter is not yes"
    );
    assert!(state.plan.as_ref().is_some_and(|p| p.hint.is_some()));
    applied(&act(&mut state, Action::Confirm));
}

#[test]
fn a_set_with_a_service_account_asks_for_the_count_and_names_it() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::ServiceAccounts));
    let effects = act(&mut state, Action::Disable);
    prepared(&mut state, &effects);
    let summary = &verdict(&state).summary;
    assert_eq!(summary.service_accounts.len(), 1);
    assert_eq!(summary.confirmation, Confirmation::Type("1".into()));
    let lines: Vec<String> = summary.lines(3).into_iter().map(|l| l.text).collect();
    assert!(
        lines.iter().any(|l| l.contains("service accounts: CI bot")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("1 used in the last 30 days")),
        "{lines:?}"
    );
}

#[test]
fn changes_are_refused_until_the_permissions_are_known() {
    let mut state = State::new(Options::default(), NOW);
    init(&mut state);
    let request_id = state
        .load
        .request
        .current()
        .expect("a listing was asked for");
    demo_page_arrives(&mut state, request_id);
    assert!(act(&mut state, Action::Disable).is_empty());
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("checking your permissions")));
    update(
        &mut state,
        Msg::Access(Access {
            check: AccessCheck::Failed("network problem".into()),
            ..Access::default()
        }),
    );
    assert!(act(&mut state, Action::Disable).is_empty());
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("could not be read")));
}

#[test]
fn a_plan_whose_facts_could_not_be_read_sends_nothing() {
    let mut state = loaded();
    let effects = act(&mut state, Action::Disable);
    let Some(Effect::Prepare { plan, .. }) = effects.first().cloned() else {
        panic!("expected a prepare");
    };
    let next = update(
        &mut state,
        Msg::Run(RunMsg::Prepared {
            plan,
            result: Err("permission denied (403)".into()),
        }),
    );
    assert!(next.is_empty());
    assert!(act(&mut state, Action::Confirm).is_empty());
    assert!(act(&mut state, Action::Submit).is_empty());
    assert!(state.plan.is_none(), "Enter closes the failed check");
}

#[test]
fn disabling_yourself_is_refused_unless_you_type_your_email_and_then_runs_last() {
    let mut state = loaded();
    act(&mut state, Action::ToggleMark); // u01: the caller below
    act(&mut state, Action::ToggleMark); // u02
    let effects = act(&mut state, Action::Disable);
    prepared_as(&mut state, &effects, "u01");
    let plan = state.plan.as_ref().expect("a dialog");
    assert!(plan.asks_for_email());
    assert_eq!(state.context(), Context::TypedConfirm);
    type_in(&mut state, "someone@example.com");
    assert!(act(&mut state, Action::Submit).is_empty());
    assert!(state.plan.as_ref().is_some_and(|p| p.hint.is_some()));
    act(&mut state, Action::TextEdit(InputRequest::DeleteLine));
    type_in(&mut state, "ADA@example.com");
    assert!(act(&mut state, Action::Submit).is_empty());
    let summary = &verdict(&state).summary;
    assert!(summary.refusals.is_empty() && summary.includes_you);
    type_in(&mut state, "2");
    let (_, plan) = applied(&act(&mut state, Action::Submit));
    let order: Vec<&str> = plan.items().iter().map(|i| i.change.target()).collect();
    assert_eq!(order, ["u02", "u01"], "the caller's own item runs last");
}

#[test]
fn disabling_the_last_admins_is_refused_with_no_way_round_it() {
    let mut state = loaded();
    act(&mut state, Action::ToggleMark); // u01
    act(&mut state, Action::Bottom);
    act(&mut state, Action::Up); // u11 (the list is in load order)
    act(&mut state, Action::ToggleMark);
    assert_eq!(state.marks.len(), 2);
    let effects = act(&mut state, Action::Disable);
    prepared_as(&mut state, &effects, "u01");
    assert!(
        !state.plan.as_ref().is_some_and(|p| p.asks_for_email()),
        "allowing yourself would not help: no email to type"
    );
    let verdict = verdict(&state);
    assert!(verdict.plan().is_none());
    assert!(verdict
        .summary
        .refusals
        .iter()
        .any(|r| r.rule == crate::runs::Rule::LastAdmin));
    assert_eq!(state.context(), Context::Summary);
    assert!(act(&mut state, Action::Confirm).is_empty());
    assert!(act(&mut state, Action::Submit).is_empty());
    assert!(state.plan.is_none());
}

#[test]
fn cancelling_a_plan_sends_nothing() {
    let mut state = loaded();
    let effects = act(&mut state, Action::Disable);
    prepared(&mut state, &effects);
    assert!(act(&mut state, Action::Cancel).is_empty());
    assert!(state.plan.is_none());
    assert!(state.run.is_none());
    // A late answer for the cancelled plan changes nothing.
    assert!(prepared(&mut state, &effects).is_empty());
    assert!(state.plan.is_none());
}

#[test]
fn already_disabled_users_are_left_out_of_a_disable() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Disabled));
    assert!(act(&mut state, Action::Disable).is_empty());
    assert!(state.plan.is_none());
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("already disabled")));
    act(&mut state, Action::SelectTab(StatusTab::All));
    act(&mut state, Action::MarkAllInView);
    act(&mut state, Action::Disable);
    let plan = state.plan.as_ref().expect("a dialog");
    assert_eq!(plan.draft.items().len(), 10);
    assert_eq!(plan.left_out.map(|(n, _)| n), Some(2));
}

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
    assert_eq!(status("u01"), Some(crate::org::Status::Disabled));
    assert_eq!(status("u07"), Some(crate::org::Status::Active));
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
    assert_eq!(summary.attention(), 1);
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

#[test]
fn a_refusal_of_another_action_leaves_the_run_in_progress_alone() {
    let mut state = loaded();
    let ticket = start_journal_like_run(&mut state);
    // Answers that belong to something else: a plan nobody waits for, another run's end.
    update(
        &mut state,
        Msg::Run(RunMsg::Prepared {
            plan: crate::app::effect::PlanId(999),
            result: Err("refused: read-only key".into()),
        }),
    );
    update(
        &mut state,
        Msg::Run(RunMsg::Ended {
            ticket: Ticket(999),
            stopped: None,
            error: Some("refused: read-only key".into()),
        }),
    );
    let run = state.run.as_ref().expect("the run is still there");
    assert!(
        !run.finished,
        "another action's refusal does not end this run"
    );
    assert!(run.stopped.is_none());
    assert_eq!(run.done_count(), 0);
    for (n, change) in [
        Change::AddRole {
            user: "u02".into(),
            role: "r-ro".into(),
        },
        Change::RemoveRole {
            user: "u02".into(),
            role: "r-std".into(),
        },
    ]
    .into_iter()
    .enumerate()
    {
        item(
            &mut state,
            ticket,
            n,
            change,
            ItemResult::done("done", None),
        );
    }
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
    assert_eq!(summary.counts, vec![("done".into(), 2)]);
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
fn read_only_makes_mutating_keys_explain_instead_of_acting() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Access(Access::known(
            true,
            Some("read-only mode (started with --read-only)".into()),
        )),
    );
    for action in [
        Action::Disable,
        Action::Enable,
        Action::Invite,
        Action::EditUser,
        Action::ResendInvitation,
        Action::CancelInvitations,
        Action::EditRoles,
        Action::Anonymize,
    ] {
        assert!(act(&mut state, action).is_empty(), "{action:?}");
        assert!(
            state.overlay.is_none() && state.plan.is_none(),
            "{action:?}"
        );
        assert!(state
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("--read-only")));
    }
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
fn anonymize_needs_the_typed_word() {
    let mut state = loaded();
    let effects = act(&mut state, Action::Anonymize);
    prepared(&mut state, &effects);
    assert_eq!(state.context(), Context::TypedConfirm);
    type_in(&mut state, "yes");
    assert!(act(&mut state, Action::Submit).is_empty());
    for _ in 0..3 {
        act(&mut state, Action::TextEdit(InputRequest::DeletePrevChar));
    }
    type_in(&mut state, ANONYMIZE_WORD);
    let (_, plan) = applied(&act(&mut state, Action::Submit));
    assert!(
        matches!(&plan.items()[0].change, Change::Anonymize { user } if user.as_str() == "u01")
    );
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
        finished_at: Vec::new(),
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
fn resend_to_many_asks_first_and_goes_to_pending_users_only() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    act(&mut state, Action::MarkAllInView);
    act(&mut state, Action::SelectTab(StatusTab::All));
    act(&mut state, Action::Top);
    act(&mut state, Action::ToggleMark); // u01, active: left out
    let effects = act(&mut state, Action::ResendInvitation);
    assert!(
        prepared(&mut state, &effects).is_empty(),
        "many invitations need a yes first"
    );
    assert_eq!(state.context(), Context::Confirm);
    let (_, plan) = applied(&act(&mut state, Action::Submit));
    assert_eq!(plan.items().len(), 2);
}

#[test]
fn resend_to_one_pending_user_goes_straight_out() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    let effects = act(&mut state, Action::ResendInvitation);
    let (_, plan) = applied(&prepared(&mut state, &effects));
    assert!(matches!(
        plan.items()[0].change,
        Change::ResendInvitation { .. }
    ));
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

#[test]
fn enable_applies_only_to_disabled_users_and_takes_enter() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Disabled));
    let effects = act(&mut state, Action::Enable);
    prepared(&mut state, &effects);
    assert_eq!(verdict(&state).summary.confirmation, Confirmation::Enter);
    act(&mut state, Action::Cancel);
    act(&mut state, Action::SelectTab(StatusTab::Active));
    assert!(act(&mut state, Action::Enable).is_empty());
    assert!(state.plan.is_none());
}

#[test]
fn cancel_invitations_confirms_for_pending_users() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    let effects = act(&mut state, Action::CancelInvitations);
    prepared(&mut state, &effects);
    assert_eq!(verdict(&state).summary.confirmation, Confirmation::Yes);
    let (_, plan) = applied(&act(&mut state, Action::Confirm));
    assert!(matches!(
        plan.items()[0].change,
        Change::CancelInvitations { .. }
    ));
}

#[test]
fn cancelling_one_invitation_reads_in_the_singular_and_no_means_keep_them() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    act(&mut state, Action::CancelInvitations);
    let plan = state.plan.as_ref().expect("a dialog");
    assert_eq!(
        plan.draft.title(),
        "Cancel the pending invitations of Zoë 🚀 Rocket <zoe@example.com>"
    );
    assert_eq!(plan.purpose.no_word(), "keep them");
    assert_eq!(Purpose::Bulk(BulkKind::Disable).no_word(), "cancel");
    assert_eq!(BulkKind::Disable.title("2 users"), "Disable 2 users");
}

#[test]
fn an_invitation_resent_then_cancelled_is_known_as_such() {
    let mut state = loaded();
    let ticket = start_journal_like_run(&mut state);
    let resend = Change::ResendInvitation { user: "u05".into() };
    let sent = ItemResult::Done {
        detail: "invitation sent".into(),
        undo: None,
        left: None,
        user: None,
        invitation_expires_at: Some(NOW + 2 * 86_400),
    };
    item(&mut state, ticket, 0, resend, sent);
    let info = state.invitations[&UserId::from("u05")];
    assert_eq!(info.expires_at, Some(NOW + 2 * 86_400));
    assert_eq!(info.cancelled_at, None);
    let cancel = Change::CancelInvitations { user: "u05".into() };
    item(
        &mut state,
        ticket,
        1,
        cancel,
        ItemResult::done("pending invitations cancelled", None),
    );
    let info = state.invitations[&UserId::from("u05")];
    assert_eq!(info.expires_at, None, "the old expiry is gone");
    assert_eq!(info.cancelled_at, Some(NOW));
    assert_eq!(info.sent_at, NOW, "when it was sent is kept");
}
