//! `ddusers permissions`: the org's permission catalogue (reads only). A role's permissions
//! are `roles permissions ROLE`; a user's, `users permissions ID`.

use clap::Args;

use super::exit::CliResult;
use super::output::{self, emit};
use super::Format;
use crate::api::Client;

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    /// Also list permissions usable only as OAuth scopes.
    #[arg(long)]
    pub include_scopes: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Prints the catalogue, grouped by permission group then name.
pub async fn run(client: &Client, args: PermissionsArgs) -> CliResult {
    let catalogue = client.list_permissions(args.include_scopes).await?;
    emit(args.format, &catalogue.data, || {
        output::permissions_table(&catalogue.data)
    })
}
