//! The console's whole state: the store, the view over it (tab, filter, sort → a list of
//! store indices), cursor and marks (by user id), the open pane or dialog, load and bulk
//! progress, and the toast. Plain data; `update` is the only writer.

use std::collections::{HashMap, HashSet};

use tui_input::Input;

use crate::api::models::UserId;

use super::columns::ExplainColumns;
use super::cursor::ListCursor;
use super::effect::{Latest, RequestId};
use super::layout::{Area, Panes, Screen};
pub use super::view::{ColumnId, Scope, Sort, SortKey, View};

mod audit;
mod changes;
mod columns;
mod diff;
mod journal;
mod palette;
mod reconcile;
mod review;

use crate::email::EmailEntry;
use crate::org::{Org, RoleIx, UserIx, UserRecord};
pub use audit::{
    AuditFilter, AuditSession, ExportDone, ExportPrompt, PermissionEntry, PermissionPicker,
};
pub use changes::{PlanDialog, PlanStage, Purpose, ResultRow, RunProgress, Summary};
pub use columns::ColumnPicker;
pub use diff::{DiffBase, DiffLens, DiffSession};
pub use journal::{JournalListing, JournalView, RunAction};
pub use palette::{CommandLine, FolderListing, HelpSearch, PaletteSession};
pub use reconcile::{ReconcileLens, ReconcileSession};
pub use review::{
    DecisionDialog, DecisionStep, Justification, Narrow, OpenedReview, PickFor, ReviewLens,
    ReviewSession, RolePick,
};
use std::sync::Arc;

/// Each member's cells of a lens's explanation columns.
pub type ExplanationCells = HashMap<UserIx, Box<[String]>>;

/// How long an informational message stays (seconds).
pub const TOAST_SECS: i64 = 4;

/// Which part of the keymap applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Browse,
    Filter,
    Command,
    Confirm,
    TypedConfirm,
    Form,
    Picker,
    Help,
    Summary,
    /// A finished run's results (scrolls, retries, copies ids).
    Results,
    /// A list searched as you type (the permission picker).
    Search,
    /// A one-line prompt (the export's file name).
    Prompt,
    /// The journal's runs and items.
    Journal,
    /// Typing a search of help (`/` in help).
    HelpSearch,
    /// The column picker (`:columns`).
    Columns,
    /// An access review's rows (`:review`, `ddusers review open`).
    Review,
    /// The justification line of a review decision.
    Justify,
}

/// Which pane has the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Detail,
}

/// Progress of the listing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadProgress {
    /// The listing whose pages count (a reload starts a new one).
    pub request: Latest,
    pub pages_done: u64,
    pub total_pages: Option<u64>,
    /// Users the listing holds (`total_filtered_count`).
    pub total_users: Option<u64>,
    pub done: bool,
    pub error: Option<String>,
}

impl LoadProgress {
    /// True once a listing was asked for.
    pub fn started(&self) -> bool {
        self.request.current().is_some()
    }
}

/// The detail pane.
#[derive(Clone, Debug, PartialEq)]
pub struct Detail {
    pub user_id: UserId,
    /// The read whose answer fills the pane (moving on starts a new one).
    pub request: Latest,
    pub loading: bool,
    pub error: Option<String>,
    pub orgs: Vec<String>,
    /// Permission names the service says the user holds (ListUserPermissions).
    pub server_permissions: Option<Vec<String>>,
    pub scroll: u16,
    /// How the effective permissions are shown (kept as the pane follows the cursor).
    pub permissions: PermissionPane,
    /// Who changed the user and when (Audit Trail, else the journal); `None` until read.
    pub history: Option<crate::audit::history::History>,
}

/// The detail pane's effective permissions: the groups folded (by name), the group the
/// fold keys act on, and the search (`/` while the pane has the keys).
#[derive(Clone, Debug, Default)]
pub struct PermissionPane {
    pub folded: std::collections::BTreeSet<String>,
    /// Position among the groups shown.
    pub group: usize,
    pub query: Input,
    /// The search line has the keys.
    pub searching: bool,
}

impl PartialEq for PermissionPane {
    fn eq(&self, other: &Self) -> bool {
        (&self.folded, self.group, self.query.value(), self.searching)
            == (
                &other.folded,
                other.group,
                other.query.value(),
                other.searching,
            )
    }
}

/// What we know of a user's invitation (from invitations sent or cancelled in this
/// session).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvitationInfo {
    pub sent_at: i64,
    pub expires_at: Option<i64>,
    /// Cancelled then (its link no longer works; nothing expires).
    pub cancelled_at: Option<i64>,
}

/// Fields of the invite form, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InviteField {
    #[default]
    Emails,
    Name,
    Title,
    Roles,
}

/// Where one email of the invite form stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InviteStatus {
    Waiting,
    Done(String),
    Failed(String),
}

/// The invite form.
#[derive(Clone, Debug, Default)]
pub struct InviteForm {
    pub emails: Input,
    pub name: Input,
    pub title: Input,
    /// Every org role, and whether it is chosen.
    pub roles: Vec<(RoleIx, bool)>,
    pub role_cursor: ListCursor,
    pub focus: InviteField,
    /// `emails` parsed and checked, refreshed on each edit.
    pub parsed: Vec<EmailEntry>,
    /// Emails of the list that are users already, with their status: they are not
    /// created, and their roles are not changed (refreshed with `parsed`).
    pub existing: Vec<(String, crate::org::Status)>,
    /// Sending with no role chosen was asked once: the next send goes.
    pub no_roles_warned: bool,
    /// Sent: waiting for (or showing) the results.
    pub sent: bool,
    pub results: Vec<(String, InviteStatus)>,
}

/// The edit-profile form: one user's name, title and email, or (on marked users) the title
/// they all get.
#[derive(Clone, Debug)]
pub struct EditForm {
    pub user_id: UserId,
    /// The marked users the title goes to; empty when editing one user.
    pub marked: Vec<UserId>,
    pub current_user: bool,
    pub name: Input,
    pub title: Input,
    pub email: Input,
    /// 0 name, 1 title, 2 email.
    pub focus: usize,
    /// Saving: the plan's id while it is checked and carried out.
    pub saving: bool,
    pub error: Option<String>,
}

/// What the role picker does with one role for its users.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleChoice {
    Keep,
    Add,
    Remove,
}

/// One role of the role picker: how many of the users hold it, and what to do with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleRow {
    pub role: RoleIx,
    pub holders: usize,
    pub choice: RoleChoice,
}

/// The role-membership picker: one user's roles, or the marked users' roles at once.
#[derive(Clone, Debug)]
pub struct RolePicker {
    /// The users whose roles change (in store order).
    pub users: Vec<UserId>,
    /// True when `users` are the marked users (the title says so).
    pub marked: bool,
    pub rows: Vec<RoleRow>,
    pub cursor: ListCursor,
    /// Saving.
    pub saving: bool,
}

/// Range marking's anchor and the "marked only" restriction of the list.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// The user last marked or unmarked with space: a range mark runs from here.
    pub anchor: Option<UserId>,
    /// While "marked only" is on: the marked users' store indices.
    pub marked_only: Option<HashSet<UserIx>>,
    /// Changes whenever `marked_only` does (the view's rows then need rebuilding).
    pub generation: u64,
}

/// What is drawn over the panes.
#[derive(Clone, Debug)]
pub enum Overlay {
    Help {
        scroll: u16,
        /// `/` in help: only the lines matching the query are shown.
        search: Option<HelpSearch>,
    },
    /// `:`: the command palette.
    Command(Box<CommandLine>),
    Invite(Box<InviteForm>),
    Edit(Box<EditForm>),
    Roles(Box<RolePicker>),
    Summary(Summary),
    /// `e`: where and how to write the current view.
    Export(Box<ExportPrompt>),
    /// `P` / `:who-can`: the permission catalogue, searchable, by group.
    Permissions(Box<PermissionPicker>),
    /// `J` / `:journal`: the journal's runs, their items, resume and undo.
    Journal(Box<JournalView>),
    /// `q` while a run is in flight: quit anyway?
    QuitWhileRunning,
    /// `:columns`: which columns the list shows, in what order.
    Columns(Box<ColumnPicker>),
    /// A review decision: the role it is about, then its justification.
    ReviewDecision(Box<DecisionDialog>),
}

/// How important a toast is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// A passing message at the bottom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub level: Level,
    /// Unix seconds after which it goes away (errors stay until replaced).
    pub until: Option<i64>,
    /// It says the listing is under way ("Reloading users…"): it goes when loading ends.
    pub while_loading: bool,
}

/// Whether the caller's permissions are known yet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AccessCheck {
    /// Still reading them.
    #[default]
    Checking,
    Known,
    /// They could not be read (why).
    Failed(String),
}

/// What the caller may do, as the console shows it. Only for showing keys as unavailable
/// and explaining why: the change gate (`runs::gate`) is what allows or refuses a change,
/// from permissions it reads itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    pub check: AccessCheck,
    pub read_only: bool,
    pub reason: Option<String>,
}

impl Access {
    /// Known permissions.
    pub fn known(read_only: bool, reason: Option<String>) -> Access {
        Access {
            check: AccessCheck::Known,
            read_only,
            reason,
        }
    }

    /// Why no change can be asked for now, if so: still checking, the check failed, or
    /// read-only. Changes fail closed until the permissions are known.
    pub fn blocked(&self) -> Option<String> {
        match &self.check {
            AccessCheck::Checking => Some("checking your permissions…".to_owned()),
            AccessCheck::Failed(reason) => Some(format!(
                "your permissions could not be read ({reason}); C-r retries"
            )),
            AccessCheck::Known if self.read_only => Some(
                self.reason
                    .clone()
                    .unwrap_or_else(|| "read-only mode".to_owned()),
            ),
            AccessCheck::Known => None,
        }
    }
}

/// Startup choices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// "demo org — sandbox", or the site.
    pub origin_label: String,
    pub monochrome: bool,
    /// The org is the embedded demo sandbox: its changes vanish on quit.
    pub demo: bool,
}

/// The whole state.
#[derive(Clone, Debug)]
pub struct State {
    pub options: Options,
    /// Unix seconds, from ticks (fixed in tests).
    pub now: i64,
    pub tick: u64,
    pub size: (u16, u16),
    /// The org as loaded so far (shared with effects that read it, e.g. an export).
    pub store: Arc<Org>,
    /// The users shown: store indices after tab, filter and sort.
    pub view: View,
    pub marks: HashSet<UserId>,
    /// The range anchor and the "marked only" restriction.
    pub selection: Selection,
    pub focus: Focus,
    pub detail: Option<Detail>,
    pub overlay: Option<Overlay>,
    pub load: LoadProgress,
    pub search: Latest,
    pub access: Access,
    pub me: Option<UserId>,
    /// Every org role (for pickers), once loaded.
    pub org_roles: Option<Vec<RoleIx>>,
    pub roles_error: Option<String>,
    /// A change being checked or confirmed (drawn over everything).
    pub plan: Option<PlanDialog>,
    /// The run in flight (or the last one).
    pub run: Option<RunProgress>,
    /// The start-up look at the journal (for "1 unfinished run").
    pub journal_check: Latest,
    pub invitations: HashMap<UserId, InvitationInfo>,
    /// The audit view restricting the list (`:audit`), and the one being loaded.
    pub audit: AuditSession,
    /// The comparison with a snapshot (`:diff`).
    pub diff: DiffSession,
    /// The reconciliation with a people list (`:reconcile`).
    pub reconcile: ReconcileSession,
    /// The access review open as the list (`:review`), if any.
    pub review: ReviewSession,
    /// The list's columns, in order.
    pub columns: super::columns::Columns,
    /// The settings file as read (saving the columns keeps the rest of it).
    pub settings: crate::settings::Settings,
    pub toast: Option<Toast>,
    /// The `:` palette's history and path listing.
    pub palette: PaletteSession,
    /// The name of the org the keys belong to, once read (the title shows it).
    pub org_name: Option<String>,
    /// The demo org's start-up notice is on screen (the first key closes it).
    pub demo_notice: bool,
    pub next_id: u64,
    pub should_quit: bool,
}

/// What an audit session restricts the list to.
fn scope_of<'s>(
    audit: &'s AuditSession,
    diff: &'s DiffSession,
    reconcile: &'s ReconcileSession,
    selection: &'s Selection,
) -> Scope<'s> {
    Scope {
        // Each only grows, so their sum changes whenever one does.
        generation: audit.generation
            + diff.generation
            + reconcile.generation
            + selection.generation,
        members: audit.active.as_ref().map(|a| &a.members),
        changed: diff.active.as_ref().map(|d| &d.members),
        found: reconcile.active.as_ref().map(|r| &r.members),
        marked: selection.marked_only.as_ref(),
    }
}

impl State {
    pub fn new(options: Options, now: i64) -> State {
        State {
            options,
            now,
            tick: 0,
            size: (80, 24),
            store: Arc::new(Org::new()),
            view: View::default(),
            marks: HashSet::new(),
            selection: Selection::default(),
            diff: DiffSession::default(),
            reconcile: ReconcileSession::default(),
            review: ReviewSession::default(),
            focus: Focus::List,
            detail: None,
            overlay: None,
            load: LoadProgress::default(),
            search: Latest::default(),
            access: Access::default(),
            me: None,
            org_roles: None,
            roles_error: None,
            plan: None,
            run: None,
            journal_check: Latest::default(),
            invitations: HashMap::new(),
            audit: Default::default(),
            columns: Default::default(),
            settings: Default::default(),
            toast: None,
            palette: PaletteSession::default(),
            org_name: None,
            demo_notice: false,
            next_id: 1,
            should_quit: false,
        }
    }

    /// Which keymap context applies.
    pub fn context(&self) -> Context {
        if let Some(plan) = self.plan.as_ref().filter(|p| p.is_shown()) {
            return plan.context();
        }
        match &self.overlay {
            Some(Overlay::Help {
                search: Some(search),
                ..
            }) if search.typing => Context::HelpSearch,
            Some(Overlay::Help { .. }) => Context::Help,
            Some(Overlay::Command(_)) => Context::Command,
            Some(Overlay::QuitWhileRunning) => Context::Confirm,
            Some(Overlay::Invite(form)) if form.sent => Context::Summary,
            Some(Overlay::Invite(form)) if form.focus == InviteField::Roles => Context::Picker,
            Some(Overlay::Invite(_)) | Some(Overlay::Edit(_)) => Context::Form,
            Some(Overlay::Roles(_)) => Context::Picker,
            Some(Overlay::Summary(_)) => Context::Results,
            Some(Overlay::Export(prompt)) if prompt.overwrite.is_some() => Context::Confirm,
            Some(Overlay::Export(_)) => Context::Prompt,
            Some(Overlay::Permissions(_)) => Context::Search,
            Some(Overlay::Journal(_)) => Context::Journal,
            Some(Overlay::Columns(_)) => Context::Columns,
            Some(Overlay::ReviewDecision(dialog)) => match dialog.step {
                DecisionStep::PickRole(_) => Context::Picker,
                DecisionStep::Justify(_) => Context::Justify,
            },
            None if self.view.filter_editing => Context::Filter,
            None if self
                .detail
                .as_ref()
                .is_some_and(|d| d.permissions.searching) =>
            {
                Context::Filter
            }
            None if self.review.active.is_some() => Context::Review,
            None => Context::Browse,
        }
    }

    /// Shows a passing message. Messages carry the service's words (errors) and users'
    /// names: they are made safe here, the one door to the status line. Errors stay until
    /// replaced; the others pass after a few seconds.
    pub fn notify(&mut self, level: Level, text: impl AsRef<str>) {
        let until = (level != Level::Error).then_some(self.now + TOAST_SECS);
        let text = crate::text::sanitize(text.as_ref());
        self.toast = Some(Toast {
            text,
            level,
            until,
            while_loading: false,
        });
    }

    /// Shows a message that is true while the listing loads, and goes when it ends.
    pub fn notify_while_loading(&mut self, text: impl AsRef<str>) {
        self.notify(Level::Info, text);
        if let Some(toast) = self.toast.as_mut() {
            toast.until = None;
            toast.while_loading = true;
        }
    }

    /// A fresh id for a request.
    pub fn fresh_request(&mut self) -> RequestId {
        RequestId(self.fresh_id())
    }

    /// A fresh request or run id.
    pub fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// The user under the cursor.
    pub fn selected(&self) -> Option<&UserRecord> {
        self.view.selected(&self.store)
    }

    /// What restricts the list beyond tab and filter (the audit view, if any).
    pub fn scope(&self) -> Scope<'_> {
        scope_of(&self.audit, &self.diff, &self.reconcile, &self.selection)
    }

    /// The org, to change: copied first only while an effect still holds the previous one
    /// (an export being written).
    pub fn store_mut(&mut self) -> &mut Org {
        Arc::make_mut(&mut self.store)
    }

    /// The lens's explanation columns and each member's cells: an audit view's ("admin
    /// because"), or a comparison's Change column.
    pub fn explanation(&self) -> Option<(&ExplainColumns, &ExplanationCells)> {
        if let Some(audit) = &self.audit.active {
            return Some((&audit.explain, &audit.explanations));
        }
        if let Some(found) = &self.reconcile.active {
            return Some((&found.explain, &found.cells));
        }
        let diff = self.diff.active.as_ref()?;
        Some((&diff.explain, &diff.cells))
    }

    /// The ids of the users shown, in the order shown.
    pub fn shown_ids(&self) -> Vec<UserId> {
        let rows = self.view.rows.iter();
        rows.filter_map(|ix| self.store.get(*ix).map(|u| u.id.clone()))
            .collect()
    }

    /// Recomputes the list after the tab, filter, sort, scope or users changed (and the
    /// open review's rows, which the same filter line narrows).
    pub fn rebuild_view(&mut self) {
        let rows = self.body_rows();
        self.view.rebuild(
            &self.store,
            scope_of(&self.audit, &self.diff, &self.reconcile, &self.selection),
            rows,
            self.now,
        );
        if let Some(lens) = self.review.active.as_mut() {
            let matcher = self.view.matcher(&self.store, self.now);
            lens.refilter(&self.store, &self.view.parsed.filter, &matcher, rows);
        }
    }

    /// Adds newly loaded users to the list.
    pub fn extend_view(&mut self, new: &[UserIx]) {
        let rows = self.body_rows();
        self.view.extend(
            &self.store,
            new,
            scope_of(&self.audit, &self.diff, &self.reconcile, &self.selection),
            rows,
            self.now,
        );
    }

    /// Where everything goes on the terminal as it is now.
    pub fn screen(&self) -> Screen {
        let (width, height) = self.size;
        Screen::new(Area::new(0, 0, width, height), self.panes())
    }

    /// What is open, as far as the layout cares.
    pub fn panes(&self) -> Panes {
        Panes {
            detail_open: self.detail.is_some(),
            detail_focused: self.focus == Focus::Detail,
        }
    }

    /// Rows of users the table shows: the list's window and a page. At least one, so that
    /// on a terminal too small to draw the list the cursor still moves, a user at a time.
    pub fn body_rows(&self) -> usize {
        self.screen().table_rows().max(1)
    }

    /// Why changes are unavailable, when they are (see [`Access::blocked`]).
    pub fn read_only_reason(&self) -> Option<String> {
        self.access.blocked()
    }

    /// True while a run is being carried out.
    pub fn run_in_flight(&self) -> bool {
        self.run.as_ref().is_some_and(|r| !r.finished)
    }

    /// True while something animates (spinner, progress, toast with expiry).
    pub fn is_animating(&self) -> bool {
        (!self.load.done && self.load.error.is_none() && self.load.started())
            || self.detail.as_ref().is_some_and(|d| d.loading)
            || self.run_in_flight()
            || self.plan.as_ref().is_some_and(|p| p.is_preparing())
            || self.toast.as_ref().is_some_and(|t| t.until.is_some())
    }

    /// The filter in force, bound to the org and now (for [`State::in_view`]).
    pub fn view_matcher(&self) -> crate::org::filter::Matcher<'_> {
        self.view.matcher(&self.store, self.now)
    }

    /// True when `user` belongs in the current view.
    pub fn in_view(&self, ix: UserIx, matcher: &crate::org::filter::Matcher) -> bool {
        self.view.admits(&self.store, ix, matcher, self.scope())
    }
}
