//! Behaviour of `update`, one message at a time, on the demo fixture org.

use super::action::{Action, InputRequest, StatusTab};
use super::effect::{BulkKind, Effect};
use super::fixtures::{demo_page, NOW};
use super::msg::{DetailData, InviteOutcome, ItemOutcome, Msg};
use super::state::*;
use super::update::{init, update};
use crate::api::models::{UserId, UserStatus};

fn loaded() -> State {
    let mut state = State::new(
        Options {
            origin_label: "test".into(),
            monochrome: false,
        },
        NOW,
    );
    let effects = init(&mut state);
    let request_id = match effects.last() {
        Some(Effect::LoadUsers { request_id, .. }) => *request_id,
        other => panic!("init should load users, got {other:?}"),
    };
    update(
        &mut state,
        Msg::UsersPage {
            request_id,
            number: 0,
            total_pages: Some(1),
            response: demo_page(),
        },
    );
    update(&mut state, Msg::UsersLoaded { request_id });
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
    assert_eq!(effects.len(), 3);
    assert!(matches!(effects[0], Effect::LoadCurrentUser));
    assert!(matches!(effects[1], Effect::LoadRoles));
    assert!(matches!(effects[2], Effect::LoadUsers { .. }));
}

#[test]
fn pages_fill_the_view_and_the_progress() {
    let state = loaded();
    assert_eq!(state.view.len(), 12);
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
        Msg::UsersPage {
            request_id: 1, // an id older than the reload's
            number: 0,
            total_pages: None,
            response: page,
        },
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
    assert_eq!(state.cursor, 0);
    act(&mut state, Action::Bottom);
    assert_eq!(state.cursor, 11);
    assert_eq!(state.offset, 8);
    act(&mut state, Action::PageUp);
    assert_eq!(state.cursor, 7);
    assert!(state.offset <= 7);
    act(&mut state, Action::Top);
    assert_eq!((state.cursor, state.offset), (0, 0));
    act(&mut state, Action::PageDown);
    assert_eq!(state.cursor, 4);
    act(&mut state, Action::ClickRow(2));
    assert_eq!(state.cursor, state.offset + 2);
}

#[test]
fn typing_a_filter_narrows_the_view_instantly_and_esc_clears_it() {
    let mut state = loaded();
    act(&mut state, Action::StartFilter);
    assert_eq!(state.context(), Context::Filter);
    let effects = type_in(&mut state, "example.com");
    assert!(effects.is_empty(), "fully loaded: no server search");
    assert_eq!(state.view.len(), 10);
    type_in(&mut state, " ada");
    assert_eq!(state.view.len(), 1);
    assert_eq!(selected_id(&state), "u01");
    act(&mut state, Action::Cancel);
    assert_eq!(state.view.len(), 12);
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
    assert_eq!(state.view.len(), 1);
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
        Msg::SearchResults {
            request_id: *old,
            response: demo_page(),
        },
    );
    assert!(state.store.is_empty());
    update(
        &mut state,
        Msg::SearchResults {
            request_id: *new,
            response: demo_page(),
        },
    );
    assert_eq!(state.view.len(), 2, "Ada Lovelace and taro.yamada");
}

#[test]
fn tabs_show_only_their_status() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    assert_eq!(state.view.len(), 2);
    act(&mut state, Action::NextTab);
    assert_eq!(state.tab, StatusTab::Disabled);
    assert_eq!(state.view.len(), 2);
    act(&mut state, Action::NextTab);
    assert_eq!(state.view.len(), 1);
    act(&mut state, Action::NextTab);
    assert_eq!(state.tab, StatusTab::All);
    act(&mut state, Action::PrevTab);
    assert_eq!(state.tab, StatusTab::ServiceAccounts);
}

#[test]
fn sorting_keeps_the_cursor_on_the_same_user() {
    let mut state = loaded();
    act(&mut state, Action::Down);
    act(&mut state, Action::Down); // u03
    act(&mut state, Action::CycleSort); // name
    assert_eq!(state.sort.key, SortKey::Name);
    assert_eq!(selected_id(&state), "u03");
    let first = state.store.get(state.view[0]).map(|u| u.id.to_string());
    assert_eq!(
        first.as_deref(),
        Some("u05"),
        "the user without a name sorts first"
    );
    act(&mut state, Action::ReverseSort);
    assert!(state.sort.descending);
    assert_eq!(selected_id(&state), "u03");
    // Byte order of lower-cased names: CJK after Cyrillic after Latin.
    assert_eq!(
        state.store.get(state.view[0]).map(|u| u.id.as_str()),
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

#[test]
fn disabling_asks_first_and_says_how_many_marked_users_are_hidden() {
    let mut state = loaded();
    act(&mut state, Action::ToggleMark); // u01
    act(&mut state, Action::ToggleMark); // u02
    act(&mut state, Action::StartFilter);
    type_in(&mut state, "bjorn");
    act(&mut state, Action::Submit);
    let effects = act(&mut state, Action::Disable);
    assert!(effects.is_empty(), "nothing happens before the yes");
    let Some(Overlay::Confirm(confirm)) = &state.overlay else {
        panic!("expected a confirm dialog");
    };
    assert_eq!(confirm.kind, ConfirmKind::Bulk(BulkKind::Disable));
    assert_eq!(confirm.ids.len(), 2);
    assert_eq!(confirm.hidden, 1);
    let effects = act(&mut state, Action::Confirm);
    assert!(
        matches!(&effects[..], [Effect::Bulk { kind: BulkKind::Disable, ids, .. }] if ids.len() == 2)
    );
    assert!(state.overlay.is_none());
}

#[test]
fn cancelling_a_confirm_sends_nothing() {
    let mut state = loaded();
    act(&mut state, Action::Disable);
    assert!(act(&mut state, Action::Cancel).is_empty());
    assert!(state.overlay.is_none());
    assert!(state.bulk.is_none());
}

#[test]
fn already_disabled_users_are_left_out_of_a_disable() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Disabled));
    act(&mut state, Action::Disable);
    assert!(state.overlay.is_none());
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("already disabled")));
    act(&mut state, Action::SelectTab(StatusTab::All));
    act(&mut state, Action::MarkAllInView);
    act(&mut state, Action::Disable);
    let Some(Overlay::Confirm(confirm)) = &state.overlay else {
        panic!("expected a confirm dialog");
    };
    assert_eq!((confirm.ids.len(), confirm.skipped), (10, 2));
}

#[test]
fn a_bulk_run_tracks_each_user_and_keeps_failed_ones_marked() {
    let mut state = loaded();
    for _ in 0..3 {
        act(&mut state, Action::ToggleMark);
    }
    act(&mut state, Action::Disable);
    let effects = act(&mut state, Action::Confirm);
    let Some(Effect::Bulk { run_id, .. }) = effects.first() else {
        panic!("expected a bulk effect");
    };
    let run_id = *run_id;
    let outcomes = [
        ("u01", ItemOutcome::Done("disabled".into())),
        ("u02", ItemOutcome::Skipped("already disabled".into())),
        ("u03", ItemOutcome::Failed("permission denied".into())),
    ];
    for (id, outcome) in outcomes {
        update(
            &mut state,
            Msg::BulkItem {
                run_id,
                user_id: id.into(),
                outcome,
            },
        );
    }
    // A message of another run changes nothing.
    update(
        &mut state,
        Msg::BulkItem {
            run_id: 999,
            user_id: "u07".into(),
            outcome: ItemOutcome::Done("disabled".into()),
        },
    );
    update(&mut state, Msg::BulkFinished { run_id });
    assert_eq!(
        state.marks.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
        ["u03"]
    );
    assert_eq!(
        state.store.by_id(&"u01".into()).map(|u| u.status),
        Some(super::store::Status::Disabled)
    );
    assert_eq!(
        state.store.by_id(&"u07".into()).map(|u| u.status),
        Some(super::store::Status::Active)
    );
    let Some(Overlay::Summary(summary)) = &state.overlay else {
        panic!("expected a summary");
    };
    assert_eq!(
        summary.counts,
        vec![
            ("disabled".into(), 1),
            ("already disabled".into(), 1),
            ("failed".into(), 1)
        ]
    );
    assert_eq!(summary.failures.len(), 1);
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none());
}

#[test]
fn read_only_makes_mutating_keys_explain_instead_of_acting() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Access {
            read_only: true,
            reason: Some("read-only mode (started with --read-only)".into()),
        },
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
        assert!(state.overlay.is_none(), "{action:?}");
        assert!(state
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("--read-only")));
    }
}

#[test]
fn a_refusal_from_the_queue_ends_the_run_and_is_shown() {
    let mut state = loaded();
    act(&mut state, Action::Disable);
    act(&mut state, Action::Confirm);
    update(
        &mut state,
        Msg::Refused {
            what: "disable 1 user".into(),
            reason: "read-only mode".into(),
        },
    );
    assert!(state.bulk.as_ref().is_some_and(|b| b.finished));
    let toast = state.toast.clone().map(|t| t.text).unwrap_or_default();
    assert_eq!(toast, "Refused to disable 1 user: read-only mode");
}

#[test]
fn anonymize_needs_the_typed_word() {
    let mut state = loaded();
    act(&mut state, Action::Anonymize);
    assert_eq!(state.context(), Context::TypedConfirm);
    type_in(&mut state, "yes");
    assert!(act(&mut state, Action::Confirm).is_empty());
    for _ in 0..3 {
        act(&mut state, Action::TextEdit(InputRequest::DeletePrevChar));
    }
    type_in(&mut state, ANONYMIZE_WORD);
    let effects = act(&mut state, Action::Confirm);
    assert!(matches!(&effects[..], [Effect::Anonymize { ids, .. }] if ids[0].as_str() == "u01"));
}

#[test]
fn invite_validates_as_you_type_and_sends_only_valid_emails() {
    let mut state = loaded();
    update(&mut state, Msg::Roles(Ok(super::fixtures::demo_org().1)));
    act(&mut state, Action::Invite);
    assert_eq!(state.context(), Context::Form);
    type_in(&mut state, "new@x.io, bad@, ");
    update(&mut state, Msg::Paste("second@x.io\nthird@x.io\n".into()));
    let Some(Overlay::Invite(form)) = &state.overlay else {
        panic!("expected the invite form");
    };
    assert_eq!(form.parsed.len(), 4);
    assert_eq!(form.parsed.iter().filter(|e| !e.is_valid()).count(), 1);
    act(&mut state, Action::NextField);
    type_in(&mut state, "New Person");
    act(&mut state, Action::NextField);
    act(&mut state, Action::NextField);
    assert_eq!(state.context(), Context::Picker);
    act(&mut state, Action::Down);
    act(&mut state, Action::ToggleItem); // the second role by name
    let effects = act(&mut state, Action::Submit);
    let Some(Effect::InviteUsers {
        run_id,
        invitees,
        roles,
    }) = effects.first()
    else {
        panic!("expected an invite effect, got {effects:?}");
    };
    assert_eq!(invitees.len(), 3);
    assert_eq!(invitees[0].name.as_deref(), Some("New Person"));
    assert_eq!(roles.len(), 1);
    let mut user = super::fixtures::user("n1", "New Person", "new@x.io", &[]);
    user.attributes.status = Some(UserStatus::Pending);
    update(
        &mut state,
        Msg::InviteItem {
            run_id: *run_id,
            email: "new@x.io".into(),
            outcome: InviteOutcome::Invited {
                user: Box::new(user),
                created: true,
                expires_at: Some(NOW + 86_400 * 2),
            },
        },
    );
    update(
        &mut state,
        Msg::InviteItem {
            run_id: *run_id,
            email: "second@x.io".into(),
            outcome: InviteOutcome::Failed("boom".into()),
        },
    );
    let Some(Overlay::Invite(form)) = &state.overlay else {
        panic!("expected the invite form");
    };
    let statuses: Vec<_> = form.results.iter().map(|(_, s)| s.clone()).collect();
    assert!(matches!(&statuses[0], InviteStatus::Done(t) if t.contains("created and invited")));
    assert!(
        matches!(&statuses[1], InviteStatus::Failed(t) if t.contains("not sent: nothing after @"))
    );
    assert!(matches!(&statuses[2], InviteStatus::Failed(t) if t == "boom"));
    assert_eq!(statuses[3], InviteStatus::Waiting);
    assert!(state.store.by_id(&"n1".into()).is_some());
    assert!(state.invitations.contains_key(&UserId::from("n1")));
    assert_eq!(state.context(), Context::Summary);
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none());
}

#[test]
fn submitting_an_invite_without_a_valid_email_explains() {
    let mut state = loaded();
    act(&mut state, Action::Invite);
    type_in(&mut state, "nope");
    assert!(act(&mut state, Action::Submit).is_empty());
    assert!(state.toast.is_some());
}

#[test]
fn opening_detail_loads_it_and_a_stale_detail_is_dropped() {
    let mut state = loaded();
    update(
        &mut state,
        Msg::Resize {
            width: 160,
            height: 48,
        },
    );
    let first = act(&mut state, Action::OpenDetail);
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
fn editing_sends_only_what_changed_and_closes_when_saved() {
    let mut state = loaded();
    act(&mut state, Action::EditUser);
    assert_eq!(state.context(), Context::Form);
    type_in(&mut state, " Jr");
    act(&mut state, Action::NextField);
    type_in(&mut state, "Countess");
    let effects = act(&mut state, Action::Submit);
    let Some(Effect::UpdateUser {
        request_id,
        update: change,
        current_user,
        ..
    }) = effects.first().cloned()
    else {
        panic!("expected an update, got {effects:?}");
    };
    assert!(!current_user);
    assert_eq!(change.name.as_deref(), Some("Ada Lovelace Jr"));
    assert_eq!(change.email, None);
    let mut saved = demo_page().data[0].clone();
    saved.attributes.name = Some("Ada Lovelace Jr".into());
    update(
        &mut state,
        Msg::UserUpdated {
            request_id,
            result: Ok(Box::new(saved)),
        },
    );
    assert!(state.overlay.is_none());
    assert_eq!(
        state
            .store
            .by_id(&"u01".into())
            .map(|u| u.name.to_string())
            .as_deref(),
        Some("Ada Lovelace Jr")
    );
}

#[test]
fn editing_my_own_profile_uses_the_current_user_operation() {
    let mut state = loaded();
    let me = demo_page().data[1].clone();
    update(&mut state, Msg::CurrentUser(Ok(Box::new((me, vec![])))));
    act(&mut state, Action::ShowMe);
    assert_eq!(
        state.detail.as_ref().map(|d| d.user_id.as_str()),
        Some("u02")
    );
    act(&mut state, Action::EditUser);
    act(&mut state, Action::TextEdit(InputRequest::InsertChar('!')));
    let effects = act(&mut state, Action::Submit);
    assert!(matches!(
        &effects[..],
        [Effect::UpdateUser {
            current_user: true,
            ..
        }]
    ));
}

#[test]
fn an_invalid_email_edit_is_refused_in_the_form() {
    let mut state = loaded();
    act(&mut state, Action::EditUser);
    act(&mut state, Action::NextField);
    act(&mut state, Action::NextField);
    act(&mut state, Action::TextEdit(InputRequest::DeleteLine));
    type_in(&mut state, "not-an-email");
    assert!(act(&mut state, Action::Submit).is_empty());
    let Some(Overlay::Edit(form)) = &state.overlay else {
        panic!("the form stays open");
    };
    assert!(form
        .error
        .as_deref()
        .is_some_and(|e| e.contains("missing @")));
}

#[test]
fn role_changes_send_the_difference() {
    let mut state = loaded();
    update(&mut state, Msg::Roles(Ok(super::fixtures::demo_org().1)));
    act(&mut state, Action::EditRoles); // u01 holds the admin role (first by name)
    assert_eq!(state.context(), Context::Picker);
    act(&mut state, Action::ToggleItem); // drop admin
    act(&mut state, Action::Down);
    act(&mut state, Action::ToggleItem); // add read only
    let effects = act(&mut state, Action::Submit);
    let Some(Effect::ChangeRoles {
        run_id,
        add,
        remove,
        ..
    }) = effects.first().cloned()
    else {
        panic!("expected a role change, got {effects:?}");
    };
    assert_eq!(add.iter().map(|r| r.as_str()).collect::<Vec<_>>(), ["r-ro"]);
    assert_eq!(
        remove.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        ["r-admin"]
    );
    update(
        &mut state,
        Msg::RolesChanged {
            run_id,
            user_id: "u01".into(),
            result: Ok(vec!["r-ro".into()]),
        },
    );
    assert!(state.overlay.is_none());
    let roles = state
        .store
        .by_id(&"u01".into())
        .map(|u| state.store.role_names(u));
    assert_eq!(roles.as_deref(), Some("Datadog Read Only Role"));
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
    assert!(effects.is_empty(), "many invitations need a yes first");
    assert!(matches!(state.overlay, Some(Overlay::Confirm(_))));
    let effects = act(&mut state, Action::Confirm);
    assert!(
        matches!(&effects[..], [Effect::Bulk { kind: BulkKind::ResendInvitation, ids, .. }] if ids.len() == 2)
    );
}

#[test]
fn resend_to_one_pending_user_goes_straight_out() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    let effects = act(&mut state, Action::ResendInvitation);
    assert!(
        matches!(&effects[..], [Effect::Bulk { kind: BulkKind::ResendInvitation, ids, .. }] if ids.len() == 1)
    );
}

#[test]
fn a_second_bulk_waits_for_the_first() {
    let mut state = loaded();
    act(&mut state, Action::Disable);
    act(&mut state, Action::Confirm);
    act(&mut state, Action::Down);
    assert!(act(&mut state, Action::Disable).is_empty());
    assert!(state.overlay.is_none());
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
        state.sort,
        Sort {
            key: SortKey::Email,
            descending: true
        }
    );
    run(&mut state, "sort -created");
    assert_eq!(
        state.sort,
        Sort {
            key: SortKey::Created,
            descending: true
        }
    );
    run(&mut state, "status pending");
    assert_eq!(state.tab, StatusTab::Pending);
    run(&mut state, "status all");
    run(&mut state, "filter grace");
    assert_eq!(state.view.len(), 1);
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
    assert!(state.filter_editing);
    assert_eq!(state.filter.value(), "grace");
    assert_eq!(state.view.len(), 1);
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
        Msg::UsersLoadFailed {
            request_id,
            error: "network down".into(),
        },
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
        Msg::UsersLoadFailed {
            request_id,
            error: "permission denied (403)".into(),
        },
    );
    assert_eq!(state.load.error.as_deref(), Some("permission denied (403)"));
    assert!(!state.is_animating());
}

#[test]
fn roles_and_current_user_errors_are_kept_for_display() {
    let mut state = loaded();
    update(&mut state, Msg::Roles(Err("forbidden".into())));
    assert_eq!(state.roles_error.as_deref(), Some("forbidden"));
    update(&mut state, Msg::CurrentUser(Err("forbidden".into())));
    assert!(state.toast.is_some());
    act(&mut state, Action::EditRoles);
    assert!(state.overlay.is_none());
}

#[test]
fn anonymized_users_are_summarised_and_the_list_reloads() {
    let mut state = loaded();
    let effects = update(
        &mut state,
        Msg::Anonymized {
            run_id: 1,
            result: Ok(crate::api::models::AnonymizeUsersResult {
                anonymized_user_ids: vec!["u01".into()],
                anonymize_errors: vec![],
            }),
        },
    );
    assert!(matches!(&effects[..], [Effect::LoadUsers { .. }]));
    assert!(matches!(state.overlay, Some(Overlay::Summary(_))));
}

#[test]
fn enable_applies_only_to_disabled_users() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Disabled));
    act(&mut state, Action::Enable);
    assert!(
        matches!(&state.overlay, Some(Overlay::Confirm(c)) if c.kind == ConfirmKind::Bulk(BulkKind::Enable))
    );
    act(&mut state, Action::Cancel);
    act(&mut state, Action::SelectTab(StatusTab::Active));
    act(&mut state, Action::Enable);
    assert!(state.overlay.is_none());
}

#[test]
fn cancel_invitations_confirms_for_pending_users() {
    let mut state = loaded();
    act(&mut state, Action::SelectTab(StatusTab::Pending));
    act(&mut state, Action::CancelInvitations);
    let effects = act(&mut state, Action::Confirm);
    assert!(matches!(
        &effects[..],
        [Effect::Bulk {
            kind: BulkKind::CancelInvitations,
            ..
        }]
    ));
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
    expected.sort_by(|a, b| super::update::compare(&state.store, state.sort, *a, *b));
    expected
}

#[test]
fn incremental_filtering_and_cached_sorts_give_the_same_view_as_a_full_rebuild() {
    let mut state = loaded();
    for _ in 0..SortKey::CYCLE.len() {
        for descending in [false, true] {
            if state.sort.descending != descending {
                act(&mut state, Action::ReverseSort);
            }
            assert_eq!(
                state.view,
                view_from_scratch(&state),
                "sort {:?}",
                state.sort
            );
            act(&mut state, Action::StartFilter);
            for text in [
                "a", "ad", "ada", "ad", "", "e", "ex", "example", "exa", " x", "",
            ] {
                let current = state.filter.value().to_owned();
                if text.starts_with(current.as_str()) {
                    type_in(&mut state, &text[current.len()..]);
                } else {
                    for _ in 0..current.chars().count() {
                        act(&mut state, Action::TextEdit(InputRequest::DeletePrevChar));
                    }
                    type_in(&mut state, text);
                }
                assert_eq!(
                    state.view,
                    view_from_scratch(&state),
                    "filter {text:?}, sort {:?}",
                    state.sort
                );
            }
            act(&mut state, Action::SelectTab(StatusTab::Active));
            assert_eq!(state.view, view_from_scratch(&state));
            act(&mut state, Action::SelectTab(StatusTab::All));
            act(&mut state, Action::Cancel);
        }
        act(&mut state, Action::CycleSort);
    }
}
