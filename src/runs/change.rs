//! One change to the org, as data that can be journaled, applied, checked after an
//! interruption, and undone. `apply` knows each operation's ambiguities (a 404 that means
//! "already disabled", a create that finds the user existing) and returns, with each change
//! that did something, the change that would undo it.

use serde::{Deserialize, Serialize};

use crate::api::models::{
    IdentityProviderId, NewUser, Patch, RoleId, User, UserId, UserStatus, UserUpdate,
};
use crate::api::outcome::{self, CreateOutcome, DisableOutcome, EnableOutcome};
use crate::api::{ApiError, Client};

/// A change of one user (or one email, for invitations).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    Disable {
        user: UserId,
    },
    Enable {
        user: UserId,
    },
    /// Create a user (status Pending) with these roles, without inviting.
    Create {
        email: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default)]
        roles: Vec<RoleId>,
    },
    /// Create the user when missing (with these roles), then send the invitation.
    Invite {
        email: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default)]
        roles: Vec<RoleId>,
    },
    ResendInvitation {
        user: UserId,
    },
    CancelInvitations {
        user: UserId,
    },
    /// Name, email, title; `title: Some(None)` clears it.
    Update {
        user: UserId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
        #[serde(
            default,
            deserialize_with = "present_or_null",
            skip_serializing_if = "Option::is_none"
        )]
        title: Option<Option<String>>,
        /// Through `PATCH /current_user` (the caller's own profile).
        #[serde(default)]
        current_user: bool,
    },
    AddRole {
        user: UserId,
        role: RoleId,
    },
    RemoveRole {
        user: UserId,
        role: RoleId,
    },
    /// Irreversible.
    Anonymize {
        user: UserId,
    },
    SetIdentityProviders {
        user: UserId,
        providers: Vec<IdentityProviderId>,
    },
}

/// Absent → `None` (leave alone); `null` → `Some(None)` (clear); a value → `Some(Some(v))`.
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

impl Change {
    /// What the change is about: a user id, or the email of an invitation.
    pub fn target(&self) -> &str {
        match self {
            Change::Invite { email, .. } | Change::Create { email, .. } => email,
            Change::Disable { user }
            | Change::Enable { user }
            | Change::ResendInvitation { user }
            | Change::CancelInvitations { user }
            | Change::Update { user, .. }
            | Change::AddRole { user, .. }
            | Change::RemoveRole { user, .. }
            | Change::Anonymize { user }
            | Change::SetIdentityProviders { user, .. } => user.as_str(),
        }
    }

    /// The verb, for titles and tables.
    pub fn verb(&self) -> &'static str {
        match self {
            Change::Disable { .. } => "disable",
            Change::Enable { .. } => "enable",
            Change::Create { .. } => "create",
            Change::Invite { .. } => "invite",
            Change::ResendInvitation { .. } => "resend invitation",
            Change::CancelInvitations { .. } => "cancel invitations",
            Change::Update { .. } => "update",
            Change::AddRole { .. } => "add role",
            Change::RemoveRole { .. } => "remove role",
            Change::Anonymize { .. } => "anonymize",
            Change::SetIdentityProviders { .. } => "set identity providers",
        }
    }

    fn update_body(&self) -> Option<UserUpdate> {
        let Change::Update {
            name, email, title, ..
        } = self
        else {
            return None;
        };
        Some(UserUpdate {
            name: name.clone(),
            email: email.clone(),
            title: match title {
                None => Patch::Keep,
                Some(None) => Patch::Clear,
                Some(Some(t)) => Patch::Set(t.clone()),
            },
            disabled: None,
        })
    }
}

/// What one change came to. `Done` carries the change that undoes it, when there is one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ItemResult {
    /// It did what it says.
    Done {
        detail: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undo: Option<Change>,
        /// The user afterwards, for the console (not journaled).
        #[serde(skip)]
        user: Option<Box<User>>,
        /// When the invitation sent by this change expires (unix seconds; not journaled).
        #[serde(skip)]
        invitation_expires_at: Option<i64>,
    },
    /// Nothing to do: already so (already disabled, already active, ...).
    Skipped {
        detail: String,
        #[serde(skip)]
        user: Option<Box<User>>,
    },
    /// It failed; the org is as it was for this item.
    Failed { reason: String },
}

impl ItemResult {
    /// A `Done` without a user.
    pub fn done(detail: &str, undo: Option<Change>) -> ItemResult {
        ItemResult::Done {
            detail: detail.to_owned(),
            undo,
            user: None,
            invitation_expires_at: None,
        }
    }

    fn done_with(detail: impl Into<String>, undo: Option<Change>, user: User) -> ItemResult {
        ItemResult::Done {
            detail: detail.into(),
            undo,
            user: Some(Box::new(user)),
            invitation_expires_at: None,
        }
    }

    fn skipped(detail: impl Into<String>, user: Option<User>) -> ItemResult {
        ItemResult::Skipped {
            detail: detail.into(),
            user: user.map(Box::new),
        }
    }

    /// The words for a result line.
    pub fn detail(&self) -> &str {
        match self {
            ItemResult::Done { detail, .. } | ItemResult::Skipped { detail, .. } => detail,
            ItemResult::Failed { reason } => reason,
        }
    }

    /// True for a failure.
    pub fn is_failed(&self) -> bool {
        matches!(self, ItemResult::Failed { .. })
    }
}

fn is_disabled(user: &User) -> bool {
    user.attributes.disabled == Some(true) || user.attributes.status == Some(UserStatus::Disabled)
}

fn has_role(user: &User, role: &RoleId) -> bool {
    user.role_ids().any(|r| &r == role)
}

/// Applies `change`. `Err` only for failures the caller reports as such.
pub async fn apply(client: &Client, change: &Change) -> Result<ItemResult, ApiError> {
    match change {
        Change::Disable { user } => Ok(match outcome::disable_user(client, user).await? {
            DisableOutcome::Disabled => {
                ItemResult::done("disabled", Some(Change::Enable { user: user.clone() }))
            }
            DisableOutcome::AlreadyDisabled => ItemResult::skipped("already disabled", None),
        }),
        Change::Enable { user } => Ok(match outcome::enable_user(client, user).await? {
            EnableOutcome::Enabled(status) => ItemResult::done(
                &format!("enabled (now {status})"),
                Some(Change::Disable { user: user.clone() }),
            ),
            EnableOutcome::AlreadyEnabled(status) => {
                ItemResult::skipped(format!("already enabled ({status})"), None)
            }
        }),
        Change::Create {
            email,
            name,
            title,
            roles,
        } => {
            let new = new_user(email, name, title, roles);
            Ok(match outcome::create_user(client, &new).await? {
                CreateOutcome::Created(user) => {
                    let undo = Change::Disable {
                        user: user.id.clone(),
                    };
                    ItemResult::done_with(format!("created {}", user.id), Some(undo), user)
                }
                CreateOutcome::Existing(user) => ItemResult::skipped(
                    format!("a user with this email exists already: {}", user.id),
                    Some(user),
                ),
            })
        }
        Change::Invite {
            email,
            name,
            title,
            roles,
        } => invite(client, &new_user(email, name, title, roles)).await,
        Change::ResendInvitation { user } => {
            client.send_invitations(std::slice::from_ref(user)).await?;
            Ok(ItemResult::done("invitation sent", None))
        }
        Change::CancelInvitations { user } => {
            client.cancel_user_invitations(user).await?;
            Ok(ItemResult::done("pending invitations cancelled", None))
        }
        Change::Update {
            user, current_user, ..
        } => {
            let body = change.update_body().unwrap_or_default();
            let before = if *current_user {
                client.get_current_user().await?.data
            } else {
                client.get_user(user).await?.data
            };
            let after = if *current_user {
                client.update_current_user(user, &body).await?.data
            } else {
                client.update_user(user, &body).await?.data
            };
            let undo = Change::Update {
                user: user.clone(),
                name: body.name.as_ref().and(before.attributes.name.clone()),
                email: body.email.as_ref().and(before.attributes.email.clone()),
                title: (!body.title.is_keep()).then(|| before.attributes.title.clone()),
                current_user: *current_user,
            };
            Ok(ItemResult::done_with("updated", Some(undo), after))
        }
        Change::AddRole { user, role } => {
            let current = client.get_user(user).await?.data;
            if has_role(&current, role) {
                return Ok(ItemResult::skipped("already has the role", Some(current)));
            }
            client.add_user_to_role(role, user).await?;
            let after = client.get_user(user).await?.data;
            let undo = Change::RemoveRole {
                user: user.clone(),
                role: role.clone(),
            };
            Ok(ItemResult::done_with("role added", Some(undo), after))
        }
        Change::RemoveRole { user, role } => {
            let current = client.get_user(user).await?.data;
            if !has_role(&current, role) {
                return Ok(ItemResult::skipped("does not have the role", Some(current)));
            }
            client.remove_user_from_role(role, user).await?;
            let after = client.get_user(user).await?.data;
            let undo = Change::AddRole {
                user: user.clone(),
                role: role.clone(),
            };
            Ok(ItemResult::done_with("role removed", Some(undo), after))
        }
        Change::Anonymize { user } => {
            let result = client
                .anonymize_users(std::slice::from_ref(user))
                .await?
                .data
                .attributes;
            match result.anonymize_errors.into_iter().next() {
                Some(failure) => Ok(ItemResult::Failed {
                    reason: failure.error,
                }),
                None => Ok(ItemResult::done("anonymized (irreversible)", None)),
            }
        }
        Change::SetIdentityProviders { user, providers } => {
            let before = client.get_user_identity_providers(user).await?;
            client
                .update_user_identity_providers(user, providers)
                .await?;
            let undo = Change::SetIdentityProviders {
                user: user.clone(),
                providers: before.data.into_iter().map(|p| p.id).collect(),
            };
            Ok(ItemResult::done("identity providers set", Some(undo)))
        }
    }
}

fn new_user(
    email: &str,
    name: &Option<String>,
    title: &Option<String>,
    roles: &[RoleId],
) -> NewUser {
    NewUser {
        email: email.to_owned(),
        name: name.clone(),
        title: title.clone(),
        roles: roles.to_vec(),
    }
}

async fn invite(client: &Client, new: &NewUser) -> Result<ItemResult, ApiError> {
    let (user, created) = match outcome::create_user(client, new).await? {
        CreateOutcome::Created(user) => (user, true),
        CreateOutcome::Existing(user) => (user, false),
    };
    if is_disabled(&user) {
        return Ok(ItemResult::Failed {
            reason: "a disabled user has this email: enable them first, then invite".into(),
        });
    }
    if !created && user.attributes.status == Some(UserStatus::Active) {
        return Ok(ItemResult::skipped(
            "already active: not re-invited",
            Some(user),
        ));
    }
    let sent = client
        .send_invitations(std::slice::from_ref(&user.id))
        .await?;
    let detail = if created {
        "created and invited"
    } else {
        "invitation sent again (had not joined)"
    };
    let expires_at = sent
        .data
        .first()
        .and_then(|i| i.attributes.expires_at)
        .map(|t| t.unix_timestamp());
    Ok(ItemResult::Done {
        detail: detail.to_owned(),
        undo: None,
        user: Some(Box::new(user)),
        invitation_expires_at: expires_at,
    })
}

/// After an interruption: decides from the user's current state whether a change whose
/// outcome was never recorded already took effect. `Some` when it did (or cannot be told
/// and must not be repeated), `None` when it is safe to apply now.
///
/// A settled change records no undo: the state found may predate the run (the user may have
/// been disabled before it started), and undoing what this run may not have done — say,
/// re-enabling someone disabled on purpose — is worse than leaving it for a person to decide.
pub async fn settle(client: &Client, change: &Change) -> Result<Option<ItemResult>, ApiError> {
    let settled = |detail: &str| Some(ItemResult::done(detail, None));
    Ok(match change {
        Change::Disable { user } => is_disabled(&client.get_user(user).await?.data)
            .then(|| ItemResult::done("disabled (found so after the interruption; undo leaves it)", None)),
        Change::Enable { user } => (!is_disabled(&client.get_user(user).await?.data))
            .then(|| ItemResult::done("enabled (found so after the interruption; undo leaves it)", None)),
        Change::AddRole { user, role } => has_role(&client.get_user(user).await?.data, role)
            .then(|| ItemResult::done("has the role (found so after the interruption; undo leaves it)", None)),
        Change::RemoveRole { user, role } => (!has_role(&client.get_user(user).await?.data, role))
            .then(|| ItemResult::done("lacks the role (found so after the interruption; undo leaves it)", None)),
        Change::Create { email, .. } => outcome::find_user_by_email(client, email)
            .await?
            .map(|user| ItemResult::done_with("created (before the interruption)", None, user)),
        // Creating twice is refused by the service and re-sending would email the person
        // twice: if the user exists, the invitation counts as sent.
        Change::Invite { email, .. } => match outcome::find_user_by_email(client, email).await? {
            Some(user) if user.attributes.status == Some(UserStatus::Pending) => settled(
                "created before the interruption; the invitation may not have gone out (resend with r if they report none)",
            ),
            _ => None,
        },
        Change::ResendInvitation { .. } => {
            settled("sent before the interruption, as far as can be told (not sent twice)")
        }
        // Idempotent: applying again gives the same state.
        Change::CancelInvitations { .. }
        | Change::Update { .. }
        | Change::Anonymize { .. }
        | Change::SetIdentityProviders { .. } => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_round_trip_through_json_with_readable_tags() {
        let changes = vec![
            Change::Disable { user: "u1".into() },
            Change::Invite {
                email: "a@b.co".into(),
                name: None,
                title: Some("SRE".into()),
                roles: vec!["r1".into()],
            },
            Change::Update {
                user: "u2".into(),
                name: None,
                email: None,
                title: Some(None),
                current_user: false,
            },
        ];
        let text = serde_json::to_string(&changes).unwrap();
        assert!(text.contains(r#""op":"disable""#), "{text}");
        let back: Vec<Change> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, changes);
        let cleared = Change::Update {
            user: "u2".into(),
            name: None,
            email: None,
            title: Some(None),
            current_user: false,
        };
        assert_eq!(cleared.update_body().unwrap().title, Patch::Clear);
    }

    #[test]
    fn results_journal_their_undo_but_not_the_user() {
        let result = ItemResult::done_with(
            "disabled",
            Some(Change::Enable { user: "u1".into() }),
            User {
                kind: "users".into(),
                id: "u1".into(),
                attributes: Default::default(),
                relationships: Default::default(),
            },
        );
        let text = serde_json::to_string(&result).unwrap();
        assert!(!text.contains("attributes"), "{text}");
        let back: ItemResult = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back,
            ItemResult::done("disabled", Some(Change::Enable { user: "u1".into() }))
        );
    }
}
