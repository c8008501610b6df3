//! The seeded people: names and emails from the embedded name lists, a realistic mix of
//! active, pending (with invitations) and disabled users, service accounts, and the two
//! demo users whose keys the sandbox hands out.

use std::collections::HashSet;

use time::{Duration, OffsetDateTime};

use super::{ago, ADMIN_ROLE_ID, READ_ONLY_ROLE_ID, STANDARD_ROLE_ID};
use crate::sandbox::store::{new_id, InvRec, RoleRec, UserRec, IDENTITY_PROVIDERS};

const FIRST_NAMES: &str = include_str!("../../../assets/first_names.txt");
const LAST_NAMES: &str = include_str!("../../../assets/last_names.txt");

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

fn name_list(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
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

/// The identity providers a seeded person is pinned to: about one in six is SAML only
/// (no password, so no Datadog MFA), one in twenty SAML or a password, one in twenty
/// Google only; the rest follow the org's defaults. Taken from the id, not the random
/// stream, so every other seeded value stays as it was before overrides were seeded.
fn login_override(id: &str) -> Vec<String> {
    let roll = id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 100;
    let [saml, google, password] = [0, 1, 2].map(|i| IDENTITY_PROVIDERS[i].id.to_owned());
    match roll {
        0..=16 => vec![saml],
        17..=21 => vec![saml, password],
        22..=26 => vec![google],
        _ => Vec::new(),
    }
}

/// Builds users one by one; keeps emails unique.
pub(super) struct UserFactory<'a> {
    rng: fastrand::Rng,
    now: OffsetDateTime,
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    emails: HashSet<String>,
    ids: HashSet<String>,
    roles: &'a [RoleRec],
}

impl<'a> UserFactory<'a> {
    /// A factory for about `users` users drawing from `rng`, given `roles` to pick from.
    pub(super) fn new(
        rng: fastrand::Rng,
        now: OffsetDateTime,
        users: usize,
        roles: &'a [RoleRec],
    ) -> UserFactory<'a> {
        UserFactory {
            rng,
            now,
            first: name_list(FIRST_NAMES),
            last: name_list(LAST_NAMES),
            emails: HashSet::with_capacity(users),
            ids: HashSet::with_capacity(users * 2),
            roles,
        }
    }

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

    pub(super) fn random_user(&mut self, invitations: &mut Vec<InvRec>) -> UserRec {
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
        user.identity_providers = login_override(&user.id);
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

    pub(super) fn demo_user(&mut self, name: &str, email: &str, role: &str) -> UserRec {
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
