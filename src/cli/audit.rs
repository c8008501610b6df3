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
use time::OffsetDateTime;

use crate::audit::export::{self, Source};
use crate::audit::{self, AuditError, AuditView, ViewKind};
use crate::org::snapshot::Snapshot;
use crate::org::Org;

/// The audit subcommands (flattened into the top-level command list).
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Audit views: who can do what, admins, risk lists (reads only).
    ///
    /// VIEW is one of: all, who-can PERMISSION, admins, no-mfa, inactive [--days N],
    /// pending, disabled-with-roles, service-accounts, no-role, role NAME, login-overrides,
    /// outside-domains --allowed-domains A,B; or `user USER` (a user's
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
    /// outside-domains: the org's own email domains, comma-separated (subdomains count
    /// as inside).
    #[arg(long, value_name = "DOMAINS")]
    pub allowed_domains: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Audit this snapshot file instead of the live org: the view as of when the snapshot
    /// was taken (ages counted from then). `--as-of` is the same.
    #[arg(long, visible_alias = "as-of", value_name = "SNAPSHOT", value_parser = super::common::path_arg)]
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
    /// The org's own email domains, for --view outside-domains (comma-separated).
    #[arg(long, value_name = "DOMAINS")]
    pub allowed_domains: Option<String>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Write here instead of stdout.
    #[arg(long, short, value_name = "FILE", value_parser = super::common::path_arg)]
    pub output: Option<PathBuf>,
    /// Export from this snapshot file instead of the live org (`--as-of` is the same).
    #[arg(long, visible_alias = "as-of", value_name = "SNAPSHOT", value_parser = super::common::path_arg)]
    pub from: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The snapshot file to write (JSON).
    #[arg(long, short, value_name = "FILE", value_parser = super::common::path_arg)]
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
    #[arg(value_parser = super::common::path_arg)]
    pub old: PathBuf,
    /// The later snapshot.
    #[arg(value_parser = super::common::path_arg)]
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The snapshot file to browse.
    #[arg(value_parser = super::common::path_arg)]
    pub snapshot: PathBuf,
    /// An earlier snapshot: the console lists the users added, removed and changed since
    /// it, with what changed (`:diff added|removed|changed|all|off` in the console).
    #[arg(long, value_name = "OLD")]
    pub diff: Option<PathBuf>,
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
            Snapshot::of(&org).write(&args.output)?;
            eprintln!(
                "snapshot of {} and {} written to {}",
                crate::words::count(org.users().len(), "user"),
                crate::words::count(org.roles().iter().filter(|r| r.seen).count(), "role"),
                args.output.display()
            );
            Ok(())
        }
        AuditCommand::Diff(args) => {
            let old = Org::read_snapshot(&args.old)?;
            let new = Org::read_snapshot(&args.new)?;
            let diff = audit::diff(&old, &new);
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match args.format {
                DiffFormat::Text => out.write_all(sanitize_lines(&diff.to_text()).as_bytes())?,
                DiffFormat::Json => output::write_json(&diff, &mut out)?,
            }
            Ok(())
        }
        AuditCommand::Open(args) => {
            super::offline::open_snapshot(&args.snapshot, args.diff.as_deref()).await
        }
    }
}

/// The org from a snapshot file, or read live (reads only).
pub(super) async fn org_from(global: &GlobalArgs, from: Option<&Path>) -> CliResult<Org> {
    match from {
        Some(path) => Ok(Org::read_snapshot(path)?),
        None => live_org(global).await,
    }
}

pub(super) async fn live_org(global: &GlobalArgs) -> CliResult<Org> {
    let env = |name: &str| std::env::var(name).ok();
    let connection = connect(global, &env, false).await?;
    let result = crate::org::load::load_org(&connection.client, &connection.origin).await;
    connection.close().await;
    Ok(result.map_err(AuditError::from)?)
}

/// When the org was read: ages are counted back from then.
fn as_of(org: &Org) -> OffsetDateTime {
    org.as_of(OffsetDateTime::now_utc())
}

/// Where and when the org was read, for JSON exports.
fn source(org: &Org) -> Source<'_> {
    Source::of(org, "", OffsetDateTime::now_utc())
}

/// Neutralises control characters line by line (names come from the org).
fn sanitize_lines(text: &str) -> String {
    text.lines().map(|l| output::sanitize(l) + "\n").collect()
}

fn usage(message: impl Into<String>) -> CliError {
    UsageError(message.into()).into()
}

/// Turns the errors a person caused (a bad view, an unknown permission) into usage errors.
pub(super) fn audit_usage(error: AuditError) -> CliError {
    match error {
        AuditError::UnknownPermission(_)
        | AuditError::UnknownRole { .. }
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
    let view = args.view.clone();
    match view.as_str() {
        "user" => print_user(org, args, &mut out),
        "permissions" | "catalogue" | "catalog" => print_catalogue(org, args.format, &mut out),
        name => print_view(org, name, args, &mut out),
    }
}

/// JSON of `value`, or `table` as CSV, or as an aligned table under `title`.
fn emit_titled<T: serde::Serialize + ?Sized>(
    format: Format,
    title: &str,
    value: &T,
    table: Table,
    out: &mut dyn Write,
) -> CliResult {
    match format {
        Format::Json => output::write_json(value, out)?,
        Format::Csv => table.write_csv(out)?,
        Format::Table => {
            writeln!(out, "{}", output::sanitize(title))?;
            table.write_aligned(out)?;
        }
    }
    Ok(())
}

/// `audit user USER`: the user's effective permissions and the roles granting each.
fn print_user(org: &Org, args: AuditArgs, out: &mut dyn Write) -> CliResult {
    let wanted = args
        .user
        .or(args.target)
        .ok_or_else(|| usage("`audit user` needs a user id or email"))?;
    let user = org
        .find_user(&wanted)
        .ok_or_else(|| audit_usage(AuditError::UnknownUser(wanted.trim().to_owned())))?;
    let permissions = org.effective_permissions(user);
    let mut table = Table::new(vec!["PERMISSION", "GROUP", "GRANTED BY"]);
    for p in &permissions {
        table.rows.push(vec![
            p.name.clone(),
            p.group.clone().unwrap_or_default(),
            p.granted_by.join("; "),
        ]);
    }
    let who = if user.email.is_empty() {
        user.id.as_str()
    } else {
        &user.email
    };
    let title = format!("Effective permissions of {who} ({})", permissions.len());
    emit_titled(args.format, &title, &permissions, table, out)
}

/// `audit permissions`: the catalogue by group, with how many users hold each.
fn print_catalogue(org: &Org, format: Format, out: &mut dyn Write) -> CliResult {
    let rows = catalogue_rows(org);
    let mut table = Table::new(vec!["GROUP", "PERMISSION", "TYPE", "HOLDERS"]);
    for row in &rows {
        table.rows.push(vec![
            row.group.clone(),
            row.name.clone(),
            row.display_type.clone(),
            row.holders.to_string(),
        ]);
    }
    let title = format!("Permissions ({})", rows.len());
    emit_titled(format, &title, &rows, table, out)
}

/// `audit VIEW`: the view's users, as a table, CSV or the JSON export.
fn print_view(org: &Org, name: &str, args: AuditArgs, out: &mut dyn Write) -> CliResult {
    let argument = args.permission.or(args.allowed_domains).or(args.target);
    let kind = view_kind(name, argument.as_deref(), args.days)?;
    let view = audit::view(org, &kind, as_of(org)).map_err(audit_usage)?;
    let rows: Vec<_> = view.rows.iter().collect();
    match args.format {
        Format::Json => export::write_json(org, &view, &rows, source(org), out)?,
        Format::Csv => export::write_csv(org, &view, &rows, out)?,
        Format::Table => {
            writeln!(out, "{}", output::sanitize(&view.title))?;
            view_table(org, &view).write_aligned(out)?;
        }
    }
    Ok(())
}

/// A view as the table people read: who, then the view's own columns.
fn view_table(org: &Org, view: &AuditView) -> Table {
    let mut headers = vec!["STATUS", "NAME", "EMAIL", "ROLES"];
    headers.extend(view.columns.iter().map(|c| header(c)));
    headers.push("ID");
    let mut table = Table::new(headers);
    for row in &view.rows {
        let Some(user) = org.get(row.user) else {
            continue;
        };
        let mut line = vec![
            user.status_text().to_owned(),
            user.name.to_string(),
            user.email.to_string(),
            org.sorted_role_names(user).join("; "),
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
        "password_login" => "PASSWORD LOGIN",
        "login_methods" => "LOGIN METHODS",
        "domain" => "DOMAIN",
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
    // Holders per permission, counted in one pass over the users.
    let mut holders = vec![0usize; org.perms().len()];
    for user in org.users() {
        for grant in org.grants(user) {
            if let Some(n) = holders.get_mut(grant.perm as usize) {
                *n += 1;
            }
        }
    }
    let mut rows: Vec<CatalogueRow> = org
        .perms()
        .iter()
        .zip(holders)
        .filter(|(p, _)| p.seen)
        .map(|(p, holders)| CatalogueRow {
            group: p.group.clone(),
            name: p.name.clone(),
            display_type: p.display_type.clone().unwrap_or_default(),
            holders,
        })
        .collect();
    rows.sort_by(|a, b| (&a.group, &a.name).cmp(&(&b.group, &b.name)));
    rows
}

fn run_export(org: &Org, args: ExportArgs) -> CliResult {
    let argument = args
        .permission
        .as_deref()
        .or(args.allowed_domains.as_deref());
    let kind = view_kind(&args.view, argument, args.days)?;
    let view = audit::view(org, &kind, as_of(org)).map_err(audit_usage)?;
    let rows: Vec<_> = view.rows.iter().collect();
    let format = match args.format {
        ExportFormat::Csv => export::FileFormat::Csv,
        ExportFormat::Json => export::FileFormat::Json,
    };
    match &args.output {
        None => {
            let mut out = std::io::stdout().lock();
            match format {
                export::FileFormat::Csv => export::write_csv(org, &view, &rows, &mut out)?,
                export::FileFormat::Json => {
                    export::write_json(org, &view, &rows, source(org), &mut out)?
                }
            }
        }
        Some(path) => {
            export::write_file(path, format, org, &view, &rows, source(org))?;
            eprintln!(
                "{}: {} written to {}",
                output::sanitize(&view.title),
                crate::words::count(rows.len(), "user"),
                path.display()
            );
        }
    }
    Ok(())
}
