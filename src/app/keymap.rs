//! The one keymap: a table of (context, keys, action, help). Key resolution and the help
//! overlay are both generated from it, so they cannot drift. Keys are our own small type;
//! the runtime converts terminal events into them.

use super::action::{Action, InputRequest, StatusTab};
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
}

const fn b(context: Context, keys: &'static [Key], action: Action, help: &'static str) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
    }
}

use Context as C;
use KeyCode as K;

/// Every binding. Order within a context is the order help lists them in.
pub const BINDINGS: &[Binding] = &[
    // The list (and the detail pane, which shares most keys).
    b(
        C::Browse,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "move down",
    ),
    b(
        C::Browse,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "move up",
    ),
    b(
        C::Browse,
        &[Key::ch('g'), Key::plain(K::Home)],
        Action::Top,
        "first user",
    ),
    b(
        C::Browse,
        &[Key::ch('G'), Key::plain(K::End)],
        Action::Bottom,
        "last user",
    ),
    b(
        C::Browse,
        &[Key::plain(K::PageDown), Key::ctrl('d')],
        Action::PageDown,
        "page down",
    ),
    b(
        C::Browse,
        &[Key::plain(K::PageUp), Key::ctrl('u')],
        Action::PageUp,
        "page up",
    ),
    b(
        C::Browse,
        &[Key::plain(K::Enter)],
        Action::OpenDetail,
        "open the user's detail",
    ),
    b(
        C::Browse,
        &[Key::plain(K::Tab)],
        Action::SwitchFocus,
        "switch between list and detail",
    ),
    b(
        C::Browse,
        &[Key::plain(K::Esc)],
        Action::Back,
        "close detail / clear filter / leave the audit view",
    ),
    b(
        C::Browse,
        &[Key::ch('/')],
        Action::StartFilter,
        "filter as you type",
    ),
    b(
        C::Browse,
        &[Key::ch(']'), Key::ch('l'), Key::plain(K::Right)],
        Action::NextTab,
        "next status tab",
    ),
    b(
        C::Browse,
        &[Key::ch('['), Key::ch('h'), Key::plain(K::Left)],
        Action::PrevTab,
        "previous status tab",
    ),
    b(
        C::Browse,
        &[Key::ch('1')],
        Action::SelectTab(StatusTab::All),
        "all users",
    ),
    b(
        C::Browse,
        &[Key::ch('2')],
        Action::SelectTab(StatusTab::Active),
        "active users",
    ),
    b(
        C::Browse,
        &[Key::ch('3')],
        Action::SelectTab(StatusTab::Pending),
        "pending invitations",
    ),
    b(
        C::Browse,
        &[Key::ch('4')],
        Action::SelectTab(StatusTab::Disabled),
        "disabled users",
    ),
    b(
        C::Browse,
        &[Key::ch('5')],
        Action::SelectTab(StatusTab::ServiceAccounts),
        "service accounts",
    ),
    b(
        C::Browse,
        &[Key::ch('s')],
        Action::CycleSort,
        "sort by the next column",
    ),
    b(
        C::Browse,
        &[Key::ch('S')],
        Action::ReverseSort,
        "reverse the sort",
    ),
    b(
        C::Browse,
        &[Key::ch(' ')],
        Action::ToggleMark,
        "mark / unmark the user",
    ),
    b(
        C::Browse,
        &[Key::ch('a')],
        Action::MarkAllInView,
        "mark every user in the view",
    ),
    b(
        C::Browse,
        &[Key::ch('A')],
        Action::ClearMarks,
        "clear all marks",
    ),
    b(
        C::Browse,
        &[Key::ch('d')],
        Action::Disable,
        "disable marked (or selected) users",
    ),
    b(
        C::Browse,
        &[Key::ch('E')],
        Action::Enable,
        "enable marked (or selected) disabled users",
    ),
    b(C::Browse, &[Key::ch('i')], Action::Invite, "invite users"),
    b(
        C::Browse,
        &[Key::ch('u')],
        Action::EditUser,
        "update name, title, email",
    ),
    b(
        C::Browse,
        &[Key::ch('r')],
        Action::ResendInvitation,
        "resend invitation",
    ),
    b(
        C::Browse,
        &[Key::ch('c')],
        Action::CancelInvitations,
        "cancel pending invitations",
    ),
    b(
        C::Browse,
        &[Key::ch('R')],
        Action::EditRoles,
        "change role membership",
    ),
    b(
        C::Browse,
        &[Key::ch('X')],
        Action::Anonymize,
        "anonymize (irreversible)",
    ),
    b(
        C::Browse,
        &[Key::ch('e')],
        Action::Export,
        "export the list as shown to CSV or JSON",
    ),
    b(
        C::Browse,
        &[Key::ch('P')],
        Action::PickPermission,
        "who can…: pick a permission, list its holders",
    ),
    b(
        C::Browse,
        &[Key::ch('J')],
        Action::Journal,
        "journal: runs, resume, undo",
    ),
    b(
        C::Browse,
        &[Key::ch('m')],
        Action::ShowMe,
        "show me (the current user)",
    ),
    b(
        C::Browse,
        &[Key::ctrl('r'), Key::plain(K::F(5))],
        Action::Reload,
        "reload users",
    ),
    b(C::Browse, &[Key::ch('?')], Action::Help, "this help"),
    b(
        C::Browse,
        &[Key::ch(':')],
        Action::CommandLine,
        "command line (:sort email, :audit admins, :journal, :q)",
    ),
    b(
        C::Browse,
        &[Key::ch('q'), Key::ctrl('c')],
        Action::Quit,
        "quit",
    ),
    // Typing a filter.
    b(
        C::Filter,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "keep the filter, back to the list",
    ),
    b(
        C::Filter,
        &[Key::plain(K::Esc)],
        Action::Cancel,
        "clear the filter",
    ),
    b(C::Filter, &[Key::plain(K::Down)], Action::Down, "move down"),
    b(C::Filter, &[Key::plain(K::Up)], Action::Up, "move up"),
    // The command line.
    b(
        C::Command,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "run the command",
    ),
    b(C::Command, &[Key::plain(K::Esc)], Action::Cancel, "close"),
    // Confirm dialogs.
    b(C::Confirm, &[Key::ch('y')], Action::Confirm, "yes, do it"),
    b(
        C::Confirm,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "yes, when the change takes away nothing (never for disabling)",
    ),
    b(
        C::Confirm,
        &[Key::ch('n'), Key::plain(K::Esc), Key::ch('q')],
        Action::Cancel,
        "no, cancel",
    ),
    b(
        C::TypedConfirm,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "confirm, after typing what the dialog asks (a count, a word, your email)",
    ),
    b(
        C::TypedConfirm,
        &[Key::plain(K::Esc)],
        Action::Cancel,
        "cancel",
    ),
    // Forms (invite, edit).
    b(
        C::Form,
        &[Key::plain(K::Tab), Key::plain(K::Down)],
        Action::NextField,
        "next field",
    ),
    b(
        C::Form,
        &[Key::plain(K::BackTab), Key::plain(K::Up)],
        Action::PrevField,
        "previous field",
    ),
    b(
        C::Form,
        &[Key::plain(K::Enter)],
        Action::NextField,
        "next field (submits on the last)",
    ),
    b(C::Form, &[Key::ctrl('s')], Action::Submit, "submit"),
    b(
        C::Form,
        &[Key::plain(K::Esc)],
        Action::Cancel,
        "close the form",
    ),
    b(
        C::Picker,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "next role",
    ),
    b(
        C::Picker,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "previous role",
    ),
    b(
        C::Picker,
        &[Key::ch(' ')],
        Action::ToggleItem,
        "toggle the role",
    ),
    b(
        C::Picker,
        &[Key::plain(K::Tab)],
        Action::NextField,
        "next field",
    ),
    b(
        C::Picker,
        &[Key::plain(K::BackTab)],
        Action::PrevField,
        "previous field",
    ),
    b(
        C::Picker,
        &[Key::plain(K::Enter), Key::ctrl('s')],
        Action::Submit,
        "apply / submit",
    ),
    b(
        C::Picker,
        &[Key::plain(K::Esc), Key::ch('q')],
        Action::Cancel,
        "close",
    ),
    // Help and summaries.
    b(
        C::Help,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "scroll down",
    ),
    b(
        C::Help,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "scroll up",
    ),
    b(
        C::Help,
        &[Key::plain(K::Esc), Key::ch('?'), Key::ch('q')],
        Action::Cancel,
        "close help",
    ),
    // The permission picker.
    b(
        C::Search,
        &[Key::plain(K::Down)],
        Action::Down,
        "next permission",
    ),
    b(
        C::Search,
        &[Key::plain(K::Up)],
        Action::Up,
        "previous permission",
    ),
    b(
        C::Search,
        &[Key::plain(K::PageDown)],
        Action::PageDown,
        "ten down",
    ),
    b(
        C::Search,
        &[Key::plain(K::PageUp)],
        Action::PageUp,
        "ten up",
    ),
    b(
        C::Search,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "who holds it",
    ),
    b(C::Search, &[Key::plain(K::Esc)], Action::Cancel, "close"),
    // The export prompt.
    b(
        C::Prompt,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "write the file",
    ),
    b(
        C::Prompt,
        &[Key::plain(K::Tab), Key::plain(K::BackTab)],
        Action::NextField,
        "switch CSV / JSON",
    ),
    b(C::Prompt, &[Key::plain(K::Esc)], Action::Cancel, "cancel"),
    // The journal.
    b(
        C::Journal,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "next run (or scroll items)",
    ),
    b(
        C::Journal,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "previous run (or scroll items)",
    ),
    b(
        C::Journal,
        &[Key::ch('g'), Key::plain(K::Home)],
        Action::Top,
        "newest run",
    ),
    b(
        C::Journal,
        &[Key::ch('G'), Key::plain(K::End)],
        Action::Bottom,
        "oldest run",
    ),
    b(
        C::Journal,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "show the run's items / back to the runs",
    ),
    b(
        C::Journal,
        &[Key::ch('r')],
        Action::ResumeRun,
        "resume the run (after a confirmation)",
    ),
    b(
        C::Journal,
        &[Key::ch('U')],
        Action::UndoRun,
        "undo the run (after a confirmation listing the changes)",
    ),
    b(
        C::Journal,
        &[Key::ctrl('r'), Key::plain(K::F(5))],
        Action::Reload,
        "read the journal again",
    ),
    b(
        C::Journal,
        &[Key::plain(K::Esc), Key::ch('q')],
        Action::Cancel,
        "back / close",
    ),
    b(
        C::Summary,
        &[Key::plain(K::Enter), Key::plain(K::Esc), Key::ch('q')],
        Action::Cancel,
        "close",
    ),
];

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
        (Context::Search, "Permission picker"),
        (Context::Prompt, "Export prompt"),
        (Context::Journal, "Journal"),
        (Context::Help, "Help"),
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
}
