//! The audit commands: `audit VIEW`, `export`, `snapshot`, `diff` (and `open`, the console
//! on a snapshot). All of them only read: they work with a read-only key and under
//! `--read-only`, and `audit`/`export` can read a snapshot file (`--from`) instead of the
//! live org.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};

use super::connect::connect;
use super::exit::{CliError, CliResult, UsageError};
use super::output::{self, Table};
use super::{Format, GlobalArgs};
use crate::audit::export;
use crate::audit::org::{status_of, write_file_atomically};
use crate::audit::{self, AuditError, AuditView, Org, ViewKind};

/// The audit subcommands (flattened into the top-level command list).
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Audit views: who can do what, admins, risk lists (reads only).
    ///
    /// VIEW is one of: all, who-can PERMISSION, admins, no-mfa, inactive [--days N],
    /// pending, disabled-with-roles, service-accounts, no-role; or `user USER` (a user's
    /// effective permissions and the roles granting them) and `permissions` (the catalogue
    /// by group, with how many users hold each).
    Audit(AuditArgs),
    /// Write a view (all users by default) as CSV or JSON (reads only).
    Export(ExportArgs),
    /// Write a complete, versioned audit snapshot of the org to a file (reads only).
    Snapshot(SnapshotArgs),
    /// What changed between two snapshot files.
    Diff(DiffArgs),
    /// Browse a snapshot file in the console, read-only (offline auditing).
    Open(OpenArgs),
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The view (see above).
    pub view: String,
    /// The permission for who-can, or the user (id or email) for `user`.
    pub target: Option<String>,
    /// The permission for who-can (name or id).
    #[arg(long)]
    pub permission: Option<String>,
    /// The user for `user` (id or email).
    #[arg(long)]
    pub user: Option<String>,
    /// inactive: days without a login (default 90).
    #[arg(long)]
    pub days: Option<u32>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Audit this snapshot file instead of the live org.
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ExportFormat {
    /// RFC 4180, one row per user, roles joined with "; ".
    #[default]
    Csv,
    /// Users with their roles and effective permissions.
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The view to export (see `ddusers audit --help`).
    #[arg(long, default_value = "all")]
    pub view: String,
    /// The permission, for --view who-can.
    #[arg(long)]
    pub permission: Option<String>,
    /// Days without a login, for --view inactive.
    #[arg(long)]
    pub days: Option<u32>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write here instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Export from this snapshot file instead of the live org.
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The snapshot file to write (JSON).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

/// Diff formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DiffFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier snapshot.
    pub old: PathBuf,
    /// The later snapshot.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The snapshot file to browse.
    pub snapshot: PathBuf,
}

/// Runs an audit command. None of them writes to the org.
pub async fn run(global: &GlobalArgs, command: AuditCommand) -> CliResult {
    match command {
        AuditCommand::Audit(args) => {
            let org = org_from(global, args.from.as_deref()).await?;
            print_audit(&org, args)
        }
        AuditCommand::Export(args) => {
            let org = org_from(global, args.from.as_deref()).await?;
            run_export(&org, args)
        }
        AuditCommand::Snapshot(args) => {
            let org = live_org(global).await?;
            org.snapshot().write(&args.output)?;
            eprintln!(
                "snapshot of {} users and {} roles written to {}",
                org.users().len(),
                org.roles().len(),
                args.output.display()
            );
            Ok(())
        }
        AuditCommand::Diff(args) => {
            let old = Org::read(&args.old)?;
            let new = Org::read(&args.new)?;
            let diff = audit::diff(&old, &new);
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match args.format {
                DiffFormat::Text => out.write_all(sanitize_lines(&diff.to_text()).as_bytes())?,
                DiffFormat::Json => output::write_json(&diff, &mut out)?,
            }
            Ok(())
        }
        AuditCommand::Open(args) => super::offline::open_snapshot(&args.snapshot).await,
    }
}

/// The org from a snapshot file, or read live (reads only).
async fn org_from(global: &GlobalArgs, from: Option<&Path>) -> CliResult<Org> {
    match from {
        Some(path) => Ok(Org::read(path)?),
        None => live_org(global).await,
    }
}

async fn live_org(global: &GlobalArgs) -> CliResult<Org> {
    let env = |name: &str| std::env::var(name).ok();
    let connection = connect(global, &env, false).await?;
    let result = audit::load::load_snapshot(&connection.client, &connection.origin).await;
    connection.close().await;
    Ok(Org::new(result.map_err(AuditError::from)?))
}

/// Neutralises control characters line by line (names come from the org).
fn sanitize_lines(text: &str) -> String {
    text.lines().map(|l| output::sanitize(l) + "\n").collect()
}

fn usage(message: impl Into<String>) -> CliError {
    UsageError(message.into()).into()
}

/// Turns the errors a person caused (a bad view, an unknown permission) into usage errors.
fn audit_usage(error: AuditError) -> CliError {
    match error {
        AuditError::UnknownPermission(_)
        | AuditError::UnknownUser(_)
        | AuditError::MissingArgument(_) => usage(error.to_string()),
        other => other.into(),
    }
}

fn view_kind(name: &str, permission: Option<&str>, days: Option<u32>) -> CliResult<ViewKind> {
    ViewKind::parse(name, permission, days).map_err(usage)
}

fn print_audit(org: &Org, args: AuditArgs) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.view.as_str() {
        "user" => {
            let wanted = args
                .user
                .or(args.target)
                .ok_or_else(|| usage("`audit user` needs a user id or email"))?;
            let user = org.find_user(&wanted).map_err(audit_usage)?;
            let permissions = org.effective_permissions(user);
            match args.format {
                Format::Json => output::write_json(&permissions, &mut out)?,
                format => {
                    let mut table = Table::new(vec!["PERMISSION", "GROUP", "GRANTED BY"]);
                    for p in &permissions {
                        table.rows.push(vec![
                            p.name.clone(),
                            p.group.clone().unwrap_or_default(),
                            p.granted_by.join("; "),
                        ]);
                    }
                    if format == Format::Table {
                        let who = user.attributes.email.as_deref().unwrap_or(user.id.as_str());
                        writeln!(
                            out,
                            "{} ({})",
                            output::sanitize(&format!("Effective permissions of {who}")),
                            permissions.len()
                        )?;
                        table.write_aligned(&mut out)?;
                    } else {
                        table.write_csv(&mut out)?;
                    }
                }
            }
            Ok(())
        }
        "permissions" | "catalogue" | "catalog" => {
            let rows = catalogue_rows(org);
            match args.format {
                Format::Json => output::write_json(&rows, &mut out)?,
                format => {
                    let mut table = Table::new(vec!["GROUP", "PERMISSION", "TYPE", "HOLDERS"]);
                    for row in &rows {
                        table.rows.push(vec![
                            row.group.clone(),
                            row.name.clone(),
                            row.display_type.clone(),
                            row.holders.to_string(),
                        ]);
                    }
                    if format == Format::Table {
                        writeln!(out, "Permissions ({})", rows.len())?;
                        table.write_aligned(&mut out)?;
                    } else {
                        table.write_csv(&mut out)?;
                    }
                }
            }
            Ok(())
        }
        name => {
            let permission = args.permission.or(args.target);
            let kind = view_kind(name, permission.as_deref(), args.days)?;
            let view = audit::view(org, &kind).map_err(audit_usage)?;
            let rows: Vec<_> = view.rows.iter().collect();
            match args.format {
                Format::Json => export::write_json(org, &view, &rows, &mut out)?,
                Format::Csv => export::write_csv(org, &view, &rows, &mut out)?,
                Format::Table => {
                    writeln!(out, "{}", output::sanitize(&view.title))?;
                    view_table(org, &view).write_aligned(&mut out)?;
                }
            }
            Ok(())
        }
    }
}

/// A view as the table people read: who, then the view's own columns.
fn view_table(org: &Org, view: &AuditView) -> Table {
    let mut headers = vec!["STATUS", "NAME", "EMAIL", "ROLES"];
    headers.extend(view.columns.iter().map(|c| header(c)));
    headers.push("ID");
    let mut table = Table::new(headers);
    for row in &view.rows {
        let user = &org.users()[row.user];
        let a = &user.attributes;
        let mut line = vec![
            status_of(user).to_string(),
            a.name.clone().unwrap_or_default(),
            a.email.clone().unwrap_or_default(),
            org.user_role_names(user).join("; "),
        ];
        line.extend(row.cells.iter().cloned());
        line.push(user.id.to_string());
        table.rows.push(line);
    }
    table
}

fn header(column: &str) -> &'static str {
    match column {
        "granted_by" => "GRANTED BY",
        "admin_because" => "ADMIN BECAUSE",
        "mfa" => "MFA",
        "last_login" => "LAST LOGIN",
        "days_since_login" => "DAYS",
        "invited_at" => "INVITED (APPROX.)",
        "age_days" => "AGE (DAYS)",
        "expires_at" => "EXPIRES",
        "expired" => "EXPIRED",
        "roles_held" => "ROLES HELD",
        _ => "",
    }
}

/// One permission of the catalogue with how many users hold it.
#[derive(Debug, serde::Serialize)]
struct CatalogueRow {
    group: String,
    name: String,
    display_type: String,
    holders: usize,
}

fn catalogue_rows(org: &Org) -> Vec<CatalogueRow> {
    let mut rows: Vec<CatalogueRow> = org
        .permissions()
        .iter()
        .map(|p| CatalogueRow {
            group: p.attributes.group_name.clone().unwrap_or_default(),
            name: p.name().to_owned(),
            display_type: p.attributes.display_type.clone().unwrap_or_default(),
            holders: org
                .users()
                .iter()
                .filter(|u| !org.granting_roles(u, &p.id).is_empty())
                .count(),
        })
        .collect();
    rows.sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
    rows
}

fn run_export(org: &Org, args: ExportArgs) -> CliResult {
    let kind = view_kind(&args.view, args.permission.as_deref(), args.days)?;
    let view = audit::view(org, &kind).map_err(audit_usage)?;
    let rows: Vec<_> = view.rows.iter().collect();
    let mut bytes = Vec::new();
    match args.format {
        ExportFormat::Csv => export::write_csv(org, &view, &rows, &mut bytes)?,
        ExportFormat::Json => export::write_json(org, &view, &rows, &mut bytes)?,
    }
    match &args.output {
        None => std::io::stdout().lock().write_all(&bytes)?,
        Some(path) => {
            write_file_atomically(path, &bytes)?;
            eprintln!(
                "{}: {} users written to {}",
                output::sanitize(&view.title),
                rows.len(),
                path.display()
            );
        }
    }
    Ok(())
}
