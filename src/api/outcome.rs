//! Writes whose outcome must be known. The service has no idempotency keys, so a write that
//! got no clear answer is never sent again blindly: the user's current state is read first,
//! and the outcome decided from what is there.

use super::client::Client;
use super::error::ApiError;
use super::models::{NewUser, User, UserId, UserStatus, UserUpdate};
use super::users::ListUsersQuery;

/// What a disable request achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisableOutcome {
    /// The user was active or pending and is now disabled.
    Disabled,
    /// The user was disabled before (the service answers 404 for that).
    AlreadyDisabled,
}

/// What an enable request achieved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnableOutcome {
    Enabled(UserStatus),
    AlreadyEnabled(UserStatus),
}

fn is_disabled(user: &User) -> bool {
    user.attributes.disabled == Some(true) || user.attributes.status == Some(UserStatus::Disabled)
}

/// Disables a user, telling "already disabled" apart from "disabled now" and from "unknown
/// id" (the service answers 404 for all but the second). The user is read first: when an
/// answer is lost, the state before the request is what tells whether this request (and not
/// an earlier one) disabled the user — which matters to an undo.
pub async fn disable_user(client: &Client, id: &UserId) -> Result<DisableOutcome, ApiError> {
    if is_disabled(&client.get_user(id).await?.data) {
        return Ok(DisableOutcome::AlreadyDisabled);
    }
    match client.disable_user(id).await {
        Ok(()) => Ok(DisableOutcome::Disabled),
        Err(error) if error.is_not_found() || error.outcome_unknown() => {
            let after = match client.get_user(id).await {
                Ok(found) => found.data,
                Err(_) => return Err(error),
            };
            match (is_disabled(&after), error.is_not_found()) {
                // Someone else disabled the user between our read and our request.
                (true, true) => Ok(DisableOutcome::AlreadyDisabled),
                // The lost request was applied.
                (true, false) => Ok(DisableOutcome::Disabled),
                (false, _) => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

/// Re-enables a disabled user (`PATCH disabled: false`).
pub async fn enable_user(client: &Client, id: &UserId) -> Result<EnableOutcome, ApiError> {
    let current = client.get_user(id).await?.data;
    if !is_disabled(&current) {
        let status = current.attributes.status.unwrap_or(UserStatus::Active);
        return Ok(EnableOutcome::AlreadyEnabled(status));
    }
    let update = UserUpdate {
        disabled: Some(false),
        ..Default::default()
    };
    match client.update_user(id, &update).await {
        Ok(updated) => Ok(EnableOutcome::Enabled(
            updated.data.attributes.status.unwrap_or(UserStatus::Active),
        )),
        Err(error) if error.outcome_unknown() => {
            let after = client.get_user(id).await.map_err(|_| error)?.data;
            if is_disabled(&after) {
                Err(ApiError::Network {
                    operation: "enable user",
                    detail: "no answer came back and the user is still disabled".into(),
                })
            } else {
                Ok(EnableOutcome::Enabled(
                    after.attributes.status.unwrap_or(UserStatus::Active),
                ))
            }
        }
        Err(error) => Err(error),
    }
}

/// Finds a user by exact email (case-insensitive), through the list filter.
pub async fn find_user_by_email(client: &Client, email: &str) -> Result<Option<User>, ApiError> {
    let query = ListUsersQuery {
        filter: Some(email.to_owned()),
        page_size: Some(100),
        ..Default::default()
    };
    let page = client.list_users(&query).await?;
    Ok(page.data.into_iter().find(|u| {
        u.attributes
            .email
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(email))
    }))
}

/// What creating a user came to.
#[derive(Clone, Debug)]
pub enum CreateOutcome {
    Created(User),
    /// A user with this email was there already (409, or found after a lost answer).
    Existing(User),
}

/// Creates a user unless one with the same email exists; a lost answer is resolved by
/// looking the email up rather than by sending the create again.
pub async fn create_user(client: &Client, new: &NewUser) -> Result<CreateOutcome, ApiError> {
    match client.create_user(new).await {
        Ok(created) => Ok(CreateOutcome::Created(created.data)),
        Err(error) if error.status() == Some(409) || error.outcome_unknown() => {
            let conflict = error.status() == Some(409);
            match find_user_by_email(client, &new.email).await {
                Ok(Some(user)) if conflict => Ok(CreateOutcome::Existing(user)),
                Ok(Some(user)) => Ok(CreateOutcome::Created(user)),
                _ => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}
