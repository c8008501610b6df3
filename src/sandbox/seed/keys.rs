//! The seeded application keys: the two demo keys, and keys for service accounts and some
//! active people, drawn from their own PRNG so that adding keys changed none of the users.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

use crate::sandbox::keyring::AppKeyRec;
use crate::sandbox::store::{new_key_id, UserRec};
use crate::sandbox::{DEMO_ADMIN_APP_KEY, DEMO_READONLY_APP_KEY};

/// The name of the demo admin's application key ([`DEMO_ADMIN_APP_KEY`]).
pub(crate) const DEMO_ADMIN_KEY_NAME: &str = "ddusers demo (admin)";
/// The name of the demo read-only user's application key ([`DEMO_READONLY_APP_KEY`]).
pub(crate) const DEMO_READONLY_KEY_NAME: &str = "ddusers demo (read-only)";

/// Names people give their own application keys.
const PERSONAL_KEY_NAMES: &[&str] = &[
    "laptop",
    "local-dev",
    "jupyter",
    "postman",
    "scripts",
    "terraform-plan",
    "grafana-sync",
    "dashboards-as-code",
    "oncall-tools",
    "datadog-cli",
    "notebook-export",
    "slack-bot",
];
/// Suffixes of a service account's second and third keys (the first is named after it).
const SERVICE_KEY_SUFFIXES: &[&str] = &["staging", "prod", "rotation-2024", "dr"];
/// Scope sets some keys are restricted to (the rest are unscoped, `null`).
const KEY_SCOPES: &[&[&str]] = &[
    &["dashboards_read"],
    &["dashboards_read", "dashboards_write"],
    &["monitors_read", "monitors_write"],
    &["metrics_read", "timeseries_query"],
    &["user_access_read"],
];
/// Fraction of active people who own application keys (with every service account, about
/// one user in six).
const KEY_OWNER_SHARE: f64 = 0.17;

/// Draws keys with unique ids and secrets.
struct KeyFactory {
    rng: fastrand::Rng,
    now: OffsetDateTime,
    ids: HashSet<String>,
    secrets: HashSet<String>,
}

impl KeyFactory {
    fn unique_id(&mut self) -> String {
        loop {
            let id = new_key_id(&mut self.rng);
            if self.ids.insert(id.clone()) {
                return id;
            }
        }
    }

    /// 40 hex digits, like the service's application keys.
    fn unique_secret(&mut self) -> String {
        loop {
            let rng = &mut self.rng;
            let secret = format!(
                "{:016x}{:016x}{:08x}",
                rng.u64(..),
                rng.u64(..),
                rng.u32(..)
            );
            if self.secrets.insert(secret.clone()) {
                return secret;
            }
        }
    }

    /// A key of `owner` made after they joined, used recently, long ago or never.
    fn key(&mut self, owner: &UserRec, name: String) -> AppKeyRec {
        let id = self.unique_id();
        let key = self.unique_secret();
        let now = self.now;
        let created_at = owner.created_at + (now - owner.created_at) * self.rng.f64();
        let roll = self.rng.f64();
        let used = |rng: &mut fastrand::Rng, from: Duration, to: Duration| {
            let span = (to - from).whole_microseconds().max(1) as i64;
            now - from - Duration::microseconds(rng.i64(0..span))
        };
        let last_used_at = if roll < 0.25 {
            None
        } else if roll < 0.55 {
            Some(used(&mut self.rng, Duration::ZERO, Duration::days(3)))
        } else if roll < 0.8 {
            Some(used(&mut self.rng, Duration::days(3), Duration::days(30)))
        } else {
            Some(used(&mut self.rng, Duration::days(60), Duration::days(400)))
        }
        .map(|at| at.max(created_at));
        let scopes = (self.rng.f64() < 0.1).then(|| {
            KEY_SCOPES[self.rng.usize(..KEY_SCOPES.len())]
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        });
        AppKeyRec {
            id,
            name,
            created_at,
            last_used_at,
            scopes,
            owner: owner.id.clone(),
            key,
            transient: false,
        }
    }

    /// A demo user's key: the well-known secret, used a few hours ago.
    fn demo_key(&mut self, owner: &UserRec, secret: &str, name: &str) -> AppKeyRec {
        self.secrets.insert(secret.to_owned());
        AppKeyRec {
            id: self.unique_id(),
            name: name.to_owned(),
            created_at: owner.created_at + (self.now - owner.created_at) / 4,
            last_used_at: Some(self.now - Duration::hours(3)),
            scopes: None,
            owner: owner.id.clone(),
            key: secret.to_owned(),
            transient: false,
        }
    }
}

/// The org's application keys: the two demo keys, one to three for every service
/// account, and one to three for about one active person in six. Pending users have
/// not joined and disabled users' keys were revoked, so neither owns any.
pub(super) fn seed_keys(users: &[UserRec], seed: u64, now: OffsetDateTime) -> Vec<AppKeyRec> {
    let mut factory = KeyFactory {
        rng: fastrand::Rng::with_seed(seed ^ 0x00a9_9e75_6b65_7973),
        now,
        ids: HashSet::new(),
        secrets: HashSet::new(),
    };
    let mut keys = Vec::with_capacity(users.len() / 4 + 2);
    keys.push(factory.demo_key(&users[0], DEMO_ADMIN_APP_KEY, DEMO_ADMIN_KEY_NAME));
    keys.push(factory.demo_key(&users[1], DEMO_READONLY_APP_KEY, DEMO_READONLY_KEY_NAME));
    for user in users.iter().skip(2) {
        if user.disabled || !user.verified {
            continue;
        }
        let owns = user.service_account || factory.rng.f64() < KEY_OWNER_SHARE;
        if !owns {
            continue;
        }
        let roll = factory.rng.f64();
        let count = if roll < 0.6 {
            1
        } else if roll < 0.9 {
            2
        } else {
            3
        };
        let mut names: Vec<String> = Vec::with_capacity(count);
        if user.service_account {
            let word = user
                .name
                .as_deref()
                .and_then(|n| n.strip_prefix("Service account "))
                .unwrap_or("service");
            names.push(word.to_owned());
            let mut suffixes = SERVICE_KEY_SUFFIXES.to_vec();
            factory.rng.shuffle(&mut suffixes);
            names.extend(
                suffixes
                    .iter()
                    .take(count - 1)
                    .map(|s| format!("{word}-{s}")),
            );
        } else {
            let mut choices = PERSONAL_KEY_NAMES.to_vec();
            factory.rng.shuffle(&mut choices);
            names.extend(choices.iter().take(count).map(|s| (*s).to_owned()));
        }
        for name in names {
            keys.push(factory.key(user, name));
        }
    }
    keys
}
