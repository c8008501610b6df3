//! Carries out the scripting commands: connect, call the client, print.

use std::process::ExitCode;
use std::sync::Arc;

use color_eyre::eyre::eyre;
use futures::StreamExt;

use super::changes::{self, Changer};
use super::changes::{submit, submit_each, ChangeArgs};
use super::common::{all_role_names, plural, print_user, user_id, ProfileUpdate};
use super::connect::connect;
use super::exit::{self, usage, PartialFailure};
use super::interrupts::{stop_on_signals, Interrupts};
use super::output::{self, emit, included_role_names, Table};
use super::{
    ChangeTargets, Cli, Command, Format, GlobalArgs, IdentityProvidersCommand, InvitationsCommand,
    ListArgs, MeCommand, RolesCommand, UsersCommand,
};
use crate::api::models::*;
use crate::api::roles::resolve_roles;
use crate::api::{Client, ListRolesQuery, ListUsersQuery};
use crate::email::parse_email_list;
use crate::runs::Change;

/// Runs a parsed command line; prints one clear line on failure.
pub async fn run(cli: Cli) -> ExitCode {
    output::set_raw_csv(cli.global.raw_csv);
    let result = match cli.command {
        None => run_console(&cli.global).await,
        Some(Command::Sandbox(args)) => super::sandbox::run(args).await,
        Some(Command::Journal(args)) => super::runs::journal(&cli.global, args),
        Some(Command::Audit(command)) => super::audit::run(&cli.global, command).await,
        Some(command) => run_command(&cli.global, command).await,
    };
    exit::finish(result)
}

fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The full-screen console: on the keys' org, or on an in-process sandbox without keys.
async fn run_console(global: &GlobalArgs) -> color_eyre::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(usage(
            "the console needs a terminal; use a subcommand for scripts (see --help)",
        ));
    }
    // Open the journal before taking the terminal: a change that cannot be recorded is
    // never sent, so a console that cannot journal is refused with a clear message.
    let journal = crate::runs::Journal::open(&changes::journal_path(global.journal.as_deref()))?;
    let connection = connect(global, &env_lookup, true).await?;
    let options = crate::console::ConsoleOptions {
        read_only: global.read_only,
        origin_label: connection.origin.clone(),
        monochrome: false,
        journal: Some(std::sync::Arc::new(journal)),
        address: connection.address.clone(),
    };
    let result = crate::console::run_console(connection.client.clone(), options).await;
    connection.close().await;
    result
}

async fn run_command(global: &GlobalArgs, command: Command) -> color_eyre::Result<()> {
    let interrupts = Arc::new(Interrupts::default());
    stop_on_signals(interrupts.clone())?;
    let connection = connect(global, &env_lookup, false).await?;
    let journal = changes::journal_path(global.journal.as_deref());
    // Every change goes through the gate, which refuses them all under --read-only.
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

async fn dispatch(changer: &Changer<'_>, command: Command) -> color_eyre::Result<()> {
    let conn = changer.conn;
    let client = &conn.client;
    match command {
        Command::Users(users) => run_users(changer, users).await,
        Command::Invitations(InvitationsCommand::Get { uuid, format }) => {
            let invitation = client.get_invitation(&InvitationId(uuid)).await?;
            print_invitation(&invitation.data, format)
        }
        Command::Invitations(InvitationsCommand::Cancel(targets)) => {
            submit_each(changer, "cancel invitations of", &targets, |user| {
                Change::CancelInvitations { user }
            })
            .await
        }
        Command::Me {
            action: None,
            format,
        } => {
            let me = client.get_current_user().await?;
            print_user(client, &me, format).await
        }
        Command::Me {
            action:
                Some(MeCommand::Update {
                    name,
                    title,
                    clear_title,
                    change,
                }),
            format,
        } => {
            let me = client.get_current_user().await?;
            let update = ProfileUpdate {
                name,
                email: None,
                title,
                clear_title,
            }
            .change(&me.data.id, true)?;
            if submit(changer, "update my profile", vec![update], &change, format).await? {
                print_user(client, &client.get_current_user().await?, format).await?;
            }
            Ok(())
        }
        Command::Roles(roles) => run_roles(changer, roles).await,
        Command::Permissions {
            include_scopes,
            format,
        } => {
            let catalogue = client.list_permissions(include_scopes).await?;
            emit(format, &catalogue.data, || {
                output::permissions_table(&catalogue.data)
            })
        }
        Command::Resume(args) => super::runs::resume(changer, args).await,
        Command::Undo(args) => super::runs::undo(changer, args).await,
        Command::Sandbox(_) | Command::Journal(_) | Command::Audit(_) => {
            unreachable!("handled before connecting")
        }
    }
}

async fn run_users(changer: &Changer<'_>, command: UsersCommand) -> color_eyre::Result<()> {
    let client = &changer.conn.client;
    match command {
        UsersCommand::List(args) => list_users(client, args).await,
        UsersCommand::Get { id, format } => {
            let user = client.get_user(&user_id(&id)?).await?;
            print_user(client, &user, format).await
        }
        UsersCommand::Permissions { id, format } => {
            let permissions = client.list_user_permissions(&user_id(&id)?).await?;
            emit(format, &permissions.data, || {
                output::permissions_table(&permissions.data)
            })
        }
        UsersCommand::Orgs { id, format } => {
            let user = client.list_user_organizations(&user_id(&id)?).await?;
            let orgs: Vec<&Organization> = user
                .included
                .iter()
                .filter_map(|i| match i {
                    Included::Org(org) => Some(org),
                    _ => None,
                })
                .collect();
            emit(format, &orgs, || {
                let mut table = Table::new(vec!["ID", "NAME", "PUBLIC ID"]);
                for org in &orgs {
                    table.rows.push(vec![
                        org.id.to_string(),
                        org.attributes.name.clone().unwrap_or_default(),
                        org.attributes.public_id.clone().unwrap_or_default(),
                    ]);
                }
                table
            })
        }
        UsersCommand::Create {
            email,
            name,
            title,
            roles,
            change,
            format,
        } => {
            let email = crate::email::validate_email(&email)
                .map_err(|p| usage(format!("{email:?}: {p}")))?;
            let roles = pick_roles(client, &roles).await?;
            let create = Change::Create {
                email: email.clone(),
                name,
                title,
                roles,
            };
            let title = format!("create {email}");
            if !submit(changer, &title, vec![create], &change, format).await? {
                return Ok(());
            }
            match client.find_user_by_email(&email).await? {
                Some(user) if format != Format::Table => {
                    let response = client.get_user(&user.id).await?;
                    print_user(client, &response, format).await
                }
                _ => Ok(()),
            }
        }
        UsersCommand::Update {
            id,
            name,
            email,
            title,
            clear_title,
            change,
            format,
        } => {
            let id = user_id(&id)?;
            let update = ProfileUpdate {
                name,
                email,
                title,
                clear_title,
            }
            .change(&id, false)?;
            if submit(
                changer,
                &format!("update {id}"),
                vec![update],
                &change,
                format,
            )
            .await?
            {
                print_user(client, &client.get_user(&id).await?, format).await?;
            }
            Ok(())
        }
        UsersCommand::Enable(targets) => {
            submit_each(changer, "enable", &targets, |user| Change::Enable { user }).await
        }
        UsersCommand::Disable(targets) => {
            submit_each(changer, "disable", &targets, |user| Change::Disable {
                user,
            })
            .await
        }
        UsersCommand::Invite {
            emails,
            roles,
            change,
            format,
        } => invite(changer, &emails, &roles, &change, format).await,
        UsersCommand::Anonymize {
            targets,
            irreversible,
        } => {
            if !irreversible && !targets.change.dry_run {
                return Err(usage(
                    "anonymizing cannot be undone: it erases the users' names and emails for good; pass --irreversible to confirm you mean it",
                ));
            }
            submit_each(changer, "anonymize", &targets, |user| Change::Anonymize {
                user,
            })
            .await
        }
        UsersCommand::IdentityProviders(IdentityProvidersCommand::Get { id }) => {
            let providers = client.get_user_identity_providers(&user_id(&id)?).await?;
            emit(Format::Json, &providers.data, Table::default)
        }
        UsersCommand::IdentityProviders(IdentityProvidersCommand::Set {
            id,
            providers,
            change,
            format,
        }) => {
            let user = user_id(&id)?;
            let providers = providers.into_iter().map(IdentityProviderId).collect();
            let set = Change::SetIdentityProviders { user, providers };
            let title = format!("set identity providers of {id}");
            submit(changer, &title, vec![set], &change, format).await?;
            Ok(())
        }
    }
}

async fn list_users(client: &Client, args: ListArgs) -> color_eyre::Result<()> {
    let query = ListUsersQuery {
        page_size: Some(args.page_size),
        page_number: Some(args.page),
        sort: args.sort.clone(),
        sort_dir: None,
        filter: args.filter.clone(),
        status: args
            .status
            .iter()
            .map(|s| UserStatus::parse(s.trim()))
            .collect(),
    };
    if let Some(UserStatus::Other(bad)) = query
        .status
        .iter()
        .find(|s| matches!(s, UserStatus::Other(_)))
    {
        return Err(usage(format!(
            "unknown status {bad:?}: use Active, Pending or Disabled"
        )));
    }
    let (users, included, total) = if args.all {
        let mut pages = Vec::new();
        let mut stream = client.user_pages(query, usize::from(args.concurrency));
        while let Some(page) = stream.next().await {
            pages.push(page?);
        }
        pages.sort_by_key(|p| p.number);
        let mut seen = std::collections::HashSet::new();
        let mut included = Vec::new();
        let mut users = Vec::new();
        for page in pages {
            included.extend(page.response.included);
            users.extend(
                page.response
                    .data
                    .into_iter()
                    .filter(|u| seen.insert(u.id.clone())),
            );
        }
        (users, included, None)
    } else {
        let page = client.list_users(&query).await?;
        let total = page.total_filtered_count();
        (page.data, page.included, total)
    };
    if let Some(total) = total {
        let shown = args.page * u64::from(args.page_size) + users.len() as u64;
        if (shown as i64) < total {
            eprintln!(
                "showing {} of {total} users (page {}); use --all for every page",
                users.len(),
                args.page
            );
        }
    }
    let names = included_role_names(&included);
    emit(args.format, &users, || match args.format {
        Format::Csv => output::users_csv(&users, &names),
        _ => output::users_table(&users, &names),
    })
}

async fn pick_roles(client: &Client, wanted: &[String]) -> color_eyre::Result<Vec<RoleId>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let roles = client.list_all_roles().await?;
    resolve_roles(&roles, wanted).map_err(usage)
}

async fn invite(
    changer: &Changer<'_>,
    emails: &[String],
    roles: &[String],
    change: &ChangeArgs,
    format: Format,
) -> color_eyre::Result<()> {
    let entries = parse_email_list(&emails.join("\n"));
    if entries.is_empty() {
        return Err(usage("no email addresses given"));
    }
    let roles = pick_roles(&changer.conn.client, roles).await?;
    if roles.is_empty() {
        eprintln!("note: no --role given: the new users get no role until one is added");
    }
    let mut rejected = 0;
    let mut changes = Vec::new();
    for entry in &entries {
        match &entry.verdict {
            Ok(email) => changes.push(Change::Invite {
                email: email.clone(),
                name: None,
                title: None,
                roles: roles.clone(),
            }),
            Err(problem) => {
                rejected += 1;
                println!("{}  skipped: {problem}", output::sanitize(&entry.text));
            }
        }
    }
    let sent = if changes.is_empty() {
        Ok(false)
    } else {
        let title = format!("invite {}", plural(changes.len(), "email"));
        submit(changer, &title, changes, change, format).await
    };
    match sent {
        Err(error) => match error.downcast::<PartialFailure>() {
            Ok(partial) => PartialFailure::check(partial.failed + rejected, entries.len()),
            Err(other) => Err(other),
        },
        Ok(_) => PartialFailure::check(rejected, entries.len()),
    }
}

fn print_invitation(invitation: &Invitation, format: Format) -> color_eyre::Result<()> {
    emit(format, invitation, || {
        let a = &invitation.attributes;
        let fmt =
            |t: Option<time::OffsetDateTime>| t.map(|t| timestamp::format(&t)).unwrap_or_default();
        let mut table = Table::new(vec!["FIELD", "VALUE"]);
        for (field, value) in [
            ("id", invitation.id.to_string()),
            (
                "user",
                invitation
                    .user_id()
                    .map(|u| u.to_string())
                    .unwrap_or_default(),
            ),
            ("type", a.invite_type.clone().unwrap_or_default()),
            ("created", fmt(a.created_at)),
            ("expires", fmt(a.expires_at)),
        ] {
            table.rows.push(vec![field.to_owned(), value]);
        }
        table
    })
}

async fn find_role(client: &Client, wanted: &str) -> color_eyre::Result<RoleId> {
    let roles = client.list_all_roles().await?;
    let ids = resolve_roles(&roles, &[wanted.to_owned()]).map_err(usage)?;
    ids.into_iter()
        .next()
        .ok_or_else(|| eyre!("no role {wanted:?}"))
}

async fn run_roles(changer: &Changer<'_>, command: RolesCommand) -> color_eyre::Result<()> {
    let client = &changer.conn.client;
    match command {
        RolesCommand::List { filter, format } => {
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
        RolesCommand::AddUser { role, targets } => {
            role_membership(changer, &role, &targets, true).await
        }
        RolesCommand::RemoveUser { role, targets } => {
            role_membership(changer, &role, &targets, false).await
        }
    }
}

/// `roles add-user` and `roles remove-user`.
async fn role_membership(
    changer: &Changer<'_>,
    role: &str,
    targets: &ChangeTargets,
    adding: bool,
) -> color_eyre::Result<()> {
    let role = find_role(&changer.conn.client, role).await?;
    let changes = targets.changes(|user| {
        let role = role.clone();
        if adding {
            Change::AddRole { user, role }
        } else {
            Change::RemoveRole { user, role }
        }
    })?;
    let users = plural(changes.len(), "user");
    let role = output::sanitize(role.as_str());
    let title = if adding {
        format!("add {users} to role {role}")
    } else {
        format!("remove {users} from role {role}")
    };
    submit(changer, &title, changes, &targets.change, targets.format).await?;
    Ok(())
}
