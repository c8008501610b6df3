//! Deterministic seed data for the sandbox: the org, the managed and custom roles, the
//! permission catalogue (embedded from `assets/`), a realistic mix of users and their
//! application keys. The same seed gives the same org on the same UTC day (times are
//! relative to today's midnight so that some invitations are still valid and others have
//! expired). Keys are drawn from their own PRNG after every user is made, so adding them
//! changed none of the users a seed gives.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

use super::keyring::AppKeyRec;
use super::store::{
    gravatar, new_id, new_key_id, InvRec, OrgRec, PermRec, RoleRec, Snapshot, UserRec,
};
use super::{DEMO_ADMIN_APP_KEY, DEMO_READONLY_APP_KEY};

/// The real id of Datadog's managed admin role.
pub const ADMIN_ROLE_ID: &str = "94172442-be03-11e9-a77a-3b7612558ac1";
/// The real id of Datadog's managed standard role.
pub const STANDARD_ROLE_ID: &str = "94172443-be03-11e9-a77a-373332f69711";
/// A made-up, stable id for the managed read-only role.
pub const READ_ONLY_ROLE_ID: &str = "94172444-be03-11e9-a77a-0b3c8a5ddc5e";

const PERMISSIONS_JSON: &str = include_str!("../../assets/permissions.json");
const FIRST_NAMES: &str = include_str!("../../assets/first_names.txt");
const LAST_NAMES: &str = include_str!("../../assets/last_names.txt");

const TITLES: &[&str] = &[
    "Software Engineer",
    "Site Reliability Engineer",
    "Engineering Manager",
    "Product Manager",
    "Data Scientist",
    "Security Engineer",
    "Support Engineer",
    "Finance Analyst",
    "Designer",
    "CTO",
];
const DOMAINS: &[&str] = &["example.com", "example.org", "demo-org.example"];
const SERVICE_WORDS: &[&str] = &[
    "ci-deploy",
    "terraform",
    "backup",
    "metrics-export",
    "pagerduty-sync",
    "audit-bot",
];

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

/// Parses the embedded permission catalogue.
pub(crate) fn catalogue() -> Result<Vec<PermRec>, serde_json::Error> {
    serde_json::from_str(PERMISSIONS_JSON)
}

fn name_list(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
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

fn ids_where(perms: &[PermRec], keep: impl Fn(&PermRec) -> bool) -> Vec<String> {
    perms
        .iter()
        .filter(|p| keep(p))
        .map(|p| p.id.clone())
        .collect()
}

const ALWAYS: &[&str] = &["user_access_read", "user_self_profile_read"];

fn managed_roles(perms: &[PermRec]) -> Vec<RoleRec> {
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

fn custom_roles(perms: &[PermRec], rng: &mut fastrand::Rng, now: OffsetDateTime) -> Vec<RoleRec> {
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

/// Lower-case ASCII letters and digits of a name, for an email's local part: common Latin
/// letters with diacritics are folded (Ødegård → odegard), other scripts are dropped.
fn slug(text: &str) -> String {
    text.chars()
        .map(|c| fold_latin(c.to_lowercase().next().unwrap_or(c)))
        .collect::<String>()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn fold_latin(c: char) -> String {
    let folded = match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ì'..='ï' | 'ī' | 'į' | 'ı' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò'..='ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'þ' => "th",
        'ù'..='ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        other => return other.to_string(),
    };
    folded.to_owned()
}

/// Builds users one by one; keeps emails unique.
struct UserFactory<'a> {
    rng: fastrand::Rng,
    now: OffsetDateTime,
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    emails: HashSet<String>,
    ids: HashSet<String>,
    roles: &'a [RoleRec],
}

impl UserFactory<'_> {
    fn unique_id(&mut self) -> String {
        loop {
            let id = new_id(&mut self.rng);
            if self.ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn unique_email(&mut self, local: &str, domain: &str) -> String {
        let local = if local.is_empty() { "user" } else { local };
        let mut email = format!("{local}@{domain}");
        let mut n = 2;
        while !self.emails.insert(email.clone()) {
            email = format!("{local}{n}@{domain}");
            n += 1;
        }
        email
    }

    fn person(&mut self, id: String, name: Option<String>, email: String) -> UserRec {
        let created_at = ago(&mut self.rng, self.now, Duration::days(5 * 365));
        UserRec {
            id,
            name,
            handle: email.clone(),
            email,
            title: None,
            created_at,
            modified_at: created_at,
            verified: true,
            service_account: false,
            disabled: false,
            mfa_enabled: false,
            last_login_time: None,
            roles: Vec::new(),
            identity_providers: Vec::new(),
            anonymized: false,
            search: String::new(),
        }
    }

    /// Picks 0–3 roles, mostly one managed role.
    fn pick_roles(&mut self) -> Vec<String> {
        let roll = self.rng.f64();
        let count = if roll < 0.08 {
            0
        } else if roll < 0.75 {
            1
        } else {
            self.rng.usize(2..=3)
        };
        let mut picked: Vec<String> = Vec::new();
        while picked.len() < count {
            let r = self.rng.f64();
            let role = if r < 0.5 {
                STANDARD_ROLE_ID.to_owned()
            } else if r < 0.72 {
                READ_ONLY_ROLE_ID.to_owned()
            } else if r < 0.82 {
                ADMIN_ROLE_ID.to_owned()
            } else {
                let custom = &self.roles[3..];
                custom[self.rng.usize(..custom.len())].id.clone()
            };
            if !picked.contains(&role) {
                picked.push(role);
            }
        }
        picked
    }

    fn random_user(&mut self, invitations: &mut Vec<InvRec>) -> UserRec {
        let id = self.unique_id();
        let kind = self.rng.f64();
        if (0.95..0.99).contains(&kind) {
            return self.service_account(id);
        }
        let first = self.first[self.rng.usize(..self.first.len())];
        let last = self.last[self.rng.usize(..self.last.len())];
        let local = match (slug(first), slug(last)) {
            (f, l) if f.is_empty() && l.is_empty() => String::new(),
            (f, l) if f.is_empty() || l.is_empty() => format!("{f}{l}"),
            (f, l) => format!("{f}.{l}"),
        };
        let domain = DOMAINS[self.rng.usize(..DOMAINS.len())];
        let email = self.unique_email(&local, domain);
        // Only people invited by email alone have no name yet, and they have not joined.
        let pending = (0.75..0.85).contains(&kind);
        let name = (!pending || self.rng.f64() >= 0.3).then(|| format!("{first} {last}"));
        let mut user = self.person(id, name, email);
        if self.rng.f64() < 0.6 {
            user.title = Some(TITLES[self.rng.usize(..TITLES.len())].to_owned());
        }
        user.roles = self.pick_roles();
        user.mfa_enabled = self.rng.f64() < 0.55;
        if !(0.75..0.99).contains(&kind) {
            self.make_active(&mut user);
        } else if kind < 0.85 {
            self.make_pending(&mut user, invitations);
        } else {
            self.make_disabled(&mut user);
        }
        user
    }

    fn make_active(&mut self, user: &mut UserRec) {
        user.verified = true;
        if self.rng.f64() < 0.92 {
            let since = (self.now - user.created_at).min(Duration::days(365));
            user.last_login_time = Some(ago(&mut self.rng, self.now, since));
        }
        user.modified_at = user.created_at + (self.now - user.created_at) * self.rng.f64();
    }

    /// Pending users never logged in and hold an invitation, some of them expired.
    fn make_pending(&mut self, user: &mut UserRec, invitations: &mut Vec<InvRec>) {
        user.verified = false;
        user.mfa_enabled = false;
        user.created_at = ago(&mut self.rng, self.now, Duration::days(10));
        user.modified_at = user.created_at;
        let sent = ago(&mut self.rng, self.now, Duration::days(5)).max(user.created_at);
        invitations.push(InvRec {
            id: self.unique_id(),
            user_id: user.id.clone(),
            created_at: sent,
            expires_at: sent + Duration::hours(48),
        });
    }

    /// Disabled users; about half still hold roles, most had logged in before.
    fn make_disabled(&mut self, user: &mut UserRec) {
        user.disabled = true;
        user.verified = self.rng.f64() < 0.8;
        if user.verified && self.rng.f64() < 0.7 {
            let since = (self.now - user.created_at).min(Duration::days(365));
            user.last_login_time = Some(ago(&mut self.rng, self.now, since));
        }
        if self.rng.bool() {
            user.roles.clear();
        }
        user.modified_at = user.created_at + (self.now - user.created_at) * self.rng.f64();
    }

    fn service_account(&mut self, id: String) -> UserRec {
        let word = SERVICE_WORDS[self.rng.usize(..SERVICE_WORDS.len())];
        let email = self.unique_email(&format!("svc-{word}"), "svc.demo-org.example");
        let mut user = self.person(id.clone(), Some(format!("Service account {word}")), email);
        user.handle = id;
        user.service_account = true;
        user.roles = vec![if self.rng.bool() {
            STANDARD_ROLE_ID.to_owned()
        } else {
            READ_ONLY_ROLE_ID.to_owned()
        }];
        user
    }

    fn demo_user(&mut self, name: &str, email: &str, role: &str) -> UserRec {
        let id = self.unique_id();
        self.emails.insert(email.to_owned());
        let mut user = self.person(id, Some(name.to_owned()), email.to_owned());
        user.roles = vec![role.to_owned()];
        user.mfa_enabled = true;
        user.title = Some("Demo account".to_owned());
        user.last_login_time = Some(self.now - Duration::hours(3));
        user
    }
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
    let mut roles = managed_roles(perms);
    roles.extend(custom_roles(perms, &mut rng, now));
    let mut factory = UserFactory {
        rng,
        now,
        first: name_list(FIRST_NAMES),
        last: name_list(LAST_NAMES),
        emails: HashSet::with_capacity(users),
        ids: HashSet::with_capacity(users * 2),
        roles: &roles,
    };
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
    let application_keys = seed_keys(&list, seed, now);
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
fn seed_keys(users: &[UserRec], seed: u64, now: OffsetDateTime) -> Vec<AppKeyRec> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::UserStatus;
    use crate::sandbox::store::Store;

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
}
