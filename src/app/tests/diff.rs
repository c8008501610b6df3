//! `:diff FILE`: the org compared with an older snapshot, as the list.

use std::sync::Arc;

use super::*;
use crate::api::models::User;
use crate::audit::diff::ChangeKind;
use crate::org::snapshot::Snapshot;

/// An older snapshot of the demo org: Björn (u02) not yet there, a user since removed
/// (u99), Taro (u03) disabled then, Alan (u10) then without roles.
fn older(state: &State) -> DiffBase {
    let mut snapshot = Snapshot::of(&state.store);
    snapshot.users.retain(|u| u.id.as_str() != "u02");
    let mut gone: User = snapshot.users[0].clone();
    gone.id = "u99".into();
    gone.attributes.email = Some("gone@example.com".into());
    gone.attributes.name = Some("Gone Person".into());
    snapshot.users.push(gone);
    for user in &mut snapshot.users {
        match user.id.as_str() {
            "u03" => {
                user.attributes.disabled = Some(true);
                user.attributes.status = Some(UserStatus::Disabled);
            }
            "u10" => user.relationships.roles = None,
            _ => {}
        }
    }
    DiffBase {
        label: "snapshot old.json".into(),
        snapshot: Arc::new(snapshot),
    }
}

fn compare(state: &mut State, base: DiffBase) {
    update(state, Msg::Audit(AuditMsg::DiffBase(Ok(Box::new(base)))));
}

fn change(state: &State, id: &str) -> Option<(ChangeKind, String)> {
    let ix = state.store.index_of(&id.into())?;
    crate::app::diff::change_of(state, ix).map(|c| (c.kind, c.text.clone()))
}

#[test]
fn diff_lists_the_users_added_removed_and_changed_with_what_changed() {
    let mut state = loaded_with_roles();
    let base = older(&state);
    compare(&mut state, base);
    let mut shown: Vec<String> = state.shown_ids().iter().map(|i| i.to_string()).collect();
    shown.sort();
    assert_eq!(shown, ["u02", "u03", "u10", "u99"]);
    assert_eq!(change(&state, "u02").map(|c| c.0), Some(ChangeKind::Added));
    assert_eq!(
        change(&state, "u99"),
        Some((ChangeKind::Removed, "removed".into()))
    );
    let (kind, text) = change(&state, "u03").expect("u03 changed");
    assert_eq!(kind, ChangeKind::Changed);
    assert!(text.starts_with("enabled"), "{text}");
    let (_, text) = change(&state, "u10").expect("u10 changed");
    assert!(text.contains("+ Datadog Standard Role"), "{text}");
    // The removed user can be shown like anyone, with the name the snapshot had.
    let gone = state.store.by_id(&"u99".into()).expect("listed");
    assert_eq!(&*gone.name, "Gone Person");
}

#[test]
fn diff_narrows_to_one_kind_and_closes_back_to_the_org() {
    let mut state = loaded_with_roles();
    let users_before = state.store.len();
    let base = older(&state);
    compare(&mut state, base);
    run_command(&mut state, "diff removed");
    assert_eq!(state.shown_ids(), vec![UserId::from("u99")]);
    let lens = state.diff.active.as_ref().expect("comparing");
    assert_eq!(lens.tab_counts[0], 1);
    run_command(&mut state, "diff all");
    assert_eq!(state.view.rows.len(), 4);
    // Mark the removed user, then close: the org is as it was, and so are the marks.
    run_command(&mut state, "mark");
    act(&mut state, Action::Back);
    assert!(state.diff.active.is_none());
    assert_eq!(state.store.len(), users_before);
    assert!(state.store.by_id(&"u99".into()).is_none());
    assert!(!state.marks.contains(&UserId::from("u99")));
    assert_eq!(state.marks.len(), 3);
}

#[test]
fn a_snapshot_read_while_the_org_loads_waits_for_the_whole_org() {
    let (mut state, request_id) = started();
    let base = older(&loaded_with_roles());
    compare(&mut state, base);
    assert!(state.diff.active.is_none() && state.diff.pending.is_some());
    demo_page_arrives(&mut state, request_id);
    assert!(state.diff.active.is_none(), "only once loading ends");
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    assert!(state.diff.active.is_some());
}

#[test]
fn diff_without_a_file_says_how_and_a_bad_file_says_why() {
    let mut state = loaded();
    run_command(&mut state, "diff");
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("Usage: :diff FILE")));
    let effects = run_command(&mut state, "diff old snap.json");
    assert!(matches!(
        &effects[..],
        [Effect::ReadSnapshot { path }] if path.to_str() == Some("old snap.json")
    ));
    update(
        &mut state,
        Msg::Audit(AuditMsg::DiffBase(Err(
            "old.json is not a ddusers audit snapshot".into(),
        ))),
    );
    let toast = state.toast.as_ref().expect("said");
    assert_eq!(toast.level, Level::Error);
    assert!(toast.text.contains("not a ddusers audit snapshot"));
    assert!(state.diff.active.is_none());
}

fn run_command(state: &mut State, line: &str) -> Vec<Effect> {
    act(state, Action::CommandLine);
    type_in(state, line);
    act(state, Action::Submit)
}
