//! `ddusers roles …`: list roles, a role's members and permissions, and membership changes
//! (`add-user`, `remove-user`) through the change pipeline. A role is named by its name or
//! its id.

use clap::Subcommand;

use super::changes::{submit, ChangeTargets, Changer};
use super::common::all_role_names;
use super::exit::{usage, CliError, CliResult};
use super::output::{self, emit};
use super::Format;
use crate::api::models::RoleId;
use crate::api::roles::resolve_roles;
use crate::api::{Client, ListRolesQuery};
use crate::runs::Change;
use crate::words::count;

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

/// Runs a `roles` command.
pub async fn run(changer: &Changer<'_>, command: RolesCommand) -> CliResult {
    let client = &changer.conn.client;
    match command {
        RolesCommand::List { filter, format } => list(client, filter, format).await,
        RolesCommand::Get { role, format } => {
            let role = client.get_role(&find_role(client, &role).await?).await?;
            emit(format, &role.data, || {
                output::roles_table(std::slice::from_ref(&role.data))
            })
        }
        RolesCommand::Users { role, format } => {
            let role = find_role(client, &role).await?;
            let users = client.list_all_role_users(&role).await?;
            let names = all_role_names(client).await?;
            emit(format, &users, || match format {
                Format::Csv => output::users_csv(&users, &names),
                _ => output::users_table(&users, &names),
            })
        }
        RolesCommand::Permissions { role, format } => {
            let permissions = client
                .list_role_permissions(&find_role(client, &role).await?)
                .await?;
            emit(format, &permissions.data, || {
                output::permissions_table(&permissions.data)
            })
        }
        RolesCommand::AddUser { role, targets } => membership(changer, &role, &targets, true).await,
        RolesCommand::RemoveUser { role, targets } => {
            membership(changer, &role, &targets, false).await
        }
    }
}

/// `roles list`: every role, or those matching `--filter` (one page of 100).
async fn list(client: &Client, filter: Option<String>, format: Format) -> CliResult {
    let roles = match filter {
        None => client.list_all_roles().await?,
        Some(filter) => {
            let query = ListRolesQuery {
                filter: Some(filter),
                page_size: Some(100),
                ..Default::default()
            };
            client.list_roles(&query).await?.data
        }
    };
    emit(format, &roles, || output::roles_table(&roles))
}

/// The role a name or id given on the command line means.
async fn find_role(client: &Client, wanted: &str) -> CliResult<RoleId> {
    let roles = client.list_all_roles().await?;
    let ids = resolve_roles(&roles, &[wanted.to_owned()]).map_err(usage)?;
    ids.into_iter()
        .next()
        .ok_or_else(|| CliError::NoSuchRole(wanted.to_owned()))
}

/// `roles add-user` and `roles remove-user`.
async fn membership(
    changer: &Changer<'_>,
    role: &str,
    targets: &ChangeTargets,
    adding: bool,
) -> CliResult {
    let role = find_role(&changer.conn.client, role).await?;
    let changes = targets.changes(|user| {
        let role = role.clone();
        if adding {
            Change::AddRole { user, role }
        } else {
            Change::RemoveRole { user, role }
        }
    })?;
    let users = count(changes.len(), "user");
    let role = output::sanitize(role.as_str());
    let title = if adding {
        format!("add {users} to role {role}")
    } else {
        format!("remove {users} from role {role}")
    };
    submit(changer, &title, changes, &targets.change, targets.format).await?;
    Ok(())
}
