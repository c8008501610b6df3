//! Who a review covers, frozen: the scope (`all`, `admins`, `role:NAME`, `view:NAME`) read
//! against an org, and the rows it gives.
//!
//! - `all`, `admins`, `role:NAME`: the users of that audit view who can log in or are
//!   invited (active and pending). Disabled users have no access left to review.
//! - `view:NAME[:ARG]`: exactly the users of that audit view (`view:who-can:logs_delete`,
//!   `view:inactive:60`, `view:outside-domains:a.com,b.org`), whatever their status.
//!
//! Each user holding a privileged role (the admin role, or one granting an access-write
//! permission: [`AdminRule::why_privileged`](crate::org::access::AdminRule::why_privileged))
//! gets one row per such role; everyone else gets one row for their account.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{timestamp, UserId};
use crate::audit::meta::TakenBy;
use crate::audit::{AuditError, ViewKind};
use crate::org::{Org, RoleIx, Stamp, Status, UserRecord};

use super::{Item, Review, RoleRef, SourceSnapshot, FORMAT_VERSION};

/// The scope of a review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    /// As given, trimmed (recorded in the review).
    pub text: String,
    pub view: ViewKind,
    /// Only users who can log in or are invited (the plain scopes).
    pub active_and_pending: bool,
}

impl Scope {
    /// The scope from its text; a bad one is explained.
    pub fn parse(text: &str) -> Result<Scope, String> {
        let text = text.trim();
        let (head, rest) = text.split_once(':').unwrap_or((text, ""));
        let plain = |view| Scope {
            text: text.to_owned(),
            view,
            active_and_pending: true,
        };
        match head.trim().to_ascii_lowercase().as_str() {
            "all" | "" if rest.is_empty() => Ok(plain(ViewKind::All)),
            "admins" if rest.is_empty() => Ok(plain(ViewKind::Admins)),
            "role" if !rest.trim().is_empty() => Ok(plain(ViewKind::Role {
                role: rest.trim().to_owned(),
            })),
            "view" if !rest.trim().is_empty() => {
                let (name, argument) = rest.split_once(':').unwrap_or((rest, ""));
                let argument = Some(argument.trim()).filter(|a| !a.is_empty());
                let days = argument.and_then(|a| a.parse().ok());
                Ok(Scope {
                    text: text.to_owned(),
                    view: ViewKind::parse(name, argument, days)?,
                    active_and_pending: false,
                })
            }
            _ => Err(format!(
                "unknown review scope {text:?}: use all, admins, role:NAME or view:NAME (e.g. view:no-mfa, view:who-can:user_access_manage)"
            )),
        }
    }
}

/// A user as the snapshot saw them: what the population file lists and what `apply`
/// compares with the org before changing anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub status: String,
    /// Every role held, sorted by name.
    pub roles: Vec<RoleRef>,
    pub service_account: bool,
    #[serde(default)]
    pub mfa: Option<bool>,
    /// The login-method override ("" when none), when reported.
    #[serde(default)]
    pub login_methods: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub last_login: Option<String>,
}

impl Member {
    /// The user as `org` has them now.
    pub fn of(org: &Org, user: &UserRecord) -> Member {
        let mut roles: Vec<RoleRef> = user
            .roles
            .iter()
            .filter_map(|r| role_ref(org, *r))
            .collect();
        roles.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        let stamp = |s: Option<Stamp>| s.map(|s| timestamp::format(&s.time()));
        Member {
            id: user.id.clone(),
            name: user.name.to_string(),
            email: user.email.to_string(),
            status: user.status_text().to_owned(),
            roles,
            service_account: user.service_account,
            mfa: user.mfa,
            login_methods: org.login_methods(user).map(str::to_owned),
            created_at: stamp(user.created),
            last_login: stamp(user.last_login),
        }
    }

    /// "ada@example.com", else the name, else the id.
    pub fn label(&self) -> &str {
        [&self.email, &self.name]
            .into_iter()
            .find(|t| !t.is_empty())
            .map_or(self.id.as_str(), String::as_str)
    }

    /// True when the user holds the role (by id).
    pub fn holds(&self, role: &RoleRef) -> bool {
        self.roles.iter().any(|r| r.id == role.id)
    }

    /// What changed between this (the snapshot's) and `now` that a decision depends on:
    /// status and roles. `None` when they are the same.
    pub fn drift(&self, now: &Member) -> Option<String> {
        let mut changes = Vec::new();
        if !self.status.eq_ignore_ascii_case(&now.status) {
            changes.push(format!("status {} → {}", self.status, now.status));
        }
        fn ids(m: &Member) -> Vec<&str> {
            let mut ids: Vec<&str> = m.roles.iter().map(|r| r.id.0.as_str()).collect();
            ids.sort_unstable();
            ids
        }
        if ids(self) != ids(now) {
            let names = |m: &Member| {
                let names: Vec<&str> = m.roles.iter().map(|r| r.name.as_str()).collect();
                if names.is_empty() {
                    "no role".to_owned()
                } else {
                    names.join(", ")
                }
            };
            changes.push(format!("roles {} → {}", names(self), names(now)));
        }
        (!changes.is_empty()).then(|| changes.join("; "))
    }
}

fn role_ref(org: &Org, role: RoleIx) -> Option<RoleRef> {
    org.role(role).map(|r| RoleRef {
        id: r.id.clone(),
        name: r.name.clone(),
    })
}

/// How a review begins: its name, scope, who starts it and when, and the snapshot it
/// freezes (its file name and the sha256 of its bytes).
#[derive(Clone, Debug)]
pub struct Start<'a> {
    pub name: &'a str,
    pub scope: &'a Scope,
    pub started_at: OffsetDateTime,
    pub started_by: Option<TakenBy>,
    pub snapshot_file: &'a str,
    pub snapshot_sha256: &'a str,
    pub content_sha256: Option<String>,
}

/// A new review of `org` (read from the snapshot `start` names): every row of the scope,
/// undecided.
pub fn start(org: &Org, start: Start<'_>) -> Result<Review, AuditError> {
    let as_of = org.as_of(start.started_at);
    let view = crate::audit::view(org, &start.scope.view, as_of)?;
    let admins = org.admin_rule();
    let mut items = Vec::new();
    for row in &view.rows {
        let Some(user) = org.get(row.user) else {
            continue;
        };
        if start.scope.active_and_pending && user.status == Status::Disabled {
            continue;
        }
        let member = Member::of(org, user);
        let in_scope = reason(&start.scope.view, &row.cells);
        let mut privileged: Vec<(RoleRef, String)> = user
            .roles
            .iter()
            .filter_map(|r| Some((role_ref(org, *r)?, admins.why_privileged(org, *r)?)))
            .collect();
        privileged.sort();
        privileged.dedup();
        if privileged.is_empty() {
            items.push(Item {
                user: member,
                role: None,
                privileged: false,
                reason: in_scope,
                decision: None,
            });
            continue;
        }
        for (role, why) in privileged {
            // The admins scope's reason only repeats the role's; other scopes add theirs.
            let reason = match start.scope.view {
                ViewKind::Admins => format!("privileged: {why}"),
                _ => format!("privileged: {why}; {in_scope}"),
            };
            items.push(Item {
                user: member.clone(),
                reason,
                role: Some(role),
                privileged: true,
                decision: None,
            });
        }
    }
    let reading = org.reading();
    let taken_by = reading
        .and_then(|r| r.taken_by.as_ref())
        .map(|id| TakenBy::of(org, id));
    let mut roles: Vec<RoleRef> = org
        .roles()
        .iter()
        .filter(|r| r.seen)
        .map(|r| RoleRef {
            id: r.id.clone(),
            name: r.name.clone(),
        })
        .collect();
    roles.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    Ok(Review {
        ddusers_review: FORMAT_VERSION,
        name: start.name.trim().to_owned(),
        started_at: start.started_at,
        started_by: start.started_by.or_else(|| taken_by.clone()),
        ddusers_version: crate::VERSION.to_owned(),
        scope: start.scope.text.clone(),
        source: SourceSnapshot {
            file: start.snapshot_file.to_owned(),
            sha256: start.snapshot_sha256.to_owned(),
            content_sha256: start.content_sha256,
            taken_at: as_of,
            origin: reading.map(|r| r.origin.clone()).unwrap_or_default(),
            org_id: reading
                .and_then(|r| r.info.id.as_ref())
                .map(|id| id.to_string()),
            org_name: reading.and_then(|r| r.info.name.clone()),
            taken_by,
        },
        roles,
        items,
        signature: None,
        runs: Vec::new(),
    })
}

/// Why a user of `view` is in scope, from the view's own cells.
fn reason(view: &ViewKind, cells: &[String]) -> String {
    let detail = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    match view {
        ViewKind::All => "every user".to_owned(),
        ViewKind::Role { role } => format!("member of {role}"),
        ViewKind::Admins => format!("admin: {detail}"),
        other if detail.is_empty() => format!("in {other}"),
        other => format!("in {other}: {detail}"),
    }
}
