//! The console's audit, export and journal effects: reading the whole org once per session
//! (for audit views, the permission picker and exports; read again on request or after a
//! change was sent), writing export files, and reading the journal. Only reads.

use crate::app::msg::AuditMsg;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::api::models::UserId;
use crate::api::Client;
use crate::app::audit::{AuditResult, ExportDone, ExportFormat, PermissionEntry};
use crate::app::journal::JournalListing;
use crate::app::{Effect, Msg};
use crate::audit::{export, load, view, Org, ViewKind};
use crate::runs::journal::read_journal;
use crate::runs::Runner;

use super::plain;
use crate::text::sanitize;

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
            send(Msg::Audit(AuditMsg::View { request_id, result }));
        }
        Effect::LoadPermissions { request_id } => {
            let result = context
                .org(client, false)
                .await
                .map(|org| permission_entries(&org));
            send(Msg::Audit(AuditMsg::Permissions { request_id, result }));
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
            send(Msg::Audit(AuditMsg::Exported { request_id, result }));
        }
        Effect::LoadJournal { request_id } => {
            let result = match runner.journal() {
                None => Err("changes are not journaled in this console".to_owned()),
                Some(journal) => read_journal(journal.path())
                    .map(|read| {
                        Box::new(JournalListing {
                            runs: read.runs,
                            skipped: read.skipped,
                            address: context.origin.clone(),
                            path: journal.path().display().to_string(),
                        })
                    })
                    .map_err(|e| e.to_string()),
            };
            send(Msg::JournalRuns { request_id, result });
        }
        _ => {}
    }
}

fn audit_result(org: &Org, kind: ViewKind) -> Result<Box<AuditResult>, String> {
    let audit = view(org, &kind).map_err(|e| e.to_string())?;
    // Cells quote role and user names from the service: made safe as they enter the console.
    let rows = audit
        .rows
        .iter()
        .map(|r| {
            let cells = r.cells.iter().map(|c| sanitize(c)).collect();
            (org.users()[r.user].id.clone(), cells)
        })
        .collect();
    Ok(Box::new(AuditResult {
        title: sanitize(&audit.title),
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
                group: sanitize(a.group_name.as_deref().unwrap_or("Other")),
                name: sanitize(p.name()),
                about: sanitize(
                    a.display_name
                        .as_deref()
                        .or(a.description.as_deref())
                        .unwrap_or_default(),
                ),
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
