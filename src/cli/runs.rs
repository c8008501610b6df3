//! The journal of runs and what can be done with a past run: `journal` (every run and its
//! outcome), `journal show RUN` (its items), `resume RUN` and `undo RUN` (new runs through
//! the change pipeline).

use std::path::Path;

use clap::{Args, Subcommand};

use super::changes::{journal_path, Ask, ChangeArgs, Changer};
use super::exit::{usage, CliResult};
use super::output::{self, emit, Table};
use super::{Format, GlobalArgs};
use crate::runs::journal::{self, find_run, read_runs};
use crate::runs::{Draft, ItemResult, RunState};

#[derive(Debug, Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub action: Option<JournalCommand>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Every item of one run, with its outcome.
    Show {
        run: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    pub run: String,
    /// Resume even though the run was made against another org.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    pub run: String,
    /// Undo even a run of another org, a run undone already, and items changed since.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `ddusers journal` and `journal show RUN` (reads the file only).
pub fn journal(global: &GlobalArgs, args: JournalArgs) -> CliResult {
    let path = journal_path(global.journal.as_deref());
    match args.action {
        None => list_runs(&path, args.format),
        Some(JournalCommand::Show { run, format }) => show_run(&path, &run, format),
    }
}

/// Every run with its tally, and on stderr how many damaged lines (torn by a kill or a full
/// disk) were skipped.
fn list_runs(journal: &Path, format: Format) -> CliResult {
    let journal::JournalRead { runs, skipped } = journal::read_journal(journal)?;
    if skipped > 0 {
        eprintln!("note: {}", skipped_note(skipped, journal));
    }
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

/// "2 damaged lines of the journal … were skipped".
fn skipped_note(skipped: usize, journal: &Path) -> String {
    let lines = format!(
        "{} of the journal",
        crate::words::count(skipped, "damaged line")
    );
    let verb = if skipped == 1 { "was" } else { "were" };
    format!(
        "{lines} {} {verb} skipped (torn by a kill or a full disk, or not a journal record); the runs on other lines are intact",
        output::sanitize(&journal.display().to_string())
    )
}

fn run_summary(run: &RunState) -> serde_json::Value {
    let tally = run.tally();
    serde_json::json!({
        "run": run.run,
        "started_at": crate::api::models::timestamp::format(&run.at),
        "title": run.title,
        "origin": run.origin,
        "org": run.org,
        "by": run.by,
        "of": run.of,
        "items": run.changes.len(),
        "done": tally.done,
        "skipped": tally.skipped,
        "partial": tally.partial,
        "failed": tally.failed,
        "unfinished": tally.unfinished,
    })
}

/// Each item of one run and its outcome.
fn show_run(journal: &Path, id: &str, format: Format) -> CliResult {
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
                "before": run.before[i],
                "outcome": run.outcomes[i],
            })
        })
        .collect();
    emit(format, &items, || {
        let mut table = Table::new(vec!["#", "CHANGE", "TARGET", "RESULT", "DETAIL"]);
        for (i, change) in run.changes.iter().enumerate() {
            let (result, detail) = match &run.outcomes[i] {
                Some(ItemResult::Partial { detail, next, .. }) => {
                    ("partly done", format!("{detail}; {next}"))
                }
                Some(outcome) => (outcome.label(), outcome.detail().to_owned()),
                None if run.started[i] => (
                    "unknown",
                    "interrupted after sending: resume reads it back".into(),
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

/// `ddusers resume RUN`: a complete run is said to be so; otherwise what is left is checked
/// and carried out as a new run.
pub async fn resume(changer: &Changer<'_>, args: ResumeArgs) -> CliResult {
    let ask = Ask {
        force: args.force,
        ..Ask::new(&args.change, args.format)
    };
    let run = find_run(changer.journal, &args.run)?;
    if run.left() == 0 {
        println!("run {} is complete: {}", run.run, run.tally());
        return Ok(());
    }
    eprintln!("resuming run {} — {}", run.run, run.tally());
    changer
        .submit(Draft::Resume { run: Box::new(run) }, &ask)
        .await
        .map(|_| ())
}

/// `ddusers undo RUN`: the inverse of what the run changed, as a new run.
pub async fn undo(changer: &Changer<'_>, args: UndoArgs) -> CliResult {
    let ask = Ask {
        force: args.force,
        ..Ask::new(&args.change, args.format)
    };
    let run = find_run(changer.journal, &args.run)?;
    if crate::runs::plan::undo_changes(&run).is_empty() {
        return Err(usage(format!(
            "nothing in run {} can be undone (nothing was changed, or its changes — invitations, anonymization — have no inverse)",
            run.run
        )));
    }
    let all = read_runs(changer.journal)?;
    changer
        .submit(Draft::undo(run, &all), &ask)
        .await
        .map(|_| ())
}
