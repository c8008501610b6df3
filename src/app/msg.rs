//! Messages into `update`: key actions (already mapped by the keymap), pastes, resizes, clock
//! ticks, and the results the effects queue sends back. Errors arrive as plain sentences.

use crate::api::models::{
    AnonymizeUsersResult, Included, Permission, Role, RoleId, User, UserId, UsersResponse,
};

use super::action::Action;

/// What happened to one user of a bulk run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemOutcome {
    /// Done, in words ("disabled", "invitation sent").
    Done(String),
    /// Nothing to do ("already disabled").
    Skipped(String),
    /// Failed, with the reason.
    Failed(String),
}

/// What happened to one email of an invite run.
#[derive(Clone, Debug, PartialEq)]
pub enum InviteOutcome {
    /// Created (or found pending) and invited.
    Invited {
        user: Box<User>,
        created: bool,
        expires_at: Option<i64>,
    },
    /// Already an active user: reported, not re-invited.
    AlreadyActive(Box<User>),
    /// A disabled user with this email exists.
    Disabled(Box<User>),
    Failed(String),
}

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

/// A message into `update`.
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
    /// The effects queue's access decision: read-only and why.
    Access {
        read_only: bool,
        reason: Option<String>,
    },
    UsersPage {
        request_id: u64,
        number: u64,
        total_pages: Option<u64>,
        response: UsersResponse,
    },
    UsersLoaded {
        request_id: u64,
    },
    UsersLoadFailed {
        request_id: u64,
        error: String,
    },
    SearchResults {
        request_id: u64,
        response: UsersResponse,
    },
    Detail {
        request_id: u64,
        user_id: UserId,
        result: Result<Box<DetailData>, String>,
    },
    Roles(Result<Vec<Role>, String>),
    CurrentUser(Result<Box<(User, Vec<Included>)>, String>),
    BulkItem {
        run_id: u64,
        user_id: UserId,
        outcome: ItemOutcome,
    },
    BulkFinished {
        run_id: u64,
    },
    InviteItem {
        run_id: u64,
        email: String,
        outcome: InviteOutcome,
    },
    InviteFinished {
        run_id: u64,
    },
    UserUpdated {
        request_id: u64,
        result: Result<Box<User>, String>,
    },
    RolesChanged {
        run_id: u64,
        user_id: UserId,
        result: Result<Vec<RoleId>, String>,
    },
    Anonymized {
        run_id: u64,
        result: Result<AnonymizeUsersResult, String>,
    },
    /// An audit view's members (`Effect::LoadAudit`).
    AuditView {
        request_id: u64,
        result: Result<Box<super::audit::AuditResult>, String>,
    },
    /// The permission catalogue, for the who-can picker.
    Permissions {
        request_id: u64,
        result: Result<Vec<super::audit::PermissionEntry>, String>,
    },
    /// An export was written (or not).
    Exported {
        request_id: u64,
        result: Result<super::audit::ExportDone, String>,
    },
    /// The journal's runs (`Effect::LoadJournal`).
    JournalRuns {
        request_id: u64,
        result: Result<Box<super::journal::JournalListing>, String>,
    },
    /// A resume or undo from the journal view ended (its items came as `BulkItem`s).
    RunFinished {
        run_id: u64,
        /// "undo of 20261127T061500-3f9a: Disable 3 users (console)".
        title: String,
        /// Why it could not run at all (another org's run, no journal, ...).
        error: Option<String>,
    },
    /// A passing notice ("rate limited — retrying in 3 s").
    Notice(String),
    /// The effects queue refused an effect.
    Refused {
        what: String,
        reason: String,
    },
}
