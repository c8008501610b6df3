//! The seeded roles: Datadog's three managed roles with the permissions they really hold,
//! and a few custom roles with made-up but plausible permission sets.

use time::{Duration, OffsetDateTime};

use super::{ago, ADMIN_ROLE_ID, READ_ONLY_ROLE_ID, STANDARD_ROLE_ID};
use crate::sandbox::store::{new_id, PermRec, RoleRec};

/// Permissions the standard role does not get (admin-only in Datadog).
const STANDARD_DENY: &[&str] = &[
    "user_access_manage",
    "user_access_invite",
    "org_management",
    "service_account_write",
    "org_connections_write",
    "governance_console_write",
    "billing_edit",
    "usage_edit",
    "api_keys_delete",
];

fn ids_where(perms: &[PermRec], keep: impl Fn(&PermRec) -> bool) -> Vec<String> {
    perms
        .iter()
        .filter(|p| keep(p))
        .map(|p| p.id.clone())
        .collect()
}

const ALWAYS: &[&str] = &["user_access_read", "user_self_profile_read"];

pub(super) fn managed_roles(perms: &[PermRec]) -> Vec<RoleRec> {
    let created = |micros: i64| {
        OffsetDateTime::from_unix_timestamp(1_565_725_819).unwrap_or(OffsetDateTime::UNIX_EPOCH)
            + Duration::microseconds(micros)
    };
    let role = |id: &str, name: &str, at, permissions| RoleRec {
        id: id.to_owned(),
        name: name.to_owned(),
        created_at: at,
        modified_at: at,
        permissions,
    };
    vec![
        role(
            ADMIN_ROLE_ID,
            "Datadog Admin Role",
            created(22_791),
            ids_where(perms, |p| !p.is_deprecated()),
        ),
        role(
            STANDARD_ROLE_ID,
            "Datadog Standard Role",
            created(75_284),
            ids_where(perms, |p| {
                !p.is_deprecated()
                    && !STANDARD_DENY.contains(&p.name.as_str())
                    && (!p.scope_only
                        || ALWAYS.contains(&p.name.as_str())
                        || p.name == "user_self_profile_write")
            }),
        ),
        role(
            READ_ONLY_ROLE_ID,
            "Datadog Read Only Role",
            created(98_013),
            ids_where(perms, |p| {
                (!p.is_deprecated() && !p.scope_only && p.display_type.as_deref() == Some("read"))
                    || ALWAYS.contains(&p.name.as_str())
            }),
        ),
    ]
}

pub(super) fn custom_roles(
    perms: &[PermRec],
    rng: &mut fastrand::Rng,
    now: OffsetDateTime,
) -> Vec<RoleRec> {
    let in_groups = |groups: &'static [&'static str], reads_only: bool| {
        ids_where(perms, move |p| {
            ALWAYS.contains(&p.name.as_str())
                || (!p.is_deprecated()
                    && !p.scope_only
                    && p.group_name.as_deref().is_some_and(|g| groups.contains(&g))
                    && (!reads_only || p.display_type.as_deref() == Some("read")))
        })
    };
    let specs: Vec<(&str, Vec<String>)> = vec![
        (
            "Security Auditor",
            in_groups(
                &[
                    "Cloud Security Platform",
                    "Compliance",
                    "Application Security",
                ],
                true,
            ),
        ),
        ("Billing Admin", in_groups(&["Billing and Usage"], false)),
        (
            "On-call Responder",
            in_groups(
                &["On-Call", "Case and Incident Management", "Monitors"],
                false,
            ),
        ),
        (
            "Support Read Only",
            ids_where(perms, |p| {
                ALWAYS.contains(&p.name.as_str())
                    || (!p.is_deprecated()
                        && !p.scope_only
                        && p.display_type.as_deref() == Some("read"))
            }),
        ),
        (
            "Team Inviter",
            ids_where(perms, |p| {
                ALWAYS.contains(&p.name.as_str()) || p.name == "user_access_invite"
            }),
        ),
    ];
    specs
        .into_iter()
        .map(|(name, permissions)| {
            let created_at = ago(rng, now, Duration::days(3 * 365));
            let modified_at = created_at + (now - created_at) * rng.f64();
            RoleRec {
                id: new_id(rng),
                name: name.to_owned(),
                created_at,
                modified_at,
                permissions,
            }
        })
        .collect()
}
