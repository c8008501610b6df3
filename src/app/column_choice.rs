//! Choosing the list's columns (pure): `:columns name,email,roles,title` sets them at once,
//! `:columns` alone opens a checklist (space ticks, J/K move, Enter applies),
//! `:columns default` goes back to the defaults. The choice is remembered: the settings
//! file is read at start (`Effect::LoadSettings`, answered with `SettingsMsg::Loaded`)
//! and written after each change (`Effect::SaveSettings`); a damaged file gets a message
//! and the defaults.

use super::action::Action;
use super::columns::Columns;
use super::command_spec::{ArgKind, CommandSpec, Does};
use super::effect::Effect;
use super::msg::SettingsMsg;
use super::state::{ColumnPicker, Level, Overlay, State};

/// The `:columns` command.
pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    names: &["columns", "cols"],
    usage: ":columns [NAME,NAME,…|default]",
    about: "choose, order and remember the list's columns",
    arg: ArgKind::None,
    does: Does::Run(columns_command),
}];

fn columns_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let text = rest.join(" ");
    match text.trim().to_ascii_lowercase().as_str() {
        "" => {
            state.overlay = Some(Overlay::Columns(Box::new(ColumnPicker::new(
                &state.columns,
            ))));
            Vec::new()
        }
        "default" | "defaults" | "reset" => choose(state, Columns::default()),
        _ => match Columns::parse(&text) {
            Ok(columns) => choose(state, columns),
            Err(error) => {
                state.notify(
                    Level::Error,
                    format!("Usage: :columns NAME,NAME,… ({error})"),
                );
                Vec::new()
            }
        },
    }
}

/// Shows `columns` and saves the choice.
pub fn choose(state: &mut State, columns: Columns) -> Vec<Effect> {
    let names = columns.names();
    state.columns = columns;
    state.settings.columns = Some(names.clone());
    state.notify(Level::Info, format!("Columns: {}", names.join(", ")));
    vec![Effect::SaveSettings {
        settings: state.settings.clone(),
    }]
}

/// The picker's keys; `None` when the picker is not open.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    let Some(Overlay::Columns(picker)) = state.overlay.as_mut() else {
        return None;
    };
    let count = picker.items.len();
    let at = picker.cursor.pos.min(count.saturating_sub(1));
    match action {
        Action::Up | Action::Down | Action::Top | Action::Bottom => {
            picker.cursor.navigate(&action, count, count);
        }
        Action::ToggleItem => {
            if let Some(item) = picker.items.get_mut(at) {
                item.1 = !item.1;
            }
        }
        Action::MoveItemUp if at > 0 => {
            picker.items.swap(at, at - 1);
            picker.cursor.navigate(&Action::Up, count, count);
        }
        Action::MoveItemDown if at + 1 < count => {
            picker.items.swap(at, at + 1);
            picker.cursor.navigate(&Action::Down, count, count);
        }
        Action::Submit => match picker.chosen() {
            Some(columns) => {
                state.overlay = None;
                return Some(choose(state, columns));
            }
            None => state.notify(Level::Warn, "Tick at least one column (space)"),
        },
        Action::Cancel | Action::Back => state.overlay = None,
        _ => {}
    }
    Some(Vec::new())
}

/// The settings file was read or written.
pub fn on_msg(state: &mut State, msg: SettingsMsg) -> Vec<Effect> {
    match msg {
        SettingsMsg::Loaded(Ok(None)) => {}
        SettingsMsg::Loaded(Ok(Some(settings))) => apply_loaded(state, settings),
        SettingsMsg::Loaded(Err(error)) | SettingsMsg::Saved(Err(error)) => {
            state.notify(Level::Warn, error);
        }
        SettingsMsg::Saved(Ok(())) => {}
    }
    Vec::new()
}

/// Takes the columns the file names; names this version does not know are skipped, and
/// said so. A choice made before the file was read stands.
fn apply_loaded(state: &mut State, mut settings: crate::settings::Settings) {
    if state.settings.columns.is_some() {
        settings.columns = state.settings.columns.take();
        state.settings = settings;
        return;
    }
    if let Some(names) = &settings.columns {
        let (columns, unknown) = Columns::from_names(names);
        match columns {
            Some(columns) => state.columns = columns,
            None => state.notify(
                Level::Warn,
                "The settings file names no column this version knows: showing the default columns",
            ),
        }
        if !unknown.is_empty() {
            state.notify(
                Level::Warn,
                format!(
                    "The settings file names columns this version does not know: {}",
                    unknown.join(", ")
                ),
            );
        }
    }
    state.settings = settings;
}
