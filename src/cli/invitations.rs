//! `ddusers invitations …`: look up an invitation by its uuid, or cancel every pending
//! invitation of users (through the change pipeline). Sending them is `users invite`.

use clap::Subcommand;

use super::changes::{submit_each, ChangeTargets, Changer};
use super::exit::CliResult;
use super::output::{emit, Table};
use super::Format;
use crate::api::models::{timestamp, Invitation, InvitationId};
use crate::runs::Change;

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

/// Runs an `invitations` command.
pub async fn run(changer: &Changer<'_>, command: InvitationsCommand) -> CliResult {
    match command {
        InvitationsCommand::Get { uuid, format } => {
            let invitation = changer
                .conn
                .client
                .get_invitation(&InvitationId(uuid))
                .await?;
            print_invitation(&invitation.data, format)
        }
        InvitationsCommand::Cancel(targets) => {
            submit_each(changer, "cancel invitations of", &targets, |user| {
                Change::CancelInvitations { user }
            })
            .await
        }
    }
}

fn print_invitation(invitation: &Invitation, format: Format) -> CliResult {
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
