//! The list's columns: `:columns`, the picker, the settings file read and written, and
//! an audit view's explanation columns.

use super::*;
use crate::app::columns::{ColumnId, Columns};
use crate::app::msg::SettingsMsg;
use crate::settings::Settings;

fn saved(effects: &[Effect]) -> Settings {
    match effects {
        [Effect::SaveSettings { settings }] => settings.clone(),
        other => panic!("expected the settings to be saved, got {other:?}"),
    }
}

#[test]
fn columns_command_sets_the_columns_and_saves_them() {
    let mut state = loaded();
    let effects = command(&mut state, "columns name,email,roles,title");
    assert_eq!(
        state.columns.names(),
        ["name", "email", "roles", "title"].map(String::from)
    );
    assert_eq!(saved(&effects).columns, Some(state.columns.names()));
    // `s` now cycles through the columns shown.
    act(&mut state, Action::CycleSort);
    assert_eq!(state.view.sort.key, SortKey::By(ColumnId::Name));
    command(&mut state, "sort title desc");
    assert_eq!(state.view.sort.key, SortKey::By(ColumnId::Title));
    let effects = command(&mut state, "columns default");
    assert_eq!(state.columns, Columns::default());
    assert_eq!(saved(&effects).columns, Some(Columns::default().names()));
}

#[test]
fn an_unknown_column_is_a_usage_error_that_changes_nothing() {
    let mut state = loaded();
    let effects = command(&mut state, "columns name,colour");
    assert!(effects.is_empty());
    assert_eq!(state.columns, Columns::default());
    let toast = state.toast.as_ref().expect("a message");
    assert_eq!(toast.level, Level::Error);
    assert!(toast.text.contains("colour"), "{}", toast.text);
}

#[test]
fn the_picker_ticks_and_orders_columns_and_enter_applies_and_saves() {
    let mut state = loaded();
    command(&mut state, "columns name,email");
    assert!(command(&mut state, "columns").is_empty());
    assert_eq!(state.context(), Context::Columns);
    // name, email, then the others unticked: move email above name, tick the third.
    act(&mut state, Action::Down);
    act(&mut state, Action::MoveItemUp);
    act(&mut state, Action::Down);
    act(&mut state, Action::Down);
    act(&mut state, Action::ToggleItem);
    let third = match &state.overlay {
        Some(Overlay::Columns(picker)) => picker.items[2].0,
        other => panic!("the picker is open, got {other:?}"),
    };
    let effects = act(&mut state, Action::Submit);
    assert!(state.overlay.is_none());
    assert_eq!(
        state.columns.ids(),
        &[ColumnId::Email, ColumnId::Name, third]
    );
    assert_eq!(saved(&effects).columns, Some(state.columns.names()));
}

#[test]
fn the_picker_refuses_no_columns_and_esc_changes_nothing() {
    let mut state = loaded();
    command(&mut state, "columns name");
    command(&mut state, "columns");
    act(&mut state, Action::ToggleItem);
    assert!(act(&mut state, Action::Submit).is_empty());
    assert_eq!(state.context(), Context::Columns, "still open");
    act(&mut state, Action::Cancel);
    assert!(state.overlay.is_none());
    assert_eq!(state.columns.names(), ["name".to_owned()]);
}

#[test]
fn columns_round_trip_through_the_settings_file_in_the_config_folder() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let folder = dir.path().to_string_lossy().into_owned();
    let env = move |name: &str| (name == "DDUSERS_CONFIG_DIR").then(|| folder.clone());
    let path = crate::settings::default_path(&env).expect("a path");
    assert!(path.starts_with(dir.path()));
    // One console chooses columns; the effects layer writes what it asks.
    let mut first = loaded();
    let effects = command(&mut first, "columns email,roles,login-methods,title");
    crate::settings::write(&path, &saved(&effects)).expect("written");
    // The next console starts, asks for the settings and gets the file's.
    let mut next = State::new(Options::default(), NOW);
    assert!(init(&mut next).contains(&Effect::LoadSettings));
    let read = crate::settings::read(&path).map_err(|e| e.to_string());
    update(&mut next, Msg::Settings(SettingsMsg::Loaded(read)));
    assert_eq!(next.columns, first.columns);
    assert!(next.toast.is_none(), "no complaint: {:?}", next.toast);
}

#[test]
fn a_damaged_settings_file_gets_a_message_and_the_default_columns() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(crate::settings::FILE_NAME);
    std::fs::write(&path, "{\"columns\": [\"name\"").expect("write");
    let mut state = loaded();
    let read = crate::settings::read(&path).map_err(|e| e.to_string());
    update(&mut state, Msg::Settings(SettingsMsg::Loaded(read)));
    assert_eq!(state.columns, Columns::default());
    let toast = state.toast.as_ref().expect("a message");
    assert_eq!(toast.level, Level::Warn);
    assert!(
        toast.text.contains("damaged") && toast.text.contains(&*path.to_string_lossy()),
        "{}",
        toast.text
    );
    // Choosing columns then rewrites it whole.
    let effects = command(&mut state, "columns name,email");
    assert_eq!(saved(&effects).columns, Some(state.columns.names()));
}

#[test]
fn unknown_names_in_the_settings_file_are_skipped_and_named() {
    let mut state = loaded();
    let settings = Settings {
        columns: Some(vec!["email".into(), "shoe-size".into(), "name".into()]),
        ..Settings::default()
    };
    update(
        &mut state,
        Msg::Settings(SettingsMsg::Loaded(Ok(Some(settings)))),
    );
    assert_eq!(state.columns.ids(), &[ColumnId::Email, ColumnId::Name]);
    let toast = state.toast.as_ref().expect("a message");
    assert!(toast.text.contains("shoe-size"), "{}", toast.text);
}

#[test]
fn an_audit_views_explanation_cells_are_the_ones_audit_views_gives() {
    let mut state = loaded_with_roles();
    let as_of = OffsetDateTime::from_unix_timestamp(NOW).expect("NOW is a time");
    let org = demo_audit_org();
    for args in [
        "admins",
        "who-can user_access_manage",
        "no-mfa",
        "disabled-with-roles",
    ] {
        let kind = open_audit(&mut state, args);
        let expected = view(&org, &kind, as_of).expect("the view");
        let active = state.audit.active.as_ref().expect("open");
        assert_eq!(
            active.explain.labels.len(),
            expected.columns.len(),
            "{args}"
        );
        assert!(!expected.columns.is_empty(), "{args} explains itself");
        for row in &expected.rows {
            let id = &org.get(row.user).expect("a user").id;
            let ix = state.store.index_of(id).expect("loaded");
            assert_eq!(
                active.explanations.get(&ix).map(|c| c.to_vec()),
                Some(row.cells.clone()),
                "{args}: {id}"
            );
        }
    }
    // Times are shown to the minute; the rest as the view gives it.
    let kind = open_audit(&mut state, "inactive 30");
    let expected = view(&org, &kind, as_of).expect("the view");
    let active = state.audit.active.as_ref().expect("open");
    assert_eq!(active.explain.labels, ["Last login", "Days since login"]);
    for row in &expected.rows {
        let ix = state
            .store
            .index_of(&org.get(row.user).expect("a user").id)
            .expect("loaded");
        let cells = active.explanations.get(&ix).expect("explained");
        assert_eq!(cells[1], row.cells[1]);
        assert!(row.cells[0] == "never" || row.cells[0].starts_with(&cells[0].replace(' ', "T")));
    }
}

#[test]
fn every_sort_key_in_both_directions_gives_the_view_a_rebuild_would() {
    let mut state = loaded();
    for key in SortKey::all() {
        for direction in ["asc", "desc"] {
            command(&mut state, &format!("sort {} {direction}", key.label()));
            assert_eq!(state.view.sort.key, key);
            assert_eq!(
                state.view.rows,
                view_from_scratch(&state),
                "{key:?} {direction}"
            );
        }
    }
}

#[test]
fn a_choice_made_before_the_file_is_read_stands() {
    let mut state = loaded();
    command(&mut state, "columns email,name");
    let settings = Settings {
        columns: Some(vec!["title".into()]),
        ..Settings::default()
    };
    update(
        &mut state,
        Msg::Settings(SettingsMsg::Loaded(Ok(Some(settings)))),
    );
    assert_eq!(state.columns.ids(), &[ColumnId::Email, ColumnId::Name]);
    assert_eq!(state.settings.columns, Some(state.columns.names()));
}
