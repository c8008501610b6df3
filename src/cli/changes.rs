//! Every command that changes the org goes through here, and from here through the one
//! change gate (`runs`): the draft is checked against the org as read now, its
//! consequences are printed, the person confirms as the blast radius requires (`--yes`
//! skips the question, never the guard rails), and the journaled runner carries it out,
//! printing one line per item. The options every change command takes are defined here too.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use futures::StreamExt;

use super::common::user_ids;
use super::connect::Connection;
use super::exit::{usage, CliResult, PartialFailure};
use super::interrupts::Interrupts;
use super::output::{self, emit, Table};
use super::Format;
use crate::api::models::UserId;
use crate::domain::Confirmation;
use crate::runs::describe::Level;
use crate::runs::journal;
use crate::runs::{
    check, gather, Change, Draft, FactsOptions, GateOptions, ItemResult, Journal, Refusal, RunId,
    Runner, Started, Summary,
};
use crate::runtime::Interrupted;
use crate::words::count;

/// Users worked on at once by a run from the command line.
const CONCURRENCY: usize = 4;
/// Key owners listed by name in a summary.
const KEY_OWNERS_SHOWN: usize = 5;

/// The gate refused the plan; nothing was sent (exit code 3 for a missing permission, 2
/// otherwise).
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(Refusal::line).collect::<Vec<_>>().join("; "))]
pub struct Refused(pub Vec<Refusal>);

/// `--dry-run` of a plan the gate would refuse (the refusals were printed with the plan).
#[derive(Debug, thiserror::Error)]
#[error("the plan would be refused ({}, printed with it); nothing was sent", count(.0.len(), "refusal"))]
pub struct WouldBeRefused(pub Vec<Refusal>);

/// A run stopped by its circuit breaker: the rest is unfinished (exit code 3).
#[derive(Debug, thiserror::Error)]
#[error("{reason}; {} left unfinished — `ddusers resume {run}` finishes them with working keys", count(*.left, "item"))]
pub struct Stopped {
    pub reason: String,
    pub left: usize,
    pub run: RunId,
}

/// How a change is checked and confirmed: every command that changes the org takes these.
#[derive(Debug, Args, Clone, Default)]
pub struct ChangeArgs {
    /// Show the plan and what it will break (users, admins, service accounts, application
    /// keys revoked); change nothing. With --format json, as JSON.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask (needed when stdin is not a terminal). Never skips the guard rails.
    #[arg(long)]
    pub yes: bool,
    /// Allow changes that would lock you out (disabling yourself, removing your own admin
    /// role); they run last.
    #[arg(long)]
    pub allow_self: bool,
}

/// Users to change, and how.
#[derive(Debug, Args)]
pub struct ChangeTargets {
    #[arg(required = true, value_name = "USER_ID")]
    pub ids: Vec<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
    /// How --dry-run prints the plan.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

impl ChangeTargets {
    /// One change per user id given; refused (before anything is read) when an id is not one.
    pub fn changes(&self, make: impl Fn(UserId) -> Change) -> CliResult<Vec<Change>> {
        Ok(user_ids(&self.ids)?.into_iter().map(make).collect())
    }
}

/// The journal file for this invocation.
pub fn journal_path(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .unwrap_or_else(|| journal::default_path(&|name| std::env::var(name).ok()))
}

/// Where changes go, and how.
pub struct Changer<'a> {
    pub conn: &'a Connection,
    pub journal: &'a Path,
    /// `--read-only`: the gate refuses every change.
    pub read_only: bool,
    /// Stop signals heard during the command.
    pub interrupts: &'a Interrupts,
}

/// How one change command was asked.
#[derive(Clone, Debug, Default)]
pub struct Ask {
    pub args: ChangeArgs,
    /// How `--dry-run` prints.
    pub format: Format,
    /// `--force` (resume and undo).
    pub force: bool,
    /// Standard output already carries the command's own JSON or CSV (`reconcile
    /// --format json --disable-leavers`): a dry run describes the plan on stderr only, so
    /// what a script reads stays one document.
    pub stdout_taken: bool,
}

impl Ask {
    /// From a command's change options and format.
    pub fn new(args: &ChangeArgs, format: Format) -> Ask {
        Ask {
            args: args.clone(),
            format,
            force: false,
            stdout_taken: false,
        }
    }
}

impl Changer<'_> {
    fn runner(&self) -> CliResult<Runner> {
        let journal = Journal::open(self.journal)?;
        Ok(Runner::new(
            self.conn.client.clone(),
            Some(Arc::new(journal)),
            self.conn.address.clone(),
            CONCURRENCY,
        ))
    }

    /// Checks `draft`, shows what it does, asks, and carries it out. `Ok(None)` for a dry
    /// run or a plan with nothing in it.
    pub async fn submit(&self, draft: Draft, ask: &Ask) -> CliResult<Option<RunId>> {
        match self.submit_run(draft, ask).await? {
            Some((run, ended)) => ended.map(|()| Some(run)),
            None => Ok(None),
        }
    }

    /// Like [`Changer::submit`], but a run that started is returned with how it ended (a
    /// failed item, a stop), so the caller can record the run whatever came of it.
    pub async fn submit_run(
        &self,
        draft: Draft,
        ask: &Ask,
    ) -> CliResult<Option<(RunId, CliResult)>> {
        let options = FactsOptions {
            read_only: self.read_only,
            origin: self.conn.address.clone(),
        };
        let facts = gather(&self.conn.client, &draft, &options).await?;
        let gate = GateOptions {
            allow_self: ask.args.allow_self,
            force: ask.force,
        };
        let verdict = check(&draft, &facts, gate);
        let summary = verdict.summary.clone();
        if ask.args.dry_run {
            if ask.stdout_taken {
                describe(&summary);
            } else {
                print_plan(&summary, ask.format)?;
            }
            return match verdict.into_plan() {
                Ok(_) => Ok(None),
                Err(refusals) => Err(WouldBeRefused(refusals).into()),
            };
        }
        // Refused: the refusals are the error, one line.
        let plan = verdict.into_plan().map_err(Refused)?;
        if plan.items().is_empty() {
            eprintln!("nothing to do");
            return Ok(None);
        }
        confirm(&summary, ask.args.yes)?;
        let started = self.runner()?.start(plan)?;
        eprintln!(
            "run {} — {} ({}); `ddusers journal show {}` lists it",
            started.run,
            output::sanitize(&started.title),
            crate::runs::describe::count(started.total, "change"),
            started.run
        );
        let run = started.run.clone();
        let ended = report(started, self.interrupts).await;
        Ok(Some((run, ended)))
    }
}

/// Submits a new run of `changes` through the gate; true when it ran (not a dry run, not
/// refused, not empty).
pub async fn submit(
    changer: &Changer<'_>,
    title: &str,
    changes: Vec<Change>,
    args: &ChangeArgs,
    format: Format,
) -> CliResult<bool> {
    let ran = changer
        .submit(Draft::new(title, changes), &Ask::new(args, format))
        .await?;
    Ok(ran.is_some())
}

/// One change per target user, submitted as one run titled "`what` N users".
pub async fn submit_each(
    changer: &Changer<'_>,
    what: &str,
    targets: &ChangeTargets,
    make: impl Fn(UserId) -> Change,
) -> CliResult {
    let changes = targets.changes(make)?;
    let title = format!("{what} {}", count(changes.len(), "user"));
    submit(changer, &title, changes, &targets.change, targets.format).await?;
    Ok(())
}

/// The summary's lines on stderr, before the question.
fn describe(summary: &Summary) {
    eprintln!("{}", output::sanitize(&summary.title));
    for line in summary.lines(KEY_OWNERS_SHOWN) {
        let mark = match line.level {
            Level::Info => "  ",
            Level::Warn => "! ",
            Level::Refused => "✗ ",
        };
        eprintln!("{mark}{}", output::sanitize(&line.text));
    }
}

/// `--dry-run`: the plan as JSON, or the summary and one row per item.
fn print_plan(summary: &Summary, format: Format) -> CliResult {
    if format == Format::Table {
        describe(summary);
    }
    emit(format, summary, || {
        let mut table = Table::new(vec!["CHANGE", "TARGET", "USER", "EXPECTED"]);
        for item in &summary.items {
            table.rows.push(vec![
                item.op.to_owned(),
                item.target.clone(),
                item.user.as_ref().map(|u| u.label()).unwrap_or_default(),
                item.expected.clone(),
            ]);
        }
        table
    })
}

/// Shows the plan's consequences and asks as its confirmation says; refuses when nobody
/// can answer. `--yes` skips the question (the consequences are still printed, as a log).
fn confirm(summary: &Summary, yes: bool) -> CliResult {
    let confirmation = &summary.confirmation;
    let worth_saying = *confirmation != Confirmation::Enter || summary.changes > 1;
    if yes || *confirmation == Confirmation::Enter {
        if worth_saying {
            describe(summary);
        }
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(usage(
            "refusing to change the org without --yes: stdin is not a terminal",
        ));
    }
    describe(summary);
    let verb = summary.items.first().map(|i| i.op).unwrap_or("go ahead");
    match confirmation {
        Confirmation::Type(word) => eprint!("Type {word} to {verb} (anything else cancels): "),
        _ => eprint!("{}? [y/N] ", output::sanitize(&summary.title)),
    }
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let answer = answer.trim();
    let yes_words = matches!(answer.to_ascii_lowercase().as_str(), "y" | "yes");
    let accepted = match confirmation {
        Confirmation::Type(_) => confirmation.accepts(answer),
        _ => yes_words,
    };
    if accepted {
        Ok(())
    } else {
        Err(usage("cancelled: nothing was changed"))
    }
}

/// Prints results as they come; fails (exit 1) when an item failed or was partly done, and
/// says how to finish a run its breaker or a stop signal stopped (exit 3, or the signal's
/// code).
async fn report(started: Started, interrupts: &Interrupts) -> CliResult {
    let Started {
        run,
        total,
        breaker,
        mut reports,
        ..
    } = started;
    let watching = interrupts.watch(&run, &breaker);
    let mut tally = crate::runs::Tally::default();
    while let Some(item) = reports.next().await {
        tally.count(Some(&item.result));
        let target = output::sanitize(item.change.target());
        let detail = output::sanitize(item.result.detail());
        match &item.result {
            ItemResult::Failed { .. } => println!("{target}  failed: {detail}"),
            ItemResult::Partial { next, .. } => {
                println!(
                    "{target}  partly done: {detail}; {}",
                    output::sanitize(next)
                )
            }
            ItemResult::Unfinished { .. } => {}
            _ => println!("{target}  {detail}"),
        }
    }
    drop(watching);
    eprintln!("run {run}: {tally}");
    if let Some(signal) = interrupts.heard().filter(|_| tally.unfinished > 0) {
        return Err(Interrupted {
            signal,
            run: Some(run),
            left: tally.unfinished,
        }
        .into());
    }
    if let Some(reason) = breaker.tripped().filter(|_| tally.unfinished > 0) {
        return Err(Stopped {
            reason,
            left: tally.unfinished,
            run,
        }
        .into());
    }
    PartialFailure::check(tally.failed + tally.partial, total)
}
