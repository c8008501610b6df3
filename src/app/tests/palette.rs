//! The `:` palette (listing, completion of each argument kind, history), help's search,
//! and where-am-I: the org's name and the demo org's notice.

use super::*;
use crate::app::command::table;
use crate::app::command_spec::ArgKind;
use crate::app::palette::{argument_suggestions, suggestions};

/// Opens the palette and types `text`; the effects typing asked for.
fn palette(state: &mut State, text: &str) -> Vec<Effect> {
    act(state, Action::CommandLine);
    type_in(state, text)
}

fn line(state: &State) -> &CommandLine {
    match &state.overlay {
        Some(Overlay::Command(line)) => line,
        other => panic!("the palette is open, got {other:?}"),
    }
}

fn typed(state: &State) -> String {
    line(state).input.value().to_owned()
}

fn tab(state: &mut State) -> Vec<Effect> {
    act(state, Action::NextField)
}

fn texts(state: &State) -> Vec<String> {
    suggestions(state, line(state).typed())
        .items
        .into_iter()
        .map(|s| s.text)
        .collect()
}

#[test]
fn the_palette_lists_every_command_then_those_matching_with_their_description() {
    let mut state = loaded();
    palette(&mut state, "");
    assert_eq!(texts(&state).len(), table().count(), "one line a command");
    type_in(&mut state, "jo");
    let found = suggestions(&state, line(&state).typed());
    assert_eq!(found.items[0].text, "journal");
    assert_eq!(found.items[0].about, "the journal's runs: resume or undo");
    // A word of a description finds its command too.
    act(&mut state, Action::Cancel);
    palette(&mut state, "permission");
    assert!(
        texts(&state).contains(&"who-can".to_owned()),
        "{:?}",
        texts(&state)
    );
}

#[test]
fn tab_completes_the_command_name_then_an_audit_view() {
    let mut state = loaded();
    palette(&mut state, "au");
    tab(&mut state);
    assert_eq!(typed(&state), "audit ");
    // Several views: the first Tab takes the first, the next go round them.
    tab(&mut state);
    assert_eq!(typed(&state), "audit all");
    tab(&mut state);
    assert_eq!(typed(&state), "audit who-can");
    act(&mut state, Action::PrevField);
    assert_eq!(typed(&state), "audit all");
    // Typing starts again from what is typed: one view left, taken at once.
    for _ in 0.."all".len() {
        act(&mut state, Action::TextEdit(InputRequest::DeletePrevChar));
    }
    type_in(&mut state, "adm");
    tab(&mut state);
    assert_eq!(typed(&state), "audit admins");
    act(&mut state, Action::Submit);
    assert!(state.overlay.is_none());
    assert_eq!(
        state.audit.active.as_ref().map(|a| a.kind.clone()),
        Some(ViewKind::Admins)
    );
}

#[test]
fn tab_completes_sort_keys_and_fixed_words() {
    let mut state = loaded();
    palette(&mut state, "sort la");
    tab(&mut state);
    assert_eq!(typed(&state), "sort last-login");
    act(&mut state, Action::Cancel);
    palette(&mut state, "status dis");
    tab(&mut state);
    assert_eq!(typed(&state), "status disabled");
    // A second argument is not completed as the first.
    act(&mut state, Action::Cancel);
    palette(&mut state, "sort name na");
    assert!(texts(&state).is_empty());
}

#[test]
fn export_and_diff_offer_their_words_first_then_only_paths() {
    let mut state = loaded();
    palette(&mut state, "export j");
    assert_eq!(texts(&state), ["json"]);
    tab(&mut state);
    assert_eq!(typed(&state), "export json");
    act(&mut state, Action::Cancel);
    // After the format, the word is a path: the format words are not offered again.
    palette(&mut state, "export json c");
    assert!(!texts(&state).contains(&"csv".to_owned()));
    act(&mut state, Action::Cancel);
    palette(&mut state, "diff re");
    assert_eq!(texts(&state), ["removed"]);
}

#[test]
fn role_arguments_complete_from_the_orgs_roles_spaces_and_all() {
    let state = loaded_with_roles();
    let names: Vec<String> = argument_suggestions(&state, ArgKind::Role, "")
        .into_iter()
        .map(|s| s.text)
        .collect();
    assert_eq!(
        names,
        [
            "Datadog Admin Role",
            "Datadog Read Only Role",
            "Datadog Standard Role"
        ]
    );
    // A word inside the name finds it too, after the names starting with it.
    let read: Vec<String> = argument_suggestions(&state, ArgKind::Role, "read")
        .into_iter()
        .map(|s| s.text)
        .collect();
    assert_eq!(read, ["Datadog Read Only Role"]);
}

#[test]
fn permission_arguments_read_the_catalogue_once_then_complete_from_it() {
    let mut state = loaded_with_roles();
    let effects = palette(&mut state, "who-can user_access_m");
    let [Effect::LoadPermissions { request_id }] = effects[..] else {
        panic!("the catalogue is read as soon as the command is named, got {effects:?}");
    };
    assert!(tab(&mut state).is_empty(), "read once");
    update(
        &mut state,
        Msg::Audit(AuditMsg::Permissions {
            request_id,
            result: Ok(demo_org().2),
        }),
    );
    assert!(tab(&mut state).is_empty());
    assert_eq!(typed(&state), "who-can user_access_manage");
}

#[test]
fn path_arguments_complete_from_the_folder_the_effects_layer_listed() {
    let mut state = loaded();
    let effects = palette(&mut state, "export json ex");
    let Some(Effect::ListFolder { request_id, folder }) = effects.last().cloned() else {
        panic!("the working folder is listed, got {effects:?}");
    };
    assert_eq!(folder, "");
    assert!(
        tab(&mut state).is_empty(),
        "nothing to offer before it is listed"
    );
    update(
        &mut state,
        Msg::Folder {
            request_id,
            listing: FolderListing {
                folder: String::new(),
                entries: vec![".hidden".into(), "exports/".into(), "users.csv".into()],
            },
        },
    );
    // Hidden entries only when a dot is typed.
    let offered = |word: &str| -> Vec<String> {
        argument_suggestions(&state, ArgKind::Path, word)
            .into_iter()
            .map(|s| s.text)
            .collect()
    };
    assert_eq!(offered(""), ["exports/", "users.csv"]);
    assert_eq!(offered("."), [".hidden"]);
    let effects = tab(&mut state);
    assert_eq!(typed(&state), "export json exports/");
    // Into the folder: it is listed next; an older answer no longer counts.
    let [Effect::ListFolder {
        request_id: inner,
        ref folder,
    }] = effects[..]
    else {
        panic!("the folder is listed, got {effects:?}");
    };
    assert_eq!(folder, "exports/");
    update(
        &mut state,
        Msg::Folder {
            request_id,
            listing: FolderListing::default(),
        },
    );
    assert_eq!(
        state.palette.listing.as_ref().map(|l| l.folder.as_str()),
        Some("")
    );
    update(
        &mut state,
        Msg::Folder {
            request_id: inner,
            listing: FolderListing {
                folder: "exports/".into(),
                entries: vec!["admins.csv".into()],
            },
        },
    );
    tab(&mut state);
    assert_eq!(typed(&state), "export json exports/admins.csv");
    act(&mut state, Action::Cancel);
    assert!(state.palette.listing.is_none(), "listed afresh next time");
}

#[test]
fn up_and_down_on_an_empty_line_walk_the_commands_run_like_a_shell() {
    let mut state = loaded();
    for command in ["sort name", "status active", "status active", "clear"] {
        palette(&mut state, command);
        act(&mut state, Action::Submit);
    }
    assert_eq!(
        state.palette.history,
        ["sort name", "status active", "clear"]
    );
    act(&mut state, Action::CommandLine);
    act(&mut state, Action::Down);
    assert_eq!(typed(&state), "", "nothing later than now");
    act(&mut state, Action::Up);
    assert_eq!(typed(&state), "clear");
    act(&mut state, Action::Up);
    act(&mut state, Action::Up);
    assert_eq!(typed(&state), "sort name");
    act(&mut state, Action::Up);
    assert_eq!(typed(&state), "sort name", "stops at the oldest");
    act(&mut state, Action::Down);
    assert_eq!(typed(&state), "status active");
    act(&mut state, Action::Down);
    act(&mut state, Action::Down);
    assert_eq!(typed(&state), "", "past the newest: an empty line again");
    // A line of history runs like a typed one.
    act(&mut state, Action::Up);
    act(&mut state, Action::Up);
    act(&mut state, Action::Submit);
    assert_eq!(state.view.tab, StatusTab::Active);
}

#[test]
fn up_and_down_on_a_typed_line_choose_and_enter_runs_the_choice() {
    let mut state = loaded();
    palette(&mut state, "m");
    let offered = texts(&state);
    assert!(offered.len() > 1, "{offered:?}");
    act(&mut state, Action::Down);
    assert_eq!(line(&state).choice, 1);
    act(&mut state, Action::Up);
    act(&mut state, Action::Up);
    assert_eq!(line(&state).choice, offered.len() - 1, "wraps round");
    act(&mut state, Action::Down);
    act(&mut state, Action::Down);
    act(&mut state, Action::Submit);
    assert_eq!(state.palette.history.last(), Some(&offered[1]));
}

#[test]
fn help_searches_with_slash_and_esc_clears_the_search_before_closing() {
    let mut state = loaded();
    act(&mut state, Action::Help);
    act(&mut state, Action::StartFilter);
    assert_eq!(state.context(), Context::HelpSearch);
    type_in(&mut state, "journal");
    act(&mut state, Action::Submit);
    assert_eq!(state.context(), Context::Help);
    // Scrolling stops at the end of what matched: a few lines, not the whole of help.
    for _ in 0..200 {
        act(&mut state, Action::Down);
    }
    let Some(Overlay::Help { scroll, search }) = &state.overlay else {
        panic!("help is open");
    };
    assert_eq!(search.as_ref().map(|s| s.query.value()), Some("journal"));
    assert!(*scroll < 12, "scrolled to {scroll}");
    assert!(crate::app::help::matches(
        "journal",
        &["J", "Journal: runs"]
    ));
    assert!(!crate::app::help::matches("journal", &["d", "disable"]));
    act(&mut state, Action::Cancel);
    assert!(matches!(
        state.overlay,
        Some(Overlay::Help { search: None, .. })
    ));
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none());
}

#[test]
fn the_orgs_name_is_kept_safe_for_the_title() {
    let mut state = loaded();
    assert_eq!(state.org_name, None);
    update(
        &mut state,
        Msg::Load(LoadMsg::OrgName(Some("Acme\u{1b}[31m Corp".into()))),
    );
    let name = state.org_name.clone().expect("the name is kept");
    assert!(name.starts_with("Acme") && name.ends_with("Corp"));
    assert!(!name.contains('\u{1b}'), "{name:?}");
}

#[test]
fn the_demo_org_says_once_that_its_changes_vanish_and_the_first_key_closes_it() {
    let mut state = State::new(
        Options {
            demo: true,
            ..Options::default()
        },
        NOW,
    );
    init(&mut state);
    assert!(state.demo_notice);
    act(&mut state, Action::Help);
    assert!(!state.demo_notice, "closed by the first key");
    assert!(
        matches!(state.overlay, Some(Overlay::Help { .. })),
        "which does what it always does"
    );
    // A real org says nothing.
    let mut real = State::new(Options::default(), NOW);
    init(&mut real);
    assert!(!real.demo_notice);
}

#[test]
fn a_paste_into_the_palette_starts_the_suggestions_again_from_the_line() {
    let mut state = loaded();
    palette(&mut state, "sort ");
    tab(&mut state);
    assert_eq!(typed(&state), "sort loaded");
    act(&mut state, Action::TextEdit(InputRequest::GoToStart));
    update(&mut state, Msg::Paste("x".into()));
    assert_eq!(typed(&state), "xsort loaded");
    // The pasted line is what counts now: an unknown command has nothing to go round.
    tab(&mut state);
    assert_eq!(typed(&state), "xsort loaded");
}
