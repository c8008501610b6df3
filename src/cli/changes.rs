//! The commands that change the org, all through the journaled `Runner`: each prints its run
//! id, one line per item as it finishes, and fails (exit 1) if any item failed. Also
//! `journal`, `resume` and `undo`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures::StreamExt;

use super::connect::Connection;
use super::output::{self, Table};
use super::run::{confirm, emit, usage, PartialFailure};
use super::Format;
use crate::runs::journal::{self, find_run, read_runs};
use crate::runs::{Change, ItemResult, Journal, RunState, Runner};

/// Users worked on at once by a run from the command line.
const CONCURRENCY: usize = 4;

/// The journal file for this invocation.
pub fn journal_path(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .unwrap_or_else(|| journal::default_path(&|name| std::env::var(name).ok()))
}

fn runner(connection: &Connection, path: &Path) -> color_eyre::Result<Runner> {
    let journal = Journal::open(path)?;
    Ok(Runner::new(
        connection.client.clone(),
        Some(Arc::new(journal)),
        connection.address.clone(),
        CONCURRENCY,
    ))
}

/// Records and carries out `changes`, printing each item's result.
pub async fn run_changes(
    connection: &Connection,
    journal: &Path,
    title: &str,
    changes: Vec<Change>,
) -> color_eyre::Result<()> {
    let runner = runner(connection, journal)?;
    let run = runner.begin(title, None, changes)?;
    eprintln!(
        "run {} — {} ({} change(s)); `ddusers journal show {}` lists it",
        run.id,
        title,
        run.changes.len(),
        run.id
    );
    let stream = runner.execute(&run);
    report(stream, run.changes.len()).await
}

/// Prints results as they come; counts failures.
async fn report(
    mut stream: futures::stream::BoxStream<'static, crate::runs::ItemReport>,
    total: usize,
) -> color_eyre::Result<()> {
    let mut failed = 0;
    while let Some(item) = stream.next().await {
        let target = output::sanitize(item.change.target());
        let detail = output::sanitize(item.result.detail());
        match &item.result {
            ItemResult::Failed { .. } => {
                failed += 1;
                println!("{target}  failed: {detail}");
            }
            _ => println!("{target}  {detail}"),
        }
    }
    PartialFailure::check(failed, total)
}

/// `ddusers journal`: every run with its tally.
pub fn list_runs(journal: &Path, format: Format) -> color_eyre::Result<()> {
    let runs = read_runs(journal)?;
    if runs.is_empty() && format == Format::Table {
        eprintln!("no runs in {}", journal.display());
        return Ok(());
    }
    let rows: Vec<serde_json::Value> = runs.iter().map(run_summary).collect();
    emit(format, &rows, || {
        let mut table = Table::new(vec!["RUN", "STARTED", "TITLE", "ORIGIN", "RESULT"]);
        for run in &runs {
            table.rows.push(vec![
                run.run.to_string(),
                crate::api::models::timestamp::format(&run.at)[..19].replace('T', " "),
                run.title.clone(),
                run.origin.clone(),
                run.tally().to_string(),
            ]);
        }
        table
    })
}

fn run_summary(run: &RunState) -> serde_json::Value {
    let tally = run.tally();
    serde_json::json!({
        "run": run.run,
        "started_at": crate::api::models::timestamp::format(&run.at),
        "title": run.title,
        "origin": run.origin,
        "of": run.of,
        "items": run.changes.len(),
        "done": tally.done,
        "skipped": tally.skipped,
        "failed": tally.failed,
        "unfinished": tally.unfinished,
    })
}

/// `ddusers journal show RUN`: each item and its outcome.
pub fn show_run(journal: &Path, id: &str, format: Format) -> color_eyre::Result<()> {
    let run = find_run(journal, id)?;
    let items: Vec<serde_json::Value> = run
        .changes
        .iter()
        .enumerate()
        .map(|(i, change)| {
            serde_json::json!({
                "item": i,
                "change": change,
                "started": run.started[i],
                "outcome": run.outcomes[i],
            })
        })
        .collect();
    emit(format, &items, || {
        let mut table = Table::new(vec!["#", "CHANGE", "TARGET", "RESULT", "DETAIL"]);
        for (i, change) in run.changes.iter().enumerate() {
            let (result, detail) = match &run.outcomes[i] {
                Some(ItemResult::Done { detail, .. }) => ("done", detail.clone()),
                Some(ItemResult::Skipped { detail, .. }) => ("already so", detail.clone()),
                Some(ItemResult::Failed { reason }) => ("failed", reason.clone()),
                None if run.started[i] => (
                    "unknown",
                    "interrupted after sending: resume checks it".into(),
                ),
                None => ("not started", String::new()),
            };
            table.rows.push(vec![
                i.to_string(),
                change.verb().to_owned(),
                change.target().to_owned(),
                result.to_owned(),
                detail,
            ]);
        }
        table
    })
}

fn check_origin(run: &RunState, connection: &Connection, force: bool) -> color_eyre::Result<()> {
    if run.origin == connection.address || force {
        return Ok(());
    }
    Err(usage(format!(
        "run {} was made against {}, but this command talks to {}; point it at the same org (or pass --force)",
        run.run, run.origin, connection.address
    )))
}

/// `ddusers resume RUN`.
pub async fn resume(
    connection: &Connection,
    journal: &Path,
    id: &str,
    force: bool,
    yes: bool,
) -> color_eyre::Result<()> {
    let run = find_run(journal, id)?;
    check_origin(&run, connection, force)?;
    let left = run.changes.len() - run.tally().done - run.tally().skipped;
    if left == 0 {
        println!("run {} is complete: {}", run.run, run.tally());
        return Ok(());
    }
    confirm(
        &format!(
            "Resume run {} ({}): {left} item(s) left?",
            run.run, run.title
        ),
        yes,
    )?;
    eprintln!("resuming run {} — {}", run.run, run.tally());
    let runner = runner(connection, journal)?;
    report(runner.resume(&run), left).await
}

/// `ddusers undo RUN`.
pub async fn undo(
    connection: &Connection,
    journal: &Path,
    id: &str,
    force: bool,
    yes: bool,
) -> color_eyre::Result<()> {
    let run = find_run(journal, id)?;
    check_origin(&run, connection, force)?;
    let changes = Runner::undo_plan(&run).map_err(usage)?;
    confirm(
        &format!(
            "Undo {} change(s) of run {} ({})?",
            changes.len(),
            run.run,
            run.title
        ),
        yes,
    )?;
    let runner = runner(connection, journal)?;
    let title = format!("undo of {}: {}", run.run, run.title);
    let undo_run = runner.begin(&title, Some(run.run.clone()), changes)?;
    eprintln!("run {} — {title}", undo_run.id);
    let total = undo_run.changes.len();
    report(runner.execute(&undo_run), total).await
}
