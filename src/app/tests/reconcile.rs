//! `:reconcile FILE`: the org matched with a people list, as the list.

use super::*;
use crate::audit::reconcile::{People, PeopleColumns};

/// Ada present (upper-cased), Björn and Zoë (pending) marked left, Grace (disabled) marked
/// left, the CI bot (a service account) listed, Taro and Margaret missing, one bad row.
const PEOPLE: &str = "email,status\n\
ADA@example.com,\n\
bjorn@example.com,terminated\n\
zoe@example.com,left\n\
grace@example.com,left\n\
ci-bot@example.com,\n\
alan@example.com,active\n\
barbara@example.com,active\n\
ken@example.com,active\n\
noname@example.com,\n\
nobody,left\n";

fn people() -> Box<People> {
    let people = People::parse(PEOPLE.as_bytes(), "people.csv", &PeopleColumns::default());
    Box::new(people.expect("the fixture parses"))
}

fn reconciled(state: &mut State) {
    update(state, Msg::Audit(AuditMsg::People(Ok(people()))));
}

fn shown(state: &State) -> Vec<String> {
    let mut ids: Vec<String> = state.shown_ids().iter().map(|i| i.to_string()).collect();
    ids.sort();
    ids
}

fn finding(state: &State, id: &str) -> Option<String> {
    let ix = state.store.index_of(&id.into())?;
    let (columns, cells) = state.explanation()?;
    assert_eq!(columns.labels, ["Finding"]);
    cells.get(&ix).and_then(|c| c.first().cloned())
}

#[test]
fn reconcile_lists_leavers_orphans_and_service_accounts_with_their_reasons() {
    let mut state = loaded_with_roles();
    reconciled(&mut state);
    assert_eq!(shown(&state), ["u02", "u03", "u04", "u08", "u12"]);
    assert_eq!(
        finding(&state, "u02").as_deref(),
        Some("leaver: marked left (terminated) in people.csv row 3")
    );
    assert_eq!(
        finding(&state, "u03").as_deref(),
        Some("orphan: not in people.csv")
    );
    assert!(finding(&state, "u08").is_some_and(|f| f == "service: listed in people.csv row 6"));
    assert_eq!(
        finding(&state, "u06"),
        None,
        "disabled leavers are no finding"
    );
    let toast = state.toast.as_ref().expect("said");
    assert!(
        toast
            .text
            .starts_with("2 active leavers, 2 orphans, 1 service account (against people.csv); 1 invalid row skipped"),
        "{}",
        toast.text
    );
}

#[test]
fn reconcile_narrows_keeps_every_action_and_esc_closes() {
    let mut state = loaded_with_roles();
    reconciled(&mut state);
    command(&mut state, "reconcile leavers");
    assert_eq!(shown(&state), ["u02", "u04"]);
    let lens = state.reconcile.active.as_ref().expect("open");
    assert_eq!(lens.tab_counts[0], 2);
    command(&mut state, "reconcile orphans");
    assert_eq!(shown(&state), ["u03", "u12"]);
    command(&mut state, "reconcile leavers");
    // The list's actions work on the lens: mark both leavers, disable them through the gate.
    act(&mut state, Action::ToggleMark);
    act(&mut state, Action::ToggleMark);
    assert_eq!(state.marks.len(), 2);
    let effects = act(&mut state, Action::Disable);
    assert!(
        matches!(&effects[..], [Effect::Prepare { .. }]),
        "{effects:?}"
    );
    state.plan = None;
    act(&mut state, Action::Back);
    assert!(state.reconcile.active.is_none());
    assert_eq!(state.view.rows.len(), state.store.len());
    assert_eq!(state.explanation(), None);
}

#[test]
fn reconcile_reads_the_file_through_an_effect_and_waits_for_the_whole_org() {
    let mut state = loaded();
    command(&mut state, "reconcile");
    assert!(state
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("Usage: :reconcile FILE")));
    let effects = command(&mut state, "reconcile hr people.csv");
    assert!(matches!(
        &effects[..],
        [Effect::ReadPeople { path }] if path.to_str() == Some("hr people.csv")
    ));
    update(
        &mut state,
        Msg::Audit(AuditMsg::People(Err(
            "people.csv has no column named \"email\"".into(),
        ))),
    );
    let toast = state.toast.as_ref().expect("said");
    assert_eq!(toast.level, Level::Error);
    assert!(toast.text.contains("no column named"));

    let (mut state, request_id) = started();
    reconciled(&mut state);
    assert!(state.reconcile.active.is_none() && state.reconcile.pending.is_some());
    demo_page_arrives(&mut state, request_id);
    assert!(state.reconcile.active.is_none(), "only once loading ends");
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    assert!(state.reconcile.active.is_some());
}

#[test]
fn a_hostile_file_name_is_made_safe_in_the_finding_column() {
    let mut state = loaded_with_roles();
    let people = People::parse(
        PEOPLE.as_bytes(),
        "evil\u{1b}[31m.csv",
        &PeopleColumns::default(),
    );
    let people = Box::new(people.expect("parses"));
    update(&mut state, Msg::Audit(AuditMsg::People(Ok(people))));
    let cell = finding(&state, "u03").expect("an orphan");
    assert!(cell.starts_with("orphan: not in evil"), "{cell}");
    assert!(!cell.contains('\u{1b}'), "{cell:?}");
}

#[test]
fn a_leaver_disabled_from_the_lens_is_no_longer_a_finding() {
    let mut state = loaded_with_roles();
    reconciled(&mut state);
    command(&mut state, "reconcile leavers");
    assert_eq!(shown(&state), ["u02", "u04"]);
    // A run disables Björn: the store changes, the lens matches again, still narrowed.
    let ix = state.store.index_of(&"u02".into()).expect("loaded");
    state
        .store_mut()
        .set_status(ix, crate::org::Status::Disabled);
    update(&mut state, Msg::Tick { now: NOW + 1 });
    assert_eq!(shown(&state), ["u04"]);
    let lens = state.reconcile.active.as_ref().expect("still open");
    assert_eq!(
        lens.only,
        Some(crate::audit::reconcile::FindingKind::ActiveLeaver)
    );
    assert_eq!(finding(&state, "u02"), None);
}
