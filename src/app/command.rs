//! The `:` command line: a table of commands, each a few lines. Pure.

use tui_input::Input;

use super::action::{Action, StatusTab};
use super::browse::{on_browse, set_tab, sort_toast};
use super::command_spec::{ArgKind, CommandSpec, Does};
use super::effect::Effect;
use super::listing::filter_changed;
use super::state::*;

/// The commands of the list itself; features register theirs beside them (see [`table`]).
const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        names: &["q", "q!", "quit", "exit"],
        usage: ":q",
        about: "quit",
        arg: ArgKind::None,
        does: Does::Run(|state, _| {
            state.should_quit = true;
            Vec::new()
        }),
    },
    CommandSpec {
        names: &["sort"],
        usage: ":sort COLUMN [asc|desc]",
        about: "sort by a column (name, email, status, roles, …)",
        arg: ArgKind::SortKey,
        does: Does::Run(sort),
    },
    CommandSpec {
        names: &["status", "tab"],
        usage: ":status all|active|pending|disabled|service",
        about: "show one status tab",
        arg: ArgKind::Words(StatusTab::WORDS),
        does: Does::Run(status),
    },
    CommandSpec {
        names: &["filter", "f"],
        usage: ":filter TEXT",
        about: "filter: text, role:, status:, mfa:, !term…",
        arg: ArgKind::None,
        does: Does::Run(|state, rest| {
            state.view.filter = Input::new(rest.join(" "));
            filter_changed(state)
        }),
    },
    CommandSpec {
        names: &["clear"],
        usage: ":clear",
        about: "clear the filter",
        arg: ArgKind::None,
        does: Does::Run(|state, _| {
            state.view.filter.reset();
            state.rebuild_view();
            Vec::new()
        }),
    },
    CommandSpec {
        names: &["mark"],
        usage: ":mark [none]",
        about: "mark every user shown, or none",
        arg: ArgKind::Words(&["none"]),
        does: Does::Run(|state, rest| match rest.first().copied() {
            Some("none") | Some("clear") => act(state, Action::ClearMarks),
            _ => act(state, Action::MarkAllInView),
        }),
    },
    CommandSpec {
        names: &["help", "h"],
        usage: ":help",
        about: "this help",
        arg: ArgKind::None,
        does: Does::Act(Action::Help),
    },
    CommandSpec {
        names: &["me"],
        usage: ":me",
        about: "show the user behind the keys",
        arg: ArgKind::None,
        does: Does::Act(Action::ShowMe),
    },
    CommandSpec {
        names: &["reload"],
        usage: ":reload",
        about: "read the users again",
        arg: ArgKind::None,
        does: Does::Act(Action::Reload),
    },
    CommandSpec {
        names: &["invite"],
        usage: ":invite",
        about: "invite users by email",
        arg: ArgKind::None,
        does: Does::Act(Action::Invite),
    },
    CommandSpec {
        names: &["disable"],
        usage: ":disable",
        about: "disable the marked users (or the selected one)",
        arg: ArgKind::None,
        does: Does::Act(Action::Disable),
    },
    CommandSpec {
        names: &["enable"],
        usage: ":enable",
        about: "enable the marked users (or the selected one)",
        arg: ArgKind::None,
        does: Does::Act(Action::Enable),
    },
    CommandSpec {
        names: &["anonymize"],
        usage: ":anonymize",
        about: "anonymize the marked users (or the selected one)",
        arg: ArgKind::None,
        does: Does::Act(Action::Anonymize),
    },
    CommandSpec {
        names: &["roles"],
        usage: ":roles",
        about: "change roles of the marked (or selected) users",
        arg: ArgKind::None,
        does: Does::Act(Action::EditRoles),
    },
    CommandSpec {
        names: &["edit"],
        usage: ":edit",
        about: "edit the selected user; the marked users' title",
        arg: ArgKind::None,
        does: Does::Act(Action::EditUser),
    },
];

/// Every command: the list's, then those the features register.
pub fn table() -> impl Iterator<Item = &'static CommandSpec> {
    COMMANDS
        .iter()
        .chain(super::audit::COMMANDS)
        .chain(super::journal::COMMANDS)
        .chain(super::diff::COMMANDS)
        .chain(super::column_choice::COMMANDS)
        .chain(super::reconcile::COMMANDS)
        .chain(super::review::COMMANDS)
}

/// How long a `:` command's usage error stays (seconds): long enough to read it again.
const USAGE_ERROR_SECS: i64 = 8;

/// Runs a `:` command. An error it raises at once is about how it was typed (the command
/// itself is pure; failures of what it asks for come later, as messages): it passes like
/// other messages instead of hiding the key hints until something replaces it.
pub fn run_command(state: &mut State, text: &str) -> Vec<Effect> {
    let before = state.toast.clone();
    let effects = dispatch(state, text);
    if state.toast != before {
        let now = state.now;
        if let Some(toast) = state.toast.as_mut().filter(|t| t.level == Level::Error) {
            toast.until = Some(now + USAGE_ERROR_SECS);
        }
    }
    effects
}

fn dispatch(state: &mut State, text: &str) -> Vec<Effect> {
    let mut words = text.split_whitespace();
    let Some(verb) = words.next() else {
        return Vec::new();
    };
    let rest: Vec<&str> = words.collect();
    match table().find(|c| c.names.contains(&verb)) {
        Some(CommandSpec {
            does: Does::Run(run),
            ..
        }) => run(state, &rest),
        Some(CommandSpec {
            does: Does::Act(action),
            ..
        }) => act(state, *action),
        None => {
            state.notify(
                Level::Error,
                format!("Unknown command :{verb} (see ? for help)"),
            );
            Vec::new()
        }
    }
}

/// What a command asks of the list: of the review's rows while a review is open, where
/// nothing changes users (close it first).
fn act(state: &mut State, action: Action) -> Vec<Effect> {
    if state.review.active.is_none() {
        return on_browse(state, action);
    }
    if action.is_mutating() {
        state.notify(
            Level::Warn,
            "An access review is open: close it (Esc) to change users",
        );
        return Vec::new();
    }
    super::review::on_list_key(state, action)
}

fn sort(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let Some(column) = rest.first() else {
        state.notify(
            Level::Error,
            format!(
                "Usage: :sort COLUMN [asc|desc] ({}, loaded)",
                super::columns::names_list()
            ),
        );
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
    let key = SortKey::parse(column);
    match key {
        Some(key) => {
            state.view.sort = Sort { key, descending };
            state.rebuild_view();
            sort_toast(state);
        }
        None => state.notify(
            Level::Error,
            format!(
                "Cannot sort by {column:?}: try {}, loaded",
                super::columns::names_list()
            ),
        ),
    }
    Vec::new()
}

fn status(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    match rest.first().and_then(|t| StatusTab::parse(t)) {
        Some(tab) => set_tab(state, tab),
        None => {
            state.notify(
                Level::Error,
                "Usage: :status all|active|pending|disabled|service",
            );
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::command_spec::ABOUT_WIDTH;

    #[test]
    fn every_command_name_is_taken_once_and_each_says_what_it_does() {
        let mut seen = std::collections::HashSet::new();
        for spec in table() {
            assert!(!spec.about.is_empty(), "{} says what it does", spec.usage);
            assert!(spec.usage.starts_with(':'));
            for name in spec.names {
                assert!(seen.insert(*name), ":{name} is taken twice");
            }
        }
        assert!(seen.contains("audit") && seen.contains("journal") && seen.contains("sort"));
        // Help shows each beside its usage in a 76-column popup.
        for spec in table() {
            assert!(
                spec.about.chars().count() <= ABOUT_WIDTH,
                "{:?} is longer than {ABOUT_WIDTH} characters",
                spec.about
            );
        }
    }

    #[test]
    fn every_status_word_offered_is_a_tab() {
        let parsed: Vec<_> = StatusTab::WORDS
            .iter()
            .filter_map(|w| StatusTab::parse(w))
            .collect();
        assert_eq!(parsed, StatusTab::ALL);
    }

    #[test]
    fn an_unknown_command_says_so_and_a_known_one_is_run() {
        let mut state = State::new(Options::default(), 0);
        assert!(run_command(&mut state, "frobnicate").is_empty());
        assert!(state
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains(":frobnicate")));
        run_command(&mut state, "quit");
        assert!(state.should_quit);
    }
}
