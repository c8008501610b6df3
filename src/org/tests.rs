use super::snapshot::Snapshot;
use super::*;
use crate::api::models::UserStatus;
use crate::app::fixtures::{demo_audit_org, page, perm, role, user};

#[test]
fn roles_and_permissions_are_interned_once_across_pages() {
    let mut org = Org::new();
    let p = perm("p1", "user_access_manage", "Access Management");
    let r = role("r1", "Admin", &["p1"]);
    org.ingest_page(&page(
        vec![user("u1", "Ann", "ann@x.io", &["r1"])],
        &[&r],
        &[&p],
    ));
    org.ingest_page(&page(
        vec![user("u2", "Bob", "bob@x.io", &["r1"])],
        &[&r],
        &[&p],
    ));
    assert_eq!(org.len(), 2);
    assert_eq!(org.roles().len(), 1);
    assert_eq!(org.perms().len(), 1);
    let ann = org.by_id(&"u1".into()).expect("ann loaded");
    let groups = org.permission_groups(ann).expect("role permissions known");
    assert_eq!(groups[0].group, "Access Management");
    assert_eq!(
        groups[0].permissions[0].granted_by,
        vec!["Admin".to_owned()]
    );
}

#[test]
fn upserting_a_user_again_keeps_its_index_and_fixes_counts() {
    let mut org = Org::new();
    let mut u = user("u1", "Ann", "ann@x.io", &[]);
    org.upsert(&u);
    u.attributes.status = Some(UserStatus::Disabled);
    let (ix, new) = org.upsert(&u);
    assert_eq!((ix, new), (0, false));
    assert_eq!(org.counts().active, 0);
    assert_eq!(org.counts().disabled, 1);
    assert_eq!(org.counts().all, 1);
}

#[test]
fn the_console_org_makes_text_displayable_and_an_exact_org_keeps_it() {
    let hostile = user("u1", "Eve\u{202E}gnp.exe", "eve@x.io", &[]);
    let mut shown = Org::new();
    shown.upsert(&hostile);
    assert!(!shown.users()[0].name.contains('\u{202E}'));
    assert!(
        shown.users()[0].original.is_none(),
        "the console keeps records only"
    );
    let mut exact = Org::exact();
    exact.upsert(&hostile);
    assert!(exact.users()[0].name.contains('\u{202E}'));
    assert_eq!(exact.users()[0].original.as_deref(), Some(&hostile));
}

#[test]
fn a_snapshot_reads_into_an_org_and_writes_back_the_same() {
    let org = demo_audit_org();
    let snapshot = Snapshot::of(&org);
    let again = Org::from_snapshot(&snapshot, TextPolicy::Exact);
    assert_eq!(Snapshot::of(&again), snapshot);
    assert_eq!(again.len(), org.len());
    assert!(again.has_catalogue());
}

#[test]
fn a_snapshot_of_a_console_org_rebuilds_users_from_their_records() {
    let exact = demo_audit_org();
    let mut console = Org::new();
    for user in &Snapshot::of(&exact).users {
        console.upsert(user);
    }
    let rebuilt = Snapshot::of(&console);
    let back = Org::from_snapshot(&rebuilt, TextPolicy::Exact);
    for (a, b) in exact.users().iter().zip(back.users()) {
        let strip = |r: &UserRecord| UserRecord {
            original: None,
            search: (0, 0),
            ..r.clone()
        };
        assert_eq!(strip(a), strip(b), "{} survives the round trip", a.id);
    }
}

#[test]
fn effective_permissions_name_every_granting_role_once() {
    let org = demo_audit_org();
    for user in org.users() {
        let list = org.effective_permissions(user);
        let mut names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), list.len(), "one entry per permission");
        for p in &list {
            assert!(!p.granted_by.is_empty());
            let mut sorted = p.granted_by.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted, p.granted_by, "sorted, once each");
        }
    }
}

#[test]
fn stamps_keep_microseconds_and_count_seconds() {
    let t = time::macros::datetime!(2026-11-27 06:15:00.123456 UTC);
    let stamp = Stamp::of(t);
    assert_eq!(stamp.time(), t);
    assert_eq!(stamp.seconds(), t.unix_timestamp());
    let before_epoch = time::macros::datetime!(1969-12-31 23:59:59.5 UTC);
    assert_eq!(Stamp::of(before_epoch).seconds(), -1);
}

#[test]
fn allowed_login_methods_are_interned_sorted_and_survive_a_snapshot() {
    let mut org = Org::new();
    let with = |id: &str, methods: Option<&[&str]>| {
        let mut u = user(id, id, &format!("{id}@x.io"), &[]);
        u.attributes.allowed_login_methods =
            methods.map(|m| m.iter().map(|s| s.to_string()).collect());
        u
    };
    org.ingest_page(&page(
        vec![
            with("u1", Some(&["saml", "google"])),
            with("u2", Some(&["google", "saml"])),
            with("u3", Some(&[])),
            with("u4", None),
        ],
        &[],
        &[],
    ));
    let methods = |id: &str| org.login_methods(org.by_id(&id.into()).expect("loaded"));
    assert_eq!(methods("u1"), Some("google, saml"));
    assert_eq!(methods("u3"), Some(""), "none allowed explicitly");
    assert_eq!(methods("u4"), None, "not sent");
    let ix = |id: &str| org.by_id(&id.into()).and_then(|u| u.login_methods);
    assert_eq!(ix("u1"), ix("u2"), "one copy of each set");
    let back = Org::from_snapshot(&Snapshot::of(&org), TextPolicy::Display);
    let again = back.by_id(&"u1".into()).expect("in the snapshot");
    assert_eq!(back.login_methods(again), Some("google, saml"));
}

#[test]
fn a_snapshot_is_hashed_as_written_and_refused_when_its_file_was_changed() {
    let mut snapshot = Snapshot::of(&demo_audit_org());
    assert!(snapshot.content_sha256.is_some());
    // Changed after it was made: the file's hash still says what the file holds.
    snapshot.users.truncate(3);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("snap.json");
    snapshot.write(&path).expect("written");
    let back = Snapshot::read(&path).expect("reads back");
    assert_eq!(back.users.len(), 3);
    assert_eq!(back.content_sha256, back.compute_sha256());
    // Edited by hand afterwards: refused.
    let text = std::fs::read_to_string(&path).expect("read");
    let edited = text.replacen("ada@example.com", "eve@example.com", 1);
    assert_ne!(text, edited);
    std::fs::write(&path, edited).expect("write");
    let refused = Snapshot::read(&path).expect_err("refused");
    assert!(refused.to_string().contains("content_sha256"), "{refused}");
}
