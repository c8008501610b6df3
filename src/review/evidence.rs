//! The evidence pack of a review: what an auditor asks for, as plain files.
//!
//! - `population.csv`: every user in scope as the snapshot saw them.
//! - `decisions.csv`: every row with its decision, justification, who decided and when.
//! - `remediation.csv`: every change the review's runs made, from the journal: when, the
//!   result, and for disabled users who disabled them according to Audit Trail (or the
//!   journal) when that was read.
//! - `exceptions.csv`: privileged access kept (with its justification), remediations that
//!   failed, were left unfinished or were left out, decisions never applied, rows left
//!   undecided.
//! - `summary.md`: scope, counts, reviewer, dates, site and org, and how to verify the pack.
//! - `manifest.json`: the sha256 of every file, of the review file and of the source
//!   snapshot, and the ddusers version.
//!
//! Built in memory from its inputs only (no clock, no randomness), so the same inputs give
//! byte-identical files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::api::models::{timestamp, UserId};
use crate::cli::output::Table;
use crate::runs::journal::RunState;
use crate::runs::{Change, ItemResult};

use super::decide::person_label;
use super::{Item, Review};

/// When and by whom a user was disabled, as Audit Trail (or the journal) tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disabling {
    pub user: UserId,
    /// RFC 3339, UTC.
    pub at: String,
    pub by: String,
    /// "audit trail" or "journal".
    pub source: String,
}

/// What a pack is made from.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    pub review: &'a Review,
    /// sha256 of the review file's bytes.
    pub review_sha256: &'a str,
    /// The journal's runs (only the review's own runs are used).
    pub runs: &'a [RunState],
    /// Who disabled the users the review disabled, where known.
    pub disablings: &'a [Disabling],
}

/// The pack's files, by name, in the order they are listed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pack {
    pub files: Vec<(String, Vec<u8>)>,
}

/// The files of a pack, in order.
pub const FILES: [&str; 6] = [
    "population.csv",
    "decisions.csv",
    "remediation.csv",
    "exceptions.csv",
    "summary.md",
    "manifest.json",
];

/// Builds the pack.
pub fn build(inputs: &Inputs<'_>) -> Pack {
    let remediation = remediation_rows(inputs);
    let exceptions = exception_rows(inputs, &remediation);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        (FILES[0].to_owned(), csv(&population_table(inputs.review))),
        (FILES[1].to_owned(), csv(&decisions_table(inputs.review))),
        (FILES[2].to_owned(), csv(&remediation_table(&remediation))),
        (FILES[3].to_owned(), csv(&exceptions_table(&exceptions))),
    ];
    let summary = summary(inputs, &remediation, exceptions.len());
    files.push((FILES[4].to_owned(), summary.into_bytes()));
    files.push((FILES[5].to_owned(), manifest(inputs, &files)));
    Pack { files }
}

/// Writes the pack's files into `dir` (created when missing), each atomically.
pub fn write(pack: &Pack, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, bytes) in &pack.files {
        crate::files::write_atomically(&dir.join(name), bytes)?;
    }
    Ok(())
}

fn csv(table: &Table) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing into memory cannot fail.
    let _ = table.write_csv(&mut bytes);
    bytes
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    }
    .to_owned()
}

fn population_table(review: &Review) -> Table {
    let mut table = Table::new(vec![
        "user_id",
        "name",
        "email",
        "status",
        "roles",
        "service_account",
        "mfa",
        "login_methods",
        "created_at",
        "last_login",
    ]);
    for user in review.users() {
        let roles: Vec<&str> = user.roles.iter().map(|r| r.name.as_str()).collect();
        table.rows.push(vec![
            user.id.to_string(),
            user.name.clone(),
            user.email.clone(),
            user.status.clone(),
            roles.join("; "),
            yes_no(Some(user.service_account)),
            yes_no(user.mfa),
            user.login_methods.clone().unwrap_or_default(),
            user.created_at.clone().unwrap_or_default(),
            user.last_login.clone().unwrap_or_default(),
        ]);
    }
    table
}

fn decisions_table(review: &Review) -> Table {
    let mut table = Table::new(vec![
        "user_id",
        "email",
        "role",
        "privileged",
        "in_scope_because",
        "decision",
        "detail",
        "justification",
        "decided_by",
        "decided_at",
    ]);
    for item in &review.items {
        let mut row = vec![
            item.user.id.to_string(),
            item.user.email.clone(),
            item.role
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            yes_no(Some(item.privileged)),
            item.reason.clone(),
        ];
        match &item.decision {
            Some(decided) => row.extend([
                decided.decision.name().to_owned(),
                decided.decision.describe(),
                decided.why.clone(),
                decided.by.clone(),
                timestamp::format(&decided.at),
            ]),
            None => row.extend([
                "undecided".to_owned(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]),
        }
        table.rows.push(row);
    }
    table
}

/// One change a review's run made (or tried).
#[derive(Clone, Debug)]
struct Remediated {
    run: String,
    item: usize,
    user: String,
    email: String,
    change: String,
    result: String,
    detail: String,
    at: String,
    confirmed: Option<Disabling>,
    /// Not done and not already so.
    failed: bool,
}

fn remediation_rows(inputs: &Inputs<'_>) -> Vec<Remediated> {
    let review = inputs.review;
    let emails: BTreeMap<&UserId, &str> = review
        .items
        .iter()
        .map(|i| (&i.user.id, i.user.email.as_str()))
        .collect();
    let mut rows = Vec::new();
    for applied in &review.runs {
        let Some(run) = inputs.runs.iter().find(|r| r.run == applied.run) else {
            continue;
        };
        for (i, change) in run.changes.iter().enumerate() {
            let user = change.user();
            let outcome = run.outcomes.get(i).and_then(Option::as_ref);
            let confirmed = match (change, &user) {
                (Change::Disable { .. }, Some(user)) => {
                    inputs.disablings.iter().find(|d| &d.user == user).cloned()
                }
                _ => None,
            };
            rows.push(Remediated {
                run: run.run.0.clone(),
                item: i + 1,
                email: user
                    .as_ref()
                    .and_then(|u| emails.get(u).copied())
                    .unwrap_or_default()
                    .to_owned(),
                user: user.map(|u| u.to_string()).unwrap_or_default(),
                change: describe_change(review, change),
                result: outcome.map_or("unfinished", ItemResult::label).to_owned(),
                detail: outcome.map(|o| o.detail().to_owned()).unwrap_or_default(),
                at: run
                    .finished_at(i)
                    .map(|t| timestamp::format(&t))
                    .unwrap_or_default(),
                confirmed,
                failed: !outcome.is_some_and(ItemResult::is_settled),
            });
        }
    }
    rows
}

/// "remove role Datadog Admin Role": the change in words, roles by their names then.
fn describe_change(review: &Review, change: &Change) -> String {
    let role_name = |id: &crate::api::models::RoleId| {
        review
            .roles
            .iter()
            .find(|r| &r.id == id)
            .map_or_else(|| id.to_string(), |r| r.name.clone())
    };
    match change {
        Change::AddRole { role, .. } | Change::RemoveRole { role, .. } => {
            format!("{} {}", change.verb(), role_name(role))
        }
        other => other.verb().to_owned(),
    }
}

fn remediation_table(rows: &[Remediated]) -> Table {
    let mut table = Table::new(vec![
        "run",
        "item",
        "user_id",
        "email",
        "change",
        "result",
        "detail",
        "finished_at",
        "disabled_by",
        "disabled_at",
        "disabled_per",
    ]);
    for row in rows {
        let confirmed = row.confirmed.as_ref();
        table.rows.push(vec![
            row.run.clone(),
            row.item.to_string(),
            row.user.clone(),
            row.email.clone(),
            row.change.clone(),
            row.result.clone(),
            row.detail.clone(),
            row.at.clone(),
            confirmed.map(|d| d.by.clone()).unwrap_or_default(),
            confirmed.map(|d| d.at.clone()).unwrap_or_default(),
            confirmed.map(|d| d.source.clone()).unwrap_or_default(),
        ]);
    }
    table
}

/// One exception: something an auditor must look at.
#[derive(Clone, Debug)]
struct Exception {
    kind: &'static str,
    user: String,
    email: String,
    role: String,
    detail: String,
}

fn exception_rows(inputs: &Inputs<'_>, remediation: &[Remediated]) -> Vec<Exception> {
    let review = inputs.review;
    let of_item = |kind, item: &Item, detail: String| Exception {
        kind,
        user: item.user.id.to_string(),
        email: item.user.email.clone(),
        role: item
            .role
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        detail,
    };
    let mut rows = Vec::new();
    for item in &review.items {
        match &item.decision {
            None => rows.push(of_item(
                "undecided",
                item,
                "no decision was recorded".to_owned(),
            )),
            Some(d) if item.privileged && !d.decision.changes_something() => {
                rows.push(of_item("privileged-kept", item, d.why.clone()))
            }
            Some(d) if d.decision.changes_something() && review.runs.is_empty() => {
                rows.push(of_item(
                    "not-applied",
                    item,
                    format!("{} was decided but never applied", d.decision.describe()),
                ))
            }
            Some(_) => {}
        }
    }
    for applied in &review.runs {
        if !inputs.runs.iter().any(|r| r.run == applied.run) {
            rows.push(Exception {
                kind: "run-missing",
                user: String::new(),
                email: String::new(),
                role: String::new(),
                detail: format!("run {} is not in the journal read", applied.run.0),
            });
        }
        for left in &applied.left_out {
            rows.push(Exception {
                kind: "left-out",
                user: left.user.to_string(),
                email: left.email.clone(),
                role: String::new(),
                detail: left.reason.clone(),
            });
        }
    }
    for row in remediation.iter().filter(|r| r.failed) {
        rows.push(Exception {
            kind: "remediation-failed",
            user: row.user.clone(),
            email: row.email.clone(),
            role: String::new(),
            detail: format!("{} ({}): {}", row.change, row.result, row.detail),
        });
    }
    rows
}

fn exceptions_table(rows: &[Exception]) -> Table {
    let mut table = Table::new(vec!["kind", "user_id", "email", "role", "detail"]);
    for row in rows {
        table.rows.push(vec![
            row.kind.to_owned(),
            row.user.clone(),
            row.email.clone(),
            row.role.clone(),
            row.detail.clone(),
        ]);
    }
    table
}

fn summary(inputs: &Inputs<'_>, remediation: &[Remediated], exceptions: usize) -> String {
    let review = inputs.review;
    let source = &review.source;
    let progress = review.progress();
    let text = |t: &str| crate::text::sanitize(t);
    let org = match (&source.org_name, &source.org_id) {
        (Some(name), Some(id)) => format!("{} ({})", text(name), text(id)),
        (Some(name), None) => text(name),
        (None, Some(id)) => text(id),
        (None, None) => "not recorded".to_owned(),
    };
    let started_by = review
        .started_by
        .as_ref()
        .map_or("not recorded".to_owned(), |p| text(&person_label(p)));
    let signed = review
        .signature
        .as_ref()
        .map_or("not signed".to_owned(), |s| {
            format!(
                "{}, {}",
                text(&s.reviewer_label()),
                timestamp::format(&s.signed_at)
            )
        });
    let done = remediation.iter().filter(|r| !r.failed).count();
    let mut out = String::new();
    out += &format!("# Access review: {}\n\n", text(&review.name));
    out += &format!(
        "- Scope: `{}` ({} rows, {} users)\n",
        text(&review.scope),
        progress.rows,
        progress.users
    );
    out += &format!("- Org: {org}\n- Site: {}\n", text(&source.origin));
    out += &format!(
        "- Population as of: {} (snapshot `{}`)\n",
        timestamp::format(&source.taken_at),
        text(&source.file)
    );
    out += &format!(
        "- Started: {} by {started_by}\n",
        timestamp::format(&review.started_at)
    );
    out += &format!("- Reviewer sign-off: {signed}\n");
    out += &format!("- ddusers version: {}\n\n", crate::VERSION);
    out += "## Decisions\n\n| Decision | Rows |\n|---|---:|\n";
    for (name, n) in [
        ("keep", progress.keep),
        ("revoke a role", progress.revoke_role),
        ("change role", progress.change_role),
        ("disable", progress.disable),
        ("undecided", progress.undecided),
    ] {
        out += &format!("| {name} | {n} |\n");
    }
    out += &format!(
        "\nPrivileged access kept with a justification: {}.\n\n",
        progress.privileged_kept
    );
    out += "## Remediation\n\n";
    if review.runs.is_empty() {
        out += "The decisions were not applied.\n\n";
    }
    for run in &review.runs {
        out += &format!(
            "- Run `{}` at {}: {} changes{}\n",
            text(&run.run.0),
            timestamp::format(&run.at),
            run.changes,
            if run.forced {
                " (forced: users changed since the snapshot included)"
            } else {
                ""
            }
        );
    }
    out += &format!(
        "\n{done} of {} changes done or already so; {exceptions} exceptions (exceptions.csv).\n\n",
        remediation.len()
    );
    out += &verification_notes(inputs);
    out
}

fn verification_notes(inputs: &Inputs<'_>) -> String {
    let source = &inputs.review.source;
    format!(
        "## Verifying this pack\n\n\
         1. Every file's sha256 is in `manifest.json`: in this folder, run\n   \
         `jq -r '.files[] | \"\\(.sha256)  \\(.name)\"' manifest.json | sha256sum -c`.\n\
         2. The review file hashes to `{}` (`sha256sum REVIEW.json`).\n\
         3. The source snapshot `{}` hashes to `{}` (`sha256sum` of the snapshot file).\n\
         4. The changes in `remediation.csv` are in the ddusers journal (`ddusers journal show RUN`) and in Datadog's Audit Trail.\n",
        inputs.review_sha256,
        crate::text::sanitize(&source.file),
        source.sha256,
    )
}

/// `manifest.json`: what the pack is, and the sha256 of every file before it.
#[derive(Serialize)]
struct Manifest<'a> {
    ddusers_version: &'a str,
    review: ManifestReview<'a>,
    source_snapshot: ManifestSnapshot<'a>,
    files: Vec<ManifestFile>,
}

#[derive(Serialize)]
struct ManifestReview<'a> {
    name: &'a str,
    sha256: &'a str,
    signed_items_sha256: Option<&'a str>,
}

#[derive(Serialize)]
struct ManifestSnapshot<'a> {
    file: &'a str,
    sha256: &'a str,
    content_sha256: Option<&'a str>,
}

#[derive(Serialize)]
struct ManifestFile {
    name: String,
    sha256: String,
    bytes: usize,
}

fn manifest(inputs: &Inputs<'_>, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let review = inputs.review;
    let manifest = Manifest {
        ddusers_version: crate::VERSION,
        review: ManifestReview {
            name: &review.name,
            sha256: inputs.review_sha256,
            signed_items_sha256: review.signature.as_ref().map(|s| s.items_sha256.as_str()),
        },
        source_snapshot: ManifestSnapshot {
            file: &review.source.file,
            sha256: &review.source.sha256,
            content_sha256: review.source.content_sha256.as_deref(),
        },
        files: files
            .iter()
            .map(|(name, bytes)| ManifestFile {
                name: name.clone(),
                sha256: crate::digest::sha256_hex(bytes),
                bytes: bytes.len(),
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    let mut bytes = crate::text::escape_json(&text).into_owned().into_bytes();
    bytes.push(b'\n');
    bytes
}
