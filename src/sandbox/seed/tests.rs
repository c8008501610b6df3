use super::*;
use crate::api::models::UserStatus;
use crate::sandbox::store::Store;
use crate::sandbox::{DEMO_ADMIN_APP_KEY, DEMO_READONLY_APP_KEY};

/// A fixed "today", so no test depends on the day it runs.
const TODAY: OffsetDateTime = time::macros::datetime!(2026-03-02 15:30 UTC);

#[test]
fn catalogue_has_the_real_permissions_and_the_scope_only_ones() {
    let perms = catalogue().expect("embedded catalogue parses");
    assert_eq!(perms.iter().filter(|p| !p.scope_only).count(), 300);
    for name in [
        "user_access_read",
        "user_self_profile_read",
        "user_self_profile_write",
    ] {
        assert!(
            perms.iter().any(|p| p.name == name && p.scope_only),
            "{name}"
        );
    }
}

#[test]
fn seeding_100_000_users_gives_unique_ids_and_emails() {
    let perms = catalogue().expect("embedded catalogue parses");
    let snapshot = seed(100_000, 7, &perms, TODAY);
    let store = Store::from_snapshot(snapshot, perms).expect("seeded store is consistent");
    assert_eq!(store.users.len(), 100_000);
    let statuses = |s: UserStatus| store.users.iter().filter(|u| u.status() == s).count();
    assert!(statuses(UserStatus::Active) > 70_000);
    assert!(statuses(UserStatus::Pending) > 5_000);
    assert!(statuses(UserStatus::Disabled) > 5_000);
    assert!(store
        .users
        .iter()
        .any(|u| u.service_account && u.handle == u.id));
    assert!(store
        .users
        .iter()
        .filter(|u| u.status() == UserStatus::Pending)
        .all(|u| u.last_login_time.is_none()));
}

#[test]
fn seeded_keys_belong_to_active_users_and_every_service_account() {
    let perms = catalogue().expect("embedded catalogue parses");
    let snapshot = seed(3_000, 7, &perms, TODAY);
    let store = Store::from_snapshot(snapshot, perms).expect("seeded store is consistent");
    let keys = store.keys.records();
    assert_eq!(keys[0].key, DEMO_ADMIN_APP_KEY);
    assert_eq!(keys[0].owner, store.users[0].id);
    assert_eq!(keys[1].key, DEMO_READONLY_APP_KEY);
    assert_eq!(keys[1].owner, store.users[1].id);
    for user in &store.users {
        let owned = store.keys.count_of(&user.id);
        if user.service_account {
            assert!((1..=3).contains(&owned), "{} owns {owned}", user.id);
        }
        if user.status() != UserStatus::Active {
            assert_eq!(owned, 0, "{} is {:?}", user.id, user.status());
        }
    }
    let owners = store
        .users
        .iter()
        .filter(|u| store.keys.count_of(&u.id) > 0)
        .count();
    // About one user in six.
    assert!((350..=700).contains(&owners), "{owners} of 3000 own keys");
    let day = Duration::days(1);
    let anchor = anchor(TODAY);
    let never = keys.iter().filter(|k| k.last_used_at.is_none()).count();
    let recent = keys
        .iter()
        .filter(|k| k.last_used_at.is_some_and(|t| anchor - t < 3 * day))
        .count();
    let old = keys
        .iter()
        .filter(|k| k.last_used_at.is_some_and(|t| anchor - t > 60 * day))
        .count();
    assert!(never > 0 && recent > 0 && old > 0, "{never} {recent} {old}");
    for key in keys {
        assert!(key.created_at <= anchor, "{}", key.id);
        assert!(key.last_used_at.is_none_or(|t| t >= key.created_at));
        let owner = &store.users[store.user_index(&key.owner).expect("owner exists")];
        assert!(key.created_at >= owner.created_at);
    }
}

#[test]
fn the_same_seed_gives_the_same_users() {
    let perms = catalogue().expect("embedded catalogue parses");
    let a = seed(300, 42, &perms, TODAY);
    let b = seed(300, 42, &perms, TODAY);
    let ids = |s: &Snapshot| s.users.iter().map(|u| u.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
    assert_ne!(ids(&a), ids(&seed(300, 43, &perms, TODAY)));
    let keys = |s: &Snapshot| {
        s.application_keys
            .iter()
            .flatten()
            .map(|k| (k.id.clone(), k.name.clone(), k.owner.clone(), k.key.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&a), keys(&b));
    assert!(keys(&a).len() > 40, "{} keys", keys(&a).len());
}
