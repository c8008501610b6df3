//! Marks drive every action: range, invert, "marked only", and the changes that act on the
//! marked users (roles, title) rather than the cursor's.

use super::*;

/// Puts the cursor on `id` (shown in the current view).
fn go_to(state: &mut State, id: &str) {
    let ix = state.store.index_of(&id.into()).expect("a loaded user");
    let pos = state.view.rows.iter().position(|r| *r == ix);
    state.view.cursor.pos = pos.expect("the user is shown");
}

fn mark(state: &mut State, ids: &[&str]) {
    for id in ids {
        go_to(state, id);
        act(state, Action::ToggleMark);
    }
}

fn marked(state: &State) -> Vec<String> {
    let mut ids: Vec<String> = state.marks.iter().map(|id| id.to_string()).collect();
    ids.sort();
    ids
}

fn shown(state: &State) -> Vec<String> {
    let mut ids: Vec<String> = state.shown_ids().iter().map(|id| id.to_string()).collect();
    ids.sort();
    ids
}

#[test]
fn v_marks_the_range_from_the_last_marked_user_to_the_cursor() {
    let mut state = loaded();
    let rows: Vec<String> = state.shown_ids().iter().map(|id| id.to_string()).collect();
    mark(&mut state, &[&rows[2]]);
    go_to(&mut state, &rows[5]);
    act(&mut state, Action::MarkRange);
    let mut expected: Vec<String> = rows[2..=5].to_vec();
    expected.sort();
    assert_eq!(marked(&state), expected);
    // Upwards works too, from the new anchor (the cursor of the last range).
    go_to(&mut state, &rows[0]);
    act(&mut state, Action::MarkRange);
    let mut expected: Vec<String> = rows[0..=5].to_vec();
    expected.sort();
    assert_eq!(marked(&state), expected);
}

#[test]
fn i_inverts_the_marks_in_the_view_only() {
    let mut state = loaded();
    mark(&mut state, &["u01", "u02"]);
    act(&mut state, Action::SelectTab(StatusTab::Disabled)); // u06, u09
    act(&mut state, Action::InvertMarks);
    assert_eq!(marked(&state), ["u01", "u02", "u06", "u09"]);
    act(&mut state, Action::SelectTab(StatusTab::All));
    act(&mut state, Action::InvertMarks);
    assert_eq!(marked(&state).len(), 12 - 4);
    assert!(!marked(&state).contains(&"u01".to_owned()));
}

#[test]
fn m_shows_only_the_marked_users_and_follows_the_marks() {
    let mut state = loaded();
    act(&mut state, Action::ToggleMarkedOnly);
    assert_eq!(
        state.view.rows.len(),
        12,
        "nothing marked: nothing restricted"
    );
    assert_eq!(state.toast.as_ref().map(|t| t.level), Some(Level::Warn));
    mark(&mut state, &["u03", "u07", "u10"]);
    act(&mut state, Action::ToggleMarkedOnly);
    assert_eq!(shown(&state), ["u03", "u07", "u10"]);
    // Unmarking a user here takes it out of the list.
    go_to(&mut state, "u07");
    act(&mut state, Action::ToggleMark);
    assert_eq!(shown(&state), ["u03", "u10"]);
    act(&mut state, Action::ToggleMarkedOnly);
    assert_eq!(state.view.rows.len(), 12);
}

#[test]
fn r_on_marked_users_adds_and_removes_roles_for_all_of_them_in_one_asked_run() {
    let mut state = loaded_with_roles();
    // Björn (Standard), Taro (Standard + Read Only), Ken (Admin + Standard).
    mark(&mut state, &["u02", "u03", "u11"]);
    go_to(&mut state, "u05"); // the cursor's user is not the one acted on
    act(&mut state, Action::EditRoles);
    let Some(Overlay::Roles(picker)) = &state.overlay else {
        panic!("expected the role picker");
    };
    assert!(picker.marked);
    assert_eq!(picker.users.len(), 3);
    let holders: Vec<usize> = picker.rows.iter().map(|r| r.holders).collect();
    assert_eq!(holders, [1, 1, 3], "Admin, Read Only, Standard");
    // Read Only: some hold it → add to all; Standard: all hold it → remove.
    act(&mut state, Action::Down);
    act(&mut state, Action::ToggleItem);
    act(&mut state, Action::Down);
    act(&mut state, Action::ToggleItem);
    let Some(Overlay::Roles(picker)) = &state.overlay else {
        panic!("expected the role picker");
    };
    let choices: Vec<RoleChoice> = picker.rows.iter().map(|r| r.choice).collect();
    assert_eq!(
        choices,
        [RoleChoice::Keep, RoleChoice::Add, RoleChoice::Remove]
    );
    let effects = act(&mut state, Action::Submit);
    assert!(
        prepared(&mut state, &effects).is_empty(),
        "a bulk role change always asks, even when the gate would take Enter"
    );
    let plan = state.plan.as_ref().expect("the plan dialog");
    assert_eq!(plan.draft.title(), "Change the roles of 3 marked users");
    let changes: Vec<Change> = plan.draft.items().into_iter().map(|i| i.change).collect();
    let described: Vec<String> = changes.iter().map(describe).collect();
    assert_eq!(
        described,
        [
            "+r-ro u02",
            "+r-ro u11",
            "-r-std u02",
            "-r-std u03",
            "-r-std u11"
        ],
        "only what changes something, additions first"
    );
    let confirm = match verdict(&state).summary.confirmation.clone() {
        Confirmation::Type(text) => {
            type_in(&mut state, &text);
            Action::Submit
        }
        _ => Action::Confirm,
    };
    let (ticket, plan) = applied(&act(&mut state, confirm));
    for (index, planned) in plan.items().iter().enumerate() {
        let result = ItemResult::done("ok", None);
        item(&mut state, ticket, index, planned.change.clone(), result);
    }
    ended(&mut state, ticket);
    let Some(Overlay::Summary(summary)) = &state.overlay else {
        panic!(
            "a bulk role change ends in its summary, got {:?}",
            state.overlay
        );
    };
    assert_eq!(summary.counts, [("done".to_owned(), 5)]);
    let roles = |id: &str| {
        let user = state.store.by_id(&id.into()).expect("loaded");
        state.store.role_names(user)
    };
    assert_eq!(roles("u02"), "Datadog Read Only Role");
    assert_eq!(roles("u11"), "Datadog Admin Role, Datadog Read Only Role");
}

#[test]
fn a_role_nobody_marked_holds_toggles_between_keep_and_add_only() {
    let row = RoleRow {
        role: 0,
        holders: 0,
        choice: RoleChoice::Keep,
    };
    assert_eq!(row.next_choice(3), RoleChoice::Add);
    let row = RoleRow {
        choice: RoleChoice::Add,
        ..row
    };
    assert_eq!(row.next_choice(3), RoleChoice::Keep);
    let everyone = RoleRow {
        holders: 3,
        choice: RoleChoice::Keep,
        ..row
    };
    assert_eq!(everyone.next_choice(3), RoleChoice::Remove);
    let some = RoleRow {
        holders: 1,
        choice: RoleChoice::Add,
        ..row
    };
    assert_eq!(some.next_choice(3), RoleChoice::Remove);
}

#[test]
fn every_change_key_names_the_marked_users_it_acts_on() {
    let mut state = loaded();
    mark(&mut state, &["u01", "u02"]);
    let effects = act(&mut state, Action::Disable);
    let title = state.plan.as_ref().map(|p| p.draft.title().to_owned());
    assert_eq!(title.as_deref(), Some("Disable 2 marked users"));
    assert!(!effects.is_empty());
    act(&mut state, Action::Cancel);
    state.plan = None;
    act(&mut state, Action::Anonymize);
    let title = state.plan.as_ref().map(|p| p.draft.title().to_owned());
    assert_eq!(title.as_deref(), Some("Anonymize 2 marked users"));
}

#[test]
fn u_on_marked_users_sets_one_title_for_those_whose_title_differs() {
    let mut state = loaded();
    mark(&mut state, &["u01", "u02", "u03"]);
    act(&mut state, Action::EditUser);
    let Some(Overlay::Edit(form)) = &state.overlay else {
        panic!("expected the edit form");
    };
    assert_eq!(form.marked.len(), 3);
    // The form starts from the first marked user's title; replace it.
    for _ in 0..form.title.value().chars().count() {
        act(&mut state, Action::TextEdit(InputRequest::DeletePrevChar));
    }
    type_in(&mut state, "SRE");
    let effects = act(&mut state, Action::Submit);
    let plan = state.plan.as_ref().expect("the plan dialog");
    assert_eq!(plan.draft.title(), "Set the title of 3 marked users");
    let users: Vec<String> = plan
        .draft
        .items()
        .into_iter()
        .map(|i| i.change.target().to_owned())
        .collect();
    assert_eq!(users.len(), 3);
    assert!(effects.iter().any(|e| matches!(e, Effect::Prepare { .. })));
}

fn describe(change: &Change) -> String {
    match change {
        Change::AddRole { user, role } => format!("+{role} {user}"),
        Change::RemoveRole { user, role } => format!("-{role} {user}"),
        other => format!("{other:?}"),
    }
}
