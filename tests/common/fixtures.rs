//! Builders of API documents for tests (unit, snapshot and end-to-end). Deterministic data
//! only; nothing here talks to a server.

use ddusers::api::models::*;

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

/// The demo org (`demo_org`) as an exact `Org`, read whole at `NOW`.
pub fn demo_audit_org() -> ddusers::org::Org {
    let (users, roles, permissions) = demo_org();
    let role_permissions = roles
        .iter()
        .map(|r| (r.id.clone(), r.permission_ids().collect()))
        .collect();
    let snapshot = ddusers::org::snapshot::Snapshot {
        format_version: ddusers::org::snapshot::FORMAT_VERSION,
        taken_at: time::OffsetDateTime::from_unix_timestamp(NOW).expect("NOW is a valid time"),
        origin: "test".into(),
        taken_by: None,
        ddusers_version: None,
        org: Default::default(),
        users,
        roles,
        role_permissions,
        permissions,
        content_sha256: None,
    };
    ddusers::org::Org::from_snapshot(&snapshot, ddusers::org::TextPolicy::Exact)
}

/// An access review of the demo org (`demo_audit_org`), scope `all`, started at `NOW`
/// from a snapshot file `org.json`: the ten users who can log in or are invited, one row
/// each, Ada's (u01) and Ken's (u11) for the admin role they hold (privileged).
pub fn demo_review() -> ddusers::review::Review {
    use ddusers::review::population::{start, Start};
    let scope = ddusers::review::Scope::parse("all").expect("`all` is a scope");
    let sha256 = "0".repeat(64);
    start(
        &demo_audit_org(),
        Start {
            name: "Q4 2026",
            scope: &scope,
            started_at: time::OffsetDateTime::from_unix_timestamp(NOW)
                .expect("NOW is a valid time"),
            started_by: None,
            snapshot_file: "org.json",
            snapshot_sha256: &sha256,
            content_sha256: None,
        },
    )
    .expect("the demo org's review starts")
}

/// `demo_review` with every row kept ("confirmed with managers", by ada) and signed by Ada
/// Lovelace at `NOW`: its decisions are final.
pub fn demo_review_signed() -> ddusers::review::Review {
    use ddusers::review::{Decision, RowSelector};
    let mut review = demo_review();
    let at = time::OffsetDateTime::from_unix_timestamp(NOW).expect("NOW is a valid time");
    let every = RowSelector::Rows((0..review.items.len()).collect());
    review
        .decide(&every, Decision::Keep, "confirmed with managers", "ada", at)
        .expect("every row is kept");
    let reviewer = ddusers::audit::meta::TakenBy {
        id: "u01".into(),
        email: Some("ada@example.com".into()),
        name: Some("Ada Lovelace".into()),
    };
    review
        .sign(reviewer, at)
        .expect("a review decided whole is signed");
    review
}

/// `demo_review` written to `dir` as `q4.json`, with the snapshot it was frozen from
/// beside it as `q4.snapshot.json` (the review naming it and its sha256, as `review start`
/// does); the review's path. The snapshot's roles also grant `user_access_read`, as
/// Datadog's do, so that an offline console can list its users.
pub fn write_demo_review(dir: &std::path::Path) -> std::path::PathBuf {
    let mut snapshot = ddusers::org::snapshot::Snapshot::of(&demo_audit_org());
    snapshot
        .permissions
        .push(perm("p-read", "user_access_read", "Access Management"));
    for granted in snapshot.role_permissions.values_mut() {
        granted.push("p-read".into());
    }
    let snapshot_path = dir.join("q4.snapshot.json");
    snapshot
        .write(&snapshot_path)
        .expect("the snapshot is written");
    let bytes = std::fs::read(&snapshot_path).expect("the snapshot reads back");
    let mut review = demo_review();
    review.source.file = "q4.snapshot.json".to_owned();
    review.source.sha256 = ddusers::digest::sha256_hex(&bytes);
    let path = dir.join("q4.json");
    review.write(&path).expect("the review is written");
    path
}

/// What the change gate would read of the demo org for `draft`, with `caller` holding the
/// keys: the draft's users, the roles (the admin role grants `user_access_manage`), whether
/// an active admin outside the draft remains, and keys (u08, the CI bot, owns a key used
/// a day before `NOW`; u01 owns one never used).
pub fn demo_facts(caller: &str, draft: &ddusers::runs::Draft) -> ddusers::runs::Facts {
    use ddusers::runs::plan::{Caller, KeyFact, Keys, RoleFacts, Subject};
    use std::collections::{BTreeMap, BTreeSet};
    let (users, roles, perms) = demo_org();
    let manage: BTreeSet<String> = roles
        .iter()
        .filter(|r| r.permission_ids().any(|p| p.as_str() == "p-manage"))
        .map(|r| r.id.to_string())
        .collect();
    let perm_name = |id: &PermissionId| {
        perms
            .iter()
            .find(|p| &p.id == id)
            .map(|p| p.name().to_owned())
            .unwrap_or_default()
    };
    let targets: BTreeSet<UserId> = draft
        .items()
        .iter()
        .filter_map(|i| i.change.user())
        .collect();
    let subject = |u: &User| Subject {
        id: u.id.clone(),
        name: u.attributes.name.clone(),
        email: u.attributes.email.clone(),
        title: u.attributes.title.clone(),
        status: u.status(),
        service_account: u.is_service_account(),
        roles: u.role_ids().collect(),
    };
    let is_manager = |u: &User| u.role_ids().any(|r| manage.contains(r.as_str()));
    let me = users
        .iter()
        .find(|u| u.id.as_str() == caller)
        .expect("the caller is a demo user");
    let permissions = me
        .role_ids()
        .filter_map(|r| roles.iter().find(|role| role.id == r))
        .flat_map(|role| {
            role.permission_ids()
                .map(|p| perm_name(&p))
                .collect::<Vec<_>>()
        })
        .chain(std::iter::once("org_app_keys_read".to_owned()))
        .collect();
    let outside_active = || {
        users
            .iter()
            .filter(|u| !targets.contains(&u.id) && u.status() == UserStatus::Active)
    };
    let at = |secs: i64| time::OffsetDateTime::from_unix_timestamp(secs).ok();
    let mut keys = BTreeMap::new();
    keys.insert(
        UserId::from("u08"),
        vec![KeyFact {
            name: "terraform".into(),
            last_used_at: at(NOW - 86_400),
        }],
    );
    keys.insert(
        UserId::from("u01"),
        vec![KeyFact {
            name: "laptop".into(),
            last_used_at: None,
        }],
    );
    ddusers::runs::Facts {
        read_only: false,
        origin: "demo".into(),
        caller: Caller {
            id: me.id.clone(),
            name: me.attributes.name.clone(),
            email: me.attributes.email.clone(),
            org: Some(OrgId::from("org-1")),
            permissions,
        },
        subjects: users
            .iter()
            .filter(|u| targets.contains(&u.id))
            .map(|u| (u.id.clone(), subject(u)))
            .collect(),
        missing: BTreeMap::new(),
        roles: roles
            .iter()
            .map(|r| {
                let facts = RoleFacts {
                    name: r.attributes.name.clone().unwrap_or_default(),
                    grants_manage: manage.contains(r.id.as_str()),
                };
                (r.id.clone(), facts)
            })
            .collect(),
        other_managers: outside_active().any(is_manager),
        other_admin_members: outside_active().any(|u| u.has_role(&"r-admin".into())),
        keys: Keys::Known(keys),
        read_at: at(NOW).unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    }
}

/// Run `ticket` ended: nothing stopped it, nothing was refused.
pub fn run_ended(ticket: ddusers::app::Ticket) -> ddusers::app::Msg {
    let ended = ddusers::app::msg::RunMsg::Ended {
        ticket,
        stopped: None,
        error: None,
    };
    ddusers::app::Msg::Run(ended)
}
