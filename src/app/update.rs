//! `update`: the only place the state changes. Takes one message, returns the effects to run.
//! Pure: no I/O, no clock (time comes in `Msg::Tick`), no drawing.

use super::msg::{AuditMsg, LoadMsg, RunMsg};
use tui_input::Input;

use crate::api::models::{Patch, RoleId, UserId, UserUpdate};
use crate::api::ListUsersQuery;
use crate::runs::{Change, Draft};
use crate::text::sanitize;

use super::action::{Action, StatusTab};
use super::changes::{propose, Purpose};
use super::effect::{BulkKind, Effect, Invitee};
use super::invite::{email_problem, parse_emails};
use super::msg::Msg;
use super::state::*;
use super::store::Status;

/// The effects to run when the console starts: who am I (and may I write), the roles, the
/// listing, and a look at the journal for unfinished runs.
pub fn init(state: &mut State) -> Vec<Effect> {
    let mut effects = vec![Effect::LoadCurrentUser, Effect::LoadRoles];
    effects.push(start_load(state));
    // Runs left unfinished by an earlier session are announced.
    let request_id = state.fresh_request();
    state.journal_check = Some(request_id);
    effects.push(Effect::LoadJournal { request_id });
    effects
}

pub(super) fn start_load(state: &mut State) -> Effect {
    let request_id = state.fresh_request();
    state.load = LoadProgress {
        request_id,
        ..Default::default()
    };
    Effect::LoadUsers {
        request_id,
        query: ListUsersQuery::default(),
    }
}

/// Applies one message.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Action(action) => on_action(state, action),
        Msg::Paste(text) => {
            on_paste(state, &text);
            Vec::new()
        }
        Msg::Resize { width, height } => {
            state.size = (width, height);
            let rows = state.body_rows();
            state.view.cursor.clamp(state.view.rows.len(), rows);
            Vec::new()
        }
        Msg::Tick { now } => {
            state.now = now;
            state.tick = state.tick.wrapping_add(1);
            if state
                .toast
                .as_ref()
                .is_some_and(|t| t.until.is_some_and(|until| now >= until))
            {
                state.toast = None;
            }
            Vec::new()
        }
        Msg::Access(access) => {
            state.access = access;
            Vec::new()
        }
        Msg::Load(LoadMsg::UsersPage {
            request_id,
            total_pages,
            response,
            ..
        }) => {
            if request_id != state.load.request_id {
                return Vec::new(); // a stale listing
            }
            let new = state.store.ingest_page(&response);
            state.load.pages_done += 1;
            state.load.total_pages = total_pages.or(state.load.total_pages);
            if let Some(total) = response.total_filtered_count() {
                state.load.total_users = Some(total.max(0) as u64);
            }
            state.extend_view(&new);
            Vec::new()
        }
        Msg::Load(LoadMsg::UsersLoaded { request_id }) => {
            if request_id == state.load.request_id {
                state.load.done = true;
            }
            Vec::new()
        }
        Msg::Load(LoadMsg::UsersLoadFailed { request_id, error }) => {
            if request_id == state.load.request_id {
                state.notify(Level::Error, format!("Loading users failed: {error}"));
                state.load.error = Some(error);
            }
            Vec::new()
        }
        Msg::Load(LoadMsg::SearchResults {
            request_id,
            response,
        }) => {
            if state.search_request == Some(request_id) {
                let new = state.store.ingest_page(&response);
                state.extend_view(&new);
            }
            Vec::new()
        }
        Msg::Detail {
            request_id,
            user_id,
            result,
        } => {
            let current = state
                .detail
                .as_ref()
                .is_some_and(|d| d.request_id == request_id && d.user_id == user_id);
            if !current {
                return Vec::new();
            }
            match result {
                Ok(data) => {
                    state.store.ingest_included(&data.included);
                    let (ix, new) = state.store.upsert(&data.user);
                    if new {
                        state.extend_view(&[ix]);
                    }
                    if let Some(detail) = state.detail.as_mut() {
                        detail.loading = false;
                        detail.error = None;
                        detail.orgs = data.orgs.iter().map(|o| sanitize(o)).collect();
                        detail.server_permissions = Some(
                            data.permissions
                                .iter()
                                .map(|p| sanitize(p.name()))
                                .collect(),
                        );
                    }
                }
                Err(error) => {
                    if let Some(detail) = state.detail.as_mut() {
                        detail.loading = false;
                        detail.error = Some(error);
                    }
                }
            }
            Vec::new()
        }
        Msg::Load(LoadMsg::Roles(result)) => {
            match result {
                Ok(roles) => {
                    let mut ixs: Vec<_> =
                        roles.iter().map(|r| state.store.intern_role(r)).collect();
                    ixs.sort_by_cached_key(|ix| {
                        state
                            .store
                            .role(*ix)
                            .map(|r| r.name.to_lowercase())
                            .unwrap_or_default()
                    });
                    ixs.dedup();
                    state.org_roles = Some(ixs);
                    state.roles_error = None;
                }
                Err(error) => state.roles_error = Some(error),
            }
            Vec::new()
        }
        Msg::Load(LoadMsg::CurrentUser(result)) => {
            match result {
                Ok(boxed) => {
                    let (user, included) = *boxed;
                    state.store.ingest_included(&included);
                    let (ix, new) = state.store.upsert(&user);
                    if new {
                        state.extend_view(&[ix]);
                    }
                    state.me = Some(user.id);
                }
                Err(error) => state.notify(
                    Level::Warn,
                    format!("Could not read the current user: {error}"),
                ),
            }
            Vec::new()
        }
        Msg::Run(RunMsg::Prepared { plan, result }) => {
            super::changes::on_prepared(state, plan, result)
        }
        Msg::Run(RunMsg::Started { ticket, run, total }) => {
            super::changes::on_started(state, ticket, run, total);
            Vec::new()
        }
        Msg::Run(RunMsg::Item { ticket, report }) => {
            let report = *report;
            super::changes::on_item(state, ticket, report.index, report.change, report.result);
            Vec::new()
        }
        Msg::Run(RunMsg::Ended {
            ticket,
            stopped,
            error,
        }) => super::changes::on_ended(state, ticket, stopped, error),
        msg @ (Msg::Audit(AuditMsg::View { .. })
        | Msg::Audit(AuditMsg::Permissions { .. })
        | Msg::Audit(AuditMsg::Exported { .. })) => super::audit::on_msg(state, msg),
        msg @ Msg::JournalRuns { .. } => super::journal::on_msg(state, msg),
        Msg::Notice(text) => {
            state.toast = Some(Toast {
                text: sanitize(&text),
                level: Level::Warn,
                until: Some(state.now + TOAST_SECS),
            });
            Vec::new()
        }
    }
}

fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    if matches!(state.overlay, Some(Overlay::QuitWhileRunning)) && state.plan.is_none() {
        match action {
            Action::Confirm | Action::Quit => state.should_quit = true,
            Action::Cancel | Action::Back => state.overlay = None,
            _ => {}
        }
        return Vec::new();
    }
    if action == Action::Quit {
        if state.run_in_flight() {
            // Quitting cuts the run short: say what is left, and how to finish it.
            state.plan = None;
            state.overlay = Some(Overlay::QuitWhileRunning);
        } else {
            state.should_quit = true;
        }
        return Vec::new();
    }
    if state.plan.as_ref().is_some_and(|p| p.is_shown()) {
        return super::changes::on_action(state, action);
    }
    if let Some(effects) =
        super::audit::on_action(state, action).or_else(|| super::journal::on_action(state, action))
    {
        return effects;
    }
    match state.context() {
        Context::Browse => on_browse(state, action),
        Context::Filter => on_filter(state, action),
        Context::Command => on_command_line(state, action),
        // The plan dialog and the quit question are handled above.
        Context::Confirm | Context::TypedConfirm => Vec::new(),
        Context::Form | Context::Picker => on_form(state, action),
        Context::Help => {
            if let Some(Overlay::Help { scroll }) = state.overlay.as_mut() {
                match action {
                    Action::Down => *scroll = scroll.saturating_add(1),
                    Action::Up => *scroll = scroll.saturating_sub(1),
                    Action::Cancel | Action::Help | Action::Back => state.overlay = None,
                    _ => {}
                }
            }
            Vec::new()
        }
        Context::Summary => {
            if matches!(
                action,
                Action::Cancel | Action::Confirm | Action::Submit | Action::Back
            ) {
                state.overlay = None;
            }
            Vec::new()
        }
        // Handled by `audit::on_action` and `journal::on_action` above.
        Context::Search | Context::Prompt | Context::Journal => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Browsing

fn on_browse(state: &mut State, action: Action) -> Vec<Effect> {
    let detail_focused = state.focus == Focus::Detail && state.detail.is_some();
    match action {
        Action::Up | Action::Down | Action::PageUp | Action::PageDown if detail_focused => {
            if let Some(detail) = state.detail.as_mut() {
                let page = list_body_rows(state.size.1) as u16;
                detail.scroll = match action {
                    Action::Up => detail.scroll.saturating_sub(1),
                    Action::Down => detail.scroll.saturating_add(1),
                    Action::PageUp => detail.scroll.saturating_sub(page),
                    _ => detail.scroll.saturating_add(page),
                };
            }
            Vec::new()
        }
        Action::Up => move_cursor(state, -1),
        Action::Down => move_cursor(state, 1),
        Action::PageUp => move_cursor(state, -(state.body_rows() as i64)),
        Action::PageDown => move_cursor(state, state.body_rows() as i64),
        Action::Top => move_cursor(state, i64::MIN / 2),
        Action::Bottom => move_cursor(state, i64::MAX / 2),
        Action::ClickRow(row) => {
            let target = state.view.cursor.offset + usize::from(row);
            if target < state.view.rows.len() {
                state.focus = Focus::List;
                let delta = target as i64 - state.view.cursor.pos as i64;
                return move_cursor(state, delta);
            }
            Vec::new()
        }
        Action::OpenDetail => match state.selected().map(|u| u.id.clone()) {
            Some(id) => {
                let effects = open_detail(state, id);
                if !detail_side_by_side(state.size.0) {
                    state.focus = Focus::Detail;
                }
                effects
            }
            None => Vec::new(),
        },
        Action::SwitchFocus => {
            if state.detail.is_some() {
                state.focus = match state.focus {
                    Focus::List => Focus::Detail,
                    Focus::Detail => Focus::List,
                };
            }
            Vec::new()
        }
        Action::Back => {
            if state.detail.is_some() {
                state.detail = None;
                state.focus = Focus::List;
            } else if !state.view.filter.value().is_empty() {
                state.view.filter.reset();
                state.rebuild_view();
            } else if state.audit.active.is_some() {
                super::audit::leave(state);
            }
            Vec::new()
        }
        Action::StartFilter => {
            state.view.filter_editing = true;
            state.focus = Focus::List;
            Vec::new()
        }
        Action::NextTab => set_tab(state, state.view.tab.next()),
        Action::PrevTab => set_tab(state, state.view.tab.prev()),
        Action::SelectTab(tab) => set_tab(state, tab),
        Action::CycleSort => {
            state.view.sort = Sort {
                key: state.view.sort.key.next(),
                descending: false,
            };
            state.rebuild_view();
            sort_toast(state);
            Vec::new()
        }
        Action::ReverseSort => {
            state.view.sort.descending = !state.view.sort.descending;
            state.rebuild_view();
            sort_toast(state);
            Vec::new()
        }
        Action::ToggleMark => {
            if let Some(id) = state.selected().map(|u| u.id.clone()) {
                if !state.marks.remove(&id) {
                    state.marks.insert(id);
                }
                return move_cursor(state, 1);
            }
            Vec::new()
        }
        Action::MarkAllInView => {
            let before = state.marks.len();
            for ix in &state.view.rows {
                if let Some(u) = state.store.get(*ix) {
                    state.marks.insert(u.id.clone());
                }
            }
            let added = state.marks.len() - before;
            state.notify(
                Level::Info,
                format!(
                    "Marked {} users ({} marked in all)",
                    crate::words::thousands(added as u64),
                    crate::words::thousands(state.marks.len() as u64)
                ),
            );
            Vec::new()
        }
        Action::ClearMarks => {
            state.marks.clear();
            Vec::new()
        }
        action if action.is_mutating() => {
            if let Some(reason) = state.read_only_reason() {
                // Only to explain; the effects queue is what enforces read-only.
                state.notify(Level::Warn, format!("Unavailable: {reason}"));
                return Vec::new();
            }
            on_mutation(state, action)
        }
        Action::ShowMe => match state.me.clone() {
            Some(me) => {
                let effects = open_detail(state, me);
                state.focus = Focus::Detail;
                effects
            }
            None => {
                state.notify(Level::Warn, "The current user is not known yet");
                Vec::new()
            }
        },
        Action::Reload => {
            state.notify(Level::Info, "Reloading users…");
            let mut effects = vec![start_load(state)];
            if matches!(state.access.check, AccessCheck::Failed(_)) {
                effects.push(Effect::LoadCurrentUser);
            }
            effects
        }
        Action::Help => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            Vec::new()
        }
        Action::CommandLine => {
            state.overlay = Some(Overlay::Command(Input::default()));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// True when the terminal is wide enough to show the detail beside the list.
pub fn detail_side_by_side(width: u16) -> bool {
    width >= 120
}

fn open_detail(state: &mut State, user_id: UserId) -> Vec<Effect> {
    let request_id = state.fresh_request();
    state.detail = Some(Detail {
        user_id: user_id.clone(),
        request_id,
        loading: true,
        error: None,
        orgs: Vec::new(),
        server_permissions: None,
        scroll: 0,
    });
    vec![Effect::LoadDetail {
        request_id,
        user_id,
    }]
}

fn move_cursor(state: &mut State, delta: i64) -> Vec<Effect> {
    let rows = state.body_rows();
    let moved = state.view.move_by(delta, rows);
    // The detail beside the list follows the cursor.
    if moved && state.detail.is_some() && state.focus == Focus::List {
        if let Some(id) = state.selected().map(|u| u.id.clone()) {
            return open_detail(state, id);
        }
    }
    Vec::new()
}

fn set_tab(state: &mut State, tab: StatusTab) -> Vec<Effect> {
    state.view.tab = tab;
    state.rebuild_view();
    Vec::new()
}

fn sort_toast(state: &mut State) {
    let arrow = if state.view.sort.descending {
        "↓"
    } else {
        "↑"
    };
    let text = format!("Sorted by {} {arrow}", state.view.sort.key.label());
    state.notify(Level::Info, text);
}

// ---------------------------------------------------------------------------------------
// The filter and the command line

fn on_filter(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::TextEdit(request) => {
            let before = state.view.filter.value().to_owned();
            state.view.filter.handle(request);
            if state.view.filter.value() != before {
                return filter_changed(state);
            }
            Vec::new()
        }
        Action::Submit => {
            state.view.filter_editing = false;
            Vec::new()
        }
        Action::Cancel => {
            state.view.filter_editing = false;
            state.view.filter.reset();
            state.rebuild_view();
            Vec::new()
        }
        Action::Up => move_cursor(state, -1),
        Action::Down => move_cursor(state, 1),
        _ => Vec::new(),
    }
}

fn filter_changed(state: &mut State) -> Vec<Effect> {
    state.rebuild_view();
    let text = state.view.filter.value().trim().to_owned();
    // Over what is loaded, instantly; and while the org is not fully loaded, ask the
    // server too (its answers merge into the store; the newest query wins).
    if !state.load.done && text.chars().count() >= 2 {
        let request_id = state.fresh_request();
        state.search_request = Some(request_id);
        return vec![Effect::SearchUsers {
            request_id,
            filter: text,
        }];
    }
    state.search_request = None;
    Vec::new()
}

fn on_command_line(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Command(input)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::TextEdit(request) => {
            input.handle(request);
            Vec::new()
        }
        Action::Cancel => {
            state.overlay = None;
            Vec::new()
        }
        Action::Submit => {
            let text = input.value().trim().to_owned();
            state.overlay = None;
            run_command(state, &text)
        }
        _ => Vec::new(),
    }
}

/// Runs a `:` command.
pub fn run_command(state: &mut State, text: &str) -> Vec<Effect> {
    let mut words = text.split_whitespace();
    let Some(verb) = words.next() else {
        return Vec::new();
    };
    let rest: Vec<&str> = words.collect();
    if let Some(effects) = super::audit::command(state, verb, &rest)
        .or_else(|| super::journal::command(state, verb, &rest))
    {
        return effects;
    }
    match verb {
        "q" | "q!" | "quit" | "exit" => {
            state.should_quit = true;
            Vec::new()
        }
        "sort" => {
            let Some(column) = rest.first() else {
                state.notify(Level::Error, "Usage: :sort COLUMN [asc|desc] (name, email, status, roles, mfa, last-login, created, loaded)");
                return Vec::new();
            };
            let (column, mut descending) = match column.strip_prefix('-') {
                Some(c) => (c, true),
                None => (*column, false),
            };
            match rest.get(1).map(|d| d.to_ascii_lowercase()) {
                Some(d) if d == "desc" => descending = true,
                Some(d) if d == "asc" => descending = false,
                _ => {}
            }
            match SortKey::parse(column) {
                Some(key) => {
                    state.view.sort = Sort { key, descending };
                    state.rebuild_view();
                    sort_toast(state);
                }
                None => state.notify(Level::Error, format!("Cannot sort by {column:?}: try name, email, status, roles, mfa, last-login, created")),
            }
            Vec::new()
        }
        "status" | "tab" => match rest.first().and_then(|t| StatusTab::parse(t)) {
            Some(tab) => set_tab(state, tab),
            None => {
                state.notify(
                    Level::Error,
                    "Usage: :status all|active|pending|disabled|service",
                );
                Vec::new()
            }
        },
        "filter" | "f" => {
            state.view.filter = Input::new(rest.join(" "));
            filter_changed(state)
        }
        "clear" => {
            state.view.filter.reset();
            state.rebuild_view();
            Vec::new()
        }
        "mark" => {
            match rest.first().copied() {
                Some("none") | Some("clear") => state.marks.clear(),
                _ => {
                    on_browse(state, Action::MarkAllInView);
                }
            }
            Vec::new()
        }
        "help" | "h" => {
            state.overlay = Some(Overlay::Help { scroll: 0 });
            Vec::new()
        }
        "me" => on_browse(state, Action::ShowMe),
        "reload" => on_browse(state, Action::Reload),
        "invite" => on_browse(state, Action::Invite),
        "disable" => on_browse(state, Action::Disable),
        "enable" => on_browse(state, Action::Enable),
        "anonymize" => on_browse(state, Action::Anonymize),
        "roles" => on_browse(state, Action::EditRoles),
        "edit" => on_browse(state, Action::EditUser),
        other => {
            state.notify(
                Level::Error,
                format!("Unknown command :{other} (see ? for help)"),
            );
            Vec::new()
        }
    }
}

// ---------------------------------------------------------------------------------------
// Mutations: dialogs first, effects only once confirmed

/// The users an action applies to: the marked ones, else the one the keys are on.
fn targets(state: &State) -> Vec<UserId> {
    if !state.marks.is_empty() {
        let mut ids: Vec<UserId> = state.marks.iter().cloned().collect();
        // Stable order: the store's (load) order.
        ids.sort_by_key(|id| state.store.index_of(id).unwrap_or(u32::MAX));
        return ids;
    }
    focused_user(state).into_iter().collect()
}

/// The user the keys act on: the detail's when it has focus, else the cursor's.
fn focused_user(state: &State) -> Option<UserId> {
    match (&state.detail, state.focus) {
        (Some(detail), Focus::Detail) => Some(detail.user_id.clone()),
        _ => state.selected().map(|u| u.id.clone()),
    }
}

fn status_of(state: &State, id: &UserId) -> Option<Status> {
    state.store.by_id(id).map(|u| u.status)
}

fn on_mutation(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Disable => propose_bulk(
            state,
            BulkKind::Disable,
            |s| s != Status::Disabled,
            "already disabled",
        ),
        Action::Enable => propose_bulk(
            state,
            BulkKind::Enable,
            |s| s == Status::Disabled,
            "not disabled",
        ),
        Action::CancelInvitations => propose_bulk(
            state,
            BulkKind::CancelInvitations,
            |s| s == Status::Pending,
            "not pending",
        ),
        Action::ResendInvitation => propose_bulk(
            state,
            BulkKind::ResendInvitation,
            |s| s == Status::Pending,
            "not pending (only pending users have invitations)",
        ),
        Action::Anonymize => {
            let ids = targets(state);
            if ids.is_empty() {
                return Vec::new();
            }
            let title = format!("Anonymize {}", users_word(ids.len()));
            let changes = ids
                .into_iter()
                .map(|user| Change::Anonymize { user })
                .collect();
            propose(state, Purpose::Anonymize, Draft::new(title, changes), None)
        }
        Action::Invite => {
            let roles = state
                .org_roles
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|r| (r, false))
                .collect();
            state.overlay = Some(Overlay::Invite(Box::new(InviteForm {
                roles,
                ..Default::default()
            })));
            Vec::new()
        }
        Action::EditUser => {
            let Some(id) = focused_user(state) else {
                return Vec::new();
            };
            let Some(user) = state.store.by_id(&id) else {
                return Vec::new();
            };
            let form = EditForm {
                current_user: state.me.as_ref() == Some(&id),
                name: Input::new(user.name.to_string()),
                title: Input::new(user.title.as_deref().unwrap_or_default().to_owned()),
                email: Input::new(user.email.to_string()),
                user_id: id,
                focus: 0,
                saving: false,
                error: None,
            };
            state.overlay = Some(Overlay::Edit(Box::new(form)));
            Vec::new()
        }
        Action::EditRoles => {
            let Some(id) = focused_user(state) else {
                return Vec::new();
            };
            let Some(org_roles) = state.org_roles.clone() else {
                let text = match &state.roles_error {
                    Some(e) => format!("The org's roles could not be loaded: {e}"),
                    None => "The org's roles are still loading".to_owned(),
                };
                state.notify(Level::Warn, text);
                return Vec::new();
            };
            let held: Vec<u32> = state
                .store
                .by_id(&id)
                .map(|u| u.roles.to_vec())
                .unwrap_or_default();
            let items = org_roles
                .into_iter()
                .map(|r| {
                    let has = held.contains(&r);
                    (r, has, has)
                })
                .collect();
            state.overlay = Some(Overlay::Roles(Box::new(RolePicker {
                user_id: id,
                items,
                cursor: 0,
                saving: false,
            })));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn users_word(n: usize) -> String {
    if n == 1 {
        "1 user".to_owned()
    } else {
        format!("{} users", crate::words::thousands(n as u64))
    }
}

/// Proposes `kind` for the targets it applies to (by the loaded status); the others are
/// left out, and said so.
fn propose_bulk(
    state: &mut State,
    kind: BulkKind,
    applies: impl Fn(Status) -> bool,
    why_not: &'static str,
) -> Vec<Effect> {
    let all = targets(state);
    if all.is_empty() {
        return Vec::new();
    }
    let ids: Vec<UserId> = all
        .iter()
        .filter(|id| status_of(state, id).is_none_or(&applies))
        .cloned()
        .collect();
    let left_out = all.len() - ids.len();
    if ids.is_empty() {
        let text = if all.len() == 1 {
            format!("Nothing to do: the user is {why_not}")
        } else {
            format!("Nothing to do: all {} users are {why_not}", all.len())
        };
        state.notify(Level::Warn, text);
        return Vec::new();
    }
    let title = format!("{} {}", kind.title(), users_word(ids.len()));
    let changes = ids
        .into_iter()
        .map(|user| match kind {
            BulkKind::Disable => Change::Disable { user },
            BulkKind::Enable => Change::Enable { user },
            BulkKind::ResendInvitation => Change::ResendInvitation { user },
            BulkKind::CancelInvitations => Change::CancelInvitations { user },
        })
        .collect();
    let left_out = (left_out > 0).then_some((left_out, why_not));
    propose(
        state,
        Purpose::Bulk(kind),
        Draft::new(title, changes),
        left_out,
    )
}

// ---------------------------------------------------------------------------------------
// Forms

fn on_form(state: &mut State, action: Action) -> Vec<Effect> {
    match state.overlay.as_mut() {
        Some(Overlay::Invite(form)) => {
            if action == Action::Cancel {
                state.overlay = None;
                return Vec::new();
            }
            match on_invite_form(form.as_mut(), action) {
                Some(()) => submit_invite(state),
                None => Vec::new(),
            }
        }
        Some(Overlay::Edit(_)) => on_edit_form(state, action),
        Some(Overlay::Roles(_)) => on_role_picker(state, action),
        _ => Vec::new(),
    }
}

/// Handles a key in the invite form; `Some` when the form is submitted.
fn on_invite_form(form: &mut InviteForm, action: Action) -> Option<()> {
    let fields = [
        InviteField::Emails,
        InviteField::Name,
        InviteField::Title,
        InviteField::Roles,
    ];
    let pos = fields.iter().position(|f| *f == form.focus).unwrap_or(0);
    match action {
        Action::NextField => {
            form.focus = fields[(pos + 1) % fields.len()];
        }
        Action::PrevField => {
            form.focus = fields[(pos + fields.len() - 1) % fields.len()];
        }
        Action::Up if form.focus == InviteField::Roles => {
            form.role_cursor = form.role_cursor.saturating_sub(1);
        }
        Action::Down if form.focus == InviteField::Roles => {
            form.role_cursor = (form.role_cursor + 1).min(form.roles.len().saturating_sub(1));
        }
        Action::ToggleItem => {
            if let Some((_, chosen)) = form.roles.get_mut(form.role_cursor) {
                *chosen = !*chosen;
            }
        }
        Action::TextEdit(request) => {
            let field = match form.focus {
                InviteField::Emails => &mut form.emails,
                InviteField::Name => &mut form.name,
                InviteField::Title => &mut form.title,
                InviteField::Roles => return None,
            };
            field.handle(request);
            if form.focus == InviteField::Emails {
                form.parsed = parse_emails(form.emails.value());
            }
        }
        Action::Submit => return Some(()),
        _ => {}
    }
    None
}

fn close_overlay_on_cancel(state: &mut State, action: Action) -> bool {
    if action == Action::Cancel {
        state.overlay = None;
        return true;
    }
    false
}

fn submit_invite(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Invite(form)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    form.parsed = parse_emails(form.emails.value());
    if !form.parsed.iter().any(|e| e.is_valid()) {
        let text = if form.parsed.is_empty() {
            "Type or paste at least one email".to_owned()
        } else {
            "None of the emails is valid; fix them first".to_owned()
        };
        state.notify(Level::Warn, text);
        return Vec::new();
    }
    let name = Some(form.name.value().trim().to_owned()).filter(|s| !s.is_empty());
    let title = Some(form.title.value().trim().to_owned()).filter(|s| !s.is_empty());
    let invitees: Vec<Invitee> = form
        .parsed
        .iter()
        .filter(|e| e.is_valid())
        .map(|e| Invitee {
            email: e.email.clone(),
            name: name.clone(),
            title: title.clone(),
        })
        .collect();
    form.results = form
        .parsed
        .iter()
        .map(|e| {
            let status = match &e.problem {
                Some(problem) => InviteStatus::Failed(format!("not sent: {problem}")),
                None => InviteStatus::Waiting,
            };
            (e.email.clone(), status)
        })
        .collect();
    let roles: Vec<RoleId> = form
        .roles
        .iter()
        .filter(|(_, chosen)| *chosen)
        .filter_map(|(ix, _)| state.store.role(*ix).map(|r| r.id.clone()))
        .collect();
    let count = invitees.len();
    let changes = invitees
        .into_iter()
        .map(|invitee| Change::Invite {
            email: invitee.email,
            name: invitee.name,
            title: invitee.title,
            roles: roles.clone(),
        })
        .collect();
    let title = if count == 1 {
        "Invite 1 email".to_owned()
    } else {
        format!("Invite {count} emails")
    };
    propose(state, Purpose::Invite, Draft::new(title, changes), None)
}

fn on_edit_form(state: &mut State, action: Action) -> Vec<Effect> {
    if close_overlay_on_cancel(state, action) {
        return Vec::new();
    }
    let Some(Overlay::Edit(form)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::NextField if form.focus == 2 => return submit_edit(state),
        Action::NextField => form.focus += 1,
        Action::PrevField => form.focus = form.focus.saturating_sub(1),
        Action::TextEdit(request) => {
            let field = match form.focus {
                0 => &mut form.name,
                1 => &mut form.title,
                _ => &mut form.email,
            };
            field.handle(request);
            form.error = None;
        }
        Action::Submit => return submit_edit(state),
        _ => {}
    }
    Vec::new()
}

fn submit_edit(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Edit(form)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    if form.saving {
        return Vec::new(); // already saving
    }
    let Some(user) = state.store.by_id(&form.user_id) else {
        return Vec::new();
    };
    let name = form.name.value().trim().to_owned();
    let title = form.title.value().trim().to_owned();
    let email = form.email.value().trim().to_owned();
    let mut update = UserUpdate::default();
    if name != *user.name {
        update.name = Some(name);
    }
    if title != user.title.as_deref().unwrap_or_default() {
        update.title = if title.is_empty() {
            Patch::Clear
        } else {
            Patch::Set(title)
        };
    }
    if !email.eq_ignore_ascii_case(&user.email) {
        if let Some(problem) = email_problem(&email) {
            if let Some(Overlay::Edit(form)) = state.overlay.as_mut() {
                form.error = Some(format!("Email: {problem}"));
            }
            return Vec::new();
        }
        update.email = Some(email);
    }
    if update.is_empty() {
        state.overlay = None;
        state.notify(Level::Info, "Nothing changed");
        return Vec::new();
    }
    let Some(Overlay::Edit(form)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    form.saving = true;
    let change = Change::Update {
        user: form.user_id.clone(),
        name: update.name,
        email: update.email,
        title: match update.title {
            Patch::Keep => None,
            Patch::Clear => Some(None),
            Patch::Set(title) => Some(Some(title)),
        },
        current_user: form.current_user,
    };
    let who = state.store.label(&form.user_id.clone());
    let draft = Draft::new(format!("Edit {who}"), vec![change]);
    propose(state, Purpose::Edit, draft, None)
}

fn on_role_picker(state: &mut State, action: Action) -> Vec<Effect> {
    if close_overlay_on_cancel(state, action) {
        return Vec::new();
    }
    let Some(Overlay::Roles(picker)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Up => picker.cursor = picker.cursor.saturating_sub(1),
        Action::Down => {
            picker.cursor = (picker.cursor + 1).min(picker.items.len().saturating_sub(1))
        }
        Action::ToggleItem => {
            if let Some(item) = picker.items.get_mut(picker.cursor) {
                item.2 = !item.2;
            }
        }
        Action::Submit => {
            if picker.saving {
                return Vec::new();
            }
            let role_id = |ix: u32| state.store.role(ix).map(|r| r.id.clone());
            let add: Vec<RoleId> = picker
                .items
                .iter()
                .filter(|(_, before, now)| *now && !*before)
                .filter_map(|(ix, _, _)| role_id(*ix))
                .collect();
            let remove: Vec<RoleId> = picker
                .items
                .iter()
                .filter(|(_, before, now)| !*now && *before)
                .filter_map(|(ix, _, _)| role_id(*ix))
                .collect();
            if add.is_empty() && remove.is_empty() {
                state.overlay = None;
                state.notify(Level::Info, "Roles unchanged");
                return Vec::new();
            }
            let user = picker.user_id.clone();
            picker.saving = true;
            // Additions first: the gate's stages keep a replace from leaving no role.
            let changes = add
                .into_iter()
                .map(|role| Change::AddRole {
                    user: user.clone(),
                    role,
                })
                .chain(remove.into_iter().map(|role| Change::RemoveRole {
                    user: user.clone(),
                    role,
                }))
                .collect();
            let who = state.store.label(&user);
            let draft = Draft::new(format!("Change the roles of {who}"), changes);
            return propose(state, Purpose::Roles, draft, None);
        }
        _ => {}
    }
    Vec::new()
}

// ---------------------------------------------------------------------------------------
// Paste

fn insert_text(input: &mut Input, text: &str) {
    let value = input.value();
    let cursor_byte = value
        .char_indices()
        .nth(input.cursor())
        .map_or(value.len(), |(b, _)| b);
    let mut new = String::with_capacity(value.len() + text.len());
    new.push_str(&value[..cursor_byte]);
    new.push_str(text);
    new.push_str(&value[cursor_byte..]);
    let cursor = input.cursor() + text.chars().count();
    *input = Input::new(new).with_cursor(cursor);
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn on_paste(state: &mut State, text: &str) {
    if let Some(plan) = state.plan.as_mut().filter(|p| p.is_shown()) {
        insert_text(&mut plan.typed, &one_line(text));
        return;
    }
    match state.overlay.as_mut() {
        Some(Overlay::Invite(form)) => match form.focus {
            InviteField::Emails => {
                // Newline-separated lists become comma-separated on one line.
                let joined = text
                    .split(['\n', '\r'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                let needs_sep = !form.emails.value().trim_end().is_empty()
                    && !form.emails.value().trim_end().ends_with(',');
                let joined = if needs_sep {
                    format!(", {joined}")
                } else {
                    joined
                };
                insert_text(&mut form.emails, &joined);
                form.parsed = parse_emails(form.emails.value());
            }
            InviteField::Name => insert_text(&mut form.name, &one_line(text)),
            InviteField::Title => insert_text(&mut form.title, &one_line(text)),
            InviteField::Roles => {}
        },
        Some(Overlay::Edit(form)) => {
            let field = match form.focus {
                0 => &mut form.name,
                1 => &mut form.title,
                _ => &mut form.email,
            };
            insert_text(field, &one_line(text));
        }
        Some(Overlay::Command(input)) => insert_text(input, &one_line(text)),
        Some(_) => {}
        None => {
            state.view.filter_editing = true;
            insert_text(&mut state.view.filter, &one_line(text));
            // Reuse the filter path so the server is asked too.
            let _ = filter_changed(state);
        }
    }
}
