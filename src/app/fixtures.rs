//! Builders of API documents for tests (unit, snapshot and end-to-end). Deterministic data
//! only; nothing here talks to a server.

use crate::api::models::*;

/// A permission.
pub fn perm(id: &str, name: &str, group: &str) -> Permission {
    Permission {
        kind: "permissions".into(),
        id: id.into(),
        attributes: PermissionAttributes {
            name: Some(name.into()),
            display_name: Some(name.replace('_', " ")),
            group_name: Some(group.into()),
            ..Default::default()
        },
    }
}

/// A role granting the permissions with these ids.
pub fn role(id: &str, name: &str, perms: &[&str]) -> Role {
    Role {
        kind: "roles".into(),
        id: id.into(),
        attributes: RoleAttributes {
            name: Some(name.into()),
            ..Default::default()
        },
        relationships: Some(RoleRelationships {
            permissions: Some(ToMany {
                data: perms
                    .iter()
                    .map(|p| ResourceRef::new("permissions", *p))
                    .collect(),
            }),
        }),
    }
}

/// An active user holding these roles.
pub fn user(id: &str, name: &str, email: &str, roles: &[&str]) -> User {
    User {
        kind: "users".into(),
        id: id.into(),
        attributes: UserAttributes {
            name: (!name.is_empty()).then(|| name.to_owned()),
            handle: Some(email.to_lowercase()),
            email: Some(email.to_owned()),
            status: Some(UserStatus::Active),
            disabled: Some(false),
            verified: Some(true),
            service_account: Some(false),
            mfa_enabled: Some(false),
            created_at: time::OffsetDateTime::from_unix_timestamp(1_700_000_000).ok(),
            ..Default::default()
        },
        relationships: UserRelationships {
            roles: Some(ToMany {
                data: roles
                    .iter()
                    .map(|r| ResourceRef::new("roles", *r))
                    .collect(),
            }),
            ..Default::default()
        },
    }
}

/// A list page holding these users, roles and permissions.
pub fn page(users: Vec<User>, roles: &[&Role], perms: &[&Permission]) -> UsersResponse {
    let mut included: Vec<Included> = perms
        .iter()
        .map(|p| Included::Permission((*p).clone()))
        .collect();
    included.extend(roles.iter().map(|r| Included::Role((*r).clone())));
    UsersResponse {
        data: users,
        included,
        meta: None,
    }
}

/// A fixed "now" for tests: 2024-03-01T12:00:00Z.
pub const NOW: i64 = 1_709_294_400;

/// A small, varied org: 12 users of every status, names in several scripts, three roles.
pub fn demo_org() -> (Vec<User>, Vec<Role>, Vec<Permission>) {
    let perms = vec![
        perm("p-manage", "user_access_manage", "Access Management"),
        perm("p-invite", "user_access_invite", "Access Management"),
        perm("p-dash-r", "dashboards_read", "Dashboards"),
        perm("p-dash-w", "dashboards_write", "Dashboards"),
        perm("p-mon-r", "monitors_read", "Monitors"),
    ];
    let roles = vec![
        role(
            "r-admin",
            "Datadog Admin Role",
            &["p-manage", "p-invite", "p-dash-r", "p-dash-w", "p-mon-r"],
        ),
        role(
            "r-std",
            "Datadog Standard Role",
            &["p-dash-r", "p-dash-w", "p-mon-r"],
        ),
        role("r-ro", "Datadog Read Only Role", &["p-dash-r", "p-mon-r"]),
    ];
    let day = 86_400;
    let mut users = Vec::new();
    type Spec<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a [&'a str],
        &'a str,
        Option<i64>,
        bool,
    );
    let specs: [Spec; 12] = [
        (
            "u01",
            "Ada Lovelace",
            "ada@example.com",
            &["r-admin"],
            "Active",
            Some(NOW - 3600),
            true,
        ),
        (
            "u02",
            "Björn Ångström",
            "bjorn@example.com",
            &["r-std"],
            "Active",
            Some(NOW - 2 * day),
            false,
        ),
        (
            "u03",
            "山田 太郎",
            "taro.yamada@example.jp",
            &["r-std", "r-ro"],
            "Active",
            Some(NOW - 40 * day),
            true,
        ),
        (
            "u04",
            "Zoë 🚀 Rocket",
            "zoe@example.com",
            &["r-ro"],
            "Pending",
            None,
            false,
        ),
        ("u05", "", "noname@example.com", &[], "Pending", None, false),
        (
            "u06",
            "Grace Hopper",
            "grace@example.com",
            &["r-admin"],
            "Disabled",
            Some(NOW - 400 * day),
            true,
        ),
        (
            "u07",
            "Alan Turing",
            "alan@example.com",
            &["r-std"],
            "Active",
            Some(NOW - 5 * day),
            false,
        ),
        (
            "u08",
            "CI bot",
            "ci-bot@example.com",
            &["r-std"],
            "Active",
            None,
            false,
        ),
        (
            "u09",
            "Edsger Dijkstra",
            "edsger@example.nl",
            &["r-ro"],
            "Disabled",
            Some(NOW - 90 * day),
            false,
        ),
        (
            "u10",
            "Барбара Лисков",
            "barbara@example.com",
            &["r-std"],
            "Active",
            Some(NOW - 12 * day),
            true,
        ),
        (
            "u11",
            "Ken Thompson",
            "ken@example.com",
            &["r-admin", "r-std"],
            "Active",
            Some(NOW - 600),
            true,
        ),
        (
            "u12",
            "Margaret Hamilton-Verylongsurname-Withmore",
            "margaret.hamilton.with.a.very.long.address@example.com",
            &["r-std"],
            "Active",
            Some(NOW - 7 * day),
            false,
        ),
    ];
    for (n, (id, name, email, roles, status, login, mfa)) in specs.into_iter().enumerate() {
        let mut u = user(id, name, email, roles);
        u.attributes.status = Some(UserStatus::parse(status));
        u.attributes.disabled = Some(status == "Disabled");
        u.attributes.last_login_time =
            login.and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
        u.attributes.mfa_enabled = Some(mfa);
        u.attributes.created_at =
            time::OffsetDateTime::from_unix_timestamp(NOW - (500 - 30 * n as i64) * day).ok();
        if id == "u08" {
            u.attributes.service_account = Some(true);
            u.attributes.handle = Some(id.to_owned());
        }
        users.push(u);
    }
    (users, roles, perms)
}

/// `demo_org` as one list page with a total.
pub fn demo_page() -> UsersResponse {
    let (users, roles, perms) = demo_org();
    let role_refs: Vec<&Role> = roles.iter().collect();
    let perm_refs: Vec<&Permission> = perms.iter().collect();
    let mut page = page(users, &role_refs, &perm_refs);
    page.meta = Some(ResponseMeta {
        page: Some(PageMeta {
            total_count: Some(12),
            total_filtered_count: Some(12),
        }),
    });
    page
}

/// The demo org (`demo_org`) as an audit `Org`, taken at `NOW`.
pub fn demo_audit_org() -> crate::audit::Org {
    let (users, roles, permissions) = demo_org();
    let role_permissions = roles
        .iter()
        .map(|r| (r.id.clone(), r.permission_ids().collect()))
        .collect();
    crate::audit::Org::new(crate::audit::Snapshot {
        format_version: crate::audit::FORMAT_VERSION,
        taken_at: time::OffsetDateTime::from_unix_timestamp(NOW).expect("NOW is a valid time"),
        origin: "test".into(),
        taken_by: None,
        org: Default::default(),
        users,
        roles,
        role_permissions,
        permissions,
    })
}
