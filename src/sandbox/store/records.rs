//! The records the sandbox keeps, as its state file stores them: the org, permissions,
//! roles, users and invitations, the snapshot that holds them all, and how ids and
//! gravatar URLs are made.

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{timestamp, UserStatus};
use crate::sandbox::keyring::AppKeyRec;

/// The organization itself.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct OrgRec {
    pub id: String,
    pub name: String,
    pub public_id: String,
    pub description: Option<String>,
    pub url: String,
    pub sharing: String,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timestamp")]
    pub modified_at: OffsetDateTime,
}

/// One permission of the catalogue (`assets/permissions.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PermRec {
    pub id: String,
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    #[serde(with = "timestamp")]
    pub created: OffsetDateTime,
    pub group_name: Option<String>,
    pub display_type: Option<String>,
    #[serde(default)]
    pub restricted: bool,
    #[serde(default)]
    pub name_aliases: Vec<String>,
    /// Listed only with `include_scopes=true` (e.g. `user_access_read`).
    #[serde(default)]
    pub scope_only: bool,
}

impl PermRec {
    /// Deprecated permissions (`admin`, `standard`) are not handed to the seeded roles.
    pub fn is_deprecated(&self) -> bool {
        self.description
            .as_deref()
            .is_some_and(|d| d.starts_with("Deprecated"))
    }
}

/// A role and the ids of the permissions it grants.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RoleRec {
    pub id: String,
    pub name: String,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timestamp")]
    pub modified_at: OffsetDateTime,
    pub permissions: Vec<String>,
}

/// A user as the sandbox stores it; the wire status is derived from `disabled` and `verified`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct UserRec {
    pub id: String,
    pub name: Option<String>,
    pub handle: String,
    pub email: String,
    pub title: Option<String>,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timestamp")]
    pub modified_at: OffsetDateTime,
    /// True once the user has joined (verified the email or logged in).
    pub verified: bool,
    pub service_account: bool,
    pub disabled: bool,
    pub mfa_enabled: bool,
    #[serde(default, with = "timestamp::option")]
    pub last_login_time: Option<OffsetDateTime>,
    pub roles: Vec<String>,
    #[serde(default)]
    pub identity_providers: Vec<String>,
    #[serde(default)]
    pub anonymized: bool,
    /// Lower-cased name, email and handle, for `filter`. Rebuilt, never persisted.
    #[serde(skip)]
    pub search: String,
}

impl UserRec {
    /// The status the service would report.
    pub fn status(&self) -> UserStatus {
        if self.disabled {
            UserStatus::Disabled
        } else if self.verified {
            UserStatus::Active
        } else {
            UserStatus::Pending
        }
    }

    /// Recomputes the filter haystack after a change of name, email or handle.
    pub fn refresh_search(&mut self) {
        let mut text = String::with_capacity(self.email.len() * 2 + 16);
        if let Some(name) = &self.name {
            text.push_str(&name.to_lowercase());
        }
        text.push('\u{1}');
        text.push_str(&self.email.to_lowercase());
        text.push('\u{1}');
        text.push_str(&self.handle.to_lowercase());
        self.search = text;
    }
}

/// A pending invitation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct InvRec {
    pub id: String,
    pub user_id: String,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timestamp")]
    pub expires_at: OffsetDateTime,
}

/// One identity provider a user can be pinned to.
pub(crate) struct IdentityProvider {
    pub id: &'static str,
    pub authentication_method: &'static str,
}

/// The identity providers of the sandbox org (stable made-up ids).
pub(crate) const IDENTITY_PROVIDERS: &[IdentityProvider] = &[
    IdentityProvider {
        id: "0c6a1f0e-5d2b-11ee-8c99-0242ac120002",
        authentication_method: "SAML",
    },
    IdentityProvider {
        id: "1a7b2c3d-5d2b-11ee-8c99-0242ac120002",
        authentication_method: "Google",
    },
    IdentityProvider {
        id: "2b8c3d4e-5d2b-11ee-8c99-0242ac120002",
        authentication_method: "Password",
    },
];

/// A user's `allowed_login_methods` as the sandbox reports it: the authentication method of
/// each identity provider the user is pinned to, lower-case (empty: the org's defaults).
pub(crate) fn login_methods(identity_providers: &[String]) -> Vec<String> {
    identity_providers
        .iter()
        .filter_map(|id| IDENTITY_PROVIDERS.iter().find(|idp| idp.id == id))
        .map(|idp| idp.authentication_method.to_lowercase())
        .collect()
}

/// The identity providers behind reported login methods (the inverse of
/// [`login_methods`], for a snapshot served offline); methods the sandbox lacks are dropped.
pub(crate) fn identity_providers_of(methods: &[String]) -> Vec<String> {
    IDENTITY_PROVIDERS
        .iter()
        .filter(|idp| {
            methods
                .iter()
                .any(|m| m.eq_ignore_ascii_case(idp.authentication_method))
        })
        .map(|idp| idp.id.to_owned())
        .collect()
}

/// What the state file holds (the catalogue comes from the embedded asset instead).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub version: u32,
    pub org: OrgRec,
    pub roles: Vec<RoleRec>,
    pub users: Vec<UserRec>,
    pub invitations: Vec<InvRec>,
    /// `(secret, owner id)` of every key: all that files written before keys were records
    /// hold. Still written, so an older ddusers can load a newer file; read only when
    /// `application_keys` is absent.
    #[serde(default)]
    pub app_keys: Vec<(String, String)>,
    /// The application keys; absent in older files.
    #[serde(default)]
    pub application_keys: Option<Vec<AppKeyRec>>,
}

/// The same, borrowed, so a snapshot can be written without cloning 100,000 users.
#[derive(Serialize)]
pub(crate) struct SnapshotRef<'a> {
    pub version: u32,
    pub org: &'a OrgRec,
    pub roles: &'a [RoleRec],
    pub users: &'a [UserRec],
    pub invitations: &'a [InvRec],
    pub app_keys: Vec<(&'a String, &'a String)>,
    pub application_keys: Vec<&'a AppKeyRec>,
}

/// The current snapshot format.
pub(crate) const SNAPSHOT_VERSION: u32 = 1;

/// The gravatar URL the service gives a user.
pub(crate) fn gravatar(email: &str) -> String {
    let digest = Md5::digest(email.to_lowercase().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("https://secure.gravatar.com/avatar/{hex}?s=48&d=retro")
}

/// A UUID-shaped id from the PRNG, in the time-based look of the service's ids.
pub(crate) fn new_id(rng: &mut fastrand::Rng) -> String {
    format!(
        "{:08x}-{:04x}-11ec-{:04x}-{:012x}",
        rng.u32(..),
        rng.u16(..),
        0x8000 | (rng.u16(..) & 0x3fff),
        rng.u64(..) & 0xffff_ffff_ffff
    )
}
