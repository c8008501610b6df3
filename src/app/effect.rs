//! Effects as data: what `update` asks the outside world to do. The effects queue executes
//! them and answers with `Msg`s; nothing here performs I/O.

use crate::api::models::{RoleId, UserId, UserUpdate};
use crate::api::ListUsersQuery;
use crate::audit::ViewKind;
use crate::runs::RunId;

pub use super::audit::ExportFormat;
use std::path::PathBuf;

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

    /// "Disable", for titles.
    pub fn title(self) -> &'static str {
        match self {
            BulkKind::Disable => "Disable",
            BulkKind::Enable => "Enable",
            BulkKind::ResendInvitation => "Resend invitations",
            BulkKind::CancelInvitations => "Cancel invitations",
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

/// Work for the effects queue.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Stream every page of the listing (latest request wins).
    LoadUsers {
        request_id: u64,
        query: ListUsersQuery,
    },
    /// Ask the server's filter while the org is not fully loaded (latest wins).
    SearchUsers { request_id: u64, filter: String },
    /// Everything the detail pane needs about one user (latest wins).
    LoadDetail { request_id: u64, user_id: UserId },
    /// Every role of the org, for pickers.
    LoadRoles,
    /// The user behind the keys, and from their permissions, whether writes are allowed.
    LoadCurrentUser,
    /// A per-user bulk operation.
    Bulk {
        run_id: u64,
        kind: BulkKind,
        ids: Vec<UserId>,
    },
    /// Create missing users with these roles, then invite them.
    InviteUsers {
        run_id: u64,
        invitees: Vec<Invitee>,
        roles: Vec<RoleId>,
    },
    /// Edit a user's profile (`current_user` edits the caller's own).
    UpdateUser {
        request_id: u64,
        user_id: UserId,
        update: UserUpdate,
        current_user: bool,
    },
    /// Change one user's role membership.
    ChangeRoles {
        run_id: u64,
        user_id: UserId,
        add: Vec<RoleId>,
        remove: Vec<RoleId>,
    },
    /// Irreversibly anonymize users.
    Anonymize { run_id: u64, ids: Vec<UserId> },
    /// Read the whole org (once per session, or again when `reload`) and answer an audit
    /// view's members with `Msg::AuditView`.
    LoadAudit {
        request_id: u64,
        kind: ViewKind,
        reload: bool,
    },
    /// The permission catalogue (from the same org read), for the who-can picker.
    LoadPermissions { request_id: u64 },
    /// Write these users (in this order) of the view `kind` (all users when none) to a
    /// file. A read: allowed in read-only mode.
    Export {
        request_id: u64,
        kind: Option<ViewKind>,
        ids: Vec<UserId>,
        format: ExportFormat,
        path: PathBuf,
    },
    /// Read the journal's runs.
    LoadJournal { request_id: u64 },
    /// Finish an interrupted run of the journal (refused for another org's run).
    ResumeRun { run_id: u64, run: RunId },
    /// A new run of the recorded inverse changes of a journal run.
    UndoRun { run_id: u64, run: RunId },
}

impl Effect {
    /// True when the effect changes the org; the effects queue refuses these in read-only
    /// mode.
    pub fn is_mutating(&self) -> bool {
        match self {
            Effect::LoadUsers { .. }
            | Effect::SearchUsers { .. }
            | Effect::LoadDetail { .. }
            | Effect::LoadRoles
            | Effect::LoadCurrentUser
            | Effect::LoadAudit { .. }
            | Effect::LoadPermissions { .. }
            | Effect::Export { .. }
            | Effect::LoadJournal { .. } => false,
            Effect::Bulk { .. }
            | Effect::InviteUsers { .. }
            | Effect::UpdateUser { .. }
            | Effect::ChangeRoles { .. }
            | Effect::Anonymize { .. }
            | Effect::ResumeRun { .. }
            | Effect::UndoRun { .. } => true,
        }
    }

    /// What the effect does, in words ("disable 3 users").
    pub fn describe(&self) -> String {
        let users = |n: usize| {
            if n == 1 {
                "1 user".to_owned()
            } else {
                format!("{n} users")
            }
        };
        match self {
            Effect::LoadUsers { .. } => "load users".into(),
            Effect::SearchUsers { filter, .. } => format!("search users for {filter:?}"),
            Effect::LoadDetail { .. } => "load a user's detail".into(),
            Effect::LoadRoles => "load roles".into(),
            Effect::LoadCurrentUser => "load the current user".into(),
            Effect::Bulk { kind, ids, .. } => {
                format!("{} {}", kind.title().to_lowercase(), users(ids.len()))
            }
            Effect::InviteUsers { invitees, .. } => format!("invite {}", users(invitees.len())),
            Effect::UpdateUser { .. } => "edit a user".into(),
            Effect::ChangeRoles { .. } => "change role membership".into(),
            Effect::Anonymize { ids, .. } => format!("anonymize {}", users(ids.len())),
            Effect::LoadAudit { kind, .. } => format!("load the audit view {kind}"),
            Effect::LoadPermissions { .. } => "load the permission catalogue".into(),
            Effect::Export { ids, .. } => format!("export {}", users(ids.len())),
            Effect::LoadJournal { .. } => "read the journal".into(),
            Effect::ResumeRun { run, .. } => format!("resume run {run}"),
            Effect::UndoRun { run, .. } => format!("undo run {run}"),
        }
    }
}
