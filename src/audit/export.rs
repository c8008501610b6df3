//! Writing a view (or a chosen list of users) as CSV or JSON. CSV is RFC 4180 (the `csv`
//! crate), one row per user: the columns of `users list --format csv`, in the same stable
//! order, then the view's own columns. JSON carries each user with their roles and
//! effective permissions (and the granting roles), plus the view's own columns.

use std::collections::BTreeMap;
use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::api::models::{timestamp, RoleId, User, UserId};
use crate::cli::output::{role_names, users_csv};

use super::org::{status_of, EffectivePermission, Org};
use super::views::AuditView;
use super::AuditError;

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

/// A JSON export: what it is, when the org was read, and the users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportDocument {
    pub view: String,
    pub title: String,
    pub count: usize,
    pub origin: String,
    pub taken_at: String,
    pub users: Vec<ExportUser>,
}

/// The rows of a view to export: the whole view, or the users listed in `only` in that
/// order (the console passes its filtered, sorted list).
pub fn rows<'a>(
    view: &'a AuditView,
    only: Option<&[UserId]>,
    org: &'a Org,
) -> Vec<&'a super::views::ViewRow> {
    match only {
        None => view.rows.iter().collect(),
        Some(ids) => {
            let by_id: BTreeMap<&UserId, &super::views::ViewRow> = view
                .rows
                .iter()
                .map(|r| (&org.users()[r.user].id, r))
                .collect();
            ids.iter().filter_map(|id| by_id.get(id).copied()).collect()
        }
    }
}

/// Writes `rows` of `view` as CSV.
pub fn write_csv(
    org: &Org,
    view: &AuditView,
    rows: &[&super::views::ViewRow],
    out: &mut dyn Write,
) -> Result<(), AuditError> {
    let users: Vec<User> = rows.iter().map(|r| org.users()[r.user].clone()).collect();
    let names = role_names(org.roles());
    let mut table = users_csv(&users, &names);
    table.headers.extend(view.columns.iter().copied());
    for (line, row) in table.rows.iter_mut().zip(rows) {
        line.extend(row.cells.iter().cloned());
    }
    table
        .write_csv(out)
        .map_err(|e| AuditError::Output(e.to_string()))
}

/// The JSON document of `rows` of `view`.
pub fn document(org: &Org, view: &AuditView, rows: &[&super::views::ViewRow]) -> ExportDocument {
    let fmt = |t: Option<time::OffsetDateTime>| t.map(|t| timestamp::format(&t));
    let users = rows
        .iter()
        .map(|row| {
            let user = &org.users()[row.user];
            let a = &user.attributes;
            ExportUser {
                id: user.id.clone(),
                email: a.email.clone(),
                name: a.name.clone(),
                handle: a.handle.clone(),
                title: a.title.clone(),
                status: status_of(user).to_string(),
                service_account: a.service_account,
                mfa_enabled: a.mfa_enabled,
                verified: a.verified,
                last_login_time: fmt(a.last_login_time),
                created_at: fmt(a.created_at),
                modified_at: fmt(a.modified_at),
                roles: org
                    .user_role_ids(user)
                    .into_iter()
                    .map(|id| ExportRole {
                        name: org.role_name(&id),
                        id,
                    })
                    .collect(),
                effective_permissions: org.effective_permissions(user),
                view: view
                    .columns
                    .iter()
                    .map(|c| c.to_string())
                    .zip(row.cells.iter().cloned())
                    .collect(),
            }
        })
        .collect::<Vec<_>>();
    ExportDocument {
        view: view.kind.name().to_owned(),
        title: view.title.clone(),
        count: users.len(),
        origin: org.snapshot().origin.clone(),
        taken_at: timestamp::format(&org.taken_at()),
        users,
    }
}

/// Writes `rows` of `view` as pretty JSON.
pub fn write_json(
    org: &Org,
    view: &AuditView,
    rows: &[&super::views::ViewRow],
    out: &mut dyn Write,
) -> Result<(), AuditError> {
    let doc = document(org, view, rows);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| AuditError::Output(e.to_string()))?;
    writeln!(out, "{}", crate::text::escape_json(&text))
        .map_err(|e| AuditError::Output(e.to_string()))
}
