//! The command line (clap): with no subcommand, the console; otherwise one subcommand per
//! operation, for scripts. Each resource's module owns its subcommands and carries them
//! out (`users`, `roles`, `permissions`, `invitations`, `me`, `runs`: journal, resume and
//! undo, `sandbox`, `audit`, `reconcile`, `history`, `review`); every change goes through `changes`. `connect` decides where
//! requests go, `output` prints tables, JSON and CSV, `exit` maps failures to exit codes.

pub mod audit;
pub mod changes;
pub mod common;
pub mod connect;
pub mod exit;
pub mod history;
pub mod interrupts;
pub mod invitations;
pub mod me;
pub mod offline;
pub mod output;
pub mod permissions;
pub mod reconcile;
pub mod review;
pub mod roles;
pub mod runs;
pub mod sandbox;
pub mod users;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};

use changes::{journal_path, Changer};
use connect::connect;
use exit::{CliError, CliResult};
use interrupts::{stop_on_signals, Interrupts};

/// A terminal console for the users of a Datadog organization.
///
/// With no keys in the environment the console opens on a built-in demo org (the sandbox).
/// Set DD_API_KEY and DD_APP_KEY (and DD_SITE) to manage a real org.
#[derive(Debug, Parser)]
#[command(name = "ddusers", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command takes.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Send requests to this base URL instead of https://api.{DD_SITE} (a proxy, or a
    /// sandbox started with `ddusers sandbox`). Plain http:// only for loopback.
    #[arg(long, global = true, env = "DDUSERS_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Run against a built-in sandbox started in this process (demo org, demo keys).
    #[arg(long, global = true)]
    pub sandbox: bool,
    /// Refuse every change: only reads are sent.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Allow plain http:// to a non-loopback base URL.
    #[arg(long, global = true)]
    pub insecure: bool,
    /// The journal of changes (default: the platform data folder, e.g.
    /// ~/.local/share/ddusers/journal.jsonl).
    #[arg(long, global = true, env = "DDUSERS_JOURNAL", value_name = "FILE", value_parser = common::path_arg)]
    pub journal: Option<PathBuf>,
    /// Write CSV cells exactly as the data has them (for machine consumers). By default a
    /// cell that would start a spreadsheet formula gets a leading `'` and control characters
    /// are replaced.
    #[arg(long, global = true)]
    pub raw_csv: bool,
    /// Seconds one HTTP exchange may take before it counts as failed.
    #[arg(long, global = true, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// The subcommands; each resource's module defines its own options and carries them out.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, inspect and change users.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Look up or cancel invitations.
    #[command(subcommand)]
    Invitations(invitations::InvitationsCommand),
    /// The user behind the keys: show, or update with `me update`.
    Me(me::MeArgs),
    /// Roles: list, members, permissions, membership changes.
    #[command(subcommand)]
    Roles(roles::RolesCommand),
    /// The permission catalogue.
    Permissions(permissions::PermissionsArgs),
    /// The journal of changes: every run and its outcome (`journal show RUN` for its items).
    Journal(runs::JournalArgs),
    /// Finish an interrupted run: done items are not sent again, the others are checked
    /// against the users' current state first.
    Resume(runs::ResumeArgs),
    /// Undo a run: re-enable what it disabled, disable what it enabled, restore roles and
    /// profile fields. Invitations and anonymizations cannot be undone.
    Undo(runs::UndoArgs),
    /// Run the built-in Datadog-compatible server on 127.0.0.1 until Ctrl-C.
    Sandbox(sandbox::SandboxArgs),
    #[command(flatten)]
    Audit(audit::AuditCommand),
    /// Who changed a user's roles, status and email, and when (Audit Trail, else the
    /// local journal).
    History(history::HistoryArgs),
    /// Match the org's accounts with a people list (CSV from HR or the identity provider):
    /// active leavers, orphans and service accounts (reads only unless --disable-leavers).
    Reconcile(reconcile::ReconcileArgs),
    /// Access-review campaigns: freeze a population, decide, sign, apply the decisions
    /// through the change gate, write the evidence pack.
    #[command(subcommand)]
    Review(review::ReviewCommand),
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// The API's data as-is, for jq.
    Json,
    /// RFC 4180 CSV with a header row.
    Csv,
}

/// Runs a parsed command line; [`exit::finish`] turns its result into the exit code and one
/// clear line.
pub async fn run(cli: Cli) -> CliResult {
    output::set_raw_csv(cli.global.raw_csv);
    let global = &cli.global;
    match cli.command {
        None => run_console(global).await,
        // These need no org, or connect their own way.
        Some(Command::Sandbox(args)) => sandbox::run(args).await,
        Some(Command::Journal(args)) => runs::journal(global, args),
        Some(Command::Audit(command)) => audit::run(global, command).await,
        Some(Command::Reconcile(args)) if !args.disable_leavers => {
            reconcile::report(global, args).await
        }
        Some(Command::Review(command)) if !command.needs_org() => {
            review::run(global, command).await
        }
        Some(Command::Review(command)) => {
            review::check_before_connecting(&command)?;
            run_on_org(global, Command::Review(command)).await
        }
        Some(command) => run_on_org(global, command).await,
    }
}

fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The full-screen console: on the keys' org, or on an in-process sandbox without keys.
async fn run_console(global: &GlobalArgs) -> CliResult {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(exit::usage(
            "the console needs a terminal; use a subcommand for scripts (see --help)",
        ));
    }
    // Open the journal before taking the terminal: a change that cannot be recorded is
    // never sent, so a console that cannot journal is refused with a clear message.
    let journal = crate::runs::Journal::open(&journal_path(global.journal.as_deref()))?;
    let connection = connect(global, &env_lookup, true).await?;
    let options = crate::console::ConsoleOptions {
        read_only: global.read_only,
        origin_label: connect::title_label(&connection.origin),
        monochrome: false,
        journal: Some(Arc::new(journal)),
        address: connection.address.clone(),
        compare_with: None,
        demo: connection.sandbox.is_some(),
        settings: crate::settings::default_path(&env_lookup),
        review: None,
    };
    let result = crate::console::run_console(connection.client.clone(), options).await;
    connection.close().await;
    result.map_err(CliError::from)
}

/// A command on the org: stop signals are listened for, the org connected, and changes
/// journaled; under `--read-only` the gate refuses every change.
async fn run_on_org(global: &GlobalArgs, command: Command) -> CliResult {
    let interrupts = Arc::new(Interrupts::default());
    stop_on_signals(interrupts.clone())?;
    let connection = connect(global, &env_lookup, false).await?;
    let journal = journal_path(global.journal.as_deref());
    let changer = Changer {
        conn: &connection,
        journal: &journal,
        read_only: global.read_only,
        interrupts: &interrupts,
    };
    let result = dispatch(&changer, command).await;
    connection.close().await;
    result
}

async fn dispatch(changer: &Changer<'_>, command: Command) -> CliResult {
    match command {
        Command::Users(command) => users::run(changer, command).await,
        Command::Invitations(command) => invitations::run(changer, command).await,
        Command::Me(args) => me::run(changer, args).await,
        Command::Roles(command) => roles::run(changer, command).await,
        Command::Permissions(args) => permissions::run(&changer.conn.client, args).await,
        Command::Resume(args) => runs::resume(changer, args).await,
        Command::Reconcile(args) => reconcile::disable_leavers(changer, args).await,
        Command::Undo(args) => runs::undo(changer, args).await,
        Command::History(args) => history::run(changer, args).await,
        Command::Review(command) => review::run_on_org(changer, command).await,
        Command::Sandbox(_) | Command::Journal(_) | Command::Audit(_) => {
            unreachable!("handled before connecting")
        }
    }
}
