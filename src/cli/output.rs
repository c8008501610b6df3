//! Printing results for scripts and people: aligned tables (display-width aware, with
//! control characters neutralised so a hostile name cannot drive the terminal), RFC 4180
//! CSV, and JSON that is the API's data as-is.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::exit::CliResult;
use super::Format;
use crate::api::models::{timestamp, Included, Permission, Role, RoleId, User};

/// Rows under a header, printable as a table or as CSV.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

pub use crate::text::sanitize;
use crate::text::{csv_cell, escape_json};
use std::sync::atomic::{AtomicBool, Ordering};

impl Table {
    pub fn new(headers: Vec<&'static str>) -> Self {
        Self {
            headers,
            rows: Vec::new(),
        }
    }

    /// Writes aligned columns; the last column is not padded.
    pub fn write_aligned(&self, out: &mut dyn Write) -> io::Result<()> {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(|c| sanitize(c)).collect())
            .collect();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &cells {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.width());
                }
            }
        }
        let header: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        for row in std::iter::once(&header).chain(cells.iter()) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                line.push_str(cell);
                if i + 1 < row.len() {
                    let pad = widths[i].saturating_sub(cell.width()) + 2;
                    line.extend(std::iter::repeat_n(' ', pad));
                }
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// Writes RFC 4180 CSV with a header row. Cells are made safe to open in a spreadsheet
    /// (no control characters, no formula) unless `--raw-csv` was given.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let raw = raw_csv();
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(&self.headers)?;
        for row in &self.rows {
            writer.write_record(row.iter().map(|cell| csv_cell(cell, raw).into_owned()))?;
        }
        writer.flush()
    }
}

/// `--raw-csv`: CSV cells are written exactly as the data has them.
static RAW_CSV: AtomicBool = AtomicBool::new(false);

/// Sets `--raw-csv` for this process (the command line's one output option that every CSV
/// writer honours).
pub fn set_raw_csv(raw: bool) {
    RAW_CSV.store(raw, Ordering::Relaxed);
}

fn raw_csv() -> bool {
    RAW_CSV.load(Ordering::Relaxed)
}

/// Writes `value` as pretty JSON, hidden characters (C1 and bidirectional controls,
/// zero-width characters) written as `\u` escapes: exact when parsed, safe when printed.
pub fn write_json<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    writeln!(out, "{}", escape_json(&text))
}

/// Prints JSON of `value`, or the table `table` builds, as `format` says.
pub fn emit<T: Serialize + ?Sized>(
    format: Format,
    value: &T,
    table: impl FnOnce() -> Table,
) -> CliResult {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match format {
        Format::Json => write_json(value, &mut out)?,
        Format::Table => table().write_aligned(&mut out)?,
        Format::Csv => table().write_csv(&mut out)?,
    }
    Ok(())
}

/// Role names by id, for showing names where the API gives ids.
pub type RoleNames = HashMap<RoleId, String>;

/// Role names from a list of roles.
pub fn role_names<'a>(roles: impl IntoIterator<Item = &'a Role>) -> RoleNames {
    roles
        .into_iter()
        .map(|r| (r.id.clone(), r.display_name().to_owned()))
        .collect()
}

/// Role names from the roles a response included.
pub fn included_role_names(included: &[Included]) -> RoleNames {
    role_names(included.iter().filter_map(|i| match i {
        Included::Role(role) => Some(role),
        _ => None,
    }))
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

fn time_or_empty(value: Option<time::OffsetDateTime>) -> String {
    value.map(|t| timestamp::format(&t)).unwrap_or_default()
}

fn roles_of(user: &User, names: &RoleNames) -> String {
    user.role_ids()
        .map(|id| names.get(&id).cloned().unwrap_or_else(|| id.to_string()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The users table people read: the columns that fit a terminal.
pub fn users_table(users: &[User], names: &RoleNames) -> Table {
    let mut table = Table::new(vec![
        "ID",
        "STATUS",
        "NAME",
        "EMAIL",
        "ROLES",
        "MFA",
        "LAST LOGIN",
    ]);
    for user in users {
        let a = &user.attributes;
        table.rows.push(vec![
            user.id.to_string(),
            a.status.as_ref().map(|s| s.to_string()).unwrap_or_default(),
            a.name.clone().unwrap_or_default(),
            a.email.clone().unwrap_or_default(),
            roles_of(user, names),
            yes_no(a.mfa_enabled),
            a.last_login_time
                .map(|t| t.date().to_string())
                .unwrap_or_else(|| "never".into()),
        ]);
    }
    table
}

/// The users CSV: every attribute, in the one column order of
/// [`USER_COLUMNS`](crate::audit::export::USER_COLUMNS) (audit exports write the same), roles
/// joined with `; `.
pub fn users_csv(users: &[User], names: &RoleNames) -> Table {
    let mut org = crate::org::Org::exact();
    for (id, name) in names {
        org.intern_role(&Role {
            kind: "roles".to_owned(),
            id: id.clone(),
            attributes: crate::api::models::RoleAttributes {
                name: Some(name.clone()),
                ..Default::default()
            },
            relationships: None,
        });
    }
    for user in users {
        org.upsert(user);
    }
    crate::audit::export::users_csv(&org, org.users())
}

/// One user, as `field  value` lines.
pub fn user_fields(user: &User, names: &RoleNames) -> Table {
    let a = &user.attributes;
    let mut table = Table::new(vec!["FIELD", "VALUE"]);
    let fields: Vec<(&str, String)> = vec![
        ("id", user.id.to_string()),
        ("name", a.name.clone().unwrap_or_default()),
        ("email", a.email.clone().unwrap_or_default()),
        ("handle", a.handle.clone().unwrap_or_default()),
        ("title", a.title.clone().unwrap_or_default()),
        (
            "status",
            a.status.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        ),
        ("roles", roles_of(user, names)),
        ("service account", yes_no(a.service_account)),
        ("mfa", yes_no(a.mfa_enabled)),
        ("verified", yes_no(a.verified)),
        ("last login", time_or_empty(a.last_login_time)),
        ("created", time_or_empty(a.created_at)),
        ("modified", time_or_empty(a.modified_at)),
    ];
    for (field, value) in fields {
        table.rows.push(vec![field.to_owned(), value]);
    }
    table
}

/// Permissions, grouped by permission group then name.
pub fn permissions_table(permissions: &[Permission]) -> Table {
    let mut sorted: Vec<&Permission> = permissions.iter().collect();
    sorted.sort_by(|a, b| {
        (a.attributes.group_name.as_deref(), a.name())
            .cmp(&(b.attributes.group_name.as_deref(), b.name()))
    });
    let mut table = Table::new(vec!["GROUP", "NAME", "TYPE", "RESTRICTED", "DESCRIPTION"]);
    for p in sorted {
        let a = &p.attributes;
        table.rows.push(vec![
            a.group_name.clone().unwrap_or_default(),
            p.name().to_owned(),
            a.display_type.clone().unwrap_or_default(),
            yes_no(a.restricted),
            a.description.clone().unwrap_or_default(),
        ]);
    }
    table
}

/// Roles with their member counts.
pub fn roles_table(roles: &[Role]) -> Table {
    let mut table = Table::new(vec!["ID", "NAME", "USERS", "PERMISSIONS"]);
    for role in roles {
        table.rows.push(vec![
            role.id.to_string(),
            role.display_name().to_owned(),
            role.attributes
                .user_count
                .map(|n| n.to_string())
                .unwrap_or_default(),
            role.permission_ids().count().to_string(),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_wide_characters_by_display_width() {
        let mut table = Table::new(vec!["NAME", "EMAIL"]);
        table
            .rows
            .push(vec!["山田 太郎".into(), "taro@example.jp".into()]);
        table
            .rows
            .push(vec!["Zoë".into(), "zoe@example.com".into()]);
        let mut out = Vec::new();
        table.write_aligned(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let columns: Vec<usize> = text
            .lines()
            .map(|l| {
                let at = ["EMAIL", "taro", "zoe"]
                    .iter()
                    .find_map(|w| l.find(w))
                    .unwrap();
                l[..at].width()
            })
            .collect();
        assert_eq!(columns, vec![11, 11, 11], "{text}");
    }

    #[test]
    fn csv_quotes_commas_and_quotes() {
        let mut table = Table::new(vec!["name"]);
        table.rows.push(vec!["Doe, \"Jane\"".into()]);
        let mut out = Vec::new();
        table.write_csv(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name\n\"Doe, \"\"Jane\"\"\"\n"
        );
    }
}
