//! The console's audit, export and journal effects: reading the whole org once per session
//! (for audit views, the permission picker and exports; read again on request or after a
//! change was sent), writing export files, reading the journal, and resuming or undoing a
//! journal run. Only reads, apart from resume and undo, which `EffectsQueue::submit` has
//! already let through its read-only guard; a run made against another org is refused here.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::StreamExt;

use crate::api::models::UserId;
use crate::api::Client;
use crate::app::audit::{AuditResult, ExportDone, ExportFormat, PermissionEntry};
use crate::app::journal::JournalListing;
use crate::app::{Effect, Msg};
use crate::audit::{export, load, view, Org, ViewKind};
use crate::runs::journal::{find_run, read_runs};
use crate::runs::{RunState, Runner};

use super::{item_outcome, plain};

/// What these effects share across the session: the org as last read, and where the
/// console's changes go.
#[derive(Clone, Default)]
pub struct AuditContext {
    org: Arc<tokio::sync::Mutex<Option<Arc<Org>>>>,
    /// Set when a change was sent: the next audit reads the org again.
    stale: Arc<AtomicBool>,
    /// The org address (journal origin) of this console.
    pub origin: String,
}

impl AuditContext {
    pub fn new(origin: String) -> AuditContext {
        AuditContext {
            origin,
            ..Default::default()
        }
    }

    /// A change was sent: the org as read is out of date.
    pub fn invalidate(&self) {
        self.stale.store(true, Ordering::SeqCst);
    }

    /// The org, read once (again when `reload`, or after a change).
    async fn org(&self, client: &Client, reload: bool) -> Result<Arc<Org>, String> {
        let mut cached = self.org.lock().await;
        let stale = self.stale.swap(false, Ordering::SeqCst);
        if let (Some(org), false, false) = (cached.as_ref(), reload, stale) {
            return Ok(org.clone());
        }
        let snapshot = load::load_snapshot(client, &self.origin)
            .await
            .map_err(|e| plain(&e))?;
        let org = Arc::new(Org::new(snapshot));
        *cached = Some(org.clone());
        Ok(org)
    }
}

/// Runs one of this module's effects.
pub async fn run(
    client: &Client,
    runner: &Runner,
    context: &AuditContext,
    effect: Effect,
    send: &(dyn Fn(Msg) + Send + Sync),
) {
    match effect {
        Effect::LoadAudit {
            request_id,
            kind,
            reload,
        } => {
            let result = async {
                let org = context.org(client, reload).await?;
                audit_result(&org, kind)
            }
            .await;
            send(Msg::AuditView { request_id, result });
        }
        Effect::LoadPermissions { request_id } => {
            let result = context
                .org(client, false)
                .await
                .map(|org| permission_entries(&org));
            send(Msg::Permissions { request_id, result });
        }
        Effect::Export {
            request_id,
            kind,
            ids,
            format,
            path,
        } => {
            let result = async {
                let org = context.org(client, false).await?;
                write_export(&org, kind.unwrap_or(ViewKind::All), &ids, format, &path)
            }
            .await;
            send(Msg::Exported { request_id, result });
        }
        Effect::LoadJournal { request_id } => {
            let result = match runner.journal() {
                None => Err("changes are not journaled in this console".to_owned()),
                Some(journal) => read_runs(journal.path())
                    .map(|runs| {
                        Box::new(JournalListing {
                            runs,
                            address: context.origin.clone(),
                            path: journal.path().display().to_string(),
                        })
                    })
                    .map_err(|e| e.to_string()),
            };
            send(Msg::JournalRuns { request_id, result });
        }
        Effect::ResumeRun { run_id, run } => {
            let title = format!("resume of {run}");
            match journal_run(runner, context, &run.0, "resume") {
                Ok(state) => {
                    let title = format!("resume of {}: {}", state.run, state.title);
                    forward(runner.resume(&state), run_id, &send).await;
                    send(Msg::RunFinished {
                        run_id,
                        title,
                        error: None,
                    });
                }
                Err(error) => send(Msg::RunFinished {
                    run_id,
                    title,
                    error: Some(error),
                }),
            }
        }
        Effect::UndoRun { run_id, run } => {
            let mut title = format!("undo of {run}");
            let started = journal_run(runner, context, &run.0, "undo").and_then(|state| {
                let changes = Runner::undo_plan(&state)?;
                // The same title as `ddusers undo`, so both read alike in the journal.
                title = format!("undo of {}: {}", state.run, state.title);
                runner
                    .begin(&title, Some(state.run.clone()), changes)
                    .map_err(|e| format!("not sent: {e}"))
            });
            match started {
                Ok(undo) => {
                    forward(runner.execute(&undo), run_id, &send).await;
                    send(Msg::RunFinished {
                        run_id,
                        title,
                        error: None,
                    });
                }
                Err(error) => send(Msg::RunFinished {
                    run_id,
                    title,
                    error: Some(error),
                }),
            }
        }
        _ => {}
    }
}

/// The run `id` of the console's journal, refused when it was made against another org
/// (the rule of `ddusers resume` and `ddusers undo`).
fn journal_run(
    runner: &Runner,
    context: &AuditContext,
    id: &str,
    verb: &str,
) -> Result<RunState, String> {
    let journal = runner
        .journal()
        .ok_or("changes are not journaled in this console")?;
    let state = find_run(journal.path(), id).map_err(|e| e.to_string())?;
    if state.origin != context.origin {
        return Err(format!(
            "refused to {verb} run {}: it was made against {}, but this console talks to {}",
            state.run, state.origin, context.origin
        ));
    }
    Ok(state)
}

fn audit_result(org: &Org, kind: ViewKind) -> Result<Box<AuditResult>, String> {
    let audit = view(org, &kind).map_err(|e| e.to_string())?;
    let rows = audit
        .rows
        .iter()
        .map(|r| (org.users()[r.user].id.clone(), r.cells.clone()))
        .collect();
    Ok(Box::new(AuditResult {
        title: audit.title,
        columns: audit.columns.iter().map(|c| c.to_string()).collect(),
        kind,
        rows,
    }))
}

fn permission_entries(org: &Org) -> Vec<PermissionEntry> {
    org.permissions()
        .iter()
        .map(|p| {
            let a = &p.attributes;
            PermissionEntry {
                group: a.group_name.clone().unwrap_or_else(|| "Other".into()),
                name: p.name().to_owned(),
                about: a
                    .display_name
                    .clone()
                    .or_else(|| a.description.clone())
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// Writes `ids` (in that order) of the view `kind` to `path` (relative to the current
/// folder), with the CLI's writers: one column order everywhere.
fn write_export(
    org: &Org,
    kind: ViewKind,
    ids: &[UserId],
    format: ExportFormat,
    path: &Path,
) -> Result<ExportDone, String> {
    let audit = view(org, &kind).map_err(|e| e.to_string())?;
    let rows = export::rows(&audit, Some(ids), org);
    let mut bytes = Vec::new();
    match format {
        ExportFormat::Csv => export::write_csv(org, &audit, &rows, &mut bytes),
        ExportFormat::Json => export::write_json(org, &audit, &rows, &mut bytes),
    }
    .map_err(|e| e.to_string())?;
    let path: PathBuf = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("no current folder: {e}"))?
            .join(path)
    };
    crate::audit::org::write_file_atomically(&path, &bytes).map_err(|e| e.to_string())?;
    Ok(ExportDone {
        path: path.display().to_string(),
        format,
        count: rows.len(),
        requested: ids.len(),
    })
}

/// Hands each item's report to the app as a bulk item of `run_id`.
async fn forward(
    mut reports: futures::stream::BoxStream<'static, crate::runs::ItemReport>,
    run_id: u64,
    send: &impl Fn(Msg),
) {
    while let Some(report) = reports.next().await {
        send(Msg::BulkItem {
            run_id,
            user_id: UserId(report.change.target().to_owned()),
            outcome: item_outcome(report.result),
        });
    }
}
