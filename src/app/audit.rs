//! Audit views and exports in the console (pure): `:audit VIEW` / `:who-can PERMISSION`
//! restrict the list to a view's members (the membership comes from `audit::views`, read
//! in the effects layer), the permission picker, and `e`, which writes the list as shown
//! (tab, filter, audit view, sort) to CSV or JSON through the effects layer. Nothing here
//! performs I/O or changes the org.

use super::msg::AuditMsg;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use tui_input::Input;

use crate::api::models::UserId;
use crate::audit::ViewKind;

use super::action::{Action, StatusTab};
use super::effect::{Effect, RequestId};
use super::state::{Context, Level, Overlay, State};

/// The audit view in force, and the one being read.
#[derive(Clone, Debug, Default)]
pub struct AuditSession {
    pub active: Option<AuditFilter>,
    /// Bumped whenever `active` changes, so a cached view knows it must be rebuilt.
    pub generation: u64,
    /// The request of the view being loaded, and its name.
    pub pending: Option<(RequestId, String)>,
}

impl AuditSession {
    /// True when the audit view (if any) includes the user.
    pub fn allows(&self, id: &UserId) -> bool {
        self.active.as_ref().is_none_or(|a| a.ids.contains(id))
    }
}

/// An audit view restricting the list.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditFilter {
    pub kind: ViewKind,
    /// "Admins (14)".
    pub title: String,
    pub ids: HashSet<UserId>,
    /// The view's own columns ("admin_because") and each member's cells.
    pub columns: Vec<String>,
    pub cells: HashMap<UserId, Vec<String>>,
}

/// An audit view's members, as the effects layer computed them from `audit::views`.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditResult {
    pub kind: ViewKind,
    pub title: String,
    pub columns: Vec<String>,
    /// Members in the view's own order, with their cells.
    pub rows: Vec<(UserId, Vec<String>)>,
}

/// One permission of the catalogue, for the picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionEntry {
    pub group: String,
    pub name: String,
    /// Display name or description.
    pub about: String,
}

/// The who-can permission picker.
#[derive(Clone, Debug, Default)]
pub struct PermissionPicker {
    pub request_id: RequestId,
    pub loading: bool,
    pub error: Option<String>,
    /// Sorted by group, then name.
    pub entries: Vec<PermissionEntry>,
    pub query: Input,
    /// Position among `matches()`.
    pub cursor: usize,
}

impl PermissionPicker {
    /// Indices of the entries the query matches (every term, in name, group or words).
    pub fn matches(&self) -> Vec<usize> {
        let terms: Vec<String> = self
            .query
            .value()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let hay = format!("{} {} {}", e.name, e.group, e.about).to_lowercase();
                terms.iter().all(|t| hay.contains(t.as_str()))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The entry under the cursor.
    pub fn selected(&self) -> Option<&PermissionEntry> {
        self.matches()
            .get(self.cursor)
            .and_then(|i| self.entries.get(*i))
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

    fn other(self) -> ExportFormat {
        match self {
            ExportFormat::Csv => ExportFormat::Json,
            ExportFormat::Json => ExportFormat::Csv,
        }
    }
}

/// The export prompt: format and file name (a timestamped one in the current folder,
/// editable).
#[derive(Clone, Debug)]
pub struct ExportPrompt {
    pub format: ExportFormat,
    pub path: Input,
    /// Users that will be written.
    pub count: usize,
    /// "admins", "all".
    pub view_name: String,
}

/// A written export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportDone {
    /// Where, as an absolute path.
    pub path: String,
    pub format: ExportFormat,
    /// Users written.
    pub count: usize,
    /// Users asked for (more than `count` when some are not in the org as read).
    pub requested: usize,
}

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

/// Starts reading an audit view (`reload` reads the org again first).
pub fn open_view(state: &mut State, kind: ViewKind, reload: bool) -> Vec<Effect> {
    let request_id = state.fresh_request();
    state.audit.pending = Some((request_id, kind.name().to_owned()));
    state.notify(Level::Info, format!("Reading the org for {kind}…"));
    vec![Effect::LoadAudit {
        request_id,
        kind,
        reload,
    }]
}

/// Back to all users.
pub fn leave(state: &mut State) {
    state.audit.pending = None;
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

/// Runs `:audit`, `:who-can` and `:export`; `None` for other commands.
pub fn command(state: &mut State, verb: &str, rest: &[&str]) -> Option<Vec<Effect>> {
    match verb {
        "audit" => Some(audit_command(state, rest)),
        "who-can" | "whocan" => Some(match rest.first() {
            Some(permission) => open_view(
                state,
                ViewKind::WhoCan {
                    permission: (*permission).to_owned(),
                },
                false,
            ),
            None => open_picker(state),
        }),
        "export" => {
            let effects = open_export(state);
            if let Some(Overlay::Export(prompt)) = state.overlay.as_mut() {
                for word in rest {
                    match word.to_ascii_lowercase().as_str() {
                        "csv" => set_format(prompt, ExportFormat::Csv, state.now),
                        "json" => set_format(prompt, ExportFormat::Json, state.now),
                        path => {
                            prompt.path =
                                Input::new((*word).to_owned()).with_cursor(path.chars().count())
                        }
                    }
                }
                if !rest.is_empty() {
                    return Some(submit_export(state));
                }
            }
            Some(effects)
        }
        _ => None,
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
            let kind = state.audit.active.as_ref().map(|a| a.kind.clone());
            return match kind {
                Some(kind) => open_view(state, kind, true),
                None => {
                    state.notify(Level::Warn, "No audit view is open");
                    Vec::new()
                }
            };
        }
        "who-can" | "who-has" | "permission" if rest.len() < 2 => return open_picker(state),
        _ => {}
    }
    let arg = rest.get(1).copied();
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
        Ok(kind) => open_view(state, kind, false),
        Err(error) => {
            state.notify(Level::Error, error);
            Vec::new()
        }
    }
}

fn open_picker(state: &mut State) -> Vec<Effect> {
    let request_id = state.fresh_request();
    state.overlay = Some(Overlay::Permissions(Box::new(PermissionPicker {
        request_id,
        loading: true,
        ..Default::default()
    })));
    vec![Effect::LoadPermissions { request_id }]
}

fn on_picker(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Permissions(picker)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    let count = picker.matches().len();
    match action {
        Action::Cancel | Action::Back => state.overlay = None,
        Action::Up => picker.cursor = picker.cursor.saturating_sub(1),
        Action::Down => picker.cursor = (picker.cursor + 1).min(count.saturating_sub(1)),
        Action::PageUp => picker.cursor = picker.cursor.saturating_sub(10),
        Action::PageDown => picker.cursor = (picker.cursor + 10).min(count.saturating_sub(1)),
        Action::TextEdit(request) => {
            picker.query.handle(request);
            picker.cursor = 0;
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
                false,
            );
        }
        _ => {}
    }
    Vec::new()
}

fn open_export(state: &mut State) -> Vec<Effect> {
    if state.view.rows.is_empty() {
        state.notify(Level::Warn, "Nothing to export: the list is empty");
        return Vec::new();
    }
    let view_name = state
        .audit
        .active
        .as_ref()
        .map_or("all", |a| a.kind.name())
        .to_owned();
    let format = ExportFormat::Csv;
    let name = default_export_name(&view_name, state.now, format);
    state.overlay = Some(Overlay::Export(Box::new(ExportPrompt {
        format,
        path: Input::new(name.clone()).with_cursor(name.chars().count()),
        count: state.view.rows.len(),
        view_name,
    })));
    Vec::new()
}

/// Switches the format; a name ending in the old extension follows.
fn set_format(prompt: &mut ExportPrompt, format: ExportFormat, _now: i64) {
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
    let now = state.now;
    let Some(Overlay::Export(prompt)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::Cancel => state.overlay = None,
        Action::NextField | Action::PrevField => {
            let other = prompt.format.other();
            set_format(prompt, other, now);
        }
        Action::TextEdit(request) => {
            prompt.path.handle(request);
        }
        Action::Submit => return submit_export(state),
        _ => {}
    }
    Vec::new()
}

fn submit_export(state: &mut State) -> Vec<Effect> {
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
    let ids: Vec<UserId> = state
        .view
        .rows
        .iter()
        .filter_map(|ix| state.store.get(*ix).map(|u| u.id.clone()))
        .collect();
    let kind = state.audit.active.as_ref().map(|a| a.kind.clone());
    let request_id = state.fresh_request();
    state.notify(
        Level::Info,
        format!(
            "Exporting {} users as {}…",
            crate::words::thousands(ids.len() as u64),
            format.label()
        ),
    );
    vec![Effect::Export {
        request_id,
        kind,
        ids,
        format,
        path: PathBuf::from(path),
    }]
}

/// Applies the audit messages (`AuditView`, `Permissions`, `Exported`).
pub fn on_msg(state: &mut State, msg: AuditMsg) -> Vec<Effect> {
    match msg {
        AuditMsg::View { request_id, result } => {
            if state.audit.pending.as_ref().map(|(id, _)| *id) != Some(request_id) {
                return Vec::new(); // replaced or abandoned
            }
            state.audit.pending = None;
            match result {
                Ok(result) => {
                    let result = *result;
                    let count = result.rows.len();
                    let title = format!(
                        "{} ({})",
                        result.kind,
                        crate::words::thousands(count as u64)
                    );
                    state.audit.generation += 1;
                    state.audit.active = Some(AuditFilter {
                        ids: result.rows.iter().map(|(id, _)| id.clone()).collect(),
                        cells: result.rows.into_iter().collect(),
                        columns: result.columns,
                        kind: result.kind,
                        title: title.clone(),
                    });
                    // The view's members, whatever their status: back to the All tab.
                    state.view.tab = StatusTab::All;
                    state.view.cursor.pos = 0;
                    state.view.cursor.offset = 0;
                    state.rebuild_view();
                    state.notify(
                        Level::Info,
                        format!("{title} — Esc or :audit off returns to all users"),
                    );
                }
                Err(error) => state.notify(Level::Error, format!("Audit view failed: {error}")),
            }
        }
        AuditMsg::Permissions { request_id, result } => {
            if let Some(Overlay::Permissions(picker)) = state.overlay.as_mut() {
                if picker.request_id == request_id {
                    picker.loading = false;
                    match result {
                        Ok(mut entries) => {
                            entries.sort_by(|a, b| {
                                (a.group.to_lowercase(), &a.name)
                                    .cmp(&(b.group.to_lowercase(), &b.name))
                            });
                            picker.entries = entries;
                            picker.cursor = 0;
                        }
                        Err(error) => picker.error = Some(error),
                    }
                }
            }
        }
        AuditMsg::Exported { result, .. } => match result {
            Ok(done) => {
                let missing = done.requested.saturating_sub(done.count);
                let mut text = format!(
                    "Exported {} users as {} to {}",
                    crate::words::thousands(done.count as u64),
                    done.format.label(),
                    done.path
                );
                if missing > 0 {
                    text.push_str(&format!(
                        " ({missing} not in the org as read; :audit reload re-reads it)"
                    ));
                }
                state.notify(Level::Info, text);
            }
            Err(error) => state.notify(Level::Error, format!("Export failed: {error}")),
        },
    }
    Vec::new()
}
