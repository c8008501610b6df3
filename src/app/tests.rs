//! Behaviour of `update`, one message at a time, on the demo fixture org: browsing, the
//! view, commands and messages here; changes, runs and forms in their own files.

mod changes;
mod forms;
mod runs;

use super::action::{Action, InputRequest, StatusTab};
use super::effect::{Effect, Ticket};
use super::fixtures::{demo_page, NOW};
use super::msg::{DetailData, Msg};
use super::msg::{LoadMsg, RunMsg};
use super::state::*;
use super::update::{init, update};
use crate::api::models::{UserId, UserStatus};
use crate::domain::{Confirmation, ANONYMIZE_WORD};
use crate::runs::{Change, ItemResult};

fn loaded() -> State {
    let mut state = State::new(
        Options {
            origin_label: "test".into(),
            monochrome: false,
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
    state
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

fn selected_id(state: &State) -> String {
    state
        .selected()
        .map(|u| u.id.to_string())
        .unwrap_or_default()
}

#[test]
fn init_asks_for_the_current_user_roles_and_the_listing() {
    let mut state = State::new(Options::default(), NOW);
    let effects = init(&mut state);
    assert_eq!(effects.len(), 4);
    assert!(matches!(effects[0], Effect::LoadCurrentUser));
    assert!(matches!(effects[1], Effect::LoadRoles));
    assert!(matches!(effects[2], Effect::LoadUsers { .. }));
    assert!(matches!(effects[3], Effect::LoadJournal { .. }));
}

#[test]
fn pages_fill_the_view_and_the_progress() {
    let state = loaded();
    assert_eq!(state.view.rows.len(), 12);
    assert_eq!(state.load.total_users, Some(12));
    assert!(state.load.done);
    assert_eq!(state.store.counts().pending, 2);
}

#[test]
fn a_page_of_a_stale_listing_is_dropped() {
    let mut state = loaded();
    let reload = act(&mut state, Action::Reload);
    assert!(matches!(reload[..], [Effect::LoadUsers { .. }]));
    let mut page = demo_page();
    page.data.truncate(1);
    page.data[0].id = "stale".into();
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id: super::effect::RequestId(1), // an id older than the reload's
            number: 0,
            total_pages: None,
            response: page,
        }),
    );
    assert!(state.store.by_id(&"stale".into()).is_none());
}

#[test]
fn moving_clamps_at_both_ends_and_keeps_the_cursor_visible() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Resize {
            width: 80,
            height: 10,
        },
    ); // 4 body rows
    act(&mut state, Action::Up);
    assert_eq!(state.view.cursor.pos, 0);
    act(&mut state, Action::Bottom);
    assert_eq!(state.view.cursor.pos, 11);
    assert_eq!(state.view.cursor.offset, 8);
    act(&mut state, Action::PageUp);
    assert_eq!(state.view.cursor.pos, 7);
    assert!(state.view.cursor.offset <= 7);
    act(&mut state, Action::Top);
    assert_eq!((state.view.cursor.pos, state.view.cursor.offset), (0, 0));
    act(&mut state, Action::PageDown);
    assert_eq!(state.view.cursor.pos, 4);
    act(&mut state, Action::ClickRow(2));
    assert_eq!(state.view.cursor.pos, state.view.cursor.offset + 2);
}

#[test]
fn typing_a_filter_narrows_the_view_instantly_and_esc_clears_it() {
    let mut state = loaded();
    act(&mut state, Action::StartFilter);
    assert_eq!(state.context(), Context::Filter);
    let effects = type_in(&mut state, "example.com");
    assert!(effects.is_empty(), "fully loaded: no server search");
    assert_eq!(state.view.rows.len(), 10);
    type_in(&mut state, " ada");
    assert_eq!(state.view.rows.len(), 1);
    assert_eq!(selected_id(&state), "u01");
    act(&mut state, Action::Cancel);
    assert_eq!(state.view.rows.len(), 12);
    assert_eq!(state.context(), Context::Browse);
}

#[test]
fn the_filter_matches_names_in_any_script_case_insensitively() {
    let mut state = loaded();
    act(&mut state, Action::StartFilter);
    type_in(&mut state, "ÅNGSTRÖM");
    assert_eq!(selected_id(&state), "u02");
    act(&mut state, Action::Cancel);
    act(&mut state, Action::StartFilter);
    type_in(&mut state, "山田");
    assert_eq!(state.view.rows.len(), 1);
}

#[test]
fn while_loading_the_filter_also_asks_the_server_and_the_newest_search_wins() {
    let mut state = State::new(Options::default(), NOW);
    init(&mut state);
    act(&mut state, Action::StartFilter);
    let first = type_in(&mut state, "ad");
    let second = type_in(&mut state, "a");
    let (
        Some(Effect::SearchUsers {
            request_id: old, ..
        }),
        Some(Effect::SearchUsers {
            request_id: new,
            filter,
        }),
    ) = (first.last(), second.last())
    else {
        panic!("expected searches, got {first:?} {second:?}");
    };
    assert_eq!(filter, "ada");
    // The old search's answer is dropped, the new one's merged.
    update(
        &mut state,
        Msg::Load(LoadMsg::SearchResults {
            request_id: *old,
            response: demo_page(),
        }),
    );
    assert!(state.store.is_empty());
    update(
        &mut state,
        Msg::Load(LoadMsg::SearchResults {
            request_id: *new,
            response: demo_page(),
        }),
    );
    assert_eq!(state.view.rows.len(), 2, "Ada Lovelace and taro.yamada");
}

#[test]
fn tabs_show_only_their_status() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    assert_eq!(state.view.rows.len(), 2);
    act(&mut state, Action::NextTab);
    assert_eq!(state.view.tab, StatusTab::Disabled);
    assert_eq!(state.view.rows.len(), 2);
    act(&mut state, Action::NextTab);
    assert_eq!(state.view.rows.len(), 1);
    act(&mut state, Action::NextTab);
    assert_eq!(state.view.tab, StatusTab::All);
    act(&mut state, Action::PrevTab);
    assert_eq!(state.view.tab, StatusTab::ServiceAccounts);
}

#[test]
fn sorting_keeps_the_cursor_on_the_same_user() {
    let mut state = loaded();
    act(&mut state, Action::Down);
    act(&mut state, Action::Down); // u03
    act(&mut state, Action::CycleSort); // name
    assert_eq!(state.view.sort.key, SortKey::Name);
    assert_eq!(selected_id(&state), "u03");
    let first = state
        .store
        .get(state.view.rows[0])
        .map(|u| u.id.to_string());
    assert_eq!(
        first.as_deref(),
        Some("u05"),
        "the user without a name sorts first"
    );
    act(&mut state, Action::ReverseSort);
    assert!(state.view.sort.descending);
    assert_eq!(selected_id(&state), "u03");
    // Byte order of lower-cased names: CJK after Cyrillic after Latin.
    assert_eq!(
        state.store.get(state.view.rows[0]).map(|u| u.id.as_str()),
        Some("u03")
    );
}

#[test]
fn marks_are_user_ids_and_survive_filter_and_sort_changes() {
    let mut state = loaded();
    act(&mut state, Action::ToggleMark); // u01, cursor moves on
    act(&mut state, Action::ToggleMark); // u02
    assert_eq!(state.marks.len(), 2);
    act(&mut state, Action::StartFilter);
    type_in(&mut state, "grace");
    act(&mut state, Action::Submit);
    act(&mut state, Action::ToggleMark); // u06
    act(&mut state, Action::Back); // clears the filter
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::SelectTab(StatusTab::Active));
    let marks: std::collections::BTreeSet<String> =
        state.marks.iter().map(|m| m.to_string()).collect();
    assert_eq!(marks, ["u01", "u02", "u06"].map(String::from).into());
    act(&mut state, Action::ClearMarks);
    assert!(state.marks.is_empty());
}

#[test]
fn mark_all_marks_exactly_the_view() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    act(&mut state, Action::MarkAllInView);
    assert_eq!(state.marks.len(), 2);
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
    let facts = super::fixtures::demo_facts(caller, &draft);
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

#[test]
fn commands_sort_switch_tabs_filter_and_quit() {
    let mut state = loaded();
    let run = |state: &mut State, text: &str| {
        act(state, Action::CommandLine);
        assert_eq!(state.context(), Context::Command);
        type_in(state, text);
        act(state, Action::Submit)
    };
    run(&mut state, "sort email desc");
    assert_eq!(
        state.view.sort,
        Sort {
            key: SortKey::Email,
            descending: true
        }
    );
    run(&mut state, "sort -created");
    assert_eq!(
        state.view.sort,
        Sort {
            key: SortKey::Created,
            descending: true
        }
    );
    run(&mut state, "status pending");
    assert_eq!(state.view.tab, StatusTab::Pending);
    run(&mut state, "status all");
    run(&mut state, "filter grace");
    assert_eq!(state.view.rows.len(), 1);
    run(&mut state, "frobnicate");
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.level == Level::Error && t.text.contains("frobnicate")));
    run(&mut state, "q");
    assert!(state.should_quit);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut state = loaded();
    act(&mut state, Action::Help);
    assert_eq!(state.context(), Context::Help);
    act(&mut state, Action::Down);
    assert!(matches!(state.overlay, Some(Overlay::Help { scroll: 1 })));
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none());
}

#[test]
fn quit_works_from_anywhere() {
    let mut state = loaded();
    act(&mut state, Action::Invite);
    act(&mut state, Action::Quit);
    assert!(state.should_quit);
}

#[test]
fn pasting_in_the_list_starts_a_filter() {
    let mut state = loaded();
    update(&mut state, Msg::Paste("grace\n".into()));
    assert!(state.view.filter_editing);
    assert_eq!(state.view.filter.value(), "grace");
    assert_eq!(state.view.rows.len(), 1);
}

#[test]
fn ten_thousand_pasted_emails_are_parsed_without_stalling() {
    let mut state = loaded();
    act(&mut state, Action::Invite);
    let text: String = (0..10_000)
        .map(|n| format!("user{n}@example.com\n"))
        .collect();
    update(&mut state, Msg::Paste(text));
    let Some(Overlay::Invite(form)) = &state.overlay else {
        panic!("expected the invite form");
    };
    assert_eq!(form.parsed.len(), 10_000);
}

#[test]
fn ticks_expire_toasts_but_errors_stay() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Notice("rate limited — retrying in 3 s".into()),
    );
    assert!(state.is_animating());
    update(&mut state, Msg::Tick { now: NOW + 60 });
    assert!(state.toast.is_none());
    let request_id = state.load.request_id;
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersLoadFailed {
            request_id,
            error: "network down".into(),
        }),
    );
    update(&mut state, Msg::Tick { now: NOW + 600 });
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.level == Level::Error));
}

#[test]
fn a_failed_listing_is_reported_in_plain_words() {
    let mut state = State::new(Options::default(), NOW);
    init(&mut state);
    let request_id = state.load.request_id;
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersLoadFailed {
            request_id,
            error: "permission denied (403)".into(),
        }),
    );
    assert_eq!(state.load.error.as_deref(), Some("permission denied (403)"));
    assert!(!state.is_animating());
}

#[test]
fn roles_and_current_user_errors_are_kept_for_display() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Load(LoadMsg::Roles(Err("forbidden".into()))),
    );
    assert_eq!(state.roles_error.as_deref(), Some("forbidden"));
    update(
        &mut state,
        Msg::Load(LoadMsg::CurrentUser(Err("forbidden".into()))),
    );
    assert!(state.toast.is_some());
    act(&mut state, Action::EditRoles);
    assert!(state.overlay.is_none());
}

/// The view as a from-scratch build gives it: every user in the tab matching every term, in
/// the order `compare` defines (checked here independently with a plain sort).
fn view_from_scratch(state: &State) -> Vec<u32> {
    let terms = state.filter_terms();
    let mut expected: Vec<u32> = (0..state.store.len() as u32)
        .filter(|ix| {
            state
                .store
                .get(*ix)
                .is_some_and(|u| state.in_view(u, &terms))
        })
        .collect();
    expected.sort_by(|a, b| super::view::compare(&state.store, state.view.sort, *a, *b));
    expected
}

#[test]
fn incremental_filtering_and_cached_sorts_give_the_same_view_as_a_full_rebuild() {
    let mut state = loaded();
    for _ in 0..SortKey::CYCLE.len() {
        for descending in [false, true] {
            if state.view.sort.descending != descending {
                act(&mut state, Action::ReverseSort);
            }
            assert_eq!(
                state.view.rows,
                view_from_scratch(&state),
                "sort {:?}",
                state.view.sort
            );
            act(&mut state, Action::StartFilter);
            for text in [
                "a", "ad", "ada", "ad", "", "e", "ex", "example", "exa", " x", "",
            ] {
                let current = state.view.filter.value().to_owned();
                if text.starts_with(current.as_str()) {
                    type_in(&mut state, &text[current.len()..]);
                } else {
                    for _ in 0..current.chars().count() {
                        act(&mut state, Action::TextEdit(InputRequest::DeletePrevChar));
                    }
                    type_in(&mut state, text);
                }
                assert_eq!(
                    state.view.rows,
                    view_from_scratch(&state),
                    "filter {text:?}, sort {:?}",
                    state.view.sort
                );
            }
            act(&mut state, Action::SelectTab(StatusTab::Active));
            assert_eq!(state.view.rows, view_from_scratch(&state));
            act(&mut state, Action::SelectTab(StatusTab::All));
            act(&mut state, Action::Cancel);
        }
        act(&mut state, Action::CycleSort);
    }
}

#[test]
fn load_order_reversed_stays_right_while_pages_stream_in_and_after() {
    let mut state = State::new(Options::default(), NOW);
    let effects = init(&mut state);
    let request_id = match effects
        .iter()
        .find(|e| matches!(e, Effect::LoadUsers { .. }))
    {
        Some(Effect::LoadUsers { request_id, .. }) => *request_id,
        other => panic!("init loads users, got {other:?}"),
    };
    act(&mut state, Action::ReverseSort); // load order, newest first
    assert_eq!(state.view.sort.key, SortKey::Loaded);
    assert!(state.view.sort.descending);
    let mut page = demo_page();
    let second = page.data.split_off(6);
    let mut rest = demo_page();
    rest.data = second;
    for (number, response) in [(0, page), (1, rest)] {
        update(
            &mut state,
            Msg::Load(LoadMsg::UsersPage {
                request_id,
                number,
                total_pages: Some(2),
                response,
            }),
        );
        assert_eq!(state.view.rows, view_from_scratch(&state), "page {number}");
    }
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    // Newest loaded first, and still so after a rebuild asked for nothing new.
    assert_eq!(state.view.rows.first(), Some(&11));
    state.rebuild_view();
    assert_eq!(state.view.rows, view_from_scratch(&state));
}
