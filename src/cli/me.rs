//! `ddusers me`: the user behind the keys, and `me update` for their own name or title
//! (through the change pipeline).

use clap::{Args, Subcommand};

use super::changes::{submit, ChangeArgs, Changer};
use super::common::{print_user, ProfileUpdate};
use super::exit::CliResult;
use super::Format;

#[derive(Debug, Args)]
pub struct MeArgs {
    #[command(subcommand)]
    pub action: Option<MeCommand>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
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

/// Shows the current user, or updates them and shows them as they are afterwards.
pub async fn run(changer: &Changer<'_>, args: MeArgs) -> CliResult {
    let client = &changer.conn.client;
    let me = client.get_current_user().await?;
    let Some(MeCommand::Update {
        name,
        title,
        clear_title,
        change,
    }) = args.action
    else {
        return print_user(client, &me, args.format).await;
    };
    let update = ProfileUpdate {
        name,
        email: None,
        title,
        clear_title,
    }
    .change(&me.data.id, true)?;
    if submit(
        changer,
        "update my profile",
        vec![update],
        &change,
        args.format,
    )
    .await?
    {
        print_user(client, &client.get_current_user().await?, args.format).await?;
    }
    Ok(())
}
