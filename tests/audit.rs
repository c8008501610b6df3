//! Read-only auditing against the sandbox: each view's membership (compared with what is
//! derived here, independently, from raw API answers), CSV and JSON round-trips, snapshots
//! and their diff around scripted changes, the audit commands of the real binary, and that
//! a whole audit session with the read-only key sends no write request.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::process::Command;

use ddusers::api::models::*;
use ddusers::api::{Client, ClientOptions, ListUsersQuery};
use ddusers::audit::export::{self, ExportDocument};
use ddusers::audit::{self, ViewKind};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::org::load::load_org;
use ddusers::org::snapshot::{Snapshot, SnapshotError};
use ddusers::org::{Org, Status, TextPolicy};
use ddusers::sandbox::{
    Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY, DEMO_READONLY_APP_KEY,
};
use time::{Duration, OffsetDateTime};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        port: 0,
        users: 400,
        seed: 6,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts on loopback")
}

fn client(sandbox: &Sandbox, app_key: &str) -> Client {
    Client::new(ClientOptions::new(
        parse_base_url(&sandbox.base_url(), false).unwrap(),
        Credentials::new(DEMO_API_KEY, app_key),
    ))
    .unwrap()
}

/// The org as raw API answers, and what each role grants, by permission name, from
/// ListRolePermissions (the loader takes it from elsewhere).
struct Raw {
    users: Vec<User>,
    role_names: HashMap<RoleId, String>,
    role_permissions: HashMap<RoleId, HashSet<String>>,
}

impl Raw {
    async fn read(client: &Client) -> Raw {
        let users = client
            .list_all_users(ListUsersQuery::default())
            .await
            .unwrap();
        let roles = client.list_all_roles().await.unwrap();
        let mut role_permissions = HashMap::new();
        for role in &roles {
            let permissions = client.list_role_permissions(&role.id).await.unwrap();
            role_permissions.insert(
                role.id.clone(),
                permissions
                    .data
                    .iter()
                    .map(|p| p.name().to_owned())
                    .collect(),
            );
        }
        Raw {
            users,
            role_names: roles
                .iter()
                .map(|r| (r.id.clone(), r.display_name().to_owned()))
                .collect(),
            role_permissions,
        }
    }

    fn ids(&self, keep: impl Fn(&User) -> bool) -> BTreeSet<UserId> {
        self.users
            .iter()
            .filter(|u| keep(u))
            .map(|u| u.id.clone())
            .collect()
    }

    fn holds(&self, user: &User, permission: &str) -> bool {
        user.role_ids()
            .any(|r| self.role_permissions[&r].contains(permission))
    }

    fn has_role_named(&self, user: &User, name: &str) -> bool {
        user.role_ids().any(|r| self.role_names[&r] == name)
    }
}

fn status(user: &User) -> UserStatus {
    user.attributes.status.clone().unwrap()
}

fn is_service_account(user: &User) -> bool {
    user.attributes.service_account == Some(true)
}

/// When the org was read: the views count ages back from then.
fn as_of(org: &Org) -> OffsetDateTime {
    org.reading().expect("read whole").taken_at
}

fn view_of(org: &Org, kind: &ViewKind) -> audit::AuditView {
    audit::view(org, kind, as_of(org)).unwrap()
}

fn members(org: &Org, kind: ViewKind) -> BTreeSet<UserId> {
    let view = view_of(org, &kind);
    assert!(
        view.title.ends_with(&format!("({})", view.rows.len())),
        "the title carries the count: {}",
        view.title
    );
    view.users(org).map(|u| u.id.clone()).collect()
}

/// Asserts the view equals the expectation, and that both members and non-members exist.
fn assert_view(org: &Org, kind: ViewKind, expected: BTreeSet<UserId>) {
    let got = members(org, kind.clone());
    assert!(!expected.is_empty(), "{kind}: the seed has members");
    assert!(
        expected.len() < org.users().len(),
        "{kind}: the seed has non-members"
    );
    assert_eq!(got, expected, "{kind}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_view_holds_exactly_the_users_the_api_data_says() {
    let sandbox = sandbox().await;
    let reader = client(&sandbox, DEMO_READONLY_APP_KEY);
    let raw = Raw::read(&reader).await;
    let org = load_org(&reader, "test").await.unwrap();
    let now = as_of(&org);
    assert_eq!(org.users().len(), raw.users.len());

    let access_writes = [
        "user_access_manage",
        "user_access_invite",
        "service_account_write",
        "org_management",
        "org_connections_write",
        "governance_console_write",
        "admin",
    ];
    let admins = raw.ids(|u| {
        raw.has_role_named(u, "Datadog Admin Role") || access_writes.iter().any(|p| raw.holds(u, p))
    });
    // Team Inviter holders who are not Datadog admins are admins through user_access_invite.
    let inviters = raw.ids(|u| {
        raw.has_role_named(u, "Team Inviter") && !raw.has_role_named(u, "Datadog Admin Role")
    });
    assert!(
        !inviters.is_empty(),
        "the seed has inviters without the admin role"
    );
    assert!(inviters.is_subset(&admins));
    let rita = raw
        .users
        .iter()
        .find(|u| u.attributes.email.as_deref() == Some("rita.readonly@demo-org.example"))
        .unwrap();
    assert!(!admins.contains(&rita.id));
    assert_view(&org, ViewKind::Admins, admins);

    for permission in ["user_access_manage", "user_access_invite", "billing_read"] {
        let expected = raw.ids(|u| raw.holds(u, permission));
        assert_view(
            &org,
            ViewKind::WhoCan {
                permission: permission.to_owned(),
            },
            expected,
        );
    }

    // MFA counts for password logins only: SSO-only overrides are left out.
    let sso_only = |u: &User| {
        let methods = u
            .attributes
            .allowed_login_methods
            .clone()
            .unwrap_or_default();
        !methods.is_empty() && methods.iter().all(|m| m == "saml" || m == "google")
    };
    let mfa_off = raw.ids(|u| {
        status(u) == UserStatus::Active
            && !is_service_account(u)
            && u.attributes.mfa_enabled != Some(true)
    });
    let no_mfa = raw.ids(|u| mfa_off.contains(&u.id) && !sso_only(u));
    assert!(
        no_mfa.len() < mfa_off.len(),
        "the seed has SSO-only users without MFA"
    );
    assert_view(&org, ViewKind::NoMfa, no_mfa);
    let overrides = raw.ids(|u| {
        u.attributes
            .allowed_login_methods
            .as_ref()
            .is_some_and(|m| !m.is_empty())
    });
    assert!(!overrides.is_empty(), "the seed has login-method overrides");
    assert_view(&org, ViewKind::LoginOverrides, overrides);
    let outside = raw.ids(|u| {
        let email = u.attributes.email.clone().unwrap_or_default();
        status(u) != UserStatus::Disabled
            && !email.ends_with("@example.com")
            && !email.ends_with(".example.com")
    });
    assert!(!outside.is_empty());
    assert_view(
        &org,
        ViewKind::OutsideDomains {
            allowed_domains: vec!["example.com".into()],
        },
        outside,
    );

    let inactive = raw.ids(|u| {
        status(u) == UserStatus::Active
            && !is_service_account(u)
            && u.attributes
                .last_login_time
                .is_none_or(|t| now - t > Duration::days(30))
    });
    let never = raw.ids(|u| {
        status(u) == UserStatus::Active
            && !is_service_account(u)
            && u.attributes.last_login_time.is_none()
    });
    assert!(!never.is_empty() && never.len() < inactive.len());
    assert_view(&org, ViewKind::Inactive { days: 30 }, inactive);

    assert_view(
        &org,
        ViewKind::Pending,
        raw.ids(|u| status(u) == UserStatus::Pending),
    );
    assert_view(
        &org,
        ViewKind::DisabledWithRoles,
        raw.ids(|u| status(u) == UserStatus::Disabled && u.role_ids().next().is_some()),
    );
    assert_view(&org, ViewKind::ServiceAccounts, raw.ids(is_service_account));
    assert_view(
        &org,
        ViewKind::NoRole,
        raw.ids(|u| status(u) != UserStatus::Disabled && u.role_ids().next().is_none()),
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_invitations_flag_the_expired_ones_and_views_keep_a_stable_order() {
    let sandbox = sandbox().await;
    let org = load_org(&client(&sandbox, DEMO_READONLY_APP_KEY), "test")
        .await
        .unwrap();
    let view = view_of(&org, &ViewKind::Pending);
    let expired_at = view.columns.iter().position(|c| *c == "expired").unwrap();
    let mut flags = HashSet::new();
    for row in &view.rows {
        let user = org.get(row.user).unwrap();
        let sent = user.modified.or(user.created).unwrap().time();
        let expired = sent + Duration::hours(48) <= as_of(&org);
        assert_eq!(row.cells[expired_at], if expired { "yes" } else { "no" });
        flags.insert(expired);
    }
    assert_eq!(flags.len(), 2, "the seed has expired and valid invitations");
    // Oldest invitation first.
    let sent: Vec<_> = view.users(&org).map(|u| u.modified.or(u.created)).collect();
    assert!(sent.windows(2).all(|w| w[0] <= w[1]));
    for kind in [ViewKind::Admins, ViewKind::NoMfa, ViewKind::ServiceAccounts] {
        assert_eq!(view_of(&org, &kind), view_of(&org, &kind));
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn effective_permissions_name_their_granting_roles() {
    let sandbox = sandbox().await;
    let reader = client(&sandbox, DEMO_READONLY_APP_KEY);
    let raw = Raw::read(&reader).await;
    let org = load_org(&reader, "test").await.unwrap();
    for user in raw.users.iter().take(60) {
        let mut expected: HashMap<String, BTreeSet<String>> = HashMap::new();
        for role in user.role_ids() {
            for permission in &raw.role_permissions[&role] {
                expected
                    .entry(permission.clone())
                    .or_default()
                    .insert(raw.role_names[&role].clone());
            }
        }
        let got: HashMap<String, BTreeSet<String>> = org
            .effective_permissions(org.by_id(&user.id).unwrap())
            .into_iter()
            .map(|p| (p.name, p.granted_by.into_iter().collect()))
            .collect();
        assert_eq!(got, expected, "{}", user.id);
    }
    assert_eq!(org.find_permission("no_such_permission"), None);
    assert!(matches!(
        audit::view(
            &org,
            &ViewKind::WhoCan {
                permission: "no_such_permission".into()
            },
            as_of(&org)
        ),
        Err(audit::AuditError::UnknownPermission(_))
    ));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_and_json_exports_round_trip() {
    let sandbox = sandbox().await;
    let org = load_org(&client(&sandbox, DEMO_READONLY_APP_KEY), "test")
        .await
        .unwrap();
    let view = view_of(
        &org,
        &ViewKind::WhoCan {
            permission: "user_access_invite".into(),
        },
    );
    let rows: Vec<_> = view.rows.iter().collect();

    let mut csv_bytes = Vec::new();
    export::write_csv(&org, &view, &rows, &mut csv_bytes).unwrap();
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        headers,
        [
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
            "granted_by"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), view.rows.len());
    for (record, user) in records.iter().zip(view.users(&org)) {
        assert_eq!(&record[0], user.id.as_str());
        assert_eq!(&record[1], &*user.email);
        assert_eq!(&record[2], &*user.name);
        let roles: BTreeSet<String> = record[6].split("; ").map(str::to_owned).collect();
        let expected: BTreeSet<String> = org.sorted_role_names(user).into_iter().collect();
        assert_eq!(roles, expected);
        assert!(!record[13].is_empty());
    }

    let mut json_bytes = Vec::new();
    let source = export::Source::of(&org, "", OffsetDateTime::now_utc());
    export::write_json(&org, &view, &rows, source, &mut json_bytes).unwrap();
    let mut doc: ExportDocument = serde_json::from_slice(&json_bytes).unwrap();
    let meta = doc.meta.take().expect("a JSON export says what it is");
    assert_eq!((meta.rows, meta.view.as_str()), (doc.count, "who-can"));
    assert_eq!(doc, export::document(&org, &view, &rows, source));
    assert_eq!(doc.origin, "test");
    assert_eq!(doc.count, view.rows.len());
    assert_eq!(doc.view, "who-can");
    for user in &doc.users {
        let invite = user
            .effective_permissions
            .iter()
            .find(|p| p.name == "user_access_invite")
            .expect("every member holds the permission");
        assert_eq!(user.view["granted_by"], invite.granted_by.join("; "));
    }

    // Only chosen users, in the chosen order (how the console exports its filtered list).
    let chosen: Vec<u32> = view.rows.iter().rev().take(3).map(|r| r.user).collect();
    let picked = export::rows(&view, Some(&chosen));
    let ixs: Vec<u32> = picked.iter().map(|r| r.user).collect();
    assert_eq!(ixs, chosen);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_files_round_trip_and_refuse_other_formats() {
    let sandbox = sandbox().await;
    let org = load_org(&client(&sandbox, DEMO_READONLY_APP_KEY), "test")
        .await
        .unwrap();
    let snapshot = Snapshot::of(&org);
    assert_eq!(snapshot.org.name.as_deref(), Some("Demo Org"));
    assert!(snapshot.taken_by.is_some());
    assert!(snapshot
        .permissions
        .iter()
        .any(|p| p.name() == "user_access_read"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.json");
    snapshot.write(&path).unwrap();
    assert_eq!(Snapshot::read(&path).unwrap(), snapshot);
    // Read into an org and written again, the file says the same.
    let again = Org::read_snapshot(&path).unwrap();
    assert_eq!(Snapshot::of(&again), snapshot);
    assert_eq!(
        Snapshot::of(&Org::from_snapshot(&snapshot, TextPolicy::Exact)),
        snapshot
    );

    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    value["format_version"] = serde_json::json!(99);
    std::fs::write(&path, value.to_string()).unwrap();
    let error = Snapshot::read(&path).unwrap_err();
    assert!(
        matches!(error, SnapshotError::Version { found: 99, .. }),
        "{error}"
    );
    std::fs::write(&path, "[1, 2]").unwrap();
    assert!(matches!(
        Snapshot::read(&path),
        Err(SnapshotError::NotASnapshot { .. })
    ));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_reports_disabled_users_role_grants_and_role_permission_changes() {
    let sandbox = sandbox().await;
    let reader = client(&sandbox, DEMO_READONLY_APP_KEY);
    let admin = client(&sandbox, DEMO_ADMIN_APP_KEY);
    let before = load_org(&reader, "test").await.unwrap();

    let roles = admin.list_all_roles().await.unwrap();
    let role = |name: &str| {
        roles
            .iter()
            .find(|r| r.display_name() == name)
            .unwrap()
            .id
            .clone()
    };
    let (auditor, billing) = (role("Security Auditor"), role("Billing Admin"));
    let active: Vec<_> = before
        .users()
        .iter()
        .filter(|u| u.status == Status::Active && !u.service_account)
        .skip(5)
        .collect();
    let disabled = [active[0].id.clone(), active[1].id.clone()];
    for id in &disabled {
        admin.disable_user(id).await.unwrap();
    }
    let promoted = active
        .iter()
        .skip(2)
        .find(|u| u.roles.is_empty())
        .expect("an active user without roles")
        .id
        .clone();
    admin.add_user_to_role(&billing, &promoted).await.unwrap();
    let perm_id = |name: &str| {
        let ix = before.find_permission(name).unwrap();
        (ix, before.perm(ix).unwrap().id.clone())
    };
    let grants = |perm: u32| {
        let role = before.role(before.role_index(&auditor).unwrap()).unwrap();
        role.permissions.as_ref().unwrap().contains(&perm)
    };
    let (live_tail_ix, live_tail) = perm_id("logs_live_tail");
    assert!(!grants(live_tail_ix));
    let revoked_name = "security_monitoring_signals_read";
    let (revoked_ix, revoked) = perm_id(revoked_name);
    assert!(grants(revoked_ix));
    admin.grant_permission(&auditor, &live_tail).await.unwrap();
    admin.revoke_permission(&auditor, &revoked).await.unwrap();

    let after = load_org(&reader, "test").await.unwrap();
    let diff = audit::diff(&before, &after);
    let ids = |list: &[audit::diff::UserRef]| list.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
    let mut expected_disabled = disabled.to_vec();
    expected_disabled.sort_by_key(|id| before.by_id(id).unwrap().email.to_lowercase());
    assert_eq!(ids(&diff.users_disabled), expected_disabled);
    assert!(diff.users_added.is_empty() && diff.users_removed.is_empty());
    assert!(diff.users_enabled.is_empty());

    assert_eq!(diff.role_permission_changes.len(), 1);
    let change = &diff.role_permission_changes[0];
    assert_eq!(change.role.name, "Security Auditor");
    assert_eq!(change.granted, ["logs_live_tail"]);
    assert_eq!(change.revoked, [revoked_name]);

    let by_user: HashMap<&UserId, &audit::diff::UserAccessChange> =
        diff.user_changes.iter().map(|c| (&c.user.id, c)).collect();
    let promotion = by_user[&promoted];
    assert_eq!(promotion.roles_granted, ["Billing Admin"]);
    assert!(promotion
        .permissions_gained
        .iter()
        .any(|p| p.permission == "billing_read" && p.via == ["Billing Admin"]));
    assert!(promotion.permissions_lost.is_empty());

    // Every holder of Security Auditor gains logs_live_tail unless another role gave it already.
    for user in before.users() {
        let holds_auditor = user
            .roles
            .iter()
            .any(|r| before.role(*r).is_some_and(|r| r.id == auditor));
        let had_live_tail = before
            .effective_permissions(user)
            .iter()
            .any(|p| p.name == "logs_live_tail");
        let gained = by_user.get(&user.id).is_some_and(|c| {
            c.permissions_gained.iter().any(|p| {
                p.permission == "logs_live_tail" && p.via.contains(&"Security Auditor".into())
            })
        });
        assert_eq!(gained, holds_auditor && !had_live_tail, "{}", user.id);
    }
    assert!(diff.user_changes.iter().any(|c| c
        .permissions_lost
        .iter()
        .any(|p| p.permission == revoked_name)));

    let text = diff.to_text();
    assert!(text.contains("Users disabled (2)"), "{text}");
    assert!(
        text.contains("Role permission changes (1)\n  Security Auditor\n    + logs_live_tail\n"),
        "{text}"
    );
    assert!(text.contains("    + role Billing Admin"), "{text}");
    let json = serde_json::to_string(&diff).unwrap();
    assert_eq!(
        serde_json::from_str::<audit::SnapshotDiff>(&json).unwrap(),
        diff
    );
    assert!(audit::diff(&after, &after).is_empty());
    sandbox.shutdown().await;
}

fn ddusers(sandbox: &Sandbox, app_key: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ddusers"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DDUSERS_BASE_URL", sandbox.base_url())
        .env("DD_API_KEY", DEMO_API_KEY)
        .env("DD_APP_KEY", app_key);
    command
}

/// What `command` printed, once it succeeded.
async fn stdout_of(command: Command) -> String {
    let out = run(command).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn run(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_audit_session_with_the_read_only_key_sends_no_write() {
    let sandbox = sandbox().await;
    let reader = client(&sandbox, DEMO_READONLY_APP_KEY);
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");

    let org = load_org(&reader, "test").await.unwrap();
    for name in ViewKind::NAMES {
        let kind = ViewKind::parse(name, Some("user_access_manage"), Some(30)).unwrap();
        let view = view_of(&org, &kind);
        let rows: Vec<_> = view.rows.iter().collect();
        export::write_csv(&org, &view, &rows, &mut Vec::new()).unwrap();
        let source = export::Source::of(&org, "", OffsetDateTime::now_utc());
        export::write_json(&org, &view, &rows, source, &mut Vec::new()).unwrap();
    }

    // The binary, as scripts use it, with the read-only key and --read-only.
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command
        .args(["--read-only", "snapshot", "--output"])
        .arg(&first);
    let out = run(command).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("written to"));

    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command.args(["audit", "who-can", "user_access_invite", "--format", "json"]);
    let out = run(command).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: ExportDocument = serde_json::from_slice(&out.stdout).unwrap();
    let expected = view_of(
        &org,
        &ViewKind::WhoCan {
            permission: "user_access_invite".into(),
        },
    );
    assert_eq!(doc.count, expected.rows.len());

    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command.args(["audit", "admins"]);
    let out = run(command).await;
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success());
    assert!(table.starts_with("Admins ("), "{table}");
    assert!(table.contains("ada.admin@demo-org.example"), "{table}");
    assert!(!table.contains("rita.readonly@demo-org.example"), "{table}");

    let csv_path = dir.path().join("pending.csv");
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command
        .args(["export", "--view", "pending", "--format", "csv", "--output"])
        .arg(&csv_path);
    let out = run(command).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pending = view_of(&org, &ViewKind::Pending);
    let written = std::fs::read_to_string(&csv_path).unwrap();
    assert_eq!(
        csv::Reader::from_reader(written.as_bytes())
            .records()
            .count(),
        pending.rows.len()
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("pending.csv"));

    // Offline: the same view from the snapshot file, and a diff of it with itself.
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command
        .args(["audit", "no-mfa", "--format", "csv", "--from"])
        .arg(&first);
    let out = run(command).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The domain and login-method views, by the flags the README shows.
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command.args([
        "audit",
        "outside-domains",
        "--allowed-domains",
        "example.com,example.org",
        "--format",
        "csv",
    ]);
    let stdout = stdout_of(command).await;
    let outside = view_of(
        &org,
        &ViewKind::OutsideDomains {
            allowed_domains: vec!["example.com".into(), "example.org".into()],
        },
    );
    assert!(!outside.rows.is_empty());
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let domain_at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "domain")
        .expect("a domain column");
    let domains: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[domain_at].to_owned())
        .collect();
    assert_eq!(domains.len(), outside.rows.len());
    assert!(domains
        .iter()
        .all(|d| d == "demo-org.example" || d == "svc.demo-org.example"));
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command.args(["audit", "login-overrides"]);
    let stdout = stdout_of(command).await;
    let overrides = view_of(&org, &ViewKind::LoginOverrides);
    assert!(stdout.contains(&overrides.title), "{stdout}");
    assert!(stdout.contains("LOGIN METHODS") && stdout.contains("PASSWORD LOGIN"));
    assert!(stdout.contains("no (override allows SSO only)"));

    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command.arg("diff").arg(&first).arg(&first);
    let out = run(command).await;
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No changes."));

    let stats = sandbox.stats();
    assert!(stats.requests > 10);
    assert_eq!(stats.write_requests, 0, "an audit session sends no write");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_mistakes_are_one_line_with_a_usage_exit() {
    let sandbox = sandbox().await;
    for args in [
        vec!["audit", "who-can"],
        vec!["audit", "who-can", "no_such_permission"],
        vec!["audit", "nonsense"],
        vec!["export", "--view", "nonsense"],
        vec!["audit", "outside-domains"],
    ] {
        let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
        command.args(&args);
        let out = run(command).await;
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    }
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command.arg("diff").arg(&missing).arg(&missing);
    let out = run(command).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.json"));
    // `open NEW --diff OLD` reads OLD before taking the terminal: a bad file is said plainly.
    let damaged = dir.path().join("damaged.json");
    std::fs::write(&damaged, "{ not json").unwrap();
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command
        .arg("open")
        .arg(&missing)
        .arg("--diff")
        .arg(&damaged);
    let out = run(command).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("damaged.json is not a ddusers audit snapshot"),
        "{stderr}"
    );
    assert_eq!(sandbox.stats().write_requests, 0);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_served_offline_reads_back_as_the_same_org() {
    let sandbox = sandbox().await;
    let live = load_org(&client(&sandbox, DEMO_READONLY_APP_KEY), "test")
        .await
        .unwrap();
    sandbox.shutdown().await;
    let snapshot = Snapshot::of(&live);

    let offline = Sandbox::start_offline(&snapshot, SandboxConfig::default())
        .await
        .unwrap();
    let reader = client(&offline, ddusers::sandbox::OFFLINE_APP_KEY);
    let me = reader.get_current_user().await.unwrap();
    assert_eq!(Some(&me.data.id), snapshot.taken_by.as_ref());
    let served = load_org(&reader, "offline").await.unwrap();
    assert_eq!(served.users().len(), live.users().len());
    for name in ViewKind::NAMES {
        let kind = ViewKind::parse(name, Some("user_access_invite"), Some(30)).unwrap();
        if matches!(kind, ViewKind::Inactive { .. } | ViewKind::Pending) {
            continue; // counted from the moment each was read
        }
        assert_eq!(
            members(&served, kind.clone()),
            members(&live, kind),
            "{name}"
        );
    }
    assert_eq!(offline.stats().write_requests, 0);
    offline.shutdown().await;
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_say_what_they_are_and_their_hashes_verify() {
    let sandbox = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("monday.json");
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command.args(["snapshot", "--output"]).arg(&snapshot);
    stdout_of(command).await;
    let written = Snapshot::read(&snapshot).unwrap();
    assert_eq!(
        written.ddusers_version.as_deref(),
        Some(env!("CARGO_PKG_VERSION"))
    );
    // Its content hash verifies from the file alone, and a changed file is refused.
    let mut file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&snapshot).unwrap()).unwrap();
    let content = serde_json::json!({
        "users": file["users"],
        "roles": file["roles"],
        "role_permissions": file["role_permissions"],
        "permissions": file["permissions"],
    });
    assert_eq!(
        file["content_sha256"],
        sha256_hex(&serde_json::to_vec(&content).unwrap())
    );
    file["users"][0]["attributes"]["email"] = "someone.else@example.com".into();
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, serde_json::to_vec(&file).unwrap()).unwrap();
    assert!(matches!(
        Snapshot::read(&changed),
        Err(SnapshotError::NotASnapshot { reason, .. }) if reason.contains("content_sha256")
    ));

    // JSON: a meta object, hashing the users array.
    let json_path = dir.path().join("no-mfa.json");
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command
        .args(["export", "--view", "no-mfa", "--format", "json", "--output"])
        .arg(&json_path);
    stdout_of(command).await;
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let meta = &value["meta"];
    // Canonical JSON: compact, keys sorted (serde_json's Value keeps them sorted).
    let users = serde_json::to_vec(&value["users"]).unwrap();
    assert_eq!(meta["sha256"], sha256_hex(&users));
    assert_eq!(meta["view"], "no-mfa");
    assert_eq!(meta["rows"], value["users"].as_array().unwrap().len());
    assert_eq!(meta["rows"], meta["total"]);
    assert_eq!(meta["ddusers_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        meta["taken_by"]["id"].as_str(),
        written.taken_by.as_ref().map(|id| id.as_str())
    );
    assert!(meta["taken_by"]["email"].as_str().is_some());
    assert!(meta["org_name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(meta["org_id"].as_str().is_some());
    assert!(
        meta["taken_at"]
            .as_str()
            .is_some_and(|t| t.ends_with("+00:00")),
        "UTC"
    );

    // CSV from the snapshot (--as-of): plain CSV, and its meta beside it.
    let csv_path = dir.path().join("admins.csv");
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command
        .args(["export", "--view", "admins", "--from"])
        .arg(&snapshot)
        .arg("--output")
        .arg(&csv_path);
    stdout_of(command).await;
    let body = std::fs::read(&csv_path).unwrap();
    assert!(body.starts_with(b"id,email,"), "the CSV stays plain");
    let meta: ddusers::audit::meta::EvidenceMeta =
        serde_json::from_slice(&std::fs::read(dir.path().join("admins.csv.meta.json")).unwrap())
            .unwrap();
    assert_eq!(meta.sha256, sha256_hex(&body));
    assert_eq!(
        meta.taken_at,
        ddusers::api::models::timestamp::format(&written.taken_at),
        "as of the snapshot"
    );
    let rows = csv::Reader::from_reader(body.as_slice()).records().count();
    assert_eq!((meta.rows, meta.total), (rows, rows));

    // --as-of reads a view as of the snapshot, like --from.
    let mut command = ddusers(&sandbox, DEMO_READONLY_APP_KEY);
    command
        .args(["audit", "admins", "--format", "csv", "--as-of"])
        .arg(&snapshot);
    let as_of = stdout_of(command).await;
    assert_eq!(as_of.as_bytes(), body.as_slice());
    assert_eq!(sandbox.stats().write_requests, 0);
    sandbox.shutdown().await;
}
