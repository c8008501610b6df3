//! The command line (clap): with no subcommand, the console; otherwise one subcommand per
//! operation, for scripts. `run` carries the commands out; `output` prints tables, JSON
//! and CSV; `connect` decides where requests go.

pub mod audit;
pub mod changes;
pub mod common;
pub mod connect;
pub mod exit;
pub mod interrupts;
pub mod offline;
pub mod output;
pub mod run;
pub mod runs;
pub mod sandbox;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use changes::{ChangeArgs, ChangeTargets};
pub use run::run;

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
    #[arg(long, global = true, env = "DDUSERS_JOURNAL", value_name = "FILE")]
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

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, inspect and change users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Look up or cancel invitations.
    #[command(subcommand)]
    Invitations(InvitationsCommand),
    /// The user behind the keys: show, or update with `me update`.
    Me {
        #[command(subcommand)]
        action: Option<MeCommand>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Roles: list, members, permissions, membership changes.
    #[command(subcommand)]
    Roles(RolesCommand),
    /// The permission catalogue.
    Permissions {
        /// Also list permissions usable only as OAuth scopes.
        #[arg(long)]
        include_scopes: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
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

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users (one page, or every page with --all).
    List(ListArgs),
    /// Show one user.
    Get {
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A user's effective permissions (through their roles).
    Permissions {
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The organizations a user belongs to.
    Orgs {
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Create a user (status Pending; send an invitation with `users invite`).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        title: Option<String>,
        /// Role name or id; repeat for several.
        #[arg(long = "role", value_name = "NAME|ID")]
        roles: Vec<String>,
        #[command(flatten)]
        change: ChangeArgs,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Change a user's name, email or title.
    Update {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, conflicts_with = "clear_title")]
        title: Option<String>,
        /// Remove the title.
        #[arg(long)]
        clear_title: bool,
        #[command(flatten)]
        change: ChangeArgs,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Re-enable disabled users.
    Enable(ChangeTargets),
    /// Disable users: they can no longer log in and their application keys are revoked.
    Disable(ChangeTargets),
    /// Invite people by email: creates the missing users with the roles, then sends the
    /// invitations. Active users are reported, not re-invited.
    Invite {
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
        /// Role name or id for the new users; repeat for several.
        #[arg(long = "role", value_name = "NAME|ID")]
        roles: Vec<String>,
        #[command(flatten)]
        change: ChangeArgs,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Anonymize users: IRREVERSIBLE. Their name and email are erased for good.
    Anonymize {
        #[command(flatten)]
        targets: ChangeTargets,
        /// Required: confirms you know anonymization cannot be undone.
        #[arg(long)]
        irreversible: bool,
    },
    /// Identity-provider overrides of a user.
    #[command(subcommand)]
    IdentityProviders(IdentityProvidersCommand),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Text to match in name, email or handle.
    #[arg(long)]
    pub filter: Option<String>,
    /// Active, Pending, Disabled (comma list).
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// name, email, modified_at, created_at, status; prefix with - for descending.
    #[arg(long, allow_hyphen_values = true)]
    pub sort: Option<String>,
    /// Every page, fetched concurrently.
    #[arg(long)]
    pub all: bool,
    /// Page size (at most 100).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: u32,
    /// Pages fetched at once with --all.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Zero-based page number (without --all).
    #[arg(long, default_value_t = 0)]
    pub page: u64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum IdentityProvidersCommand {
    /// Show a user's overrides.
    Get { id: String },
    /// Replace a user's overrides (none given: clear them).
    Set {
        id: String,
        providers: Vec<String>,
        #[command(flatten)]
        change: ChangeArgs,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum InvitationsCommand {
    /// Show an invitation by its uuid.
    Get {
        uuid: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Cancel every pending invitation of a user.
    Cancel(ChangeTargets),
}

#[derive(Debug, Subcommand)]
pub enum MeCommand {
    /// Change your own name or title.
    Update {
        #[arg(long)]
        name: Option<String>,
        #[arg(long, conflicts_with = "clear_title")]
        title: Option<String>,
        #[arg(long)]
        clear_title: bool,
        #[command(flatten)]
        change: ChangeArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// List roles.
    List {
        #[arg(long)]
        filter: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show a role.
    Get {
        role: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A role's members.
    Users {
        role: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// A role's permissions.
    Permissions {
        role: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Add users to a role.
    AddUser {
        role: String,
        #[command(flatten)]
        targets: ChangeTargets,
    },
    /// Remove users from a role.
    RemoveUser {
        role: String,
        #[command(flatten)]
        targets: ChangeTargets,
    },
}
