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
    assert!(state.toast.as_ref().unwrap().text.contains("Datadog Read Only Role"));
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
