//! Messages into `update`: key actions (already mapped by the keymap), pastes, resizes, clock
//! ticks, and the results the effects queue sends back. Errors arrive as plain sentences.

use crate::api::models::{Included, Permission, Role, User, UserId, UsersResponse};
use crate::runs::{Facts, ItemReport, RunId};

use super::action::Action;
use super::effect::{PlanId, RequestId, Ticket};
use super::state::Access;

/// Everything the detail pane shows beyond the list row.
#[derive(Clone, Debug, PartialEq)]
pub struct DetailData {
    /// The user as GetUser returned it, with its roles (and their permissions) included.
    pub user: User,
    pub included: Vec<Included>,
    pub orgs: Vec<String>,
    /// ListUserPermissions: the service's own view of the effective permissions.
    pub permissions: Vec<Permission>,
}

/// A message into `update`, nested by the feature it is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    Action(Action),
    /// Bracketed paste into whatever field has focus.
    Paste(String),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock (unix seconds); drives spinners and toast expiry.
    Tick {
        now: i64,
    },
    /// What the caller may do, as far as the console can tell (for showing keys as
    /// unavailable; the change gate decides for real).
    Access(Access),
    /// The org's users, roles and the current user.
    Load(LoadMsg),
    Detail {
        request_id: RequestId,
        user_id: UserId,
        result: Result<Box<DetailData>, String>,
    },
    /// The detail's user's change history (same request id as the detail's read).
    History {
        request_id: RequestId,
        user_id: UserId,
        history: crate::audit::history::History,
    },
    /// A change's check and run.
    Run(RunMsg),
    /// Audit views, the permission catalogue, exports.
    Audit(AuditMsg),
    /// The journal's runs (`Effect::LoadJournal`).
    JournalRuns {
        request_id: RequestId,
        result: Result<Box<super::state::JournalListing>, String>,
    },
    /// A passing notice ("rate limited — retrying in 3 s").
    Notice(String),
    /// A folder's entries for path completion (`Effect::ListFolder`); a folder that
    /// cannot be read lists nothing.
    Folder {
        request_id: RequestId,
        listing: super::state::FolderListing,
    },
    /// The settings file (`Effect::LoadSettings`, `Effect::SaveSettings`).
    Settings(SettingsMsg),
    /// An access review's file read or written.
    Review(ReviewMsg),
}

/// An access review's file read (`Effect::ReadReview`, or `ddusers review open`) or
/// written (`Effect::WriteReview`).
#[derive(Clone, Debug, PartialEq)]
pub enum ReviewMsg {
    /// The review to open, or why it could not be read.
    Opened(Result<Box<super::state::OpenedReview>, String>),
    /// The lens `lens`'s write of `revision` landed, or why not.
    Saved {
        lens: u64,
        revision: u64,
        result: Result<(), String>,
    },
}

/// The settings file read or written.
#[derive(Clone, Debug, PartialEq)]
pub enum SettingsMsg {
    /// What the file holds (`None`: no file yet), or why it could not be read.
    Loaded(Result<Option<crate::settings::Settings>, String>),
    /// Written, or why not.
    Saved(Result<(), String>),
}

/// Loading the org.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadMsg {
    UsersPage {
        request_id: RequestId,
        number: u64,
        total_pages: Option<u64>,
        response: UsersResponse,
    },
    UsersLoaded {
        request_id: RequestId,
    },
    UsersLoadFailed {
        request_id: RequestId,
        error: String,
    },
    SearchResults {
        request_id: RequestId,
        response: UsersResponse,
    },
    Roles(Result<Vec<Role>, String>),
    CurrentUser(Result<Box<(User, Vec<Included>)>, String>),
    /// The name of the current user's org (`None`: the service did not say).
    OrgName(Option<String>),
}

/// A change being checked and carried out.
#[derive(Clone, Debug, PartialEq)]
pub enum RunMsg {
    /// The facts a plan is checked against were read (or could not be: then nothing may
    /// be written).
    Prepared {
        plan: PlanId,
        result: Result<Box<Facts>, String>,
    },
    /// A run began: its journal id and how many items this process carries out.
    Started {
        ticket: Ticket,
        run: RunId,
        total: usize,
    },
    /// One item of a run finished.
    Item {
        ticket: Ticket,
        report: Box<ItemReport>,
    },
    /// A run ended: `stopped` when its breaker tripped (the rest is unfinished), `error`
    /// when it could not start (nothing was sent).
    Ended {
        ticket: Ticket,
        stopped: Option<String>,
        error: Option<String>,
    },
}

/// Audit views, the permission catalogue and exports.
#[derive(Clone, Debug, PartialEq)]
pub enum AuditMsg {
    /// The permission catalogue, for the who-can picker.
    Permissions {
        request_id: RequestId,
        result: Result<Vec<crate::api::models::Permission>, String>,
    },
    /// An export was written (or not).
    Exported {
        request_id: RequestId,
        result: Result<super::state::ExportDone, String>,
    },
    /// The snapshot `:diff` compares with was read (or not).
    DiffBase(Result<Box<super::state::DiffBase>, String>),
    /// The people list `:reconcile` matches the org with was read (or not).
    People(Result<Box<crate::audit::reconcile::People>, String>),
    /// Nothing was written: the file exists (its path, `~` expanded and absolute) and the
    /// export did not say to overwrite it.
    ExportExists {
        request_id: RequestId,
        path: String,
        format: super::effect::ExportFormat,
    },
}
