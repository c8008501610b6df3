//! The audit views over an [`Org`]: who holds a permission, admins, and the risk lists.
//! Each view is a list of users in a stable order with view-specific columns, and a title
//! that carries the count. Definitions (also in the README):
//!
//! - `who-can PERMISSION`: every user (any status) with a role granting it; the granting
//!   roles are listed.
//! - `admins`: users (any status) holding the Datadog Admin Role, or a role granting one
//!   of [`ACCESS_WRITE_PERMISSIONS`](crate::domain::ACCESS_WRITE_PERMISSIONS) (the write permissions on access management, plus the
//!   deprecated catch-all `admin`).
//! - `no-mfa`: active people (not service accounts) whose MFA is off or not reported
//!   *and* who can log in with a password ([`Org::password_login`]): Datadog's MFA applies
//!   to password logins only, so a user whose login-method override allows single sign-on
//!   only is left out. Users without an override follow the org's default login methods,
//!   which the API does not let us read: they are counted, and their `password_login`
//!   column says the password is assumed.
//! - `login-overrides`: users (any status) whose login methods are overridden (a non-empty
//!   `allowed_login_methods`), with the methods and whether a password is among them.
//! - `outside-domains DOMAINS`: active and pending users (service accounts included)
//!   whose email domain is neither one of DOMAINS nor a subdomain of one (`eu.a.com` is
//!   inside `a.com`); addresses without a domain are listed too.
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
//! - `role NAME`: every member of a role (any status); the name is matched case- and
//!   accent-insensitively, or as the one role whose name contains it.
//! - `all`: every user (what `export` writes by default).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::api::models::timestamp;
use crate::org::{Org, PermIx, Stamp, Status, UserIx, UserRecord};

use super::AuditError;

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
    Role { role: String },
    LoginOverrides,
    OutsideDomains { allowed_domains: Vec<String> },
}

impl ViewKind {
    /// The views' names, as the command line and `:audit` take them (`role NAME` is taken
    /// too, but needs a role of the org, so it is not listed with the others).
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
        "login-overrides",
        "outside-domains",
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
            ViewKind::Role { .. } => "role",
            ViewKind::LoginOverrides => "login-overrides",
            ViewKind::OutsideDomains { .. } => "outside-domains",
        }
    }

    /// True when the view named `name` (or an alias of it) takes a list of words, typed
    /// with commas or spaces between them (`outside-domains a.com, b.org`).
    pub fn takes_word_list(name: &str) -> bool {
        matches!(
            ViewKind::parse(name, Some("-"), None),
            Ok(ViewKind::OutsideDomains { .. })
        )
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
            "role" | "members" => ViewKind::Role {
                role: permission
                    .filter(|p| !p.trim().is_empty())
                    .ok_or("role needs a role name, e.g. \"Datadog Admin Role\"")?
                    .trim()
                    .to_owned(),
            },
            "login-overrides" | "login-methods" | "overrides" => ViewKind::LoginOverrides,
            "outside-domains" | "outside-domain" | "domains" => ViewKind::OutsideDomains {
                allowed_domains: permission
                    .map(crate::email::parse_domain_list)
                    .filter(|d| !d.is_empty())
                    .ok_or("outside-domains needs the allowed domains, e.g. a.com,b.org")?,
            },
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
            ViewKind::Role { role } => write!(f, "Members of {role}"),
            ViewKind::LoginOverrides => f.write_str("Users with a login-method override"),
            ViewKind::OutsideDomains { allowed_domains } => {
                write!(f, "Users outside {}", allowed_domains.join(", "))
            }
        }
    }
}

/// One user of a view, with the view's own columns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewRow {
    /// The user's index in the org.
    pub user: UserIx,
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
    pub fn users<'a>(&'a self, org: &'a Org) -> impl Iterator<Item = &'a UserRecord> + 'a {
        self.rows.iter().filter_map(|r| org.get(r.user))
    }
}

/// What a view computes for one user: whether they belong, their sort key, their cells.
type Member = Option<(SortKey, Vec<String>)>;

/// Computes a view of the org; ages are counted back from `as_of` (when the org was read).
pub fn view(org: &Org, kind: &ViewKind, as_of: OffsetDateTime) -> Result<AuditView, AuditError> {
    let (columns, member) = rule(org, kind, as_of)?;
    let mut rows: Vec<(SortKey, ViewRow)> = org
        .indexed()
        .filter_map(|(ix, user)| {
            let (key, cells) = member(user)?;
            Some((key, ViewRow { user: ix, cells }))
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let rows: Vec<ViewRow> = rows.into_iter().map(|(_, row)| row).collect();
    Ok(AuditView {
        title: format!("{kind} ({})", rows.len()),
        kind: kind.clone(),
        columns,
        rows,
    })
}

/// A view's own columns, and the rule saying who belongs with what cells.
type Rule<'a> = (Vec<&'static str>, Box<dyn Fn(&UserRecord) -> Member + 'a>);

fn rule<'a>(org: &'a Org, kind: &ViewKind, now: OffsetDateTime) -> Result<Rule<'a>, AuditError> {
    Ok(match kind {
        ViewKind::All => (vec![], Box::new(|u| Some((SortKey::by_status(u), vec![])))),
        ViewKind::WhoCan { permission } => {
            let perm = org
                .find_permission(permission)
                .ok_or_else(|| AuditError::UnknownPermission(permission.trim().to_owned()))?;
            (vec!["granted_by"], Box::new(move |u| who_can(org, u, perm)))
        }
        ViewKind::Admins => {
            let admins = org.admin_rule();
            let member = move |u: &UserRecord| {
                let reasons = admins.reasons(org, u);
                (!reasons.is_empty()).then(|| (SortKey::by_status(u), vec![reasons.join("; ")]))
            };
            (vec!["admin_because"], Box::new(member))
        }
        ViewKind::NoMfa => (
            vec!["mfa", "password_login"],
            Box::new(move |u| no_mfa(org, u)),
        ),
        ViewKind::LoginOverrides => (
            vec!["login_methods", "password_login"],
            Box::new(move |u| login_override(org, u)),
        ),
        ViewKind::OutsideDomains { allowed_domains } => {
            let allowed = allowed_domains.clone();
            (vec!["domain"], Box::new(move |u| outside(u, &allowed)))
        }
        ViewKind::Inactive { days } => {
            let cutoff = Stamp::of(now - Duration::days(i64::from(*days)));
            let member = move |u: &UserRecord| inactive(u, cutoff, now);
            (vec!["last_login", "days_since_login"], Box::new(member))
        }
        ViewKind::Pending => (
            vec!["invited_at", "age_days", "expires_at", "expired"],
            Box::new(move |u| pending(u, now)),
        ),
        ViewKind::DisabledWithRoles => {
            let member = |u: &UserRecord| {
                let held = org.sorted_role_names(u).len();
                (u.status == Status::Disabled && held > 0)
                    .then(|| (SortKey::by_status(u), vec![held.to_string()]))
            };
            (vec!["roles_held"], Box::new(member))
        }
        ViewKind::ServiceAccounts => (
            vec![],
            Box::new(|u| u.service_account.then(|| (SortKey::by_status(u), vec![]))),
        ),
        ViewKind::Role { role } => {
            let wanted = org
                .find_role(role)
                .map_err(|close| AuditError::UnknownRole {
                    name: role.trim().to_owned(),
                    close,
                })?;
            let member = move |u: &UserRecord| {
                u.roles
                    .contains(&wanted)
                    .then(|| (SortKey::by_status(u), vec![]))
            };
            (vec![], Box::new(member))
        }
        ViewKind::NoRole => (
            vec![],
            Box::new(|u| {
                (u.status != Status::Disabled && u.roles.is_empty())
                    .then(|| (SortKey::by_status(u), vec![]))
            }),
        ),
    })
}

fn who_can(org: &Org, user: &UserRecord, perm: PermIx) -> Member {
    let roles = org.granting_roles(user, perm);
    (!roles.is_empty()).then(|| {
        (
            SortKey::by_status(user),
            vec![org.sorted_names(&roles).join("; ")],
        )
    })
}

fn no_mfa(org: &Org, user: &UserRecord) -> Member {
    if !user.is_person() || user.status != Status::Active || user.mfa == Some(true) {
        return None;
    }
    let password = org.password_login(user);
    if !password.possible() {
        return None;
    }
    let mfa = if user.mfa.is_some() { "off" } else { "unknown" };
    let cells = vec![mfa.to_owned(), password.explanation().to_owned()];
    Some((SortKey::by_status(user), cells))
}

fn login_override(org: &Org, user: &UserRecord) -> Member {
    if !org.has_login_override(user) {
        return None;
    }
    let methods = org.login_methods(user).unwrap_or_default().to_owned();
    let password = org.password_login(user).explanation().to_owned();
    Some((SortKey::by_status(user), vec![methods, password]))
}

fn outside(user: &UserRecord, allowed: &[String]) -> Member {
    if user.status == Status::Disabled {
        return None;
    }
    let domain = crate::email::email_domain(&user.email);
    if domain
        .as_deref()
        .is_some_and(|d| crate::email::domain_allowed(d, allowed))
    {
        return None;
    }
    let cell = domain.unwrap_or_else(|| "(no domain)".to_owned());
    Some((SortKey::by_status(user), vec![cell]))
}

fn inactive(user: &UserRecord, cutoff: Stamp, now: OffsetDateTime) -> Member {
    if !user.is_person() || user.status != Status::Active {
        return None;
    }
    if user.last_login.is_some_and(|t| t >= cutoff) {
        return None;
    }
    let cells = match user.last_login.map(Stamp::time) {
        None => vec!["never".to_owned(), String::new()],
        Some(t) => vec![timestamp::format(&t), (now - t).whole_days().to_string()],
    };
    // Never first, then the longest ago.
    Some((SortKey::after(user.last_login, user), cells))
}

fn pending(user: &UserRecord, now: OffsetDateTime) -> Member {
    if user.status != Status::Pending {
        return None;
    }
    let invited = invitation_sent(user);
    let cells = match invited.map(Stamp::time) {
        Some(sent) => {
            let expires = sent + INVITATION_LIFETIME;
            vec![
                timestamp::format(&sent),
                (now - sent).whole_days().to_string(),
                timestamp::format(&expires),
                if expires <= now { "yes" } else { "no" }.to_owned(),
            ]
        }
        None => vec![String::new(); 4],
    };
    Some((SortKey::after(invited, user), cells))
}

/// When a pending user's invitation was (taken to be) sent: see the module notes.
pub fn invitation_sent(user: &UserRecord) -> Option<Stamp> {
    user.modified.or(user.created)
}

/// Row order: the view's own key first (a time for some views), then status, email, id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    primary: Option<Stamp>,
    status: u8,
    email: String,
    id: String,
}

impl SortKey {
    fn by_status(user: &UserRecord) -> SortKey {
        SortKey {
            primary: None,
            status: user.status.rank(),
            email: user.email.to_lowercase(),
            id: user.id.to_string(),
        }
    }

    /// Ordered by `time` first, unknown (`None`) before any time.
    fn after(time: Option<Stamp>, user: &UserRecord) -> SortKey {
        SortKey {
            primary: time,
            ..SortKey::by_status(user)
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

#[cfg(test)]
mod login_tests {
    use super::*;
    use crate::api::models::UserStatus;
    use crate::app::fixtures::{page, user};

    /// Ann: password override; Bob: SSO only; Cy: no override (org defaults); Di: SAML only
    /// but pending; Eve: MFA on; Fay: disabled, Google only, outside the domains.
    fn org() -> Org {
        let with = |id: &str, email: &str, methods: &[&str]| {
            let mut u = user(id, id, email, &[]);
            u.attributes.allowed_login_methods =
                Some(methods.iter().map(|m| m.to_string()).collect());
            u
        };
        let mut di = with("di", "di@contractor.io", &["saml"]);
        di.attributes.status = Some(UserStatus::Pending);
        let mut eve = with("eve", "eve@eu.corp.com", &[]);
        eve.attributes.mfa_enabled = Some(true);
        let mut fay = with("fay", "fay@gmail.com", &["google"]);
        fay.attributes.status = Some(UserStatus::Disabled);
        fay.attributes.disabled = Some(true);
        let mut org = Org::new();
        org.ingest_page(&page(
            vec![
                with("ann", "ann@corp.com", &["password", "saml"]),
                with("bob", "bob@corp.com", &["saml"]),
                with("cy", "cy@CORP.com", &[]),
                di,
                eve,
                fay,
            ],
            &[],
            &[],
        ));
        org
    }

    fn members(org: &Org, kind: ViewKind) -> Vec<(String, Vec<String>)> {
        let view = view(org, &kind, OffsetDateTime::UNIX_EPOCH).expect("computes");
        view.rows
            .iter()
            .map(|r| {
                let id = org.get(r.user).expect("member").id.to_string();
                (id, r.cells.clone())
            })
            .collect()
    }

    #[test]
    fn no_mfa_leaves_out_sso_only_users_and_says_when_a_password_is_assumed() {
        let rows = members(&org(), ViewKind::NoMfa);
        let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["ann", "cy"], "bob is SSO only, eve has MFA");
        assert_eq!(rows[0].1, ["off", "yes (override allows password)"]);
        assert_eq!(
            rows[1].1,
            ["off", "assumed (org default methods not readable)"]
        );
    }

    #[test]
    fn login_overrides_lists_every_user_with_methods_whatever_their_status() {
        let rows = members(&org(), ViewKind::LoginOverrides);
        let ids: Vec<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["ann", "bob", "di", "fay"]);
        assert_eq!(
            rows[1].1,
            ["saml", "no (override allows SSO only)"],
            "bob's methods and the password rule"
        );
    }

    #[test]
    fn outside_domains_lists_users_not_in_the_allowed_domains_or_their_subdomains() {
        let kind = ViewKind::parse("outside-domains", Some("corp.com"), None).expect("parses");
        let rows = members(&org(), kind);
        assert_eq!(
            rows,
            [("di".to_owned(), vec!["contractor.io".to_owned()])],
            "eve is in a subdomain, fay is disabled, cy's domain differs in case only"
        );
        assert!(ViewKind::parse("outside-domains", None, None).is_err());
        assert!(ViewKind::parse("outside-domains", Some(" , "), None).is_err());
    }
}
