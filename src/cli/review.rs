//! `ddusers review …`: access-review campaigns from the command line (see [`crate::review`]
//! for what a review is). `start` freezes a population (from a snapshot file, or one taken
//! now), `decide` and `status` work on the file alone, `sign` reads who the keys' user is,
//! `apply` hands the decisions to the change gate as one journaled run, and `evidence`
//! writes the pack. Only `apply` writes to the org; only `sign`, `apply`, `evidence
//! --audit-trail` and `start` without `--snapshot` need keys.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand};
use serde::Serialize;
use time::OffsetDateTime;

use super::changes::{journal_path, Ask, ChangeArgs, Changer};
use super::exit::{usage, CliResult};
use super::output::{self, sanitize, Table};
use super::{Format, GlobalArgs};
use crate::api::models::{timestamp, AuditEvent, UserId};
use crate::api::Client;
use crate::audit::history::{audit_query, unavailable_reason};
use crate::audit::meta::TakenBy;
use crate::audit::AuditError;
use crate::org::snapshot::{Snapshot, SnapshotError};
use crate::org::{Org, TextPolicy};
use crate::review::decide::{decider_name, person_label};
use crate::review::evidence::{self, Disabling, Inputs};
use crate::review::population::{self, Start};
use crate::review::remediate::{remediation, Remediation};
use crate::review::{AppliedRun, Decision, Item, Review, RowSelector, Scope};
use crate::runs::journal::{read_runs, RunState};
use crate::runs::{Change, Draft, ItemResult};
use crate::words::count;

/// The review subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Freeze the population of a new review: from a snapshot file, or from the live org
    /// (the snapshot is then written beside the review).
    Start(StartArgs),
    /// Open a review in the console to decide its rows.
    Open(ReviewFile),
    /// Record a decision on a user's rows (offline; the file is rewritten at once).
    Decide(DecideArgs),
    /// Progress and the rows with their decisions (offline).
    Status(StatusArgs),
    /// Sign the review as the keys' user: its decisions become final (reads only).
    Sign(ReviewFile),
    /// Carry out the signed review's decisions as one journaled run through the change
    /// gate; users changed since the snapshot are left out unless --force.
    Apply(ApplyArgs),
    /// Write the evidence pack: population, decisions, remediation, exceptions, summary
    /// and a manifest of hashes.
    Evidence(EvidenceArgs),
}

impl ReviewCommand {
    /// True for the subcommands that need the org's keys (and, for apply, the journal).
    pub fn needs_org(&self) -> bool {
        match self {
            ReviewCommand::Sign(_) | ReviewCommand::Apply(_) => true,
            ReviewCommand::Evidence(args) => args.audit_trail,
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// The review's name ("Q4 2026 access review").
    #[arg(long)]
    pub name: String,
    /// Freeze this snapshot file's users instead of reading the live org.
    #[arg(long, value_name = "FILE", value_parser = super::common::path_arg)]
    pub snapshot: Option<PathBuf>,
    /// Who is reviewed: all, admins, role:NAME, or view:NAME[:ARG] (e.g. view:no-mfa,
    /// view:who-can:user_access_manage, view:inactive:60).
    #[arg(long, default_value = "all")]
    pub scope: String,
    /// The review file to write.
    #[arg(long, short, value_name = "REVIEW.json", value_parser = super::common::path_arg)]
    pub output: PathBuf,
    /// Replace an existing review file (and the snapshot beside it).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ReviewFile {
    /// The review file.
    #[arg(value_name = "REVIEW.json", value_parser = super::common::path_arg)]
    pub review: PathBuf,
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("decision")
        .required(true)
        .args(["keep", "revoke_role", "disable", "change_role", "undecide"])
))]
#[command(group(ArgGroup::new("rows").required(true).args(["user", "all_undecided"])))]
pub struct DecideArgs {
    /// The review file.
    #[arg(value_name = "REVIEW.json", value_parser = super::common::path_arg)]
    pub review: PathBuf,
    /// The user: an id or an email.
    #[arg(long, value_name = "ID|EMAIL")]
    pub user: Option<String>,
    /// Every row still undecided (e.g. `--all-undecided --keep --why "confirmed by
    /// managers"` once the exceptions are decided).
    #[arg(long, conflicts_with = "role")]
    pub all_undecided: bool,
    /// Keep the access as it is (a privileged role needs --why).
    #[arg(long)]
    pub keep: bool,
    /// Remove this role from the user.
    #[arg(long, value_name = "ROLE")]
    pub revoke_role: Option<String>,
    /// Disable the account.
    #[arg(long)]
    pub disable: bool,
    /// Replace role FROM with role TO.
    #[arg(long, value_name = "FROM:TO")]
    pub change_role: Option<String>,
    /// Clear the decision of the user's rows.
    #[arg(long)]
    pub undecide: bool,
    /// Only the user's row for this role (with --keep, --disable or --undecide).
    #[arg(long, value_name = "ROLE")]
    pub role: Option<String>,
    /// The justification (required to keep a privileged role).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub why: String,
    /// Who decides (default: DDUSERS_REVIEWER, else the login name).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The review file.
    #[arg(value_name = "REVIEW.json", value_parser = super::common::path_arg)]
    pub review: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Only the rows still undecided.
    #[arg(long)]
    pub undecided: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The signed review file.
    #[arg(value_name = "REVIEW.json", value_parser = super::common::path_arg)]
    pub review: PathBuf,
    /// Include the users whose status or roles changed since the snapshot.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(Debug, Args)]
pub struct EvidenceArgs {
    /// The review file.
    #[arg(value_name = "REVIEW.json", value_parser = super::common::path_arg)]
    pub review: PathBuf,
    /// The folder to write the pack into (created when missing).
    #[arg(long, short, value_name = "DIR", value_parser = super::common::path_arg)]
    pub output: PathBuf,
    /// Say when and by whom each disabled user was disabled from Audit Trail (needs keys
    /// with audit_logs_read; falls back to the journal).
    #[arg(long)]
    pub audit_trail: bool,
}

/// What can be told from the file alone before connecting: a signed review cannot be
/// signed again; an unsigned one cannot be applied.
pub fn check_before_connecting(command: &ReviewCommand) -> CliResult {
    match command {
        ReviewCommand::Sign(args) => Ok(Review::read(&args.review)?.check_unsigned()?),
        ReviewCommand::Apply(args) => require_signed(&Review::read(&args.review)?, &args.review),
        _ => Ok(()),
    }
}

fn require_signed(review: &Review, path: &Path) -> CliResult {
    if review.signature.is_none() {
        return Err(usage(format!(
            "the review is not signed: sign it first: `ddusers review sign {}`",
            path.display()
        )));
    }
    Ok(())
}

/// The subcommands that need no keys (`start` reads the live org only without
/// `--snapshot`).
pub async fn run(global: &GlobalArgs, command: ReviewCommand) -> CliResult {
    match command {
        ReviewCommand::Start(args) => start(global, args).await,
        ReviewCommand::Open(args) => super::offline::open_review(&args.review).await,
        ReviewCommand::Decide(args) => decide(args),
        ReviewCommand::Status(args) => status(args),
        ReviewCommand::Evidence(args) => {
            let runs = read_runs(&journal_path(global.journal.as_deref()))?;
            write_evidence(&args, &runs, None).await
        }
        ReviewCommand::Sign(_) | ReviewCommand::Apply(_) => {
            unreachable!("sign and apply connect to the org first")
        }
    }
}

/// The subcommands that need the org's keys.
pub async fn run_on_org(changer: &Changer<'_>, command: ReviewCommand) -> CliResult {
    match command {
        ReviewCommand::Sign(args) => sign(changer, &args.review).await,
        ReviewCommand::Apply(args) => apply(changer, args).await,
        ReviewCommand::Evidence(args) => {
            let runs = read_runs(changer.journal)?;
            write_evidence(&args, &runs, Some(&changer.conn.client)).await
        }
        other => unreachable!("{other:?} needs no keys"),
    }
}

/// Now, in whole microseconds, as review files write times: what is written reads back
/// equal.
fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.microsecond() * 1_000)
        .unwrap_or(now)
}

// --- start -------------------------------------------------------------------------------

async fn start(global: &GlobalArgs, args: StartArgs) -> CliResult {
    if args.name.trim().is_empty() {
        return Err(usage("the review needs a name (--name)"));
    }
    refuse_to_replace(&args.output, args.force)?;
    let scope = Scope::parse(&args.scope).map_err(usage)?;
    let (snapshot_path, recorded_as) = match &args.snapshot {
        Some(path) => (path.clone(), path.display().to_string()),
        None => take_snapshot(global, &args.output, args.force).await?,
    };
    let snapshot = Snapshot::read(&snapshot_path)?;
    let bytes = std::fs::read(&snapshot_path).map_err(|source| SnapshotError::Read {
        path: snapshot_path.clone(),
        source,
    })?;
    let org = Org::from_snapshot(&snapshot, TextPolicy::Exact);
    let sha256 = crate::digest::sha256_hex(&bytes);
    let review = population::start(
        &org,
        Start {
            name: &args.name,
            scope: &scope,
            started_at: now(),
            // The snapshot's taker: the keys' user when it was taken just now.
            started_by: None,
            snapshot_file: &recorded_as,
            snapshot_sha256: &sha256,
            content_sha256: snapshot.content_sha256.clone(),
        },
    )
    .map_err(super::audit::audit_usage)?;
    review.write(&args.output)?;
    let progress = review.progress();
    eprintln!(
        "review {:?}: {} of {} ({} privileged) written to {}",
        sanitize(&review.name),
        count(progress.rows, "row"),
        count(progress.users, "user"),
        review.items.iter().filter(|i| i.privileged).count(),
        args.output.display()
    );
    Ok(())
}

/// An existing file is kept unless `--force`: a review holds decisions.
fn refuse_to_replace(path: &Path, force: bool) -> CliResult {
    if path.exists() && !force {
        return Err(usage(format!(
            "{} exists; give another --output, or --force to replace it",
            path.display()
        )));
    }
    Ok(())
}

/// Reads the live org and writes its snapshot beside the review (`REVIEW.snapshot.json`);
/// the path, and how the review records it (the file name: the two travel together).
async fn take_snapshot(
    global: &GlobalArgs,
    review: &Path,
    force: bool,
) -> CliResult<(PathBuf, String)> {
    let stem = review
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "review".to_owned());
    let name = format!("{stem}.snapshot.json");
    let path = review.with_file_name(&name);
    refuse_to_replace(&path, force)?;
    let org = super::audit::live_org(global).await?;
    Snapshot::of(&org).write(&path)?;
    eprintln!("snapshot of the org written to {}", path.display());
    Ok((path, name))
}

// --- decide ------------------------------------------------------------------------------

fn decide(args: DecideArgs) -> CliResult {
    let mut review = Review::read(&args.review)?;
    let selector = match &args.user {
        Some(user) => RowSelector::User {
            user: user.clone(),
            role: args.role.clone(),
        },
        None => RowSelector::Rows(review.undecided_rows()),
    };
    let Some(decision) = decision_of(&review, &args)? else {
        review.check_unsigned()?;
        let rows = review.rows_for(&selector, &Decision::Keep)?;
        let cleared = review.undecide(&rows)?;
        review.write(&args.review)?;
        eprintln!("{} cleared", count(cleared, "decision"));
        return print_headline(&review);
    };
    let by = args
        .by
        .clone()
        .unwrap_or_else(|| decider_name(&|name| std::env::var(name).ok()));
    let rows = review.decide(&selector, decision, &args.why, &by, now())?;
    review.write(&args.review)?;
    for row in rows {
        println!("{}", sanitize(&decided_line(&review.items[row])));
    }
    print_headline(&review)
}

/// The decision the flags ask for; `None` for `--undecide`.
fn decision_of(review: &Review, args: &DecideArgs) -> CliResult<Option<Decision>> {
    if args.keep {
        return Ok(Some(Decision::Keep));
    }
    if args.disable {
        return Ok(Some(Decision::Disable));
    }
    if let Some(role) = &args.revoke_role {
        let role = review.find_role(role)?.clone();
        return Ok(Some(Decision::RevokeRole { role }));
    }
    if let Some(change) = &args.change_role {
        let (from, to) = change.split_once(':').ok_or_else(|| {
            usage(format!(
                "--change-role {change:?}: give FROM:TO (two role names or ids)"
            ))
        })?;
        let from = review.find_role(from)?.clone();
        let to = review.find_role(to)?.clone();
        return Ok(Some(Decision::ChangeRole { from, to }));
    }
    Ok(None)
}

/// "ada@example.com (Datadog Admin Role): keep — on-call lead".
fn decided_line(item: &Item) -> String {
    let Some(decided) = &item.decision else {
        return format!("{} ({}): undecided", item.user.label(), item.role_label());
    };
    let why = if decided.why.is_empty() {
        String::new()
    } else {
        format!(" — {}", decided.why)
    };
    format!(
        "{} ({}): {}{why}",
        item.user.label(),
        item.role_label(),
        decided.decision.describe()
    )
}

fn print_headline(review: &Review) -> CliResult {
    eprintln!("{}", sanitize(&review.headline()));
    Ok(())
}

// --- status ------------------------------------------------------------------------------

/// `review status --format json`.
#[derive(Serialize)]
struct StatusReport<'a> {
    name: &'a str,
    progress: crate::review::Progress,
    signature: &'a Option<crate::review::Signature>,
    runs: &'a [AppliedRun],
    items: Vec<&'a Item>,
}

fn status(args: StatusArgs) -> CliResult {
    let review = Review::read(&args.review)?;
    let items: Vec<&Item> = review
        .items
        .iter()
        .filter(|i| !args.undecided || i.decision.is_none())
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            let report = StatusReport {
                name: &review.name,
                progress: review.progress(),
                signature: &review.signature,
                runs: &review.runs,
                items,
            };
            output::write_json(&report, &mut out)?;
        }
        Format::Csv => rows_table(&items).write_csv(&mut out)?,
        Format::Table => {
            for line in status_lines(&review) {
                writeln!(out, "{}", sanitize(&line))?;
            }
            rows_table(&items).write_aligned(&mut out)?;
        }
    }
    Ok(())
}

/// The headline, the counts by decision, the signature and the runs, one line each.
fn status_lines(review: &Review) -> Vec<String> {
    let p = review.progress();
    let mut lines = vec![
        review.headline(),
        format!(
            "{} keep ({} privileged), {} revoke-role, {} disable, {} change-role, {} undecided; {}",
            p.keep,
            p.privileged_kept,
            p.revoke_role,
            p.disable,
            p.change_role,
            p.undecided,
            count(p.users, "user")
        ),
    ];
    if let Some(signature) = &review.signature {
        lines.push(format!(
            "signed by {} at {}",
            signature.reviewer_label(),
            timestamp::format(&signature.signed_at)
        ));
    }
    for run in &review.runs {
        lines.push(format!(
            "applied in run {} at {}: {}, {} left out{}",
            run.run,
            timestamp::format(&run.at),
            count(run.changes, "change"),
            run.left_out.len(),
            if run.forced { " (forced)" } else { "" }
        ));
    }
    lines
}

fn rows_table(items: &[&Item]) -> Table {
    let mut table = Table::new(vec![
        "USER", "EMAIL", "ROLE", "REASON", "DECISION", "WHY", "BY", "AT", "ID",
    ]);
    for item in items {
        let decided = item.decision.as_ref();
        table.rows.push(vec![
            item.user.name.clone(),
            item.user.email.clone(),
            item.role_label().to_owned(),
            item.reason.clone(),
            decided.map_or_else(|| "undecided".to_owned(), |d| d.decision.describe()),
            decided.map(|d| d.why.clone()).unwrap_or_default(),
            decided.map(|d| d.by.clone()).unwrap_or_default(),
            decided
                .map(|d| timestamp::format(&d.at))
                .unwrap_or_default(),
            item.user.id.to_string(),
        ]);
    }
    table
}

// --- sign --------------------------------------------------------------------------------

/// Signs as the keys' user (one read: the current user).
async fn sign(changer: &Changer<'_>, path: &Path) -> CliResult {
    let mut review = Review::read(path)?;
    let me = changer.conn.client.get_current_user().await?;
    review.check_org(me.data.org_id().as_ref().map(|id| id.as_str()))?;
    let present = |text: &Option<String>| text.clone().filter(|t| !t.trim().is_empty());
    let reviewer = TakenBy {
        id: me.data.id.clone(),
        email: present(&me.data.attributes.email),
        name: present(&me.data.attributes.name),
    };
    review.sign(reviewer, now())?;
    review.write(path)?;
    let label = review
        .signature
        .as_ref()
        .map(|s| person_label(&s.reviewer))
        .unwrap_or_default();
    eprintln!(
        "{} by {}: its decisions are now final",
        sanitize(&review.headline()),
        sanitize(&label)
    );
    Ok(())
}

// --- apply -------------------------------------------------------------------------------

async fn apply(changer: &Changer<'_>, args: ApplyArgs) -> CliResult {
    let mut review = Review::read(&args.review)?;
    require_signed(&review, &args.review)?;
    let conn = changer.conn;
    let org = crate::org::load::load_org(&conn.client, &conn.origin)
        .await
        .map_err(AuditError::from)?;
    let keys_org = org.reading().and_then(|r| r.info.id.as_ref());
    review.check_org(keys_org.map(|id| id.as_str()))?;
    let Remediation { changes, left_out } = remediation(&review, &org, args.force);
    for user in &left_out {
        eprintln!(
            "left out {}: {}",
            sanitize(&user.email),
            sanitize(&user.reason)
        );
    }
    if changes.is_empty() {
        eprintln!("nothing to apply: no decision of the review changes the org now");
        return Ok(());
    }
    let total = changes.len();
    // The journal and the plan count the changes themselves.
    let title = format!("access review {:?}", review.name);
    let ask = Ask::new(&args.change, Format::Table);
    let Some((run, ended)) = changer.submit_run(Draft::new(title, changes), &ask).await? else {
        if args.change.dry_run {
            eprintln!("dry run: nothing was changed");
        }
        return Ok(());
    };
    // Recorded whatever came of the run: its failures belong in the evidence too.
    review.runs.push(AppliedRun {
        run: run.clone(),
        at: now(),
        changes: total,
        left_out,
        forced: args.force,
    });
    review.write(&args.review)?;
    eprintln!("run {run} recorded in {}", args.review.display());
    ended
}

// --- evidence ----------------------------------------------------------------------------

/// Builds the pack from the review, the journal's `runs` and (with a client) Audit Trail,
/// and writes it.
async fn write_evidence(
    args: &EvidenceArgs,
    runs: &[RunState],
    audit_trail: Option<&Client>,
) -> CliResult {
    let bytes = std::fs::read(&args.review).map_err(|source| crate::review::ReviewError::Read {
        path: args.review.clone(),
        source,
    })?;
    let review = Review::parse(&bytes, &args.review)?;
    let from_journal = journal_disablings(&review, runs);
    let disablings = match audit_trail {
        Some(client) => audit_trail_disablings(client, from_journal).await,
        None => from_journal,
    };
    if !disablings.is_empty() {
        eprintln!("{}", disablings_said(&disablings));
    }
    let review_sha256 = crate::digest::sha256_hex(&bytes);
    let pack = evidence::build(&Inputs {
        review: &review,
        review_sha256: &review_sha256,
        runs,
        disablings: &disablings,
    });
    evidence::write(&pack, &args.output).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!(
                "could not write the evidence pack to {}: {e}",
                args.output.display()
            ),
        )
    })?;
    for (name, _) in &pack.files {
        println!("{}", args.output.join(name).display());
    }
    eprintln!(
        "{} written to {}",
        count(pack.files.len(), "file"),
        args.output.display()
    );
    Ok(())
}

/// "2 users disabled by the review's runs (when and by whom: 1 from audit trail, 1 from
/// journal)".
fn disablings_said(disablings: &[Disabling]) -> String {
    let mut sources: std::collections::BTreeMap<&str, usize> = Default::default();
    for disabling in disablings {
        *sources.entry(disabling.source.as_str()).or_default() += 1;
    }
    let sources: Vec<String> = sources
        .iter()
        .map(|(source, n)| format!("{n} from {source}"))
        .collect();
    format!(
        "{} disabled by the review's runs (when and by whom: {})",
        count(disablings.len(), "user"),
        sources.join(", ")
    )
}

/// The users the review's runs disabled (done, by the journal), when and by whom (the
/// keys' user: their email when the review lists them, else their id).
fn journal_disablings(review: &Review, runs: &[RunState]) -> Vec<Disabling> {
    let users = review.users();
    let who = |id: &UserId| {
        users
            .iter()
            .find(|u| &u.id == id)
            .map_or_else(|| id.to_string(), |u| u.label().to_owned())
    };
    let mut found = Vec::new();
    for applied in &review.runs {
        let Some(run) = runs.iter().find(|r| r.run == applied.run) else {
            continue;
        };
        for (i, change) in run.changes.iter().enumerate() {
            let Change::Disable { user } = change else {
                continue;
            };
            if !matches!(run.outcomes.get(i), Some(Some(ItemResult::Done { .. }))) {
                continue;
            }
            found.push(Disabling {
                user: user.clone(),
                at: timestamp::format(&run.finished_at(i).unwrap_or(run.at)),
                by: run.by.as_ref().map_or_else(|| "unknown".to_owned(), who),
                source: "journal".to_owned(),
            });
        }
    }
    found
}

/// Each disabling as Audit Trail tells it, where it does; the journal's otherwise. When
/// Audit Trail cannot be read, says so once and keeps the journal's.
async fn audit_trail_disablings(client: &Client, from_journal: Vec<Disabling>) -> Vec<Disabling> {
    let mut found = Vec::with_capacity(from_journal.len());
    let mut journal_only = from_journal.into_iter();
    for disabling in journal_only.by_ref() {
        let query = audit_query(disabling.user.as_str());
        match client.search_audit_events(&query, "now-90d", "now").await {
            Ok(events) => {
                found.push(disabling_in(&disabling.user, &events).unwrap_or(disabling));
            }
            Err(error) => {
                eprintln!(
                    "{}; the pack says who disabled each user from the local journal instead.",
                    sanitize(&unavailable_reason(&error))
                );
                found.push(disabling);
                break;
            }
        }
    }
    found.extend(journal_only);
    found
}

/// The newest of `events` that disabled `user`.
fn disabling_in(user: &UserId, events: &[AuditEvent]) -> Option<Disabling> {
    let newest = events
        .iter()
        .filter(|e| disables(e))
        .max_by_key(|e| timestamp::parse(&e.attributes.timestamp).ok())?;
    let actor = newest.attributes.attributes.usr.as_ref();
    Some(Disabling {
        user: user.clone(),
        at: timestamp::parse(&newest.attributes.timestamp).map_or_else(
            |_| newest.attributes.timestamp.clone(),
            |t| timestamp::format(&t),
        ),
        by: actor
            .and_then(|a| a.email.clone().or_else(|| a.id.clone()))
            .unwrap_or_else(|| "unknown".to_owned()),
        source: "audit trail".to_owned(),
    })
}

/// True when the event set the user's status to disabled (its new value says so, or its
/// action does).
fn disables(event: &AuditEvent) -> bool {
    let details = &event.attributes.attributes;
    let new_status = details
        .asset
        .as_ref()
        .and_then(|a| a.new_value.as_ref())
        .and_then(|v| v.get("status"))
        .and_then(|s| s.as_str());
    new_status.is_some_and(|s| s.eq_ignore_ascii_case("disabled"))
        || details
            .action
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("disabled"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::{AuditActor, AuditAsset, AuditDetails, AuditEventAttributes};

    fn event(at: &str, by: &str, new_value: serde_json::Value) -> AuditEvent {
        AuditEvent {
            kind: "audit".into(),
            id: at.into(),
            attributes: AuditEventAttributes {
                timestamp: at.into(),
                message: None,
                tags: vec![],
                attributes: AuditDetails {
                    evt: None,
                    asset: Some(AuditAsset {
                        kind: Some("user".into()),
                        id: Some("u1".into()),
                        name: None,
                        prev_value: None,
                        new_value: Some(new_value),
                    }),
                    usr: Some(AuditActor {
                        id: Some(by.into()),
                        email: Some(by.into()),
                        uuid: None,
                    }),
                    action: Some("modified".into()),
                },
            },
        }
    }

    #[test]
    fn the_newest_event_that_disabled_the_user_says_when_and_by_whom() {
        let user = UserId("u1".into());
        let events = [
            event(
                "2026-11-02T10:00:00Z",
                "old@x.example",
                serde_json::json!({"status": "disabled"}),
            ),
            event(
                "2026-11-03T10:00:00Z",
                "roles@x.example",
                serde_json::json!({"roles": ["Standard"]}),
            ),
            event(
                "2026-11-04T10:00:00Z",
                "new@x.example",
                serde_json::json!({"status": "disabled"}),
            ),
        ];
        let found = disabling_in(&user, &events).expect("a disabling");
        assert_eq!(found.by, "new@x.example");
        assert_eq!(found.at, "2026-11-04T10:00:00.000000+00:00");
        assert_eq!(found.source, "audit trail");
        assert_eq!(disabling_in(&user, &events[1..2]), None);
    }
}
