//! Behaviour of `update`, one message at a time, on the demo fixture org: the list
//! (`browse`), changes through the gate (`changes`), the forms (`forms`), audit views and
//! exports (`audit`), the journal (`journal`). Audit memberships come from `audit::views`
//! over the same fixture.

mod audit;
mod browse;
mod changes;
mod columns;
mod diff;
mod filter;
mod forms;
mod journal;
mod marks;
mod palette;
mod reconcile;
mod results;
mod review;
mod roles;

use std::collections::HashSet;

use time::OffsetDateTime;

use crate::api::models::{UserId, UserStatus};
use crate::app::action::{Action, InputRequest, StatusTab};
use crate::app::audit::{ExportDone, ExportFormat};
use crate::app::effect::{BulkKind, Effect, RequestId, Ticket};
use crate::app::fixtures::{demo_audit_org, demo_org, demo_page, NOW};
use crate::app::journal::JournalListing;
use crate::app::msg::{AuditMsg, DetailData, LoadMsg, Msg, RunMsg};
use crate::app::state::*;
use crate::app::update::{init, update};
use crate::audit::{view, ViewKind};
use crate::domain::{Confirmation, ANONYMIZE_WORD};
use crate::runs::{Change, ItemResult, RunId, RunState};

/// The org address the journal tests' runs were made against.
const ADDRESS: &str = "http://127.0.0.1:8126";

/// A console that has started, and the request of its listing.
fn started() -> (State, RequestId) {
    let mut state = State::new(Options::default(), NOW);
    let effects = init(&mut state);
    let Some(Effect::LoadUsers { request_id, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::LoadUsers { .. }))
        .cloned()
    else {
        panic!("init loads users");
    };
    (state, request_id)
}

/// The demo org loaded, the caller known to be allowed to write.
fn loaded() -> State {
    let mut state = State::new(
        Options {
            origin_label: "test".into(),
            monochrome: false,
            demo: false,
        },
        NOW,
    );
    let effects = init(&mut state);
    let request_id = match effects
        .iter()
        .find(|e| matches!(e, Effect::LoadUsers { .. }))
    {
        Some(Effect::LoadUsers { request_id, .. }) => *request_id,
        other => panic!("init should load users, got {other:?}"),
    };
    update(&mut state, Msg::Access(Access::known(false, None)));
    answer_listing(&mut state, request_id);
    state
}

/// The same, with the org's roles read too (what the audit and journal views use).
fn loaded_with_roles() -> State {
    let (mut state, request_id) = started();
    update(&mut state, Msg::Access(Access::known(false, None)));
    answer_listing(&mut state, request_id);
    update(&mut state, Msg::Load(LoadMsg::Roles(Ok(demo_org().1))));
    state
}

/// The demo org's one page of the listing `request_id` arrives.
fn demo_page_arrives(state: &mut State, request_id: RequestId) {
    only_page_arrives(state, request_id, demo_page());
}

/// `response`, the one page of the listing `request_id`, arrives.
fn only_page_arrives(
    state: &mut State,
    request_id: RequestId,
    response: crate::api::models::UsersResponse,
) {
    update(
        state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 0,
            total_pages: Some(1),
            response,
        }),
    );
}

/// The listing `request_id` answered: the demo org's one page, and its end.
fn answer_listing(state: &mut State, request_id: RequestId) {
    demo_page_arrives(state, request_id);
    update(state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
}

fn act(state: &mut State, action: Action) -> Vec<Effect> {
    update(state, Msg::Action(action))
}

fn type_in(state: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(act(state, Action::TextEdit(InputRequest::InsertChar(c))));
    }
    effects
}

/// Makes the filter line read `text` as a person would: typing on when it extends what is
/// there, else erasing it and typing it anew.
fn retype_filter(state: &mut State, text: &str) {
    let current = state.view.filter.value().to_owned();
    if let Some(rest) = text.strip_prefix(current.as_str()) {
        type_in(state, rest);
    } else {
        for _ in 0..current.chars().count() {
            act(state, Action::TextEdit(InputRequest::DeletePrevChar));
        }
        type_in(state, text);
    }
}

fn selected_id(state: &State) -> String {
    state
        .selected()
        .map(|u| u.id.to_string())
        .unwrap_or_default()
}

/// Answers the `Prepare` among `effects` with the demo org's facts, `caller` holding the
/// keys; returns what the reducer asked next.
fn prepared_as(state: &mut State, effects: &[Effect], caller: &str) -> Vec<Effect> {
    let Some(Effect::Prepare { plan, draft }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Prepare { .. }))
        .cloned()
    else {
        panic!("expected the facts to be asked for, got {effects:?}");
    };
    let facts = crate::app::fixtures::demo_facts(caller, &draft);
    update(
        state,
        Msg::Run(RunMsg::Prepared {
            plan,
            result: Ok(Box::new(facts)),
        }),
    )
}

/// The same, with Ken Thompson (u11, an admin) holding the keys.
fn prepared(state: &mut State, effects: &[Effect]) -> Vec<Effect> {
    prepared_as(state, effects, "u11")
}

fn verdict(state: &State) -> &crate::runs::Verdict {
    state
        .plan
        .as_ref()
        .and_then(|p| p.verdict())
        .expect("a checked plan")
}

fn applied(effects: &[Effect]) -> (Ticket, crate::runs::CheckedPlan) {
    match effects {
        [Effect::Apply { ticket, plan }] => (*ticket, (**plan).clone()),
        other => panic!("expected the plan to be applied, got {other:?}"),
    }
}

fn item(state: &mut State, ticket: Ticket, index: usize, change: Change, result: ItemResult) {
    update(
        state,
        Msg::Run(RunMsg::Item {
            ticket,
            report: Box::new(crate::runs::ItemReport {
                index,
                change,
                result,
            }),
        }),
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

/// The view as a from-scratch build gives it: every user in the tab matching every term, in
/// the order `compare` defines (checked here independently with a plain sort).
fn view_from_scratch(state: &State) -> Vec<u32> {
    let matcher = state.view_matcher();
    let mut expected: Vec<u32> = (0..state.store.len() as u32)
        .filter(|ix| state.in_view(*ix, &matcher))
        .collect();
    expected.sort_by(|a, b| crate::app::view::compare(&state.store, state.view.sort, *a, *b));
    expected
}

/// Answers the pending plan's `Prepare` with the demo org's facts read at `ADDRESS` by
/// Ken Thompson (u11, an admin).
fn prepared_at_address(state: &mut State, effects: &[Effect]) -> Vec<Effect> {
    let Some(Effect::Prepare { plan, draft }) = effects.first().cloned() else {
        panic!("expected the facts to be asked for, got {effects:?}");
    };
    let mut facts = crate::app::fixtures::demo_facts("u11", &draft);
    facts.origin = ADDRESS.into();
    update(
        state,
        Msg::Run(RunMsg::Prepared {
            plan,
            result: Ok(Box::new(facts)),
        }),
    )
}

fn command(state: &mut State, text: &str) -> Vec<Effect> {
    act(state, Action::CommandLine);
    for c in text.chars() {
        act(state, Action::TextEdit(InputRequest::InsertChar(c)));
    }
    act(state, Action::Submit)
}

/// The members of `kind`, computed by `audit::views` over the exact fixture org.
fn members_of(kind: &ViewKind) -> HashSet<UserId> {
    let org = demo_audit_org();
    let as_of = OffsetDateTime::from_unix_timestamp(NOW).expect("NOW is a time");
    let v = view(&org, kind, as_of).expect("the view");
    v.users(&org).map(|u| u.id.clone()).collect()
}

/// Opens `:audit ARGS`: computed over the org as loaded, without a request.
fn open_audit(state: &mut State, args: &str) -> ViewKind {
    let effects = command(state, &format!("audit {args}"));
    assert!(
        effects.is_empty(),
        "`:audit {args}` sends nothing: {effects:?}"
    );
    state
        .audit
        .active
        .as_ref()
        .map(|a| a.kind.clone())
        .unwrap_or_else(|| panic!("`:audit {args}` opens a view"))
}

fn shown_ids(state: &State) -> HashSet<UserId> {
    state.shown_ids().into_iter().collect()
}

/// The run `ticket` ends, neither stopped nor failed.
fn ended(state: &mut State, ticket: Ticket) {
    update(
        state,
        Msg::Run(RunMsg::Ended {
            ticket,
            stopped: None,
            error: None,
        }),
    );
}

fn run(id: &str, origin: &str, outcomes: Vec<Option<ItemResult>>, users: &[&str]) -> RunState {
    RunState {
        run: RunId(id.into()),
        at: OffsetDateTime::from_unix_timestamp(NOW).expect("time"),
        title: format!("Disable {} users (console)", users.len()),
        origin: origin.into(),
        of: None,
        org: None,
        by: None,
        expect: Vec::new(),
        before: vec![None; users.len()],
        changes: users
            .iter()
            .map(|u| Change::Disable {
                user: UserId((*u).into()),
            })
            .collect(),
        started: vec![true; users.len()],
        outcomes,
        finished_at: Vec::new(),
    }
}

fn disabled(user: &str) -> Option<ItemResult> {
    Some(ItemResult::done(
        "disabled",
        Some(Change::Enable {
            user: UserId(user.into()),
        }),
    ))
}

/// Opens the journal with: an older complete run here, a newer interrupted run here, and
/// a run against another org (newest).
fn journal_open(state: &mut State) {
    let effects = act(state, Action::Journal);
    let [Effect::LoadJournal { request_id }] = effects[..] else {
        panic!("reads the journal, got {effects:?}");
    };
    let runs = vec![
        run(
            "20261101T000000-aaaa",
            ADDRESS,
            vec![disabled("u1"), disabled("u2")],
            &["u1", "u2"],
        ),
        run(
            "20261102T000000-bbbb",
            ADDRESS,
            vec![disabled("u3"), None],
            &["u3", "u4"],
        ),
        run(
            "20261103T000000-cccc",
            "https://api.datadoghq.eu",
            vec![None],
            &["u5"],
        ),
    ];
    update(
        state,
        Msg::JournalRuns {
            request_id,
            result: Ok(Box::new(JournalListing {
                runs,
                address: ADDRESS.into(),
                path: "/tmp/journal.jsonl".into(),
                skipped: 0,
            })),
        },
    );
}

fn journal(state: &State) -> &crate::app::journal::JournalView {
    match &state.overlay {
        Some(Overlay::Journal(view)) => view,
        other => panic!("the journal is open, got {other:?}"),
    }
}
