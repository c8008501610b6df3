//! `ddusers users …`: list and inspect users (`list`, `get`, `permissions`, `orgs`,
//! `identity-providers get`), and change them (`create`, `update`, `enable`, `disable`,
//! `invite`, `anonymize`, `identity-providers set`) through the change pipeline.

use clap::{Args, Subcommand};
use futures::StreamExt;

use super::changes::{submit, submit_each, ChangeArgs, ChangeTargets, Changer};
use super::common::{print_user, user_id, ProfileUpdate};
use super::exit::{usage, CliError, CliResult, PartialFailure};
use super::output::{self, emit, included_role_names, RoleNames, Table};
use super::Format;
use crate::api::models::*;
use crate::api::roles::resolve_roles;
use crate::api::{Client, ListUsersQuery};
use crate::audit::AuditError;
use crate::email::parse_email_list;
use crate::org::filter::Filter;
use crate::org::load::load_org;
use crate::org::Org;
use crate::runs::Change;
use crate::words::count;
use time::OffsetDateTime;

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
    Create(CreateArgs),
    /// Change a user's name, email or title.
    Update(UpdateArgs),
    /// Re-enable disabled users.
    Enable(ChangeTargets),
    /// Disable users: they can no longer log in and their application keys are revoked.
    Disable(ChangeTargets),
    /// Invite people by email: creates the missing users with the roles, then sends the
    /// invitations. Active users are reported, not re-invited.
    Invite(InviteArgs),
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
    /// Text to match in name, email or handle (the API's own filter).
    #[arg(long)]
    pub filter: Option<String>,
    /// The console's filter language over the whole org (read every page, or --from):
    /// free text (accent-insensitive), role:, status:, mfa:on|off, title:, email:, id:,
    /// svc:yes|no, login:never|<7d|>90d, created:<30d|>1y; `!` negates; terms are ANDed.
    #[arg(long = "where", value_name = "EXPR", conflicts_with_all = ["filter", "status", "sort", "page"])]
    pub where_: Option<String>,
    /// With --where: filter this snapshot file instead of the live org.
    #[arg(long, value_name = "SNAPSHOT", requires = "where_")]
    pub from: Option<std::path::PathBuf>,
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
    /// The most pages in flight with --all: the number adapts to the answers (more while
    /// round trips dominate, half as many after a 429 or a 5xx), never above this.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=32))]
    pub concurrency: u16,
    /// Zero-based page number (without --all).
    #[arg(long, default_value_t = 0)]
    pub page: u64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// Role name or id; repeat for several.
    #[arg(long = "role", value_name = "NAME|ID")]
    pub roles: Vec<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long, conflicts_with = "clear_title")]
    pub title: Option<String>,
    /// Remove the title.
    #[arg(long)]
    pub clear_title: bool,
    #[command(flatten)]
    pub change: ChangeArgs,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    #[arg(required = true, value_name = "EMAIL")]
    pub emails: Vec<String>,
    /// Role name or id for the new users; repeat for several.
    #[arg(long = "role", value_name = "NAME|ID")]
    pub roles: Vec<String>,
    #[command(flatten)]
    pub change: ChangeArgs,
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

/// Runs a `users` command.
pub async fn run(changer: &Changer<'_>, command: UsersCommand) -> CliResult {
    let client = &changer.conn.client;
    match command {
        UsersCommand::List(args) if args.where_.is_some() => list_where(changer, args).await,
        UsersCommand::List(args) => list(client, args).await,
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
        UsersCommand::Orgs { id, format } => orgs(client, &id, format).await,
        UsersCommand::Create(args) => create(changer, args).await,
        UsersCommand::Update(args) => update(changer, args).await,
        UsersCommand::Enable(targets) => {
            submit_each(changer, "enable", &targets, |user| Change::Enable { user }).await
        }
        UsersCommand::Disable(targets) => {
            submit_each(changer, "disable", &targets, |user| Change::Disable {
                user,
            })
            .await
        }
        UsersCommand::Invite(args) => invite(changer, args).await,
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
        UsersCommand::IdentityProviders(command) => identity_providers(changer, command).await,
    }
}

/// `users list`: one page (saying when there are more), or every page with `--all`.
async fn list(client: &Client, args: ListArgs) -> CliResult {
    let query = list_query(&args)?;
    let (users, included, total) = if args.all {
        let (users, included) = every_page(client, query, args.concurrency).await?;
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

/// `users list --where EXPR`: the whole org (live, or a snapshot with `--from`) through the
/// console's filter — the same parser and matcher, ages counted from when the org was read.
async fn list_where(changer: &Changer<'_>, args: ListArgs) -> CliResult {
    let text = args.where_.as_deref().unwrap_or_default();
    let filter = Filter::parse(text).map_err(|e| usage(format!("--where: {e}")))?;
    let org = match &args.from {
        Some(path) => Org::read_snapshot(path).map_err(AuditError::from)?,
        None => load_org(&changer.conn.client, &changer.conn.origin)
            .await
            .map_err(AuditError::from)?,
    };
    let matcher = filter.matcher(&org, org.as_of(OffsetDateTime::now_utc()));
    let users: Vec<User> = org
        .users()
        .iter()
        .filter(|u| matcher.matches(u))
        .map(|u| org.api_user(u))
        .collect();
    eprintln!("{} of {} users match", users.len(), org.len());
    let names: RoleNames = org
        .roles()
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    emit(args.format, &users, || match args.format {
        Format::Csv => output::users_csv(&users, &names),
        _ => output::users_table(&users, &names),
    })
}

/// The query `users list` asks for; refused when a status is not one the API knows.
fn list_query(args: &ListArgs) -> CliResult<ListUsersQuery> {
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
    Ok(query)
}

/// Every page of users in page order, each user once, with what the pages included.
async fn every_page(
    client: &Client,
    query: ListUsersQuery,
    concurrency: u16,
) -> CliResult<(Vec<User>, Vec<Included>)> {
    let mut pages = Vec::new();
    let mut stream = client.user_pages(query, usize::from(concurrency));
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
    Ok((users, included))
}

/// `users orgs ID`.
async fn orgs(client: &Client, id: &str, format: Format) -> CliResult {
    let user = client.list_user_organizations(&user_id(id)?).await?;
    let orgs: Vec<&Organization> = user.orgs().collect();
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

/// `users create`: the new user is printed unless the format is a table.
async fn create(changer: &Changer<'_>, args: CreateArgs) -> CliResult {
    let client = &changer.conn.client;
    let CreateArgs {
        email,
        name,
        title,
        roles,
        change,
        format,
    } = args;
    let email =
        crate::email::validate_email(&email).map_err(|p| usage(format!("{email:?}: {p}")))?;
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

/// `users update ID`: the user is printed as it is afterwards.
async fn update(changer: &Changer<'_>, args: UpdateArgs) -> CliResult {
    let client = &changer.conn.client;
    let id = user_id(&args.id)?;
    let update = ProfileUpdate {
        name: args.name,
        email: args.email,
        title: args.title,
        clear_title: args.clear_title,
    }
    .change(&id, false)?;
    let title = format!("update {id}");
    if submit(changer, &title, vec![update], &args.change, args.format).await? {
        print_user(client, &client.get_user(&id).await?, args.format).await?;
    }
    Ok(())
}

/// Role ids for the names or ids given (none given: none, and nothing is read).
async fn pick_roles(client: &Client, wanted: &[String]) -> CliResult<Vec<RoleId>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let roles = client.list_all_roles().await?;
    resolve_roles(&roles, wanted).map_err(usage)
}

/// `users invite`: addresses that are not valid are skipped and count as failed.
async fn invite(changer: &Changer<'_>, args: InviteArgs) -> CliResult {
    let entries = parse_email_list(&args.emails.join("\n"));
    if entries.is_empty() {
        return Err(usage("no email addresses given"));
    }
    let roles = pick_roles(&changer.conn.client, &args.roles).await?;
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
        let title = format!("invite {}", count(changes.len(), "email"));
        submit(changer, &title, changes, &args.change, args.format).await
    };
    match sent {
        Err(CliError::PartialFailure(partial)) => {
            PartialFailure::check(partial.failed + rejected, entries.len())
        }
        Err(other) => Err(other),
        Ok(_) => PartialFailure::check(rejected, entries.len()),
    }
}

/// `users identity-providers get|set`.
async fn identity_providers(changer: &Changer<'_>, command: IdentityProvidersCommand) -> CliResult {
    match command {
        IdentityProvidersCommand::Get { id } => {
            let client = &changer.conn.client;
            let providers = client.get_user_identity_providers(&user_id(&id)?).await?;
            emit(Format::Json, &providers.data, Table::default)
        }
        IdentityProvidersCommand::Set {
            id,
            providers,
            change,
            format,
        } => {
            let user = user_id(&id)?;
            let providers = providers.into_iter().map(IdentityProviderId).collect();
            let set = Change::SetIdentityProviders { user, providers };
            let title = format!("set identity providers of {id}");
            submit(changer, &title, vec![set], &change, format).await?;
            Ok(())
        }
    }
}
