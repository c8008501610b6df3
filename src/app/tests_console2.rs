//! Behaviour of the audit views, exports and the journal view in `update`, on the demo
//! fixture org; audit memberships come from `audit::views` over the same fixture.

use super::msg::{AuditMsg, LoadMsg, RunMsg};
use std::collections::HashSet;

use time::OffsetDateTime;

use super::action::{Action, InputRequest, StatusTab};
use super::audit::{ExportDone, ExportFormat};
use super::effect::{Effect, RequestId};
use super::fixtures::{demo_audit_org, demo_org, demo_page, NOW};
use super::journal::JournalListing;
use super::msg::Msg;
use super::state::*;
use super::update::{init, update};
use crate::api::models::UserId;
use crate::audit::{view, ViewKind};
use crate::runs::{Change, ItemResult, RunId, RunState};

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

fn loaded() -> State {
    let (mut state, request_id) = started();
    update(&mut state, Msg::Access(Access::known(false, None)));
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 0,
            total_pages: Some(1),
            response: demo_page(),
        }),
    );
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    update(&mut state, Msg::Load(LoadMsg::Roles(Ok(demo_org().1))));
    state
}

fn act(state: &mut State, action: Action) -> Vec<Effect> {
    update(state, Msg::Action(action))
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
    state
        .view
        .rows
        .iter()
        .filter_map(|ix| state.store.get(*ix).map(|u| u.id.clone()))
        .collect()
}

#[test]
fn an_audit_view_restricts_the_list_to_its_members_and_esc_returns_to_all() {
    let mut state = loaded();
    let all = state.view.rows.len();
    let kind = open_audit(&mut state, "admins");
    assert_eq!(kind, ViewKind::Admins);
    let expected = members_of(&kind);
    assert!(!expected.is_empty() && expected.len() < all);
    assert_eq!(shown_ids(&state), expected);
    let title = &state.audit.active.as_ref().expect("active").title;
    assert!(title.starts_with("Admins ("), "{title}");
    // Esc first clears a filter, then leaves the view.
    act(&mut state, Action::StartFilter);
    act(&mut state, Action::TextEdit(InputRequest::InsertChar('a')));
    act(&mut state, Action::Submit);
    act(&mut state, Action::Back);
    assert!(state.audit.active.is_some());
    assert_eq!(shown_ids(&state), expected);
    act(&mut state, Action::Back);
    assert!(state.audit.active.is_none());
    assert_eq!(state.view.rows.len(), all);
}

#[test]
fn an_audit_view_restricts_a_sorted_list_too_and_leaving_it_restores_everyone() {
    // Sorted views are served from a cached order; entering or leaving a view must not
    // reuse a view built without (or with) the restriction.
    let mut state = loaded();
    command(&mut state, "sort name");
    let all = state.view.rows.len();
    let kind = open_audit(&mut state, "admins");
    let expected = members_of(&kind);
    assert_eq!(shown_ids(&state), expected);
    command(&mut state, "audit off");
    assert_eq!(state.view.rows.len(), all);
    open_audit(&mut state, "no-role");
    let no_role = members_of(&ViewKind::NoRole);
    assert_eq!(shown_ids(&state), no_role);
}

#[test]
fn audit_off_and_unknown_views() {
    let mut state = loaded();
    open_audit(&mut state, "no-role");
    command(&mut state, "audit off");
    assert!(state.audit.active.is_none());
    assert!(command(&mut state, "audit bogus").is_empty());
    assert_eq!(state.toast.as_ref().map(|t| t.level), Some(Level::Error));
    assert!(state.audit.active.is_none());
}

#[test]
fn inactive_takes_days_and_who_can_takes_a_permission() {
    let mut state = loaded();
    assert_eq!(
        open_audit(&mut state, "inactive 30"),
        ViewKind::Inactive { days: 30 }
    );
    assert_eq!(
        shown_ids(&state),
        members_of(&ViewKind::Inactive { days: 30 })
    );
    let kind = ViewKind::WhoCan {
        permission: "user_access_invite".into(),
    };
    assert!(command(&mut state, "who-can user_access_invite").is_empty());
    assert_eq!(state.audit.active.as_ref().map(|a| &a.kind), Some(&kind));
    assert_eq!(shown_ids(&state), members_of(&kind));
}

#[test]
fn who_can_an_unknown_permission_reads_the_catalogue_once_then_says_so() {
    let mut state = loaded();
    let effects = command(&mut state, "who-can no_such_permission");
    let [Effect::LoadPermissions { request_id }] = effects[..] else {
        panic!("reads the catalogue, got {effects:?}");
    };
    update(
        &mut state,
        Msg::Audit(AuditMsg::Permissions {
            request_id,
            result: Ok(demo_org().2),
        }),
    );
    assert!(state.audit.active.is_none());
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.level == Level::Error && t.text.contains("no_such_permission")));
    // The catalogue is known now: the next mistake is answered without a request.
    assert!(command(&mut state, "who-can still_not_one").is_empty());
}

#[test]
fn a_permission_only_the_catalogue_names_opens_once_it_arrives() {
    let mut state = loaded();
    let mut catalogue = demo_org().2;
    catalogue.push(super::fixtures::perm(
        "p-new",
        "brand_new_permission",
        "New",
    ));
    let effects = command(&mut state, "who-can brand_new_permission");
    let [Effect::LoadPermissions { request_id }] = effects[..] else {
        panic!("reads the catalogue, got {effects:?}");
    };
    update(
        &mut state,
        Msg::Audit(AuditMsg::Permissions {
            request_id,
            result: Ok(catalogue),
        }),
    );
    let active = state.audit.active.as_ref().expect("the view opens");
    assert!(active.members.is_empty(), "nobody holds it");
    assert!(active.title.ends_with("(0)"), "{}", active.title);
}

#[test]
fn a_view_opened_while_loading_is_computed_again_when_loading_ends() {
    let (mut state, request_id) = started();
    let mut first = demo_page();
    let rest = first.data.split_off(4);
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 0,
            total_pages: Some(2),
            response: first,
        }),
    );
    open_audit(&mut state, "admins");
    let early = shown_ids(&state);
    let mut second = demo_page();
    second.data = rest;
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 1,
            total_pages: Some(2),
            response: second,
        }),
    );
    assert_eq!(shown_ids(&state), early, "not recomputed page by page");
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    let all = members_of(&ViewKind::Admins);
    assert!(
        early.len() < all.len(),
        "the fixture has admins on both pages"
    );
    assert_eq!(shown_ids(&state), all);
}

#[test]
fn marks_filter_sort_and_tabs_keep_working_inside_an_audit_view() {
    let mut state = loaded();
    open_audit(&mut state, "admins");
    let members = shown_ids(&state);
    act(&mut state, Action::ToggleMark);
    let marked: Vec<UserId> = state.marks.iter().cloned().collect();
    assert_eq!(marked.len(), 1);
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::SelectTab(StatusTab::Active));
    assert!(shown_ids(&state).is_subset(&members));
    // Marks are ids: they survive leaving the view.
    act(&mut state, Action::Back);
    assert_eq!(state.marks.iter().cloned().collect::<Vec<_>>(), marked);
}

#[test]
fn export_carries_the_visible_ids_in_order_and_the_audit_view() {
    let mut state = loaded();
    open_audit(&mut state, "admins");
    command(&mut state, "sort email desc");
    let visible: Vec<UserId> = state
        .view
        .rows
        .iter()
        .filter_map(|ix| state.store.get(*ix).map(|u| u.id.clone()))
        .collect();
    assert!(act(&mut state, Action::Export).is_empty(), "asks first");
    assert_eq!(state.context(), Context::Prompt);
    let Some(Overlay::Export(prompt)) = &state.overlay else {
        panic!("the export prompt");
    };
    assert!(prompt.path.value().starts_with("ddusers-admins-"));
    assert!(prompt.path.value().ends_with(".csv"));
    // Tab switches to JSON, the name follows.
    act(&mut state, Action::NextField);
    let effects = act(&mut state, Action::Submit);
    let [export @ Effect::Export {
        kind,
        rows,
        format,
        path,
        request_id,
        ..
    }] = &effects[..]
    else {
        panic!("one export effect, got {effects:?}");
    };
    assert!(!export.is_mutating());
    assert_eq!(kind.as_ref(), Some(&ViewKind::Admins));
    let ids: Vec<UserId> = rows
        .iter()
        .filter_map(|ix| state.store.get(*ix).map(|u| u.id.clone()))
        .collect();
    assert_eq!(ids, visible);
    assert_eq!(*format, ExportFormat::Json);
    assert!(path.to_string_lossy().ends_with(".json"));
    assert!(state.overlay.is_none());
    update(
        &mut state,
        Msg::Audit(AuditMsg::Exported {
            request_id: *request_id,
            result: Ok(ExportDone {
                path: "/tmp/x.json".into(),
                format: ExportFormat::Json,
                count: ids.len(),
            }),
        }),
    );
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("/tmp/x.json")));
}

#[test]
fn export_works_in_read_only_mode_and_respects_the_filter() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Access(Access::known(true, Some("read-only mode".into()))),
    );
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    act(&mut state, Action::Export);
    let effects = act(&mut state, Action::Submit);
    let [Effect::Export { kind, rows, .. }] = &effects[..] else {
        panic!("exports, got {effects:?}");
    };
    assert_eq!(kind, &None);
    assert_eq!(rows, &state.view.rows);
    assert_eq!(rows.len(), state.store.counts().pending as usize);
}

#[test]
fn the_permission_picker_searches_and_opens_who_can() {
    let mut state = loaded();
    let effects = act(&mut state, Action::PickPermission);
    let [Effect::LoadPermissions { request_id }] = effects[..] else {
        panic!("loads the catalogue");
    };
    assert_eq!(state.context(), Context::Search);
    update(
        &mut state,
        Msg::Audit(AuditMsg::Permissions {
            request_id,
            result: Ok(demo_org().2),
        }),
    );
    for c in "invite".chars() {
        act(&mut state, Action::TextEdit(InputRequest::InsertChar(c)));
    }
    let Some(Overlay::Permissions(picker)) = &state.overlay else {
        panic!("picker open");
    };
    assert_eq!(picker.matches().len(), 1);
    assert!(act(&mut state, Action::Submit).is_empty());
    assert_eq!(
        state.audit.active.as_ref().map(|a| &a.kind),
        Some(&ViewKind::WhoCan {
            permission: "user_access_invite".into()
        })
    );
    assert!(state.overlay.is_none());
    // The catalogue is the org's now: the picker opens again without a request.
    assert!(act(&mut state, Action::PickPermission).is_empty());
}

// ---------------------------------------------------------------------------------------
// The journal

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

fn journal(state: &State) -> &super::journal::JournalView {
    match &state.overlay {
        Some(Overlay::Journal(view)) => view,
        other => panic!("the journal is open, got {other:?}"),
    }
}

#[test]
fn the_journal_lists_runs_newest_first_and_shows_items() {
    let mut state = loaded();
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
    assert_eq!(journal(&state).cursor, 2);
    act(&mut state, Action::Submit);
    assert_eq!(journal(&state).items, Some(0));
    act(&mut state, Action::Cancel);
    assert_eq!(journal(&state).items, None);
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none());
}

/// Answers the pending plan's `Prepare` with the demo org's facts read at `ADDRESS` by
/// Ken Thompson (u11, an admin).
fn prepared(state: &mut State, effects: &[Effect]) -> Vec<Effect> {
    let Some(Effect::Prepare { plan, draft }) = effects.first().cloned() else {
        panic!("expected the facts to be asked for, got {effects:?}");
    };
    let mut facts = super::fixtures::demo_facts("u11", &draft);
    facts.origin = ADDRESS.into();
    update(
        state,
        Msg::Run(RunMsg::Prepared {
            plan,
            result: Ok(Box::new(facts)),
        }),
    )
}

#[test]
fn undo_goes_through_the_gate_and_its_items_come_back_by_ticket() {
    let mut state = loaded();
    journal_open(&mut state);
    act(&mut state, Action::Bottom); // the complete run here
    let effects = act(&mut state, Action::UndoRun);
    assert!(matches!(&effects[..], [Effect::Prepare { .. }]));
    // Cancel keeps the journal open and sends nothing.
    assert!(act(&mut state, Action::Cancel).is_empty());
    assert!(state.plan.is_none());
    journal(&state);
    let effects = act(&mut state, Action::UndoRun);
    prepared(&mut state, &effects);
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
    let mut state = loaded();
    journal_open(&mut state);
    act(&mut state, Action::Down); // the interrupted run
    let effects = act(&mut state, Action::ResumeRun);
    prepared(&mut state, &effects);
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
    let mut state = loaded();
    journal_open(&mut state);
    // Newest: another org's run.
    let effects = act(&mut state, Action::ResumeRun);
    prepared(&mut state, &effects);
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
    let mut state = loaded();
    journal_open(&mut state);
    act(&mut state, Action::Bottom);
    let effects = act(&mut state, Action::UndoRun);
    prepared(&mut state, &effects);
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

#[test]
fn edit_moved_to_u_and_e_exports() {
    use super::keymap::{resolve_in, Key};
    assert_eq!(
        resolve_in(Context::Browse, Key::ch('u')),
        Some(Action::EditUser)
    );
    assert_eq!(
        resolve_in(Context::Browse, Key::ch('e')),
        Some(Action::Export)
    );
    assert_eq!(
        resolve_in(Context::Browse, Key::ch('J')),
        Some(Action::Journal)
    );
    assert_eq!(
        resolve_in(Context::Journal, Key::ch('U')),
        Some(Action::UndoRun)
    );
}
