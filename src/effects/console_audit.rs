//! The console's audit, export and journal effects: reading the permission catalogue
//! (for the who-can picker and views naming a permission the org does not know yet),
//! writing export files from the org as the console holds it, and reading the journal.
//! Only reads: audit views themselves need no request (the reducer computes them).

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::api::Client;
use crate::app::audit::{ExportDone, ExportFormat};
use crate::app::effect::{OrgRef, RequestId};
use crate::app::journal::JournalListing;
use crate::app::msg::AuditMsg;
use crate::app::state::DiffBase;
use crate::app::{Effect, Msg};
use crate::audit::export::{self, ExportAbout, FileFormat, Source};
use crate::audit::reconcile::{People, PeopleColumns};
use crate::audit::{view, ViewKind};
use crate::org::snapshot::Snapshot;
use crate::org::UserIx;
use crate::runs::journal::read_journal;
use crate::runs::Runner;

use super::plain;

/// Runs one of this module's effects; `origin` is the console's org address.
pub async fn run(
    client: &Client,
    runner: &Runner,
    origin: &str,
    effect: Effect,
    send: &(dyn Fn(Msg) + Send + Sync),
) {
    match effect {
        Effect::LoadPermissions { request_id } => {
            let result = client
                .list_permissions(true)
                .await
                .map(|answer| answer.data)
                .map_err(|e| plain(&e));
            send(Msg::Audit(AuditMsg::Permissions { request_id, result }));
        }
        Effect::Export {
            request_id,
            org,
            kind,
            rows,
            format,
            path,
            now,
            overwrite,
            about,
        } => {
            let export = Export {
                org,
                kind: kind.unwrap_or(ViewKind::All),
                rows,
                format,
                path,
                now,
                origin: origin.to_owned(),
                about: *about,
            };
            run_export(export, request_id, overwrite, send).await;
        }
        Effect::ReadSnapshot { .. } | Effect::ReadPeople { .. } | Effect::ReadReview { .. } => {
            read_file(effect, send).await
        }
        Effect::LoadJournal { request_id } => {
            let result = match runner.journal() {
                None => Err("changes are not journaled in this console".to_owned()),
                Some(journal) => read_journal(journal.path())
                    .map(|read| {
                        Box::new(JournalListing {
                            runs: read.runs,
                            skipped: read.skipped,
                            address: origin.to_owned(),
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

/// Reads the snapshot `:diff` compares with, the people list `:reconcile` matches, or the
/// review `:review` opens.
async fn read_file(effect: Effect, send: &(dyn Fn(Msg) + Send + Sync)) {
    match effect {
        Effect::ReadSnapshot { path } => {
            let result = off_the_workers(move || read_diff_base(&path)).await;
            send(Msg::Audit(AuditMsg::DiffBase(result)));
        }
        Effect::ReadPeople { path } => {
            let result = off_the_workers(move || read_people(&path)).await;
            send(Msg::Audit(AuditMsg::People(result)));
        }
        Effect::ReadReview { path } => {
            let result = off_the_workers(move || super::review::read(&path)).await;
            send(Msg::Review(crate::app::msg::ReviewMsg::Opened(result)));
        }
        _ => {}
    }
}

/// Reads a file off the async workers (a people list or a snapshot can be large).
async fn off_the_workers<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let done = tokio::task::spawn_blocking(read).await;
    done.unwrap_or_else(|e| Err(format!("reading stopped: {e}")))
}

/// Writes `export` unless its file exists and `overwrite` is off (then asks back).
async fn run_export(
    mut export: Export,
    request_id: RequestId,
    overwrite: bool,
    send: &(dyn Fn(Msg) + Send + Sync),
) {
    export.path = match absolute(&crate::files::expand_home(&export.path)) {
        Ok(path) => path,
        Err(error) => {
            send(Msg::Audit(AuditMsg::Exported {
                request_id,
                result: Err(error),
            }));
            return;
        }
    };
    if !overwrite && export.path.exists() {
        let path = export.path.display().to_string();
        let format = export.format;
        send(Msg::Audit(AuditMsg::ExportExists {
            request_id,
            path,
            format,
        }));
        return;
    }
    // Hundreds of thousands of rows are written off the async workers.
    let result = tokio::task::spawn_blocking(move || export.write())
        .await
        .unwrap_or_else(|e| Err(format!("the export stopped: {e}")));
    send(Msg::Audit(AuditMsg::Exported { request_id, result }));
}

/// An export to write: `rows` (in that order) of the view `kind` of `org`.
struct Export {
    org: OrgRef,
    kind: ViewKind,
    rows: Vec<UserIx>,
    format: ExportFormat,
    path: PathBuf,
    now: i64,
    origin: String,
    about: ExportAbout,
}

impl Export {
    /// Writes the file (relative paths from the current folder), with the command line's
    /// writers: one column order everywhere.
    fn write(self) -> Result<ExportDone, String> {
        let org = &self.org.0;
        let now =
            OffsetDateTime::from_unix_timestamp(self.now).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let audit = view(org, &self.kind, now).map_err(|e| e.to_string())?;
        let rows = export::rows(&audit, Some(&self.rows));
        let format = match self.format {
            ExportFormat::Csv => FileFormat::Csv,
            ExportFormat::Json => FileFormat::Json,
        };
        let source = Source::of(org, &self.origin, now).about(&self.about);
        let path = absolute(&self.path)?;
        export::write_file(&path, format, org, &audit, &rows, source).map_err(|e| e.to_string())?;
        Ok(ExportDone {
            path: path.display().to_string(),
            format: self.format,
            count: rows.len(),
        })
    }
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    if path.is_absolute() {
        return Ok(path.to_owned());
    }
    std::env::current_dir()
        .map(|dir| dir.join(path))
        .map_err(|e| format!("no current folder: {e}"))
}

/// A people list to reconcile with: its default columns (email, and status and aliases
/// when the file has them), named in reasons by the file's name.
fn read_people(path: &Path) -> Result<Box<People>, String> {
    let path = crate::files::expand_home(path);
    let bytes =
        std::fs::read(&path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let people =
        People::parse(&bytes, &name, &PeopleColumns::default()).map_err(|e| e.to_string())?;
    Ok(Box::new(people))
}

/// A snapshot to compare with, named for the console.
fn read_diff_base(path: &Path) -> Result<Box<DiffBase>, String> {
    let snapshot = Snapshot::read(path).map_err(|e| e.to_string())?;
    Ok(Box::new(DiffBase {
        label: snapshot.describe(path),
        snapshot: std::sync::Arc::new(snapshot),
    }))
}
