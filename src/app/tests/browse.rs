//! The list: loading, moving, filtering, sorting, tabs, marks, the detail pane, commands,
//! help, paste and messages.

use super::*;

#[test]
fn init_asks_for_the_current_user_roles_and_the_listing() {
    let mut state = State::new(Options::default(), NOW);
    let effects = init(&mut state);
    assert_eq!(effects.len(), 5);
    assert!(matches!(effects[0], Effect::LoadCurrentUser));
    assert!(matches!(effects[1], Effect::LoadRoles));
    assert!(matches!(effects[2], Effect::LoadUsers { .. }));
    assert!(matches!(effects[3], Effect::LoadSettings));
    assert!(matches!(effects[4], Effect::LoadJournal { .. }));
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
            request_id: crate::app::effect::RequestId(1), // an id older than the reload's
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
    act(&mut state, Action::CycleSort); // status (the columns' order)
    act(&mut state, Action::CycleSort); // name
    assert_eq!(state.view.sort.key, SortKey::By(ColumnId::Name));
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

/// Opens the detail beside the list (a wide terminal), returning what that asked for.
fn open_detail_beside_the_list(state: &mut State) -> Vec<Effect> {
    update(
        state,
        Msg::Resize {
            width: 160,
            height: 48,
        },
    );
    act(state, Action::OpenDetail)
}

#[test]
fn opening_detail_loads_it_and_a_stale_detail_is_dropped() {
    let mut state = loaded();
    let first = open_detail_beside_the_list(&mut state);
    let Some(Effect::LoadDetail {
        request_id: old, ..
    }) = first.first().cloned()
    else {
        panic!("expected a detail load");
    };
    // Moving with the detail open follows the cursor with a newer request.
    let second = act(&mut state, Action::Down);
    let Some(Effect::LoadDetail {
        request_id: new,
        user_id,
    }) = second.first().cloned()
    else {
        panic!("expected a newer detail load");
    };
    assert_eq!(user_id.as_str(), "u02");
    let data = |id: &str| {
        let page = demo_page();
        let user = page
            .data
            .iter()
            .find(|u| u.id.as_str() == id)
            .cloned()
            .expect("fixture user");
        Ok(Box::new(DetailData {
            user,
            included: page.included,
            orgs: vec!["Demo Org".into()],
            permissions: vec![],
        }))
    };
    update(
        &mut state,
        Msg::Detail {
            request_id: old,
            user_id: "u01".into(),
            result: data("u01"),
        },
    );
    assert!(state.detail.as_ref().is_some_and(|d| d.loading));
    update(
        &mut state,
        Msg::Detail {
            request_id: new,
            user_id: "u02".into(),
            result: data("u02"),
        },
    );
    let detail = state.detail.as_ref().expect("detail open");
    assert!(!detail.loading);
    assert_eq!(detail.orgs, ["Demo Org"]);
    act(&mut state, Action::Back);
    assert!(state.detail.is_none());
}

#[test]
fn narrow_terminals_show_the_detail_full_screen_with_focus() {
    let mut state = loaded();
    act(&mut state, Action::OpenDetail);
    assert_eq!(state.focus, Focus::Detail);
    act(&mut state, Action::Down);
    assert_eq!(state.detail.as_ref().map(|d| d.scroll), Some(1));
    act(&mut state, Action::SwitchFocus);
    assert_eq!(state.focus, Focus::List);
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
            key: SortKey::By(ColumnId::Email),
            descending: true
        }
    );
    run(&mut state, "sort -created");
    assert_eq!(
        state.view.sort,
        Sort {
            key: SortKey::By(ColumnId::Created),
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
    assert!(matches!(
        state.overlay,
        Some(Overlay::Help { scroll: 1, .. })
    ));
    // Holding j stops at the end of help instead of scrolling into blank space.
    for _ in 0..1_000 {
        act(&mut state, Action::Down);
    }
    let Some(Overlay::Help { scroll: end, .. }) = state.overlay else {
        panic!("help is open");
    };
    assert!((50..400).contains(&end), "stopped at line {end}");
    act(&mut state, Action::Up);
    assert!(matches!(state.overlay, Some(Overlay::Help { scroll, .. }) if scroll == end - 1));
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
fn ticks_expire_toasts_but_errors_stay() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Notice("rate limited — retrying in 3 s".into()),
    );
    assert!(state.is_animating());
    update(&mut state, Msg::Tick { now: NOW + 60 });
    assert!(state.toast.is_none());
    let request_id = state
        .load
        .request
        .current()
        .expect("a listing was asked for");
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
    let request_id = state
        .load
        .request
        .current()
        .expect("a listing was asked for");
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

#[test]
fn incremental_filtering_and_cached_sorts_give_the_same_view_as_a_full_rebuild() {
    let mut state = loaded();
    for _ in 0..state.columns.sort_cycle().len() {
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
                retype_filter(&mut state, text);
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

#[test]
fn edit_moved_to_u_and_e_exports() {
    use crate::app::keymap::{resolve_in, Key};
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

#[test]
fn a_usage_error_of_a_command_passes_and_the_key_hints_come_back() {
    let mut state = loaded();
    command(&mut state, "sort");
    let toast = state.toast.clone().expect("the usage is shown");
    assert_eq!(toast.level, Level::Error);
    assert!(toast.text.starts_with("Usage: :sort"), "{toast:?}");
    let until = toast.until.expect("it passes");
    update(&mut state, Msg::Tick { now: until - 1 });
    assert!(state.toast.is_some(), "long enough to read");
    update(&mut state, Msg::Tick { now: until });
    assert!(state.toast.is_none(), "then the key hints come back");
    // An error that arrives later (not a usage error) still stays until replaced.
    state.notify(Level::Error, "Export failed: disk full");
    update(&mut state, Msg::Tick { now: until + 1000 });
    assert!(state.toast.is_some());
}

#[test]
fn reloading_users_is_said_while_it_is_true() {
    let mut state = loaded();
    let effects = act(&mut state, Action::Reload);
    let Some(Effect::LoadUsers { request_id, .. }) = effects.first().cloned() else {
        panic!("a reload lists the users again, got {effects:?}");
    };
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text == "Reloading users…"));
    // Long past a passing message's time, the reload is still under way: still said.
    update(&mut state, Msg::Tick { now: NOW + 60 });
    assert!(state.toast.is_some(), "still reloading");
    answer_listing(&mut state, request_id);
    assert!(state.toast.is_none(), "gone when the reload ends");
}

#[test]
fn opening_detail_asks_for_the_history_and_keeps_only_the_current_users_answer() {
    use crate::audit::history::{History, HistoryEntry, HistorySource};
    let mut state = loaded();
    let first = open_detail_beside_the_list(&mut state);
    let Some(Effect::LoadHistory {
        request_id: old, ..
    }) = first.get(1).cloned()
    else {
        panic!("expected a history load beside the detail load: {first:?}");
    };
    let second = act(&mut state, Action::Down);
    let Some(Effect::LoadHistory {
        request_id: new,
        user_id,
    }) = second.get(1).cloned()
    else {
        panic!("expected a newer history load: {second:?}");
    };
    let entry = |change: &str| HistoryEntry {
        at: "2026-11-20T10:00:00Z".into(),
        actor: "ada.admin@demo-org.example".into(),
        action: "modified".into(),
        change: change.into(),
        source: HistorySource::AuditTrail,
    };
    let answer = |request_id, user: &str, change: &str| Msg::History {
        request_id,
        user_id: user.into(),
        history: History {
            entries: vec![entry(change)],
            unavailable: Some("Audit Trail is not permitted \u{1b}[31m".into()),
        },
    };
    update(&mut state, answer(old, "u01", "stale \u{1b}[31m"));
    assert!(state.detail.as_ref().is_some_and(|d| d.history.is_none()));
    update(
        &mut state,
        answer(new, user_id.as_str(), "disabled \u{1b}[31m"),
    );
    let history = state.detail.as_ref().and_then(|d| d.history.clone());
    let Some(History {
        entries,
        unavailable: Some(reason),
    }) = history
    else {
        panic!("the current answer is kept: {history:?}");
    };
    assert!(!reason.contains('\u{1b}'), "{reason:?}");
    assert_eq!(entries.len(), 1);
    assert!(entries[0].change.starts_with("disabled"));
    assert!(
        !entries[0].change.contains('\u{1b}'),
        "control characters are replaced"
    );
}
