//! The one keymap: a table of (context, keys, action, help, footer hint) in `bindings`. Key
//! resolution, the help overlay and the footer's key hints are all generated from it, so they
//! cannot drift. Keys are our own small type; the runtime converts terminal events into them.

mod bindings;

pub use bindings::BINDINGS;

use super::action::{Action, InputRequest};
use super::state::{Context, State};

/// A key, independent of the terminal library.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

/// A key with its modifiers (shift is folded into the character).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// How help spells the key.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_owned(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::F(n) => format!("F{n}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("C-{base}"),
            (_, true) => format!("M-{base}"),
            _ => base,
        }
    }
}

/// One row of the keymap.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// How the footer shows it; `None`: only help does.
    pub hint: Option<Hint>,
}

/// How a binding shows in the footer's key hints: its first key, then `label`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hint {
    /// A word or two ("move", "filter").
    pub label: &'static str,
    /// Place from the left. Bindings of one context with the same label share one hint,
    /// their keys joined ("j/k move").
    pub place: u8,
    /// Left out first when the footer is too narrow for every hint.
    pub if_room: bool,
}

const fn b(context: Context, keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
        hint: None,
    }
}

impl Binding {
    /// Shown in the footer as `label`, at `place` from the left.
    const fn footer(self, place: u8, label: &'static str) -> Binding {
        Binding {
            hint: Some(Hint {
                label,
                place,
                if_room: false,
            }),
            ..self
        }
    }

    /// Shown in the footer like [`Binding::footer`] when there is room for every hint.
    const fn footer_if_room(self, place: u8, label: &'static str) -> Binding {
        Binding {
            hint: Some(Hint {
                label,
                place,
                if_room: true,
            }),
            ..self
        }
    }
}

/// Contexts whose keys are text: unbound printable keys edit the field.
fn is_text_context(context: Context) -> bool {
    matches!(
        context,
        Context::Filter
            | Context::Command
            | Context::TypedConfirm
            | Context::Form
            | Context::Search
            | Context::Prompt
            | Context::HelpSearch
            | Context::Justify
    )
}

/// Line editing keys shared by every text field.
fn text_edit(key: Key) -> Option<InputRequest> {
    use InputRequest as R;
    Some(match (key.code, key.ctrl, key.alt) {
        (KeyCode::Char('w'), true, _) => R::DeletePrevWord,
        (KeyCode::Char('u'), true, _) => R::DeleteFromStart,
        (KeyCode::Char('k'), true, _) => R::DeleteTillEnd,
        (KeyCode::Char('a'), true, _) => R::GoToStart,
        (KeyCode::Char('e'), true, _) => R::GoToEnd,
        (KeyCode::Char(c), false, false) => R::InsertChar(c),
        (KeyCode::Backspace, false, true) => R::DeletePrevWord,
        (KeyCode::Backspace, _, _) => R::DeletePrevChar,
        (KeyCode::Delete, _, _) => R::DeleteNextChar,
        (KeyCode::Left, true, _) | (KeyCode::Left, _, true) => R::GoToPrevWord,
        (KeyCode::Right, true, _) | (KeyCode::Right, _, true) => R::GoToNextWord,
        (KeyCode::Left, _, _) => R::GoToPrevChar,
        (KeyCode::Right, _, _) => R::GoToNextChar,
        (KeyCode::Home, _, _) => R::GoToStart,
        (KeyCode::End, _, _) => R::GoToEnd,
        _ => return None,
    })
}

/// What `key` means in the state's current context.
pub fn resolve(state: &State, key: Key) -> Option<Action> {
    resolve_in(state.context(), key)
}

/// What `key` means in `context`.
pub fn resolve_in(context: Context, key: Key) -> Option<Action> {
    // Ctrl-C always quits, whatever is open.
    if key == Key::ctrl('c') {
        return Some(Action::Quit);
    }
    let bound = BINDINGS
        .iter()
        .filter(|b| b.context == context)
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action);
    if bound.is_some() {
        return bound;
    }
    if is_text_context(context) {
        return text_edit(key).map(Action::TextEdit);
    }
    None
}

/// One line of help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpLine {
    pub keys: String,
    pub help: &'static str,
    /// Why the action is unavailable now (read-only mode), if it is.
    pub unavailable: Option<String>,
}

/// A section of help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpSection {
    pub title: &'static str,
    pub lines: Vec<HelpLine>,
}

/// Help, generated from `BINDINGS`, with mutating actions flagged when read-only.
pub fn help(read_only_reason: Option<&str>) -> Vec<HelpSection> {
    let sections = [
        (Context::Browse, "List and detail"),
        (Context::Filter, "Filter line"),
        (Context::Command, "Command line"),
        (Context::Confirm, "Confirm dialogs"),
        (Context::TypedConfirm, "Confirmations that ask you to type"),
        (Context::Form, "Forms"),
        (Context::Picker, "Role pickers"),
        (Context::Columns, "Column picker"),
        (Context::Search, "Permission picker"),
        (Context::Prompt, "Export prompt"),
        (Context::Journal, "Journal"),
        (Context::Review, "Access review"),
        (Context::Justify, "Review justification"),
        (Context::Results, "Run results"),
        (Context::Help, "Help"),
        (Context::HelpSearch, "Searching help"),
    ];
    sections
        .iter()
        .map(|(context, title)| HelpSection {
            title,
            lines: BINDINGS
                .iter()
                .filter(|b| b.context == *context)
                .map(|b| HelpLine {
                    keys: b.keys.iter().map(Key::label).collect::<Vec<_>>().join(" "),
                    help: b.help,
                    unavailable: (b.action.is_mutating())
                        .then_some(read_only_reason)
                        .flatten()
                        .map(str::to_owned),
                })
                .collect(),
        })
        .collect()
}

/// One key hint of the footer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FooterHint {
    /// The first key of each binding it stands for, joined: "j/k".
    pub keys: String,
    pub label: &'static str,
    /// It writes, and changes are unavailable now.
    pub unavailable: bool,
    /// Left out first when the footer is too narrow for every hint.
    pub if_room: bool,
}

/// The footer's key hints for `context`, left to right, generated from `BINDINGS`; actions
/// that write are flagged unavailable when `changes_blocked` (the rule help uses too).
pub fn footer(context: Context, changes_blocked: bool) -> Vec<FooterHint> {
    let mut shown: Vec<(Hint, &Binding)> = BINDINGS
        .iter()
        .filter(|binding| binding.context == context)
        .filter_map(|binding| Some((binding.hint?, binding)))
        .collect();
    // Stable: bindings sharing a place keep the table's order ("j" before "k").
    shown.sort_by_key(|(hint, _)| hint.place);
    let mut hints: Vec<FooterHint> = Vec::new();
    for (hint, binding) in shown {
        let Some(first_key) = binding.keys.first().map(Key::label) else {
            continue;
        };
        let unavailable = changes_blocked && binding.action.is_mutating();
        match hints.iter_mut().find(|h| h.label == hint.label) {
            Some(joined) => {
                joined.keys = format!("{}/{first_key}", joined.keys);
                joined.unavailable |= unavailable;
            }
            None => hints.push(FooterHint {
                keys: first_key,
                label: hint.label,
                unavailable,
                if_room: hint.if_room,
            }),
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for (n, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[n + 1..] {
                if a.context == b.context {
                    for key in a.keys {
                        assert!(!b.keys.contains(key), "{key:?} twice in {:?}", a.context);
                    }
                }
            }
        }
    }

    #[test]
    fn printable_keys_edit_text_in_the_filter_but_act_in_the_list() {
        assert_eq!(
            resolve_in(Context::Filter, Key::ch('d')),
            Some(Action::TextEdit(InputRequest::InsertChar('d')))
        );
        assert_eq!(
            resolve_in(Context::Browse, Key::ch('d')),
            Some(Action::Disable)
        );
        assert_eq!(
            resolve_in(Context::Form, Key::ctrl('c')),
            Some(Action::Quit)
        );
    }

    #[test]
    fn help_flags_mutating_actions_when_read_only() {
        let sections = help(Some("read-only mode"));
        let disable = sections[0]
            .lines
            .iter()
            .find(|l| l.keys == "d")
            .expect("d is bound");
        assert_eq!(disable.unavailable.as_deref(), Some("read-only mode"));
        let down = &sections[0].lines[0];
        assert_eq!(down.unavailable, None);
    }

    /// Every context the console can be in.
    const CONTEXTS: [Context; 17] = [
        Context::Browse,
        Context::Filter,
        Context::Command,
        Context::Confirm,
        Context::TypedConfirm,
        Context::Form,
        Context::Picker,
        Context::Help,
        Context::Summary,
        Context::Results,
        Context::Search,
        Context::Prompt,
        Context::Journal,
        Context::HelpSearch,
        Context::Columns,
        Context::Review,
        Context::Justify,
    ];

    fn shown(context: Context) -> Vec<(String, &'static str)> {
        footer(context, false)
            .into_iter()
            .map(|hint| (hint.keys, hint.label))
            .collect()
    }

    #[test]
    fn the_list_footer_shows_the_list_keys_in_their_places() {
        let expected = [
            ("j/k", "move"),
            ("/", "filter"),
            ("space", "mark"),
            ("Enter", "detail"),
            ("d", "disable"),
            ("i", "invite"),
            ("?", "help"),
            ("q", "quit"),
        ];
        let expected: Vec<(String, &str)> =
            expected.iter().map(|(k, l)| (k.to_string(), *l)).collect();
        assert_eq!(shown(Context::Browse), expected);
        let optional: Vec<&str> = footer(Context::Browse, false)
            .iter()
            .filter(|hint| hint.if_room)
            .map(|hint| hint.label)
            .collect();
        assert_eq!(optional, ["detail"]);
    }

    #[test]
    fn dialogs_show_their_own_keys_not_the_lists() {
        assert_eq!(
            shown(Context::Confirm),
            [("y".to_owned(), "yes"), ("n".to_owned(), "no")]
        );
        assert_eq!(
            shown(Context::TypedConfirm),
            [
                ("Enter".to_owned(), "confirm"),
                ("Esc".to_owned(), "cancel")
            ]
        );
        let list_labels: Vec<&str> = shown(Context::Browse).iter().map(|h| h.1).collect();
        for context in CONTEXTS {
            let hints = footer(context, false);
            assert!(!hints.is_empty(), "{context:?} has no footer");
            // Each hint's keys do what its binding says, in this context.
            for binding in BINDINGS.iter().filter(|b| b.context == context) {
                let (Some(hint), Some(first)) = (binding.hint, binding.keys.first()) else {
                    continue;
                };
                let shown = hints.iter().find(|h| h.label == hint.label);
                assert!(
                    shown.is_some_and(|h| h.keys.contains(&first.label())),
                    "{context:?}: {:?} not shown as {}",
                    binding.action,
                    first.label()
                );
                assert_eq!(resolve_in(context, *first), Some(binding.action));
            }
            // A review's rows are a list too: its mark and disable keys are its own (they
            // decide rows).
            if !matches!(context, Context::Browse | Context::Review) {
                assert!(
                    hints
                        .iter()
                        .all(|h| !["mark", "disable", "invite"].contains(&h.label)),
                    "{context:?} shows list keys: {hints:?} (list: {list_labels:?})"
                );
            }
        }
    }

    #[test]
    fn the_footer_dims_the_keys_that_write_when_changes_are_blocked() {
        for context in [Context::Browse, Context::Journal] {
            for hint in footer(context, true) {
                let writes = ["disable", "invite", "resume", "undo"].contains(&hint.label);
                assert_eq!(hint.unavailable, writes, "{context:?} {hint:?}");
            }
            assert!(footer(context, false).iter().all(|h| !h.unavailable));
        }
        // Deciding a review writes its file, never the org: available read-only too.
        assert!(footer(Context::Review, true).iter().all(|h| !h.unavailable));
    }

    #[test]
    fn help_and_the_footer_read_the_same_table() {
        // Every footer hint's binding is a line of help in the same context.
        for binding in BINDINGS.iter().filter(|b| b.hint.is_some()) {
            let listed = help(None)
                .iter()
                .any(|section| section.lines.iter().any(|line| line.help == binding.help));
            assert!(
                listed,
                "{:?} is in the footer but not in help",
                binding.action
            );
        }
    }
}
