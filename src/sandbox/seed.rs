//! Deterministic seed data for the sandbox: the org, the managed and custom roles, the
//! permission catalogue (embedded from `assets/`), a realistic mix of users and their
//! application keys. The same seed gives the same org on the same UTC day (times are
//! relative to today's midnight so that some invitations are still valid and others have
//! expired). Keys are drawn from their own PRNG after every user is made, so adding them
//! changed none of the users a seed gives.

mod keys;
mod people;
mod roles;

use time::{Duration, OffsetDateTime};

use super::store::{gravatar, new_id, OrgRec, PermRec, Snapshot};
pub(crate) use keys::{DEMO_ADMIN_KEY_NAME, DEMO_READONLY_KEY_NAME};
use people::UserFactory;

/// The real id of Datadog's managed admin role.
pub const ADMIN_ROLE_ID: &str = "94172442-be03-11e9-a77a-3b7612558ac1";
/// The real id of Datadog's managed standard role.
pub const STANDARD_ROLE_ID: &str = "94172443-be03-11e9-a77a-373332f69711";
/// A made-up, stable id for the managed read-only role.
pub const READ_ONLY_ROLE_ID: &str = "94172444-be03-11e9-a77a-0b3c8a5ddc5e";

const PERMISSIONS_JSON: &str = include_str!("../../assets/permissions.json");

/// Parses the embedded permission catalogue.
pub(crate) fn catalogue() -> Result<Vec<PermRec>, serde_json::Error> {
    serde_json::from_str(PERMISSIONS_JSON)
}

/// The moment seeded times are relative to: the start of `today`'s UTC day.
fn anchor(today: OffsetDateTime) -> OffsetDateTime {
    today
        .to_offset(time::UtcOffset::UTC)
        .replace_time(time::Time::MIDNIGHT)
}

fn ago(rng: &mut fastrand::Rng, anchor: OffsetDateTime, max: Duration) -> OffsetDateTime {
    let micros = rng.i64(0..max.whole_microseconds().max(1) as i64);
    anchor - Duration::microseconds(micros)
}

/// Seeds an organization of `users` users (at least the two demo users), its times
/// counted back from the start of `today`.
pub(crate) fn seed(users: usize, seed: u64, perms: &[PermRec], today: OffsetDateTime) -> Snapshot {
    let now = anchor(today);
    let mut rng = fastrand::Rng::with_seed(seed);
    let org_created = ago(&mut rng, now, Duration::days(6 * 365));
    let org = OrgRec {
        id: new_id(&mut rng),
        name: "Demo Org".to_owned(),
        public_id: format!("{:012x}", rng.u64(..) & 0xffff_ffff_ffff),
        description: Some("The ddusers sandbox organization".to_owned()),
        url: "https://app.datadoghq.com/account/settings".to_owned(),
        sharing: "Disabled".to_owned(),
        created_at: org_created,
        modified_at: org_created,
    };
    let mut roles = roles::managed_roles(perms);
    roles.extend(roles::custom_roles(perms, &mut rng, now));
    let mut factory = UserFactory::new(rng, now, users, &roles);
    let mut list = Vec::with_capacity(users.max(2));
    let mut invitations = Vec::new();
    list.push(factory.demo_user("Ada Admin", "ada.admin@demo-org.example", ADMIN_ROLE_ID));
    list.push(factory.demo_user(
        "Rita Readonly",
        "rita.readonly@demo-org.example",
        READ_ONLY_ROLE_ID,
    ));
    while list.len() < users {
        let user = factory.random_user(&mut invitations);
        list.push(user);
    }
    let application_keys = keys::seed_keys(&list, seed, now);
    debug_assert!(list.iter().all(|u| gravatar(&u.email).len() > 40));
    Snapshot {
        version: super::store::SNAPSHOT_VERSION,
        org,
        roles,
        users: list,
        invitations,
        app_keys: Vec::new(),
        application_keys: Some(application_keys),
    }
}

#[cfg(test)]
mod tests;
