//! The keymap's one table: for each context its keys, their action, the line help shows, and
//! whether the footer's key hints show it (and where, in what words). Help, the footer and key
//! resolution all read this table.

use super::{b, Binding, Key, KeyCode};
use crate::app::action::{Action, DecisionKey, StatusTab};
use crate::app::state::Context;

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
    )
    .footer(1, "move"),
    b(
        C::Browse,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "move up",
    )
    .footer(1, "move"),
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
    )
    .footer_if_room(4, "detail"),
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
        "filter as you type; in the detail, its permissions",
    )
    .footer(2, "filter"),
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
    )
    .footer(3, "mark"),
    b(
        C::Browse,
        &[Key::ch('V')],
        Action::MarkRange,
        "mark from the last marked user to here",
    ),
    b(
        C::Browse,
        &[Key::ch('a')],
        Action::MarkAllInView,
        "mark every user in the view",
    ),
    b(
        C::Browse,
        &[Key::ch('I')],
        Action::InvertMarks,
        "invert the marks in the view",
    ),
    b(
        C::Browse,
        &[Key::ch('M')],
        Action::ToggleMarkedOnly,
        "show marked users only / everyone",
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
    )
    .footer(5, "disable"),
    b(
        C::Browse,
        &[Key::ch('E')],
        Action::Enable,
        "enable marked (or selected) users",
    ),
    b(C::Browse, &[Key::ch('i')], Action::Invite, "invite users").footer(6, "invite"),
    b(
        C::Browse,
        &[Key::ch('u')],
        Action::EditUser,
        "update a user; marked users: one title",
    ),
    b(
        C::Browse,
        &[Key::ch('r')],
        Action::ResendInvitation,
        "resend invitations (marked or selected)",
    ),
    b(
        C::Browse,
        &[Key::ch('c')],
        Action::CancelInvitations,
        "cancel invitations (marked or selected)",
    ),
    b(
        C::Browse,
        &[Key::ch('R')],
        Action::EditRoles,
        "change roles (marked or selected users)",
    ),
    b(
        C::Browse,
        &[Key::ch('X')],
        Action::Anonymize,
        "anonymize for good (marked or selected)",
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
        &[Key::ch('z')],
        Action::FoldGroup,
        "detail: fold/unfold the group (Enter, Space too)",
    ),
    b(
        C::Browse,
        &[Key::ch('Z')],
        Action::FoldAllGroups,
        "detail: fold / unfold every permission group",
    ),
    b(
        C::Browse,
        &[Key::ch('}')],
        Action::NextGroup,
        "detail: next permission group",
    ),
    b(
        C::Browse,
        &[Key::ch('{')],
        Action::PrevGroup,
        "detail: previous permission group",
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
    b(C::Browse, &[Key::ch('?')], Action::Help, "this help").footer(7, "help"),
    b(
        C::Browse,
        &[Key::ch(':')],
        Action::CommandLine,
        "command palette: Tab completes, ↑ recalls a command",
    ),
    b(
        C::Browse,
        &[Key::ch('q'), Key::ctrl('c')],
        Action::Quit,
        "quit",
    )
    .footer(8, "quit"),
    // Typing a filter.
    b(
        C::Filter,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "keep the filter, back to the list",
    )
    .footer(2, "keep"),
    b(
        C::Filter,
        &[Key::plain(K::Esc)],
        Action::Cancel,
        "clear the filter",
    )
    .footer(3, "clear"),
    b(C::Filter, &[Key::plain(K::Down)], Action::Down, "move down").footer(1, "move"),
    b(C::Filter, &[Key::plain(K::Up)], Action::Up, "move up").footer(1, "move"),
    // The command line.
    b(
        C::Command,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "run the command",
    )
    .footer(1, "run"),
    b(
        C::Command,
        &[Key::plain(K::Tab)],
        Action::NextField,
        "complete the command, then its argument (again: the next choice)",
    )
    .footer(2, "complete"),
    b(
        C::Command,
        &[Key::plain(K::BackTab)],
        Action::PrevField,
        "the previous choice",
    ),
    b(
        C::Command,
        &[Key::plain(K::Up)],
        Action::Up,
        "previous choice; on an empty line, earlier commands",
    )
    .footer(3, "choose"),
    b(
        C::Command,
        &[Key::plain(K::Down)],
        Action::Down,
        "next choice; on an empty line, later commands",
    )
    .footer(3, "choose"),
    b(C::Command, &[Key::plain(K::Esc)], Action::Cancel, "close").footer(4, "close"),
    // Confirm dialogs.
    b(C::Confirm, &[Key::ch('y')], Action::Confirm, "yes, do it").footer(1, "yes"),
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
    )
    .footer(2, "no"),
    b(
        C::TypedConfirm,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "confirm, after typing what the dialog asks (a count, a word, your email)",
    )
    .footer(1, "confirm"),
    b(
        C::TypedConfirm,
        &[Key::plain(K::Esc)],
        Action::Cancel,
        "cancel",
    )
    .footer(2, "cancel"),
    // Forms (invite, edit).
    b(
        C::Form,
        &[Key::plain(K::Tab), Key::plain(K::Down)],
        Action::NextField,
        "next field",
    )
    .footer(1, "next field"),
    b(
        C::Form,
        &[Key::plain(K::BackTab), Key::plain(K::Up)],
        Action::PrevField,
        "previous field",
    )
    .footer(2, "previous field"),
    b(
        C::Form,
        &[Key::plain(K::Enter)],
        Action::NextField,
        "next field (submits on the last)",
    ),
    b(C::Form, &[Key::ctrl('s')], Action::Submit, "submit").footer(3, "submit"),
    b(
        C::Form,
        &[Key::plain(K::Esc)],
        Action::Cancel,
        "close the form",
    )
    .footer(4, "close"),
    b(
        C::Picker,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "next role",
    )
    .footer(1, "move"),
    b(
        C::Picker,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "previous role",
    )
    .footer(1, "move"),
    b(
        C::Picker,
        &[Key::ch(' ')],
        Action::ToggleItem,
        "toggle the role",
    )
    .footer(2, "toggle"),
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
    )
    .footer(3, "apply"),
    b(
        C::Picker,
        &[Key::plain(K::Esc), Key::ch('q')],
        Action::Cancel,
        "close",
    )
    .footer(4, "close"),
    // The column picker.
    b(
        C::Columns,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "next column",
    )
    .footer(1, "move"),
    b(
        C::Columns,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "previous column",
    )
    .footer(1, "move"),
    b(
        C::Columns,
        &[Key::ch(' ')],
        Action::ToggleItem,
        "show / hide the column",
    )
    .footer(2, "show/hide"),
    b(
        C::Columns,
        &[Key::ch('K'), Key::ch('-')],
        Action::MoveItemUp,
        "move the column left (up the list)",
    )
    .footer(3, "reorder"),
    b(
        C::Columns,
        &[Key::ch('J'), Key::ch('+')],
        Action::MoveItemDown,
        "move the column right (down the list)",
    )
    .footer(3, "reorder"),
    b(
        C::Columns,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "apply and remember",
    )
    .footer(4, "apply"),
    b(
        C::Columns,
        &[Key::plain(K::Esc), Key::ch('q')],
        Action::Cancel,
        "close without changes",
    )
    .footer(5, "close"),
    // Help and summaries.
    b(
        C::Help,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "scroll down",
    )
    .footer(1, "scroll"),
    b(
        C::Help,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "scroll up",
    )
    .footer(1, "scroll"),
    b(C::Help, &[Key::ch('/')], Action::StartFilter, "search help").footer(2, "search"),
    b(
        C::Help,
        &[Key::plain(K::Esc), Key::ch('?'), Key::ch('q')],
        Action::Cancel,
        "clear the search / close help",
    )
    .footer(3, "close"),
    // Typing a search of help.
    b(
        C::HelpSearch,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "keep the search, back to scrolling",
    )
    .footer(1, "keep"),
    b(
        C::HelpSearch,
        &[Key::plain(K::Esc)],
        Action::Cancel,
        "clear the search",
    )
    .footer(2, "clear"),
    // The permission picker.
    b(
        C::Search,
        &[Key::plain(K::Down)],
        Action::Down,
        "next permission",
    )
    .footer(1, "move"),
    b(
        C::Search,
        &[Key::plain(K::Up)],
        Action::Up,
        "previous permission",
    )
    .footer(1, "move"),
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
    )
    .footer(2, "who holds it"),
    b(C::Search, &[Key::plain(K::Esc)], Action::Cancel, "close").footer(3, "close"),
    // The export prompt.
    b(
        C::Prompt,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "write the file",
    )
    .footer(1, "write"),
    b(
        C::Prompt,
        &[Key::plain(K::Tab), Key::plain(K::BackTab)],
        Action::NextField,
        "switch CSV / JSON",
    )
    .footer(2, "CSV/JSON"),
    b(C::Prompt, &[Key::plain(K::Esc)], Action::Cancel, "cancel").footer(3, "cancel"),
    // The journal.
    b(
        C::Journal,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "next run (or scroll items)",
    )
    .footer(1, "move"),
    b(
        C::Journal,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "previous run (or scroll items)",
    )
    .footer(1, "move"),
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
    )
    .footer(2, "items/runs"),
    b(
        C::Journal,
        &[Key::ch('r')],
        Action::ResumeRun,
        "resume the run (after a confirmation)",
    )
    .footer(3, "resume"),
    b(
        C::Journal,
        &[Key::ch('U')],
        Action::UndoRun,
        "undo the run (after a confirmation listing the changes)",
    )
    .footer(4, "undo"),
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
    )
    .footer(5, "back"),
    // An access review's rows.
    b(
        C::Review,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "next row",
    )
    .footer(1, "move"),
    b(
        C::Review,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "previous row",
    )
    .footer(1, "move"),
    b(
        C::Review,
        &[Key::ch('g'), Key::plain(K::Home)],
        Action::Top,
        "first row",
    ),
    b(
        C::Review,
        &[Key::ch('G'), Key::plain(K::End)],
        Action::Bottom,
        "last row",
    ),
    b(
        C::Review,
        &[Key::plain(K::PageDown), Key::ctrl('d')],
        Action::PageDown,
        "page down",
    ),
    b(
        C::Review,
        &[Key::plain(K::PageUp), Key::ctrl('u')],
        Action::PageUp,
        "page up",
    ),
    b(
        C::Review,
        &[Key::ch('y')],
        Action::Decide(DecisionKey::Keep),
        "keep the access (a privileged role needs a justification)",
    )
    .footer(2, "keep"),
    b(
        C::Review,
        &[Key::ch('x')],
        Action::Decide(DecisionKey::RevokeRole),
        "revoke the row's role (an account row: pick the role)",
    )
    .footer(3, "revoke"),
    b(
        C::Review,
        &[Key::ch('d')],
        Action::Decide(DecisionKey::Disable),
        "disable the account",
    )
    .footer(4, "disable"),
    b(
        C::Review,
        &[Key::ch('R')],
        Action::Decide(DecisionKey::ChangeRole),
        "change the role to another (pick it)",
    )
    .footer(5, "change"),
    b(
        C::Review,
        &[Key::plain(K::Delete)],
        Action::Undecide,
        "clear the decision",
    ),
    b(
        C::Review,
        &[Key::ch('n')],
        Action::NextUndecided,
        "next undecided row",
    )
    .footer(6, "next"),
    b(
        C::Review,
        &[Key::ch(' ')],
        Action::ToggleMark,
        "mark / unmark the row (marked rows are decided together)",
    )
    .footer_if_room(7, "mark"),
    b(
        C::Review,
        &[Key::ch('a')],
        Action::MarkAllInView,
        "mark every row shown",
    ),
    b(
        C::Review,
        &[Key::ch('A')],
        Action::ClearMarks,
        "clear all marks",
    ),
    b(
        C::Review,
        &[Key::ch('/')],
        Action::StartFilter,
        "filter the rows: user, role, reason, decision, role:, status:…",
    )
    .footer_if_room(8, "filter"),
    b(
        C::Review,
        &[Key::plain(K::Esc)],
        Action::Back,
        "clear the filter / close the review",
    )
    .footer_if_room(9, "close"),
    b(C::Review, &[Key::ch('?')], Action::Help, "this help").footer(10, "help"),
    b(
        C::Review,
        &[Key::ch(':')],
        Action::CommandLine,
        "command palette (:review undecided, :review keep, …)",
    ),
    b(
        C::Review,
        &[Key::ch('q'), Key::ctrl('c')],
        Action::Quit,
        "quit (decisions are saved as they are made)",
    )
    .footer(11, "quit"),
    // A review decision's justification.
    b(
        C::Justify,
        &[Key::plain(K::Enter)],
        Action::Submit,
        "record the decision with this justification",
    )
    .footer(1, "record"),
    b(
        C::Justify,
        &[Key::plain(K::Esc)],
        Action::Cancel,
        "cancel: nothing is recorded",
    )
    .footer(2, "cancel"),
    b(
        C::Summary,
        &[Key::plain(K::Enter), Key::plain(K::Esc), Key::ch('q')],
        Action::Cancel,
        "close",
    )
    .footer(1, "close"),
    // A finished run's results.
    b(
        C::Results,
        &[Key::ch('j'), Key::plain(K::Down)],
        Action::Down,
        "next item",
    )
    .footer(1, "scroll"),
    b(
        C::Results,
        &[Key::ch('k'), Key::plain(K::Up)],
        Action::Up,
        "previous item",
    )
    .footer(1, "scroll"),
    b(
        C::Results,
        &[Key::ch('g'), Key::plain(K::Home)],
        Action::Top,
        "first item",
    ),
    b(
        C::Results,
        &[Key::ch('G'), Key::plain(K::End)],
        Action::Bottom,
        "last item",
    ),
    b(
        C::Results,
        &[Key::plain(K::PageDown), Key::ctrl('d')],
        Action::PageDown,
        "page down",
    ),
    b(
        C::Results,
        &[Key::plain(K::PageUp), Key::ctrl('u')],
        Action::PageUp,
        "page up",
    ),
    b(
        C::Results,
        &[Key::ch('r')],
        Action::RetryFailed,
        "retry the items that failed, as a new run (after a confirmation)",
    )
    .footer(2, "retry"),
    b(
        C::Results,
        &[Key::ch('y')],
        Action::CopyIds,
        "copy the user ids (the failed ones, or all) to the clipboard",
    )
    .footer(3, "copy ids"),
    b(
        C::Results,
        &[Key::plain(K::Enter), Key::plain(K::Esc), Key::ch('q')],
        Action::Cancel,
        "close",
    )
    .footer(4, "close"),
];
