//! `ddusers reconcile --people FILE.csv`: the org's accounts matched with a people list from
//! HR or the identity provider (see [`crate::audit::reconcile`] for what each finding
//! means). Reads only, live or from a snapshot (`--from`), unless `--disable-leavers`:
//! then the active leavers go to the change gate, a dry run unless `--yes`.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::changes::{Ask, ChangeArgs, Changer};
use super::exit::{usage, CliResult};
use super::output::{self, Table};
use super::{Format, GlobalArgs};
use crate::audit::reconcile::{reconcile, People, PeopleColumns, Reconciliation};
use crate::audit::AuditError;
use crate::org::Org;
use crate::runs::{Change, Draft};

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// The people list (CSV with a header row) from HR or the identity provider.
    #[arg(long, value_name = "FILE.csv", value_parser = super::common::path_arg)]
    pub people: PathBuf,
    /// The column holding each person's email (default: a column named email, any case).
    #[arg(long, value_name = "NAME")]
    pub email_column: Option<String>,
    /// A column saying whether the person has left (left, terminated, inactive, disabled,
    /// offboarded, …; anything else means present). Default: a column named status, if any;
    /// without one, everyone listed is present.
    #[arg(long, value_name = "NAME")]
    pub status_column: Option<String>,
    /// A column of further addresses of the same person, separated by `;` or `,`. Default:
    /// a column named aliases, if any.
    #[arg(long, value_name = "NAME")]
    pub aliases_column: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Reconcile this snapshot file instead of the live org (not with --disable-leavers).
    #[arg(long, value_name = "SNAPSHOT", value_parser = super::common::path_arg)]
    pub from: Option<PathBuf>,
    /// Disable the active leavers through the change gate: a dry run (the plan, as a table
    /// after the findings) unless --yes. Orphans and service accounts are never disabled.
    #[arg(long)]
    pub disable_leavers: bool,
    /// With --disable-leavers: carry it out without asking. Never skips the guard rails.
    #[arg(long, requires = "disable_leavers")]
    pub yes: bool,
    /// With --disable-leavers: allow disabling yourself.
    #[arg(long, requires = "disable_leavers")]
    pub allow_self: bool,
}

/// Reports the findings; reads only.
pub async fn report(global: &GlobalArgs, args: ReconcileArgs) -> CliResult {
    let people = read_people(&args)?;
    let org = super::audit::org_from(global, args.from.as_deref()).await?;
    print(&reconcile(&org, &people), &org, args.format)
}

/// Reports the findings, then hands the active leavers to the change gate.
pub async fn disable_leavers(changer: &Changer<'_>, args: ReconcileArgs) -> CliResult {
    if args.from.is_some() {
        return Err(usage(
            "--disable-leavers acts on the live org: drop --from (reconcile the snapshot without it)",
        ));
    }
    let people = read_people(&args)?;
    let conn = changer.conn;
    let org = crate::org::load::load_org(&conn.client, &conn.origin)
        .await
        .map_err(AuditError::from)?;
    let found = reconcile(&org, &people);
    print(&found, &org, args.format)?;
    let leavers = found.leavers();
    if leavers.is_empty() {
        eprintln!("no active leavers to disable");
        return Ok(());
    }
    let title = format!(
        "disable {} (leavers in {})",
        crate::words::count(leavers.len(), "user"),
        found.source
    );
    let changes = leavers
        .into_iter()
        .map(|user| Change::Disable { user })
        .collect();
    let change = ChangeArgs {
        dry_run: !args.yes,
        yes: args.yes,
        allow_self: args.allow_self,
    };
    // The plan is a table; with the findings as JSON or CSV on stdout, it goes to stderr.
    let ask = Ask {
        stdout_taken: args.format != Format::Table,
        ..Ask::new(&change, Format::Table)
    };
    changer.submit(Draft::new(&title, changes), &ask).await?;
    if !args.yes {
        eprintln!("dry run: nothing was changed; add --yes to disable them");
    }
    Ok(())
}

/// The people file, parsed; a missing or unusable file is a usage error (one line).
fn read_people(args: &ReconcileArgs) -> CliResult<People> {
    let path = &args.people;
    let bytes = std::fs::read(path).map_err(|e| {
        usage(format!(
            "could not read the people file {}: {e}",
            path.display()
        ))
    })?;
    let columns = PeopleColumns {
        email: args.email_column.clone(),
        status: args.status_column.clone(),
        aliases: args.aliases_column.clone(),
    };
    let people =
        People::parse(&bytes, &file_name(path), &columns).map_err(|e| usage(e.to_string()))?;
    for bad in &people.invalid {
        eprintln!(
            "{} row {}: {:?} skipped: {}",
            file_name(path),
            bad.row,
            output::sanitize(&bad.text),
            bad.problem
        );
    }
    Ok(people)
}

/// The file's name as reasons say it ("people.csv").
fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn print(found: &Reconciliation, org: &Org, format: Format) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => output::write_json(found, &mut out)?,
        Format::Csv => table(found, org).write_csv(&mut out)?,
        Format::Table => {
            writeln!(out, "{}", output::sanitize(&found.summary()))?;
            table(found, org).write_aligned(&mut out)?;
        }
    }
    Ok(())
}

fn table(found: &Reconciliation, org: &Org) -> Table {
    let mut table = Table::new(vec!["FINDING", "STATUS", "NAME", "EMAIL", "REASON", "ID"]);
    for finding in &found.findings {
        let Some(user) = org.get(finding.ix) else {
            continue;
        };
        table.rows.push(vec![
            finding.kind.label().to_owned(),
            user.status_text().to_owned(),
            user.name.to_string(),
            user.email.to_string(),
            finding.reason.clone(),
            user.id.to_string(),
        ]);
    }
    table
}
