//! `ddusers history USER [--days N]`: who changed the user's roles, status and email, and
//! when, newest first, from Datadog's Audit Trail; when Audit Trail refuses (no
//! `audit_logs_read`) or is unavailable, says so in one line and shows the local journal's
//! entries for the user instead.

use clap::Args;
use time::{Duration, OffsetDateTime};

use super::changes::Changer;
use super::common::user_id;
use super::exit::{usage, CliResult};
use super::output::{emit, Table};
use super::Format;
use crate::api::models::UserId;
use crate::audit::history::{
    audit_query, from_audit_events, from_journal, unavailable_reason, HistoryEntry,
};
use crate::runs::journal::read_runs;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The user: an id, or an email.
    pub user: String,
    /// How far back to look, in days (Audit Trail keeps 90).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
    /// Table for people (CSV too), JSON for scripts.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Prints the user's history.
pub async fn run(changer: &Changer<'_>, args: HistoryArgs) -> CliResult {
    let client = &changer.conn.client;
    let id = resolve_user(changer, &args.user).await?;
    let query = audit_query(id.as_str());
    let from = format!("now-{}d", args.days);
    let entries = match client.search_audit_events(&query, &from, "now").await {
        Ok(events) => from_audit_events(&events),
        Err(error) => {
            let why = unavailable_reason(&error);
            let why = super::output::sanitize(&why);
            eprintln!("{why}; showing the local journal's entries for this user instead.");
            let since = OffsetDateTime::now_utc() - Duration::days(i64::from(args.days));
            from_journal(&read_runs(changer.journal)?, id.as_str(), since)
        }
    };
    if entries.is_empty() {
        // An empty table reads like a failure: say what was looked at.
        eprintln!(
            "no change to {} in the last {}",
            super::output::sanitize(&args.user),
            crate::words::count(args.days as usize, "day")
        );
    }
    emit(args.format, &entries, || history_table(&entries))
}

/// An id as given, or the id of the user with this email.
async fn resolve_user(changer: &Changer<'_>, wanted: &str) -> CliResult<UserId> {
    let wanted = wanted.trim();
    if !wanted.contains('@') {
        return user_id(wanted);
    }
    match changer.conn.client.find_user_by_email(wanted).await? {
        Some(user) => Ok(user.id),
        None => Err(usage(format!("no user has the email {wanted:?}"))),
    }
}

fn history_table(entries: &[HistoryEntry]) -> Table {
    let mut table = Table::new(vec!["WHEN", "WHO", "ACTION", "CHANGE"]);
    for entry in entries {
        table.rows.push(vec![
            entry.at.clone(),
            entry.actor.clone(),
            entry.action.clone(),
            entry.change.clone(),
        ]);
    }
    table
}
