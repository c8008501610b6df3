//! Audit views and exports in the console (pure): `:audit VIEW` / `:who-can PERMISSION`
//! restrict the list to a view's members, computed here by `audit::views` over the org as
//! loaded (no request; recomputed when loading ends or a change lands), the permission
//! picker over the catalogue, and `e`, which writes the list as shown (tab, filter, audit
//! view, sort) to CSV or JSON through the effects layer. Nothing here performs I/O or
//! changes the org.

use super::msg::AuditMsg;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use time::OffsetDateTime;
use tui_input::Input;

use crate::api::models::Permission;
use crate::audit::{AuditError, AuditView, ViewKind};
use crate::org::UserIx;

use super::action::{Action, StatusTab};
use super::columns::ExplainColumns;
use super::command_spec::{ArgKind, CommandSpec, Does};
use super::cursor::{ListCursor, POPUP_PAGE};
pub use super::effect::ExportFormat;
use super::effect::{Effect, OrgRef, RequestId};
pub use super::state::{
    AuditFilter, AuditSession, ExportDone, ExportPrompt, PermissionEntry, PermissionPicker,
};
use super::state::{Context, Level, Overlay, State};
use super::view::tab_counts;

/// The default export file name: `ddusers-admins-20261127T061500.csv`.
pub fn default_export_name(view_name: &str, now: i64, format: ExportFormat) -> String {
    let stamp = time::OffsetDateTime::from_unix_timestamp(now)
        .map(|d| {
            format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}",
                d.year(),
                u8::from(d.month()),
                d.day(),
                d.hour(),
                d.minute(),
                d.second()
            )
        })
        .unwrap_or_else(|_| "now".into());
    format!("ddusers-{view_name}-{stamp}.{}", format.extension())
}

/// The moment ages are counted from: now.
fn as_of(state: &State) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(state.now).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The view `kind` of the org as loaded.
fn compute(state: &State, kind: &ViewKind) -> Result<AuditFilter, AuditError> {
    let view = crate::audit::view(&state.store, kind, as_of(state))?;
    let tab_counts = tab_counts(view.users(&state.store));
    let (explain, explanations) = explanations(&view);
    Ok(AuditFilter {
        title: format!(
            "{kind} ({})",
            crate::words::thousands(view.rows.len() as u64)
        ),
        members: view.rows.iter().map(|r| r.user).collect(),
        tab_counts,
        explain,
        explanations,
        kind: kind.clone(),
        computed_at: (state.store.revision(), state.store.len()),
    })
}

/// The view's own columns for the list: their headers and widest cells, and each
/// member's cells as the command line and exports write them, times shortened to the
/// minute.
fn explanations(view: &AuditView) -> (ExplainColumns, HashMap<UserIx, Box<[String]>>) {
    let labels: Vec<String> = view
        .columns
        .iter()
        .map(|c| ExplainColumns::label_of(c))
        .collect();
    let mut widest: Vec<u16> = vec![0; labels.len()];
    let mut cells = HashMap::with_capacity(view.rows.len());
    for row in &view.rows {
        let shown: Box<[String]> = row.cells.iter().map(|c| shown_cell(c)).collect();
        for (w, cell) in widest.iter_mut().zip(shown.iter()) {
            *w = (*w).max(text_width(cell));
        }
        cells.insert(row.user, shown);
    }
    (ExplainColumns { labels, widest }, cells)
}

fn text_width(text: &str) -> u16 {
    u16::try_from(unicode_width::UnicodeWidthStr::width(text)).unwrap_or(u16::MAX)
}

/// A cell as the list shows it: a service timestamp as "2026-11-27 06:15", anything else
/// as it is.
fn shown_cell(cell: &str) -> String {
    match crate::api::models::timestamp::parse(cell) {
        Ok(t) => crate::words::minute(t),
        Err(_) => cell.to_owned(),
    }
}

/// Opens an audit view over the org as loaded; a permission the org does not know yet
/// waits for the catalogue.
pub fn open_view(state: &mut State, kind: ViewKind) -> Vec<Effect> {
    state.audit.waiting = None;
    match compute(state, &kind) {
        Ok(filter) => {
            show(state, filter);
            Vec::new()
        }
        Err(AuditError::UnknownPermission(_)) if !state.store.has_catalogue() => {
            state.audit.waiting = Some(kind);
            state.notify(Level::Info, "Reading the permission catalogue…");
            vec![read_catalogue(state)]
        }
        Err(error) => {
            state.notify(Level::Error, format!("Audit view failed: {error}"));
            Vec::new()
        }
    }
}

/// Restricts the list to `filter`'s members, from the top of the All tab.
fn show(state: &mut State, filter: AuditFilter) {
    let mut text = format!("{} — Esc or :audit off returns to all users", filter.title);
    if !state.load.done {
        text.push_str(&format!(
            " (of {} loaded so far; updated when loading ends)",
            crate::words::count(state.store.len(), "user")
        ));
    }
    state.audit.generation += 1;
    state.audit.active = Some(filter);
    // The view's members, whatever their status: back to the All tab.
    state.view.tab = StatusTab::All;
    state.view.cursor.pos = 0;
    state.view.cursor.offset = 0;
    state.rebuild_view();
    state.notify(Level::Info, text);
}

/// Computes the open view again when the org changed since (a change landed, users were
/// added); while the org is still loading, waits for the end. Called after every update.
pub fn refresh(state: &mut State) {
    let Some(active) = &state.audit.active else {
        return;
    };
    let now = (state.store.revision(), state.store.len());
    if active.computed_at == now || !state.load.done {
        return;
    }
    let kind = active.kind.clone();
    match compute(state, &kind) {
        Ok(filter) => {
            state.audit.generation += 1;
            state.audit.active = Some(filter);
            state.rebuild_view();
        }
        Err(error) => {
            leave(state);
            state.notify(Level::Warn, format!("Audit view closed: {error}"));
        }
    }
}

/// Back to all users.
pub fn leave(state: &mut State) {
    state.audit.waiting = None;
    if state.audit.active.take().is_some() {
        state.audit.generation += 1;
        state.rebuild_view();
        state.notify(Level::Info, "Back to all users");
    }
}

/// Handles the keys that belong to audits and exports; `None` when `action` is not theirs.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match (&state.overlay, state.context()) {
        (Some(Overlay::Export(_)), _) => Some(on_export_prompt(state, action)),
        (Some(Overlay::Permissions(_)), _) => Some(on_picker(state, action)),
        (None, Context::Browse) => match action {
            Action::Export => Some(open_export(state)),
            Action::PickPermission => Some(open_picker(state)),
            _ => None,
        },
        _ => None,
    }
}

/// The audit's `:` commands.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        names: &["audit"],
        usage: ":audit VIEW|off|reload",
        about: "show only an audit view (admins, no-mfa, inactive, …)",
        arg: ArgKind::AuditView,
        does: Does::Run(audit_command),
    },
    CommandSpec {
        names: &["who-can", "whocan"],
        usage: ":who-can [PERMISSION]",
        about: "who holds a permission (a picker without one)",
        arg: ArgKind::Permission,
        does: Does::Run(who_can_command),
    },
    CommandSpec {
        names: &["role"],
        usage: ":role NAME",
        about: "list the members of a role (Esc leaves)",
        arg: ArgKind::Role,
        does: Does::Run(role_command),
    },
    CommandSpec {
        names: &["export"],
        usage: ":export [csv|json] [FILE]",
        about: "write the list as shown to a file",
        arg: ArgKind::WordsThenPath(&["csv", "json"]),
        does: Does::Run(export_command),
    },
];

fn who_can_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    match rest.first() {
        Some(permission) => open_view(
            state,
            ViewKind::WhoCan {
                permission: (*permission).to_owned(),
            },
        ),
        None => open_picker(state),
    }
}

/// `:role NAME`: the role's members as the list, like an audit view (names with spaces
/// need no quotes; completion can offer `Org::all_role_names`).
fn role_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let role = rest.join(" ").trim_matches('"').trim().to_owned();
    if role.is_empty() {
        let names = state.store.all_role_names().join(", ");
        state.notify(Level::Error, format!("Usage: :role NAME (roles: {names})"));
        return Vec::new();
    }
    // The role's own name, for the title (an unknown name is explained by the view).
    let role = match state.store.find_role(&role) {
        Ok(ix) => state.store.role_name(ix).to_owned(),
        Err(_) => role,
    };
    open_view(state, ViewKind::Role { role })
}

/// `:export [csv|json] [FILE]`: the prompt, or the file at once when told enough.
fn export_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let effects = open_export(state);
    let Some(Overlay::Export(prompt)) = state.overlay.as_mut() else {
        return effects;
    };
    for word in rest {
        match word.to_ascii_lowercase().as_str() {
            "csv" => set_format(prompt, ExportFormat::Csv),
            "json" => set_format(prompt, ExportFormat::Json),
            path => prompt.path = Input::new((*word).to_owned()).with_cursor(path.chars().count()),
        }
    }
    if rest.is_empty() {
        effects
    } else {
        submit_export(state, false)
    }
}

fn audit_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let Some(name) = rest.first() else {
        state.notify(
            Level::Error,
            format!(
                "Usage: :audit VIEW ({}; off returns to all users)",
                ViewKind::NAMES[1..].join(", ")
            ),
        );
        return Vec::new();
    };
    match name.to_ascii_lowercase().as_str() {
        "off" | "none" | "clear" => {
            leave(state);
            return Vec::new();
        }
        "reload" => {
            if state.audit.active.is_none() {
                state.notify(Level::Warn, "No audit view is open");
                return Vec::new();
            }
            // Read the users again; the view is computed anew when loading ends.
            state.notify_while_loading("Reloading users; the audit view follows…");
            return vec![super::listing::start_load(state)];
        }
        "who-can" | "who-has" | "permission" if rest.len() < 2 => return open_picker(state),
        _ => {}
    }
    let words = rest.get(1..).map(|words| words.join(","));
    let arg = if ViewKind::takes_word_list(name) {
        words.as_deref().filter(|w| !w.is_empty())
    } else {
        rest.get(1).copied()
    };
    let days = match (name.to_ascii_lowercase().as_str(), arg) {
        ("inactive" | "stale" | "never-logged-in", Some(n)) => match n.parse::<u32>() {
            Ok(days) => Some(days),
            Err(_) => {
                state.notify(
                    Level::Error,
                    format!("Usage: :audit inactive [DAYS] ({n:?} is not a number of days)"),
                );
                return Vec::new();
            }
        },
        _ => None,
    };
    match ViewKind::parse(name, arg, days) {
        Ok(ViewKind::All) => {
            leave(state);
            Vec::new()
        }
        Ok(kind) => open_view(state, kind),
        Err(error) => {
            state.notify(Level::Error, error);
            Vec::new()
        }
    }
}

/// Opens the who-can picker over the catalogue, reading it first when the org does not
/// have it yet.
fn open_picker(state: &mut State) -> Vec<Effect> {
    let mut picker = PermissionPicker::default();
    let effects = if state.store.has_catalogue() {
        picker.entries = permission_entries(state);
        Vec::new()
    } else {
        picker.loading = true;
        vec![read_catalogue(state)]
    };
    state.overlay = Some(Overlay::Permissions(Box::new(picker)));
    effects
}

/// Reads the permission catalogue (the newest read's answer counts).
pub fn read_catalogue(state: &mut State) -> Effect {
    let fresh = state.fresh_request();
    Effect::LoadPermissions {
        request_id: state.audit.catalogue.issue(fresh),
    }
}

/// The catalogue as the picker lists it, by group then name.
fn permission_entries(state: &State) -> Vec<PermissionEntry> {
    let mut entries: Vec<PermissionEntry> = state
        .store
        .perms()
        .iter()
        .filter(|p| p.seen)
        .map(|p| PermissionEntry {
            group: p.group.clone(),
            name: p.name.clone(),
            about: if p.display_name != p.name {
                p.display_name.clone()
            } else {
                p.description.clone().unwrap_or_default()
            },
        })
        .collect();
    entries
        .sort_by(|a, b| (a.group.to_lowercase(), &a.name).cmp(&(b.group.to_lowercase(), &b.name)));
    entries
}

fn on_picker(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Permissions(picker)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    let count = picker.matches().len();
    match action {
        Action::Cancel | Action::Back => state.overlay = None,
        Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
            picker.cursor.navigate(&action, count, POPUP_PAGE);
        }
        Action::TextEdit(request) => {
            picker.query.handle(request);
            picker.cursor = ListCursor::default();
        }
        Action::Submit => {
            let Some(entry) = picker.selected().cloned() else {
                return Vec::new();
            };
            state.overlay = None;
            return open_view(
                state,
                ViewKind::WhoCan {
                    permission: entry.name,
                },
            );
        }
        _ => {}
    }
    Vec::new()
}

/// "admins", "all": the view an export writes.
fn export_view_name(state: &State) -> String {
    state
        .audit
        .active
        .as_ref()
        .map_or("all", |a| a.kind.name())
        .to_owned()
}

fn open_export(state: &mut State) -> Vec<Effect> {
    if state.view.rows.is_empty() {
        state.notify(Level::Warn, "Nothing to export: the list is empty");
        return Vec::new();
    }
    let view_name = export_view_name(state);
    let format = ExportFormat::Csv;
    let name = default_export_name(&view_name, state.now, format);
    state.overlay = Some(Overlay::Export(Box::new(ExportPrompt {
        format,
        path: Input::new(name.clone()).with_cursor(name.chars().count()),
        count: state.view.rows.len(),
        view_name,
        overwrite: None,
    })));
    Vec::new()
}

/// Switches the format; a name ending in the old extension follows.
fn set_format(prompt: &mut ExportPrompt, format: ExportFormat) {
    let old = format!(".{}", prompt.format.extension());
    let value = prompt.path.value().to_owned();
    if let Some(stem) = value.strip_suffix(&old) {
        let new = format!("{stem}.{}", format.extension());
        let cursor = new.chars().count();
        prompt.path = Input::new(new).with_cursor(cursor);
    }
    prompt.format = format;
}

fn on_export_prompt(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Export(prompt)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    if prompt.overwrite.is_some() {
        // "file exists — overwrite? y/n": n goes back to the name, to change it.
        match action {
            Action::Confirm => return submit_export(state, true),
            Action::Cancel | Action::Back => prompt.overwrite = None,
            _ => {}
        }
        return Vec::new();
    }
    match action {
        Action::Cancel => state.overlay = None,
        Action::NextField | Action::PrevField => {
            let other = prompt.format.other();
            set_format(prompt, other);
        }
        Action::TextEdit(request) => {
            prompt.path.handle(request);
        }
        Action::Submit => return submit_export(state, false),
        _ => {}
    }
    Vec::new()
}

/// Writes the view to the prompt's file; an existing file only when `overwrite` (the
/// effects side checks, and asks back through `AuditMsg::ExportExists`).
fn submit_export(state: &mut State, overwrite: bool) -> Vec<Effect> {
    let Some(Overlay::Export(prompt)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    let path = prompt.path.value().trim().to_owned();
    if path.is_empty() {
        state.notify(Level::Warn, "Type a file name to write to");
        return Vec::new();
    }
    let format = prompt.format;
    state.overlay = None;
    let rows: Vec<UserIx> = state.view.rows.clone();
    let kind = state.audit.active.as_ref().map(|a| a.kind.clone());
    let request_id = state.fresh_request();
    state.notify(
        Level::Info,
        format!(
            "Exporting {} as {}…",
            crate::words::count(rows.len(), "user"),
            format.label()
        ),
    );
    vec![Effect::Export {
        request_id,
        org: OrgRef(Arc::clone(&state.store)),
        kind,
        rows,
        format,
        path: PathBuf::from(path),
        now: state.now,
        overwrite,
        about: Box::new(export_about(state)),
    }]
}

/// What the export's meta says beyond the org: the keys' user, the org's name, and what
/// narrowed the list ("tab Pending; filter ada"), none when it shows the whole view.
fn export_about(state: &State) -> crate::audit::export::ExportAbout {
    let mut narrowed = Vec::new();
    if state.view.tab != StatusTab::All {
        narrowed.push(format!("tab {}", state.view.tab.label()));
    }
    let text = state.view.filter.value().trim();
    if !text.is_empty() {
        narrowed.push(format!("filter {text}"));
    }
    let filter = narrowed.join("; ");
    crate::audit::export::ExportAbout {
        taken_by: state.me.clone(),
        org: crate::org::OrgInfo {
            name: state.org_name.clone(),
            ..Default::default()
        },
        filter: (!filter.is_empty()).then(|| filter.to_owned()),
    }
}

/// The export's file exists: the prompt comes back asking whether to overwrite it (or, if
/// another dialog opened meanwhile, a message says nothing was written).
fn export_exists(state: &mut State, path: String, format: ExportFormat) {
    if state.overlay.is_some() || state.view.rows.is_empty() {
        state.notify(
            Level::Warn,
            format!("Not exported: {path} exists (e, then y, overwrites it)"),
        );
        return;
    }
    let view_name = export_view_name(state);
    let cursor = path.chars().count();
    state.overlay = Some(Overlay::Export(Box::new(ExportPrompt {
        format,
        path: Input::new(path.clone()).with_cursor(cursor),
        count: state.view.rows.len(),
        view_name,
        overwrite: Some(path),
    })));
    state.toast = None;
}

/// Applies the audit messages (`Permissions`, `Exported`).
pub fn on_msg(state: &mut State, msg: AuditMsg) -> Vec<Effect> {
    match msg {
        AuditMsg::Permissions { request_id, result } => {
            return on_catalogue(state, request_id, result)
        }
        AuditMsg::Exported { result, .. } => match result {
            Ok(done) => state.notify(
                Level::Info,
                format!(
                    "Exported {} as {} to {}",
                    crate::words::count(done.count, "user"),
                    done.format.label(),
                    done.path
                ),
            ),
            Err(error) => state.notify(Level::Error, format!("Export failed: {error}")),
        },
        AuditMsg::DiffBase(result) => super::diff::on_base(state, result),
        AuditMsg::People(result) => super::reconcile::on_people(state, result),
        AuditMsg::ExportExists { path, format, .. } => export_exists(state, path, format),
    }
    Vec::new()
}

/// The catalogue arrived (or could not be read): it joins the org, fills the picker that
/// asked for it, and opens the view that waited for it.
fn on_catalogue(
    state: &mut State,
    request_id: RequestId,
    result: Result<Vec<Permission>, String>,
) -> Vec<Effect> {
    if !state.audit.catalogue.is(request_id) {
        return Vec::new(); // replaced
    }
    state.audit.catalogue.clear();
    let waiting = state.audit.waiting.take();
    let picker_asked = matches!(&state.overlay, Some(Overlay::Permissions(p)) if p.loading);
    let error = match result {
        Ok(permissions) => {
            state.store_mut().ingest_catalogue(&permissions);
            None
        }
        Err(error) => Some(error),
    };
    if picker_asked {
        let entries = permission_entries(state);
        if let Some(Overlay::Permissions(picker)) = state.overlay.as_mut() {
            picker.loading = false;
            picker.cursor = ListCursor::default();
            match &error {
                None => picker.entries = entries,
                Some(error) => picker.error = Some(error.clone()),
            }
        }
    }
    match (waiting, error) {
        (Some(kind), None) => open_view(state, kind),
        (Some(_), Some(error)) => {
            state.notify(Level::Error, format!("Audit view failed: {error}"));
            Vec::new()
        }
        (None, _) => Vec::new(),
    }
}
