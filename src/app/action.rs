//! Semantic key actions: what a key means, independent of which key it is. The keymap maps
//! keys to these; `update` acts on them. No terminal types here.

pub use tui_input::InputRequest;

/// The status tabs of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum StatusTab {
    #[default]
    All,
    Active,
    Pending,
    Disabled,
    ServiceAccounts,
}

impl StatusTab {
    pub const ALL: [StatusTab; 5] = [
        StatusTab::All,
        StatusTab::Active,
        StatusTab::Pending,
        StatusTab::Disabled,
        StatusTab::ServiceAccounts,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StatusTab::All => "All",
            StatusTab::Active => "Active",
            StatusTab::Pending => "Pending",
            StatusTab::Disabled => "Disabled",
            StatusTab::ServiceAccounts => "Service accounts",
        }
    }

    /// The words `:status` offers (each parses to its tab, in `ALL`'s order).
    pub const WORDS: &'static [&'static str] = &["all", "active", "pending", "disabled", "service"];

    /// Parses `:status NAME`.
    pub fn parse(text: &str) -> Option<StatusTab> {
        match text.to_ascii_lowercase().as_str() {
            "all" => Some(StatusTab::All),
            "active" => Some(StatusTab::Active),
            "pending" | "invited" => Some(StatusTab::Pending),
            "disabled" => Some(StatusTab::Disabled),
            "service" | "services" | "service-accounts" | "bots" => {
                Some(StatusTab::ServiceAccounts)
            }
            _ => None,
        }
    }

    fn position(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    pub fn next(self) -> StatusTab {
        Self::ALL[(self.position() + 1) % Self::ALL.len()]
    }

    pub fn prev(self) -> StatusTab {
        Self::ALL[(self.position() + Self::ALL.len() - 1) % Self::ALL.len()]
    }
}

/// A decision an access review's key asks for (what it records comes after a role is
/// picked and a justification typed, where asked).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionKey {
    Keep,
    RevokeRole,
    Disable,
    ChangeRole,
}

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    // Moving around.
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// A click on the n-th visible row of the table.
    ClickRow(u16),
    OpenDetail,
    SwitchFocus,
    Back,
    // The view.
    StartFilter,
    NextTab,
    PrevTab,
    SelectTab(StatusTab),
    CycleSort,
    ReverseSort,
    // Marks.
    ToggleMark,
    /// Marks the users from the range anchor to the cursor.
    MarkRange,
    MarkAllInView,
    InvertMarks,
    /// Shows the marked users only, or everyone again.
    ToggleMarkedOnly,
    ClearMarks,
    // Changes to users (mutating).
    Disable,
    Enable,
    Invite,
    EditUser,
    ResendInvitation,
    CancelInvitations,
    EditRoles,
    Anonymize,
    // Audits and the journal (reads, apart from resume and undo).
    Export,
    PickPermission,
    Journal,
    ResumeRun,
    UndoRun,
    // An access review's rows (they change the review file, never the org).
    Decide(DecisionKey),
    /// Clears the decision of the marked rows (or the cursor's).
    Undecide,
    /// The next row still undecided.
    NextUndecided,
    // A finished run's results.
    RetryFailed,
    CopyIds,
    // The detail pane's effective permissions.
    FoldGroup,
    FoldAllGroups,
    NextGroup,
    PrevGroup,
    // Other.
    ShowMe,
    Reload,
    Help,
    CommandLine,
    Quit,
    // Inside dialogs and forms.
    Confirm,
    Cancel,
    NextField,
    PrevField,
    ToggleItem,
    /// Moves the item under the cursor up or down (the column picker).
    MoveItemUp,
    MoveItemDown,
    Submit,
    TextEdit(InputRequest),
}

impl Action {
    /// True for actions that change the org (refused in read-only mode).
    pub fn is_mutating(self) -> bool {
        matches!(
            self,
            Action::Disable
                | Action::Enable
                | Action::Invite
                | Action::EditUser
                | Action::ResendInvitation
                | Action::CancelInvitations
                | Action::EditRoles
                | Action::Anonymize
                | Action::ResumeRun
                | Action::UndoRun
                | Action::RetryFailed
        )
    }
}
