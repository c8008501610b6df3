//! Who is calling and what they may do, and the only two ways a handler reaches the
//! org: [`Shared::read_as`] (the read lock, after authenticating the caller and checking
//! the route's [`Access`]) and [`Shared::change_as`] (the same under the write lock, then
//! the change; a change that happened is marked in the store and counted as an applied
//! write, whatever the handler does). Owns the permission names the routes require; knows
//! nothing of any route's body or response.

use std::sync::RwLockReadGuard;

use axum::http::{HeaderMap, StatusCode};
use time::OffsetDateTime;

use super::audit::{before_change, AuditedUser};
use super::handlers::response::ApiError;
use super::store::{new_id, Store};
use super::{Shared, DEMO_API_KEY};

/// What a route asks of its caller once the keys are valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Valid keys of an enabled user are enough.
    AnyUser,
    /// The caller's roles must grant this permission (by name).
    Permission(&'static str),
}

/// Listing and reading users, roles and permissions.
pub(crate) const USERS_READ: Access = Access::Permission("user_access_read");
/// Creating users and sending, reading or cancelling invitations.
pub(crate) const USERS_INVITE: Access = Access::Permission("user_access_invite");
/// Changing, disabling and anonymizing users; roles' permissions and members.
pub(crate) const USERS_MANAGE: Access = Access::Permission("user_access_manage");
/// Changing one's own profile.
pub(crate) const SELF_PROFILE_WRITE: Access = Access::Permission("user_self_profile_write");
/// Reading Audit Trail events.
pub(crate) const AUDIT_READ: Access = Access::Permission("audit_logs_read");
/// Reading every application key of the org.
pub(crate) const ORG_KEYS_READ: Access = Access::Permission("org_app_keys_read");
/// Managing one's own application keys (reading them included).
pub(crate) const OWN_KEYS: Access = Access::Permission("user_app_keys");

/// The authenticated caller of a request: the user whose application key it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The caller's index in `Store::users`.
    pub user: usize,
}

fn forbidden(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, message)
}

impl Caller {
    /// Checks both keys, that their user is enabled and that the user has `access`.
    /// Every refusal is a 403; a missing permission is named.
    pub(crate) fn authenticate(
        store: &Store,
        headers: &HeaderMap,
        access: Access,
    ) -> Result<Caller, ApiError> {
        let key = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let api_key = key("dd-api-key").unwrap_or("");
        if api_key != DEMO_API_KEY && !store.accepts_api_key(api_key) {
            return Err(forbidden("Forbidden"));
        }
        let user = key("dd-application-key")
            .and_then(|k| store.user_for_app_key(k))
            .ok_or_else(|| forbidden("Forbidden"))?;
        if store.users[user].disabled {
            return Err(forbidden("Forbidden"));
        }
        if let Access::Permission(permission) = access {
            if !store.user_has_permission(user, permission) {
                return Err(forbidden(format!(
                    "Forbidden: this application key's user lacks the {permission} permission"
                )));
            }
        }
        Ok(Caller { user })
    }
}

/// A change in progress: the store under the write lock, the caller, and the request's
/// "now" from the sandbox clock. Reading goes through [`Change::store`]; changing only
/// through [`Change::store_mut`], which marks the request as a write.
pub(crate) struct Change<'a> {
    store: std::sync::RwLockWriteGuard<'a, Store>,
    /// Who asked for the change.
    pub caller: Caller,
    /// The time the change is made at (`modified_at`, `created_at`).
    pub now: OffsetDateTime,
    changed: bool,
    /// The users' audited fields before the first change, to describe it in Audit Trail.
    before: Option<Vec<AuditedUser>>,
}

impl Change<'_> {
    /// The store, to read.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, to change: from here on the request counts as a write that changed the
    /// org. Handlers check everything that could refuse the request before calling it.
    pub fn store_mut(&mut self) -> &mut Store {
        self.changed = true;
        // O(users) once per write request; writes are rare next to reads.
        if self.before.is_none() {
            self.before = Some(before_change(&self.store));
        }
        // Derived lists are stale from the first change; touched again once it is done.
        self.store.touch();
        &mut self.store
    }

    /// A new UUID-shaped id from the store's generator, which by itself changes nothing.
    pub fn new_id(&mut self) -> String {
        new_id(&mut self.store.rng)
    }
}

impl Shared {
    /// Authenticates the caller and checks `access` under the read lock, and returns the
    /// lock with the caller. Handlers never hold it across an await.
    pub(crate) fn read_as(
        &self,
        headers: &HeaderMap,
        access: Access,
    ) -> Result<(RwLockReadGuard<'_, Store>, Caller), ApiError> {
        let store = self.read();
        let caller = Caller::authenticate(&store, headers, access)?;
        Ok((store, caller))
    }

    /// The one write path. Authenticates the caller and checks `access` under the write
    /// lock, then runs `change`. When it changed the store, the store is touched (derived
    /// lists start over) and, if it succeeded, the write is counted and the state-file
    /// writer woken, after the lock is released.
    pub(crate) fn change_as<T>(
        &self,
        headers: &HeaderMap,
        access: Access,
        change: impl FnOnce(&mut Change<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let store = self.write();
        let caller = Caller::authenticate(&store, headers, access)?;
        let mut session = Change {
            store,
            caller,
            now: self.now(),
            changed: false,
            before: None,
        };
        let result = change(&mut session);
        let changed = session.changed;
        debug_assert!(
            !(changed && result.is_err()),
            "a handler refuses a request before it changes anything"
        );
        if changed {
            session.store.touch();
        }
        if let (Some(before), true) = (session.before.take(), result.is_ok()) {
            let store = &mut *session.store;
            let mut trail = std::mem::take(&mut store.audit);
            trail.record_changes(store, &before, caller.user, session.now);
            store.audit = trail;
        }
        drop(session);
        if changed && result.is_ok() {
            self.applied();
        }
        result
    }
}
