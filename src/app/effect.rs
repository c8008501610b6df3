//! Effects as data: what `update` asks the outside world to do. The effects queue executes
//! them and answers with `Msg`s; nothing here performs I/O.

use crate::api::models::UserId;
use crate::api::ListUsersQuery;
use crate::audit::ViewKind;
use crate::runs::{CheckedPlan, Draft};

use std::path::PathBuf;
use std::sync::Arc;

use crate::org::{Org, UserIx};

/// The per-user bulk operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkKind {
    Disable,
    Enable,
    ResendInvitation,
    CancelInvitations,
}

impl BulkKind {
    /// "disabling", for progress lines.
    pub fn progressive(self) -> &'static str {
        match self {
            BulkKind::Disable => "disabling",
            BulkKind::Enable => "enabling",
            BulkKind::ResendInvitation => "sending invitations",
            BulkKind::CancelInvitations => "cancelling invitations",
        }
    }

    /// "Disable 3 users", "Cancel the pending invitations of 1 user": a run's title.
    /// The run's title for `users` ("3 marked users", "Ada Lovelace <ada@…>").
    pub fn title(self, users: &str) -> String {
        match self {
            BulkKind::Disable => format!("Disable {users}"),
            BulkKind::Enable => format!("Enable {users}"),
            BulkKind::ResendInvitation => format!("Resend the invitations of {users}"),
            BulkKind::CancelInvitations => format!("Cancel the pending invitations of {users}"),
        }
    }
}

/// One person to invite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invitee {
    pub email: String,
    pub name: Option<String>,
    pub title: Option<String>,
}

/// Identifies a read the console asked for; its answer names it, and an answer for an
/// older request (a newer one replaced it) is dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// The newest request of one kind (the listing, the detail, an audit view, ...): "latest
/// wins" in one small type instead of hand-written comparisons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latest(Option<RequestId>);

impl Latest {
    /// Makes `id` the request whose answer counts.
    pub fn issue(&mut self, id: RequestId) -> RequestId {
        self.0 = Some(id);
        id
    }

    /// True when `id` is the newest request (its answer counts).
    pub fn is(&self, id: RequestId) -> bool {
        self.0 == Some(id)
    }

    /// No answer is awaited any more.
    pub fn clear(&mut self) {
        self.0 = None;
    }

    /// The newest request, if one is awaited.
    pub fn current(&self) -> Option<RequestId> {
        self.0
    }
}

/// Identifies a plan being prepared (its facts read and checked).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PlanId(pub u64);

/// Identifies a run the console started, so its items and end are routed to it and to
/// nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ticket(pub u64);

/// Work for the effects queue.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Stream every page of the listing (latest request wins).
    LoadUsers {
        request_id: RequestId,
        query: ListUsersQuery,
    },
    /// Ask the server's filter while the org is not fully loaded (latest wins).
    SearchUsers {
        request_id: RequestId,
        filter: String,
    },
    /// Everything the detail pane needs about one user (latest wins).
    LoadDetail {
        request_id: RequestId,
        user_id: UserId,
    },
    /// The detail's user's change history from Audit Trail (answers as the detail's read).
    LoadHistory {
        request_id: RequestId,
        user_id: UserId,
    },
    /// Every role of the org, for pickers.
    LoadRoles,
    /// The user behind the keys, and from their permissions, whether writes are allowed;
    /// then the name of their org (for the title).
    LoadCurrentUser,
    /// The entries of a folder, for the palette's path completion (latest wins).
    ListFolder {
        request_id: RequestId,
        /// As typed: relative to the working folder, absolute, or under `~/`.
        folder: String,
    },
    /// Read what the change gate needs to check `draft` (GETs only); answered with
    /// `Msg::Run(RunMsg::Prepared)`.
    Prepare { plan: PlanId, draft: Box<Draft> },
    /// Carry out a plan the gate approved: the one effect that writes.
    Apply {
        ticket: Ticket,
        plan: Box<CheckedPlan>,
    },
    /// The permission catalogue, for the who-can picker and views naming a permission
    /// the org does not know yet.
    LoadPermissions { request_id: RequestId },
    /// Write these users (in this order) of the view `kind` (all users when none) of the
    /// org as it was when asked to a file; `now` (unix seconds) dates it. A read: allowed
    /// in read-only mode.
    Export {
        request_id: RequestId,
        org: OrgRef,
        kind: Option<ViewKind>,
        rows: Vec<UserIx>,
        format: ExportFormat,
        path: PathBuf,
        now: i64,
        /// Replace the file when it exists (asked first: without it, an existing file is
        /// left alone and `AuditMsg::ExportExists` comes back).
        overwrite: bool,
        /// The keys' user, the org's name and the filter, for the export's meta.
        about: Box<crate::audit::export::ExportAbout>,
    },
    /// Read the journal's runs.
    LoadJournal { request_id: RequestId },
    /// Read the snapshot file `:diff` compares the org with.
    ReadSnapshot { path: std::path::PathBuf },
    /// Read the people list (CSV) `:reconcile` matches the org with.
    ReadPeople { path: std::path::PathBuf },
    /// Read the review file `:review` opens (answered with `Msg::Review(ReviewMsg::Opened)`),
    /// and who is deciding (the environment, as the command line reads it).
    ReadReview { path: std::path::PathBuf },
    /// Write the decisions of `rows` — every row not saved yet, as they stand at
    /// `revision` — into the review file: read as it is, the rows carried in
    /// (`Review::carry`), written whole and atomically. Writes go one at a time, in order;
    /// a newer one waiting replaces an older one waiting (it holds every row the older one
    /// did). Answered with `Msg::Review(ReviewMsg::Saved)`. Changes a file, never the org.
    WriteReview {
        lens: u64,
        revision: u64,
        path: std::path::PathBuf,
        rows: Vec<crate::review::RowDecision>,
    },
    /// Read the settings file (answered with `Msg::Settings(SettingsMsg::Loaded)`).
    LoadSettings,
    /// Write the settings file whole.
    SaveSettings { settings: crate::settings::Settings },
    /// Put `text` on the clipboard through the terminal (OSC 52): the runtime writes it,
    /// since only it holds the terminal.
    CopyToClipboard { text: String },
}

/// The org as it was when an effect was asked for, shared rather than copied: the
/// console's org is copied on its next change only while an effect still holds it.
#[derive(Clone)]
pub struct OrgRef(pub Arc<Org>);

impl PartialEq for OrgRef {
    fn eq(&self, other: &OrgRef) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for OrgRef {}

impl std::fmt::Debug for OrgRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OrgRef({} users)", self.0.len())
    }
}

impl Effect {
    /// True for the effect that changes the org.
    pub fn is_mutating(&self) -> bool {
        matches!(self, Effect::Apply { .. })
    }

    /// What the effect does, in words ("disable 3 users").
    pub fn describe(&self) -> String {
        match self {
            Effect::LoadUsers { .. } => "load users".into(),
            Effect::SearchUsers { filter, .. } => format!("search users for {filter:?}"),
            Effect::LoadDetail { .. } => "load a user's detail".into(),
            Effect::LoadHistory { .. } => "load a user's change history".into(),
            Effect::LoadRoles => "load roles".into(),
            Effect::LoadCurrentUser => "load the current user".into(),
            Effect::ListFolder { folder, .. } => format!("list the folder {folder:?}"),
            Effect::Prepare { draft, .. } => format!("check {}", draft.title()),
            Effect::Apply { plan, .. } => plan.title().to_owned(),
            Effect::LoadPermissions { .. } => "load the permission catalogue".into(),
            Effect::Export { rows, .. } => {
                format!("export {}", crate::words::count(rows.len(), "user"))
            }
            Effect::LoadJournal { .. } => "read the journal".into(),
            Effect::ReadSnapshot { path } => format!("read the snapshot {}", path.display()),
            Effect::ReadPeople { path } => format!("read the people list {}", path.display()),
            Effect::ReadReview { path } => format!("read the review {}", path.display()),
            Effect::WriteReview { path, .. } => format!("save the review {}", path.display()),
            Effect::LoadSettings => "read the settings".into(),
            Effect::SaveSettings { .. } => "save the settings".into(),
            Effect::CopyToClipboard { .. } => "copy to the clipboard".into(),
        }
    }
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Csv,
    Json,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Csv => "CSV",
            ExportFormat::Json => "JSON",
        }
    }

    pub fn other(self) -> ExportFormat {
        match self {
            ExportFormat::Csv => ExportFormat::Json,
            ExportFormat::Json => ExportFormat::Csv,
        }
    }
}
