//! The records an [`Org`](super::Org) holds: one compact record per user, interned roles
//! and permissions, and the counts per status. Timestamps are [`Stamp`]s (microseconds, the
//! precision the service writes), so a snapshot read and written again says the same.

use time::OffsetDateTime;

use crate::api::models::{Permission, PermissionId, RoleId, User, UserId, UserStatus};

/// Index of a user in the org.
pub type UserIx = u32;
/// Index of an interned role.
pub type RoleIx = u32;
/// Index of an interned permission.
pub type PermIx = u32;
/// Index of an interned set of allowed login methods (most orgs have a handful of
/// distinct sets, so two bytes a user instead of a list each).
pub type LoginSetIx = u16;

/// A moment, as unix microseconds: eight bytes where an `OffsetDateTime` takes sixteen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stamp(i64);

impl Stamp {
    /// The stamp of `time` (sub-microsecond digits are dropped, as the service never sends them).
    pub fn of(time: OffsetDateTime) -> Stamp {
        let micros = time.unix_timestamp_nanos() / 1_000;
        Stamp(i64::try_from(micros).unwrap_or(if micros < 0 { i64::MIN } else { i64::MAX }))
    }

    /// Whole seconds since the epoch (what the console's "ago" and sorting use).
    pub fn seconds(self) -> i64 {
        self.0.div_euclid(1_000_000)
    }

    /// The moment as a date-time (the epoch when out of range, which no service time is).
    pub fn time(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// A user's status, one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Active,
    Pending,
    Disabled,
    Other,
}

impl Status {
    /// The one status rule (`User::status`), in a byte.
    pub fn from_user(user: &User) -> Status {
        Status::of(&user.status())
    }

    /// A status as the service spells it, in a byte.
    pub fn of(status: &UserStatus) -> Status {
        match status {
            UserStatus::Active => Status::Active,
            UserStatus::Pending => Status::Pending,
            UserStatus::Disabled => Status::Disabled,
            UserStatus::Other(_) => Status::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Active => "Active",
            Status::Pending => "Pending",
            Status::Disabled => "Disabled",
            Status::Other => "Other",
        }
    }

    /// Sort rank: active, pending, disabled, anything else.
    pub fn rank(self) -> u8 {
        self as u8
    }
}

/// The handle, which is nearly always the email: kept as text only when it says something
/// else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handle {
    Absent,
    SameAsEmail,
    Other(Box<str>),
}

/// One user, compactly.
#[derive(Clone, Debug, PartialEq)]
pub struct UserRecord {
    pub id: UserId,
    pub name: Box<str>,
    pub email: Box<str>,
    pub handle: Handle,
    pub title: Option<Box<str>>,
    pub status: Status,
    pub service_account: bool,
    pub verified: Option<bool>,
    pub mfa: Option<bool>,
    pub last_login: Option<Stamp>,
    pub created: Option<Stamp>,
    pub modified: Option<Stamp>,
    pub roles: Box<[RoleIx]>,
    /// The allowed login methods (`allowed_login_methods`, which the service sends
    /// without declaring it): an interned set, see [`Org::login_methods`](super::Org::login_methods);
    /// `None` when not sent.
    pub login_methods: Option<LoginSetIx>,
    /// Where the user's lower-cased "name email handle" (what the filter searches) lies in
    /// the org's search text: `(start, len)` in bytes. See [`Org::haystack`](super::Org::haystack).
    pub search: (u32, u32),
    /// The user exactly as the service sent it, kept by an exact org (see
    /// [`TextPolicy::Exact`](super::TextPolicy::Exact)) so a snapshot written from it says
    /// everything the service said; none in the console's org, and dropped when the record
    /// is changed in place.
    pub original: Option<Box<User>>,
}

impl UserRecord {
    /// The name to show: the name, else the email.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.email
        } else {
            &self.name
        }
    }

    /// The handle as the service gave it.
    pub fn handle(&self) -> Option<&str> {
        match &self.handle {
            Handle::Absent => None,
            Handle::SameAsEmail => Some(&self.email),
            Handle::Other(handle) => Some(handle),
        }
    }

    /// The status as the service spelled it (exact orgs keep an unknown spelling).
    pub fn status_text(&self) -> &str {
        let sent = self
            .original
            .as_deref()
            .and_then(|u| u.attributes.status.as_ref());
        match sent {
            Some(UserStatus::Other(text)) if self.status == Status::Other => text,
            _ => self.status.label(),
        }
    }

    /// Whether the user is a person (not a service account).
    pub fn is_person(&self) -> bool {
        !self.service_account
    }
}

/// An interned role.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleInfo {
    pub id: RoleId,
    pub name: String,
    /// Known once a role object with its permission ids has been seen.
    pub permissions: Option<Vec<PermIx>>,
    pub user_count: Option<i64>,
    /// True once a role object was seen (not only a user's reference to it).
    pub seen: bool,
    pub created_at: Option<OffsetDateTime>,
    pub modified_at: Option<OffsetDateTime>,
}

/// An interned permission.
#[derive(Clone, Debug, PartialEq)]
pub struct PermInfo {
    pub id: PermissionId,
    pub name: String,
    pub display_name: String,
    pub group: String,
    pub description: Option<String>,
    pub display_type: Option<String>,
    pub restricted: Option<bool>,
    pub created: Option<OffsetDateTime>,
    pub name_aliases: Option<Vec<String>>,
    /// True once a permission object was seen (not only a role's reference to it).
    pub seen: bool,
    /// The permission exactly as sent, kept by an exact org (for snapshots).
    pub original: Option<Box<Permission>>,
}

/// Counts of users per status tab.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub all: u32,
    pub active: u32,
    pub pending: u32,
    pub disabled: u32,
    pub service: u32,
}

impl Counts {
    pub(super) fn apply(&mut self, user: &UserRecord, delta: i64) {
        let bump = |n: &mut u32| *n = (i64::from(*n) + delta).max(0) as u32;
        bump(&mut self.all);
        match user.status {
            Status::Active => bump(&mut self.active),
            Status::Pending => bump(&mut self.pending),
            Status::Disabled => bump(&mut self.disabled),
            Status::Other => {}
        }
        if user.service_account {
            bump(&mut self.service);
        }
    }
}
