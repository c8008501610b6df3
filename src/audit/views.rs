//! The audit views over an [`Org`]: who holds a permission, admins, and the risk lists.
//! Each view is a list of users in a stable order with view-specific columns, and a title
//! that carries the count. Definitions (also in the README):
//!
//! - `who-can PERMISSION`: every user (any status) with a role granting it; the granting
//!   roles are listed.
//! - `admins`: users (any status) holding the Datadog Admin Role, or a role granting one
//!   of [`ACCESS_WRITE_PERMISSIONS`] (the write permissions on access management, plus the
//!   deprecated catch-all `admin`).
//! - `no-mfa`: active people (not service accounts) whose MFA is off or not reported.
//! - `inactive`: active people (not service accounts) who never logged in, or not in the
//!   last N days (counted back from when the org was read).
//! - `pending`: pending users with the age and expiry of their invitation. The API cannot
//!   list a user's invitations, so the invitation is taken to be sent at the user's
//!   `modified_at` (else `created_at`) and to expire 48 hours later, as the service's
//!   invitations do; expired ones are flagged.
//! - `disabled-with-roles`: disabled users who still hold at least one role.
//! - `service-accounts`: every service account, any status.
//! - `no-role`: active and pending users holding no role (disabled users without roles
//!   are the normal end state and are left out).
//! - `all`: every user (what `export` writes by default).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::api::models::{timestamp, User, UserStatus};

use super::org::{email_key, status_of, status_rank, Org};
use super::AuditError;

/// The managed role that grants everything.
pub const ADMIN_ROLE_NAME: &str = "Datadog Admin Role";

/// Permissions that let a user change who has access: inviting and managing users, service
/// accounts, the org, cross-org connections and the governance console; `admin` is the
/// deprecated catch-all.
pub const ACCESS_WRITE_PERMISSIONS: &[&str] = &[
    "user_access_manage",
    "user_access_invite",
    "service_account_write",
    "org_management",
    "org_connections_write",
    "governance_console_write",
    "admin",
];

/// How long an invitation stays valid.
pub const INVITATION_LIFETIME: Duration = Duration::hours(48);

/// Days without a login after which `inactive` lists an active user, unless told otherwise.
pub const DEFAULT_INACTIVE_DAYS: u32 = 90;

/// Which view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "view", rename_all = "kebab-case")]
pub enum ViewKind {
    All,
    WhoCan { permission: String },
    Admins,
    NoMfa,
    Inactive { days: u32 },
    Pending,
    DisabledWithRoles,
    ServiceAccounts,
    NoRole,
}

impl ViewKind {
    /// The views' names, as the command line and `:audit` take them.
    pub const NAMES: &'static [&'static str] = &[
        "all",
        "who-can",
        "admins",
        "no-mfa",
        "inactive",
        "pending",
        "disabled-with-roles",
        "service-accounts",
        "no-role",
    ];

    /// The view's name.
    pub fn name(&self) -> &'static str {
        match self {
            ViewKind::All => "all",
            ViewKind::WhoCan { .. } => "who-can",
            ViewKind::Admins => "admins",
            ViewKind::NoMfa => "no-mfa",
            ViewKind::Inactive { .. } => "inactive",
            ViewKind::Pending => "pending",
            ViewKind::DisabledWithRoles => "disabled-with-roles",
            ViewKind::ServiceAccounts => "service-accounts",
            ViewKind::NoRole => "no-role",
        }
    }

    /// A view from its name and the arguments some views need.
    pub fn parse(
        name: &str,
        permission: Option<&str>,
        days: Option<u32>,
    ) -> Result<ViewKind, String> {
        let name = name.trim().to_ascii_lowercase().replace('_', "-");
        Ok(match name.as_str() {
            "all" | "users" => ViewKind::All,
            "who-can" | "who-has" | "permission" => ViewKind::WhoCan {
                permission: permission
                    .filter(|p| !p.trim().is_empty())
                    .ok_or("who-can needs a permission name, e.g. user_access_manage")?
                    .trim()
                    .to_owned(),
            },
            "admins" | "admin" => ViewKind::Admins,
            "no-mfa" | "mfa" => ViewKind::NoMfa,
            "inactive" | "never-logged-in" | "stale" => ViewKind::Inactive {
                days: days.unwrap_or(DEFAULT_INACTIVE_DAYS),
            },
            "pending" | "invitations" | "pending-invitations" => ViewKind::Pending,
            "disabled-with-roles" | "disabled" => ViewKind::DisabledWithRoles,
            "service-accounts" | "service" => ViewKind::ServiceAccounts,
            "no-role" | "no-roles" | "roleless" => ViewKind::NoRole,
            other => {
                return Err(format!(
                    "unknown audit view {other:?}: use one of {}",
                    ViewKind::NAMES.join(", ")
                ))
            }
        })
    }
}

impl fmt::Display for ViewKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewKind::All => f.write_str("All users"),
            ViewKind::WhoCan { permission } => write!(f, "Who can {permission}"),
            ViewKind::Admins => f.write_str("Admins"),
            ViewKind::NoMfa => f.write_str("Active users without MFA"),
            ViewKind::Inactive { days } => {
                write!(f, "Active users not logged in for {days} days or never")
            }
            ViewKind::Pending => f.write_str("Pending invitations"),
            ViewKind::DisabledWithRoles => f.write_str("Disabled users still holding roles"),
            ViewKind::ServiceAccounts => f.write_str("Service accounts"),
            ViewKind::NoRole => f.write_str("Users with no role"),
        }
    }
}

/// One user of a view, with the view's own columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewRow {
    /// Index into [`Org::users`].
    pub user: usize,
    /// One cell per [`AuditView::columns`].
    pub cells: Vec<String>,
}

/// A computed view: title with the count, the view's own columns, and its rows in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditView {
    pub kind: ViewKind,
    /// E.g. "Admins (12)".
    pub title: String,
    /// Column names of the view's own cells (lower-case, as CSV headers).
    pub columns: Vec<&'static str>,
    pub rows: Vec<ViewRow>,
}

impl AuditView {
    /// The users of the view, in order.
    pub fn users<'a>(&'a self, org: &'a Org) -> impl DoubleEndedIterator<Item = &'a User> + 'a {
        self.rows.iter().map(|r| &org.users()[r.user])
    }
}

/// Computes a view of the org.
pub fn view(org: &Org, kind: &ViewKind) -> Result<AuditView, AuditError> {
    let now = org.taken_at();
    let users = org.users();
    let mut rows: Vec<(SortKey, ViewRow)> = Vec::new();
    let mut push = |index: usize, key: SortKey, cells: Vec<String>| {
        rows.push((key, ViewRow { user: index, cells }))
    };
    let columns: Vec<&'static str>;
    match kind {
        ViewKind::All => {
            columns = vec![];
            for (i, user) in users.iter().enumerate() {
                push(i, SortKey::by_status(user), vec![]);
            }
        }
        ViewKind::WhoCan { permission } => {
            let permission = org.find_permission(permission)?;
            columns = vec!["granted_by"];
            for (i, user) in users.iter().enumerate() {
                let roles = org.granting_roles(user, &permission.id);
                if !roles.is_empty() {
                    push(i, SortKey::by_status(user), vec![roles.join("; ")]);
                }
            }
        }
        ViewKind::Admins => {
            columns = vec!["admin_because"];
            for (i, user) in users.iter().enumerate() {
                let reasons = admin_reasons(org, user);
                if !reasons.is_empty() {
                    push(i, SortKey::by_status(user), vec![reasons.join("; ")]);
                }
            }
        }
        ViewKind::NoMfa => {
            columns = vec!["mfa"];
            for (i, user) in users.iter().enumerate() {
                let a = &user.attributes;
                if is_person(user)
                    && status_of(user) == UserStatus::Active
                    && a.mfa_enabled != Some(true)
                {
                    let mfa = if a.mfa_enabled.is_some() {
                        "off"
                    } else {
                        "unknown"
                    };
                    push(i, SortKey::by_status(user), vec![mfa.to_owned()]);
                }
            }
        }
        ViewKind::Inactive { days } => {
            columns = vec!["last_login", "days_since_login"];
            let cutoff = now - Duration::days(i64::from(*days));
            for (i, user) in users.iter().enumerate() {
                if !is_person(user) || status_of(user) != UserStatus::Active {
                    continue;
                }
                let last = user.attributes.last_login_time;
                if last.is_some_and(|t| t >= cutoff) {
                    continue;
                }
                let cells = match last {
                    None => vec!["never".to_owned(), String::new()],
                    Some(t) => vec![timestamp::format(&t), (now - t).whole_days().to_string()],
                };
                // Never first, then the longest ago.
                let key = SortKey {
                    primary: last.map_or(i128::MIN, |t| t.unix_timestamp_nanos()),
                    ..SortKey::by_status(user)
                };
                push(i, key, cells);
            }
        }
        ViewKind::Pending => {
            columns = vec!["invited_at", "age_days", "expires_at", "expired"];
            for (i, user) in users.iter().enumerate() {
                if status_of(user) != UserStatus::Pending {
                    continue;
                }
                let invited = invitation_sent(user);
                let cells = match invited {
                    Some(sent) => {
                        let expires = sent + INVITATION_LIFETIME;
                        vec![
                            timestamp::format(&sent),
                            (now - sent).whole_days().to_string(),
                            timestamp::format(&expires),
                            if expires <= now { "yes" } else { "no" }.to_owned(),
                        ]
                    }
                    None => vec![String::new(), String::new(), String::new(), String::new()],
                };
                let key = SortKey {
                    primary: invited.map_or(i128::MIN, |t| t.unix_timestamp_nanos()),
                    ..SortKey::by_status(user)
                };
                push(i, key, cells);
            }
        }
        ViewKind::DisabledWithRoles => {
            columns = vec!["roles_held"];
            for (i, user) in users.iter().enumerate() {
                let roles = org.user_role_names(user);
                if status_of(user) == UserStatus::Disabled && !roles.is_empty() {
                    push(i, SortKey::by_status(user), vec![roles.len().to_string()]);
                }
            }
        }
        ViewKind::ServiceAccounts => {
            columns = vec![];
            for (i, user) in users.iter().enumerate() {
                if user.attributes.service_account == Some(true) {
                    push(i, SortKey::by_status(user), vec![]);
                }
            }
        }
        ViewKind::NoRole => {
            columns = vec![];
            for (i, user) in users.iter().enumerate() {
                if status_of(user) != UserStatus::Disabled && org.user_role_ids(user).is_empty() {
                    push(i, SortKey::by_status(user), vec![]);
                }
            }
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let rows: Vec<ViewRow> = rows.into_iter().map(|(_, row)| row).collect();
    Ok(AuditView {
        title: format!("{kind} ({})", rows.len()),
        kind: kind.clone(),
        columns,
        rows,
    })
}

/// Why a user counts as an admin: the admin role, and each access-write permission with
/// the roles granting it. Empty when they are not an admin.
pub fn admin_reasons(org: &Org, user: &User) -> Vec<String> {
    let mut reasons = Vec::new();
    let role_ids = org.user_role_ids(user);
    if role_ids.iter().any(|r| org.role_name(r) == ADMIN_ROLE_NAME) {
        reasons.push(ADMIN_ROLE_NAME.to_owned());
    }
    for name in ACCESS_WRITE_PERMISSIONS {
        let Ok(permission) = org.find_permission(name) else {
            continue;
        };
        let roles: Vec<String> = org
            .granting_roles(user, &permission.id)
            .into_iter()
            .filter(|r| r != ADMIN_ROLE_NAME)
            .collect();
        if !roles.is_empty() {
            reasons.push(format!("{name} via {}", roles.join(", ")));
        }
    }
    reasons
}

/// When a pending user's invitation was (taken to be) sent: see the module notes.
pub fn invitation_sent(user: &User) -> Option<OffsetDateTime> {
    user.attributes.modified_at.or(user.attributes.created_at)
}

fn is_person(user: &User) -> bool {
    user.attributes.service_account != Some(true)
}

/// Row order: the view's own key first (a time for some views), then status, email, id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    primary: i128,
    status: u8,
    email: String,
    id: String,
}

impl SortKey {
    fn by_status(user: &User) -> SortKey {
        SortKey {
            primary: 0,
            status: status_rank(&status_of(user)),
            email: email_key(user),
            id: user.id.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_names_parse_and_round_trip() {
        for name in ViewKind::NAMES {
            let kind = ViewKind::parse(name, Some("user_access_manage"), None).unwrap();
            assert_eq!(kind.name(), *name);
        }
        assert!(ViewKind::parse("who-can", None, None).is_err());
        assert!(ViewKind::parse("nonsense", None, None).is_err());
        assert_eq!(
            ViewKind::parse("inactive", None, Some(30)).unwrap(),
            ViewKind::Inactive { days: 30 }
        );
    }
}
