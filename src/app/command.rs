//! The `:` command line: a table of commands, each a few lines. Pure.

use tui_input::Input;

use super::action::{Action, StatusTab};
use super::browse::{on_browse, set_tab, sort_toast};
use super::effect::Effect;
use super::listing::filter_changed;
use super::state::*;

pub(super) fn on_command_line(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Command(input)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::TextEdit(request) => {
            input.handle(request);
            Vec::new()
        }
        Action::Cancel => {
            state.overlay = None;
            Vec::new()
        }
        Action::Submit => {
            let text = input.value().trim().to_owned();
            state.overlay = None;
            run_command(state, &text)
        }
        _ => Vec::new(),
    }
}

/// Runs a `:` command.
pub fn run_command(state: &mut State, text: &str) -> Vec<Effect> {
    let mut words = text.split_whitespace();
    let Some(verb) = words.next() else {
        return Vec::new();
    };
    let rest: Vec<&str> = words.collect();
    if let Some(effects) = super::audit::command(state, verb, &rest)
        .or_else(|| super::journal::command(state, verb, &rest))
    {
        return effects;
    }
    match verb {
        "q" | "q!" | "quit" | "exit" => {
            state.should_quit = true;
            Vec::new()
        }
        "sort" => sort_command(state, &rest),
        "status" | "tab" => match rest.first().and_then(|t| StatusTab::parse(t)) {
            Some(tab) => set_tab(state, tab),
            None => {
                state.notify(
                    Level::Error,
                    "Usage: :status all|active|pending|disabled|service",
                );
                Vec::new()
            }
        },
        "filter" | "f" => {
            state.view.filter = Input::new(rest.join(" "));
            filter_changed(state)
        }
        "clear" => {
            state.view.filter.reset();
            state.rebuild_view();
            Vec::new()
        }
        "mark" => {
            match rest.first().copied() {
                Some("none") | Some("clear") => state.marks.clear(),
                _ => {
                    on_browse(state, Action::MarkAllInView);
                }
            }
            Vec::new()
        }
        "help" | "h" => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            Vec::new()
        }
        "me" => on_browse(state, Action::ShowMe),
        "reload" => on_browse(state, Action::Reload),
        "invite" => on_browse(state, Action::Invite),
        "disable" => on_browse(state, Action::Disable),
        "enable" => on_browse(state, Action::Enable),
        "anonymize" => on_browse(state, Action::Anonymize),
        "roles" => on_browse(state, Action::EditRoles),
        "edit" => on_browse(state, Action::EditUser),
        other => {
            state.notify(
                Level::Error,
                format!("Unknown command :{other} (see ? for help)"),
            );
            Vec::new()
        }
    }
}

/// `:sort COLUMN [asc|desc]`, or `:sort -COLUMN` for descending.
fn sort_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let Some(column) = rest.first() else {
        state.notify(Level::Error, "Usage: :sort COLUMN [asc|desc] (name, email, status, roles, mfa, last-login, created, loaded)");
        return Vec::new();
    };
    let (column, mut descending) = match column.strip_prefix('-') {
        Some(c) => (c, true),
        None => (*column, false),
    };
    match rest.get(1).map(|d| d.to_ascii_lowercase()) {
        Some(d) if d == "desc" => descending = true,
        Some(d) if d == "asc" => descending = false,
        _ => {}
    }
    match SortKey::parse(column) {
        Some(key) => {
            state.view.sort = Sort { key, descending };
            state.rebuild_view();
            sort_toast(state);
        }
        None => state.notify(Level::Error, format!("Cannot sort by {column:?}: try name, email, status, roles, mfa, last-login, created")),
    }
    Vec::new()
}
