//! Messages into `update`: key actions (already mapped by the keymap), pastes, resizes, clock
//! ticks, and the results the effects queue sends back. Errors arrive as plain sentences.

use crate::api::models::{Included, Permission, Role, User, UserId, UsersResponse};
use crate::runs::{Change, Facts, ItemResult, RunId};

use super::action::Action;
use super::effect::{PlanId, Ticket};
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
    /// What the caller may do, as far as the console can tell (for showing keys as
    /// unavailable; the change gate decides for real).
    Access(Access),
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
    /// The facts a plan is checked against were read (or could not be: then nothing may
    /// be written).
    Prepared {
        plan: PlanId,
        result: Result<Box<Facts>, String>,
    },
    /// A run began: its journal id and how many items this process carries out.
    RunStarted {
        ticket: Ticket,
        run: RunId,
        total: usize,
    },
    /// One item of a run finished.
    RunItem {
        ticket: Ticket,
        index: usize,
        change: Change,
        result: ItemResult,
    },
    /// A run ended: `stopped` when its breaker tripped (the rest is unfinished), `error`
    /// when it could not start (nothing was sent).
    RunEnded {
        ticket: Ticket,
        stopped: Option<String>,
        error: Option<String>,
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
    /// A passing notice ("rate limited — retrying in 3 s").
    Notice(String),
}
