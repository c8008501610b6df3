//! Writing users as CSV or JSON. CSV is RFC 4180 (the `csv` crate), one row per user: the
//! [`USER_COLUMNS`] (which `users list --format csv` writes too), then a view's own
//! columns. JSON carries each user with their roles and effective permissions (and the
//! granting roles), plus the view's own columns.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{timestamp, RoleId, UserId};
use crate::cli::output::Table;
use crate::org::{EffectivePermission, Org, OrgInfo, RoleIx, Stamp, UserIx, UserRecord};

use super::meta::{self, EvidenceMeta};
use super::views::{AuditView, ViewRow};
use super::AuditError;

/// The users CSV's columns, in their stable order.
pub const USER_COLUMNS: [&str; 13] = [
    "id",
    "email",
    "name",
    "handle",
    "title",
    "status",
    "roles",
    "service_account",
    "mfa_enabled",
    "verified",
    "last_login_time",
    "created_at",
    "modified_at",
];

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

fn time_text(stamp: Option<Stamp>) -> Option<String> {
    stamp.map(|s| timestamp::format(&s.time()))
}

/// One user's [`USER_COLUMNS`] cells.
pub fn user_cells(org: &Org, user: &UserRecord) -> Vec<String> {
    vec![
        user.id.to_string(),
        user.email.to_string(),
        user.name.to_string(),
        user.handle().unwrap_or_default().to_owned(),
        user.title.as_deref().unwrap_or_default().to_owned(),
        user.status_text().to_owned(),
        org.role_names_joined(user, "; "),
        yes_no(Some(user.service_account)),
        yes_no(user.mfa),
        yes_no(user.verified),
        time_text(user.last_login).unwrap_or_default(),
        time_text(user.created).unwrap_or_default(),
        time_text(user.modified).unwrap_or_default(),
    ]
}

/// The users CSV table of `users`.
pub fn users_csv<'a>(org: &Org, users: impl IntoIterator<Item = &'a UserRecord>) -> Table {
    let mut table = Table::new(USER_COLUMNS.to_vec());
    table
        .rows
        .extend(users.into_iter().map(|u| user_cells(org, u)));
    table
}

/// The rows of a view to export: the whole view, or the users listed in `only` in that
/// order (the console passes its filtered, sorted list).
pub fn rows<'a>(view: &'a AuditView, only: Option<&[UserIx]>) -> Vec<&'a ViewRow> {
    match only {
        None => view.rows.iter().collect(),
        Some(ixs) => {
            let by_ix: BTreeMap<UserIx, &ViewRow> = view.rows.iter().map(|r| (r.user, r)).collect();
            ixs.iter().filter_map(|ix| by_ix.get(ix).copied()).collect()
        }
    }
}

/// Writes `rows` of `view` as CSV.
pub fn write_csv(
    org: &Org,
    view: &AuditView,
    rows: &[&ViewRow],
    out: &mut dyn Write,
) -> Result<(), AuditError> {
    let mut table = Table::new(USER_COLUMNS.to_vec());
    table.headers.extend(view.columns.iter().copied());
    for row in rows {
        let Some(user) = org.get(row.user) else {
            continue;
        };
        let mut line = user_cells(org, user);
        line.extend(row.cells.iter().cloned());
        table.rows.push(line);
    }
    table
        .write_csv(out)
        .map_err(|e| AuditError::Output(e.to_string()))
}

/// A role as exports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRole {
    pub id: RoleId,
    pub name: String,
}

/// One user of a JSON export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportUser {
    pub id: UserId,
    pub email: Option<String>,
    pub name: Option<String>,
    pub handle: Option<String>,
    pub title: Option<String>,
    pub status: String,
    pub service_account: Option<bool>,
    pub mfa_enabled: Option<bool>,
    pub verified: Option<bool>,
    pub last_login_time: Option<String>,
    pub created_at: Option<String>,
    pub modified_at: Option<String>,
    pub roles: Vec<ExportRole>,
    pub effective_permissions: Vec<EffectivePermission>,
    /// The view's own columns (e.g. `granted_by`), by column name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub view: BTreeMap<String, String>,
}

impl ExportUser {
    fn of(org: &Org, user: &UserRecord, view: BTreeMap<String, String>) -> ExportUser {
        let text = |t: &str| (!t.is_empty()).then(|| t.to_owned());
        let mut held: Vec<RoleIx> = Vec::new();
        for role in user.roles.iter() {
            if !held.contains(role) {
                held.push(*role);
            }
        }
        ExportUser {
            id: user.id.clone(),
            email: text(&user.email),
            name: text(&user.name),
            handle: user.handle().map(str::to_owned),
            title: user.title.as_deref().map(str::to_owned),
            status: user.status_text().to_owned(),
            service_account: Some(user.service_account),
            mfa_enabled: user.mfa,
            verified: user.verified,
            last_login_time: time_text(user.last_login),
            created_at: time_text(user.created),
            modified_at: time_text(user.modified),
            roles: held
                .iter()
                .filter_map(|r| org.role(*r))
                .map(|r| ExportRole {
                    id: r.id.clone(),
                    name: r.name.clone(),
                })
                .collect(),
            effective_permissions: org.effective_permissions(user),
            view,
        }
    }
}

/// A JSON export: what it is, when the org was read, and the users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportDocument {
    /// The export's evidence metadata (absent in files of older builds).
    #[serde(default)]
    pub meta: Option<EvidenceMeta>,
    pub view: String,
    pub title: String,
    pub count: usize,
    pub origin: String,
    pub taken_at: String,
    pub users: Vec<ExportUser>,
}

/// Where and when the exported org was read, whose keys read it, and the filter the rows
/// went through.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    pub origin: &'a str,
    pub taken_at: OffsetDateTime,
    pub taken_by: Option<&'a UserId>,
    pub org: Option<&'a OrgInfo>,
    pub filter: Option<&'a str>,
}

impl<'a> Source<'a> {
    /// The org's own reading; for an org read as it went (the console's), `origin` now,
    /// with what the console knows of the org and its user (`about`).
    pub fn of(org: &'a Org, origin: &'a str, now: OffsetDateTime) -> Source<'a> {
        match org.reading() {
            Some(reading) => Source {
                origin: &reading.origin,
                taken_at: reading.taken_at,
                taken_by: reading.taken_by.as_ref(),
                org: Some(&reading.info),
                filter: None,
            },
            None => Source {
                origin,
                taken_at: now,
                taken_by: None,
                org: None,
                filter: None,
            },
        }
    }

    /// The same, completed by what the console knows (`about`) where the org does not say.
    pub fn about(self, about: &'a ExportAbout) -> Source<'a> {
        Source {
            taken_by: self.taken_by.or(about.taken_by.as_ref()),
            org: self.org.or(Some(&about.org)),
            filter: about.filter.as_deref(),
            ..self
        }
    }
}

/// What the console knows of an export beyond the org: the keys' user, the org's name,
/// and the filter on the list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportAbout {
    pub taken_by: Option<UserId>,
    pub org: OrgInfo,
    pub filter: Option<String>,
}

/// The formats of an export file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Json,
}

/// The JSON document of `rows` of `view`.
pub fn document(org: &Org, view: &AuditView, rows: &[&ViewRow], source: Source) -> ExportDocument {
    let users: Vec<ExportUser> = rows
        .iter()
        .filter_map(|row| {
            let user = org.get(row.user)?;
            let cells = view
                .columns
                .iter()
                .map(|c| c.to_string())
                .zip(row.cells.iter().cloned())
                .collect();
            Some(ExportUser::of(org, user, cells))
        })
        .collect();
    ExportDocument {
        meta: None,
        view: view.kind.name().to_owned(),
        title: view.title.clone(),
        count: users.len(),
        origin: source.origin.to_owned(),
        taken_at: timestamp::format(&source.taken_at),
        users,
    }
}

/// Writes `rows` of `view` as pretty JSON.
pub fn write_json(
    org: &Org,
    view: &AuditView,
    rows: &[&ViewRow],
    source: Source,
    out: &mut dyn Write,
) -> Result<(), AuditError> {
    let mut doc = document(org, view, rows, source);
    let hash = crate::digest::canonical_sha256(&doc.users)
        .map_err(|e| AuditError::Output(e.to_string()))?;
    doc.meta = Some(meta::evidence_meta(
        org,
        view,
        doc.users.len(),
        source,
        hash,
        meta::JSON_HASHED,
    ));
    let text = serde_json::to_string_pretty(&doc).map_err(|e| AuditError::Output(e.to_string()))?;
    writeln!(out, "{}", crate::text::escape_json(&text))
        .map_err(|e| AuditError::Output(e.to_string()))
}

/// Writes `rows` of `view` to the file `path` in `format`, atomically; a CSV gets its
/// evidence meta beside it (`FILE.meta.json`), a JSON export holds it. The command line's
/// `export --output` and the console's export both write through here.
pub fn write_file(
    path: &std::path::Path,
    format: FileFormat,
    org: &Org,
    view: &AuditView,
    rows: &[&ViewRow],
    source: Source,
) -> Result<(), AuditError> {
    let mut bytes = Vec::new();
    match format {
        FileFormat::Csv => write_csv(org, view, rows, &mut bytes)?,
        FileFormat::Json => write_json(org, view, rows, source, &mut bytes)?,
    }
    let write = |path: &std::path::Path, bytes: &[u8]| {
        crate::files::write_atomically(path, bytes).map_err(|source| AuditError::Write {
            path: path.to_owned(),
            source,
        })
    };
    write(path, &bytes)?;
    if format == FileFormat::Csv {
        let hash = crate::digest::sha256_hex(&bytes);
        let meta = meta::evidence_meta(org, view, rows.len(), source, hash, meta::CSV_HASHED);
        let text =
            serde_json::to_string_pretty(&meta).map_err(|e| AuditError::Output(e.to_string()))?;
        let text = crate::text::escape_json(&text) + "\n";
        write(&meta::meta_path(path), text.as_bytes())?;
    }
    Ok(())
}
