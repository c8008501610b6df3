//! `:role NAME` as a lens over the list, and the detail pane's permissions folded and
//! searched.

use super::*;

fn ids(list: &[&str]) -> HashSet<UserId> {
    list.iter().map(|id| UserId::from(*id)).collect()
}

#[test]
fn role_lists_its_members_with_tab_counts_and_esc_leaves() {
    let mut state = loaded();
    let effects = command(&mut state, "role datadog standard role");
    assert!(effects.is_empty(), "computed from the org: {effects:?}");
    assert_eq!(
        shown_ids(&state),
        ids(&["u02", "u03", "u07", "u08", "u10", "u11", "u12"])
    );
    let lens = state.audit.active.as_ref().expect("the lens is open");
    assert_eq!(lens.title, "Members of Datadog Standard Role (7)");
    // All, Active, Pending, Disabled, Service accounts.
    assert_eq!(lens.tab_counts, [7, 7, 0, 0, 1]);
    // Tabs and the filter work inside the lens.
    act(&mut state, Action::SelectTab(StatusTab::ServiceAccounts));
    assert_eq!(shown_ids(&state), ids(&["u08"]));
    act(&mut state, Action::SelectTab(StatusTab::All));
    act(&mut state, Action::StartFilter);
    type_in(&mut state, "mfa:on");
    act(&mut state, Action::Submit);
    assert_eq!(shown_ids(&state), ids(&["u03", "u10", "u11"]));
    // Esc clears the filter, then leaves the lens.
    act(&mut state, Action::Back);
    act(&mut state, Action::Back);
    assert!(state.audit.active.is_none());
    assert_eq!(state.view.rows.len(), 12);
}

#[test]
fn role_takes_the_one_role_containing_the_words_and_actions_act_on_its_members() {
    let mut state = loaded();
    command(&mut state, "role read only");
    assert_eq!(shown_ids(&state), ids(&["u03", "u04", "u09"]));
    act(&mut state, Action::MarkAllInView);
    assert_eq!(state.marks, ids(&["u03", "u04", "u09"]));
}

#[test]
fn an_unknown_role_is_refused_with_the_closest_names() {
    let mut state = loaded();
    command(&mut state, "role datadog admn role");
    assert!(state.audit.active.is_none());
    let toast = state.toast.as_ref().expect("an error is shown");
    assert_eq!(toast.level, Level::Error);
    assert!(
        toast
            .text
            .contains("no role is named \"datadog admn role\"; did you mean Datadog Admin Role,"),
        "{}",
        toast.text
    );
    // "datadog" is in every role's name: ambiguous, so the names are listed.
    command(&mut state, "role datadog");
    assert!(state.audit.active.is_none());
    assert!(state
        .toast
        .as_ref()
        .unwrap()
        .text
        .contains("Datadog Read Only Role"));
}

#[test]
fn the_org_offers_its_role_names_for_completion() {
    let state = loaded();
    assert_eq!(
        state.store.all_role_names(),
        [
            "Datadog Admin Role",
            "Datadog Read Only Role",
            "Datadog Standard Role"
        ]
    );
}

/// The detail's permission groups as shown: (group, folded, selected, permissions).
fn sections(state: &State) -> Vec<(String, bool, bool, Vec<String>)> {
    let detail = state.detail.as_ref().expect("the detail is open");
    let user = state
        .store
        .by_id(&detail.user_id)
        .expect("the user is loaded");
    crate::app::detail::permission_sections(state, user)
        .expect("the roles' permissions are known")
        .into_iter()
        .map(|s| {
            let names = s.permissions.into_iter().map(|p| p.name).collect();
            (s.group, s.folded, s.selected, names)
        })
        .collect()
}

fn folded(state: &State) -> Vec<bool> {
    sections(state).into_iter().map(|s| s.1).collect()
}

#[test]
fn permission_groups_fold_one_at_a_time_or_all_and_stay_folded_for_the_next_user() {
    let mut state = loaded();
    assert_eq!(selected_id(&state), "u01");
    act(&mut state, Action::OpenDetail);
    assert_eq!(
        state.focus,
        Focus::Detail,
        "80 columns: the detail takes the screen"
    );
    let groups: Vec<String> = sections(&state).into_iter().map(|s| s.0).collect();
    assert_eq!(groups, ["Access Management", "Dashboards", "Monitors"]);
    assert_eq!(folded(&state), [false, false, false]);

    act(&mut state, Action::FoldGroup);
    assert_eq!(folded(&state), [true, false, false]);
    act(&mut state, Action::NextGroup);
    assert!(
        sections(&state)[1].2,
        "the group cursor moved to Dashboards"
    );
    act(&mut state, Action::ToggleMark);
    assert_eq!(
        folded(&state),
        [true, true, false],
        "Space folds in the detail"
    );
    assert!(state.marks.is_empty(), "and marks nobody");
    act(&mut state, Action::OpenDetail);
    assert_eq!(
        folded(&state),
        [true, false, false],
        "Enter unfolds it again"
    );
    act(&mut state, Action::FoldAllGroups);
    assert_eq!(folded(&state), [true, true, true]);
    act(&mut state, Action::FoldAllGroups);
    assert_eq!(folded(&state), [false, false, false]);

    act(&mut state, Action::FoldGroup);
    act(&mut state, Action::SwitchFocus);
    act(&mut state, Action::Down);
    act(&mut state, Action::OpenDetail);
    assert_eq!(selected_id(&state), "u02");
    // Björn (standard role) has Dashboards and Monitors; Dashboards stays folded.
    assert_eq!(
        sections(&state)
            .into_iter()
            .map(|s| (s.0, s.1))
            .collect::<Vec<_>>(),
        [
            ("Dashboards".to_owned(), true),
            ("Monitors".to_owned(), false)
        ]
    );
}

#[test]
fn slash_in_the_detail_searches_its_permissions_and_esc_clears_it() {
    let mut state = loaded();
    act(&mut state, Action::OpenDetail);
    act(&mut state, Action::FoldAllGroups);
    act(&mut state, Action::StartFilter);
    assert_eq!(state.context(), Context::Filter);
    assert!(!state.view.filter_editing, "the list's filter is untouched");
    type_in(&mut state, "dash writ");
    assert_eq!(
        sections(&state),
        [(
            "Dashboards".to_owned(),
            false,
            true,
            vec!["dashboards_write".to_owned()]
        )],
        "matches show unfolded"
    );
    update(&mut state, Msg::Paste("x".into()));
    assert!(
        sections(&state).is_empty(),
        "a paste goes to the search: nothing matches"
    );
    assert_eq!(state.view.filter.value(), "");
    act(&mut state, Action::Cancel);
    assert_eq!(state.context(), Context::Browse);
    assert_eq!(folded(&state), [true, true, true], "the folds come back");
    assert_eq!(state.view.rows.len(), 12);
}
