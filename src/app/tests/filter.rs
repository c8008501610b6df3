//! The filter language in the console: field terms, negation, accents, a half-typed term,
//! the notice while the org loads, and the incremental view staying equal to a rebuild.

use super::*;
use crate::app::listing::{filter_notice, FilterNotice};

fn filtered(state: &mut State, text: &str) -> Vec<Effect> {
    act(state, Action::StartFilter);
    type_in(state, text)
}

fn shown(state: &State) -> Vec<String> {
    let mut ids: Vec<String> = state
        .view
        .rows
        .iter()
        .filter_map(|ix| state.store.get(*ix))
        .map(|u| u.id.to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn field_terms_and_negation_narrow_the_list() {
    let mut state = loaded();
    filtered(&mut state, "role:admin !status:disabled");
    assert_eq!(shown(&state), ["u01", "u11"]);
    act(&mut state, Action::Cancel);
    filtered(&mut state, "svc:yes");
    assert_eq!(shown(&state), ["u08"]);
    act(&mut state, Action::Cancel);
    filtered(&mut state, "mfa:on status:active login:<7d");
    assert_eq!(shown(&state), ["u01", "u11"]);
    act(&mut state, Action::Cancel);
    filtered(&mut state, "login:never");
    assert_eq!(shown(&state), ["u04", "u05", "u08"]);
    act(&mut state, Action::Cancel);
    filtered(&mut state, "email:.nl");
    assert_eq!(shown(&state), ["u09"]);
}

#[test]
fn free_text_ignores_accents() {
    let mut state = loaded();
    filtered(&mut state, "angstrom");
    assert_eq!(
        shown(&state),
        ["u02"],
        "Björn Ångström's email has no Ångström"
    );
    act(&mut state, Action::Cancel);
    filtered(&mut state, "zoe rocket");
    assert_eq!(shown(&state), ["u04"]);
}

#[test]
fn a_term_that_does_not_parse_is_left_out_and_explained() {
    let mut state = loaded();
    filtered(&mut state, "role:admin status:dis");
    assert_eq!(shown(&state), ["u01", "u06", "u11"], "the terms that parse");
    let Some(FilterNotice::Invalid(why)) = filter_notice(&state) else {
        panic!("expected the reason, got {:?}", filter_notice(&state));
    };
    assert!(why.contains("active, pending or disabled"), "{why}");
    type_in(&mut state, "abled");
    assert_eq!(shown(&state), ["u06"]);
    assert_eq!(filter_notice(&state), None);
    filtered(&mut state, " colour:red");
    let Some(FilterNotice::Invalid(why)) = filter_notice(&state) else {
        panic!("an unknown field is explained");
    };
    assert!(why.starts_with("unknown field \"colour\""), "{why}");
    assert_eq!(shown(&state), ["u06"]);
}

#[test]
fn while_loading_a_filter_says_its_matches_are_among_the_users_loaded() {
    let (mut state, request_id) = started();
    let mut first_page = demo_page();
    if let Some(meta) = first_page.meta.as_mut().and_then(|m| m.page.as_mut()) {
        meta.total_filtered_count = Some(20_000);
    }
    update(
        &mut state,
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: 0,
            total_pages: Some(200),
            response: first_page,
        }),
    );
    let effects = filtered(&mut state, "role:admin");
    assert!(
        state.search.current().is_none()
            && !effects
                .iter()
                .any(|e| matches!(e, Effect::SearchUsers { filter, .. } if filter.contains(':'))),
        "the server's filter cannot answer a field term: {effects:?}"
    );
    assert_eq!(shown(&state), ["u01", "u06", "u11"]);
    assert_eq!(
        filter_notice(&state),
        Some(FilterNotice::Partial(
            "matches among 12 of 20,000 users loaded — still loading".into()
        ))
    );
    update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    assert_eq!(
        filter_notice(&state),
        None,
        "the notice goes when loading ends"
    );
}

#[test]
fn field_filters_typed_and_erased_give_the_same_view_as_a_full_rebuild() {
    let mut state = loaded();
    act(&mut state, Action::CycleSort);
    act(&mut state, Action::StartFilter);
    for text in [
        "r",
        "role:",
        "role:s",
        "role:st",
        "role:std",
        "role:s",
        "",
        "!",
        "!a",
        "!ad",
        "!a",
        "id:u",
        "id:u0",
        "id:u1",
        "login:<7d",
        "login:<70d",
        "login:never",
        "e !mfa:on",
    ] {
        retype_filter(&mut state, text);
        assert_eq!(
            state.view.rows,
            view_from_scratch(&state),
            "filter {text:?}"
        );
    }
}
