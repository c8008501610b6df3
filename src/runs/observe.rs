//! What a change needs to know of its target, and the pure rules over it: whether a change
//! is already in effect, the change that undoes it given the state before, and whether a
//! user is still as a run left them (so an undo never reverts somebody else's later edit).
//! Reading the state from the service (`observe`) is the only I/O here.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::change::Change;
use crate::api::models::{timestamp, IdentityProviderId, User, UserId, UserStatus};
use crate::api::{ApiError, Client};

/// A user's name, email and title as read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

/// The part of a user's state one change is about, as read from the service. Journaled
/// with a change's intent (the state before) and its outcome (the state it left).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Observed {
    /// The user, when there is one (an invitation's email may have none yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<UserStatus>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub modified_at: Option<OffsetDateTime>,
    /// For profile updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    /// For role changes: whether the user holds the change's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_role: Option<bool>,
    /// For identity-provider changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<IdentityProviderId>>,
}

impl Observed {
    /// The part of `user` that `change` is about (`None`: no such user).
    pub fn of(change: &Change, user: Option<&User>) -> Observed {
        let Some(user) = user else {
            return Observed::default();
        };
        let mut observed = Observed {
            user: Some(user.id.clone()),
            status: Some(user.status()),
            modified_at: user.attributes.modified_at,
            ..Observed::default()
        };
        match change {
            Change::Update { .. } => {
                let a = &user.attributes;
                observed.profile = Some(Profile {
                    name: a.name.clone(),
                    email: a.email.clone(),
                    title: a.title.clone(),
                });
            }
            Change::AddRole { role, .. } | Change::RemoveRole { role, .. } => {
                observed.has_role = Some(user.has_role(role));
            }
            _ => {}
        }
        observed
    }

    fn is_disabled(&self) -> bool {
        self.status == Some(UserStatus::Disabled)
    }
}

/// Reads the state `change` is about. An unknown user is an error (404), except for
/// creations and invitations, whose email may have no user yet.
pub async fn observe(client: &Client, change: &Change) -> Result<Observed, ApiError> {
    match change {
        Change::Create { email, .. } | Change::Invite { email, .. } => {
            let user = client.find_user_by_email(email).await?;
            Ok(Observed::of(change, user.as_ref()))
        }
        Change::Update {
            current_user: true, ..
        } => {
            let me = client.get_current_user().await?.data;
            Ok(Observed::of(change, Some(&me)))
        }
        Change::SetIdentityProviders { user, .. } => {
            let found = client.get_user(user).await?.data;
            let providers = client.get_user_identity_providers(user).await?;
            let mut observed = Observed::of(change, Some(&found));
            observed.providers = Some(providers.data.into_iter().map(|p| p.id).collect());
            Ok(observed)
        }
        other => {
            let id = UserId(other.target().to_owned());
            let user = client.get_user(&id).await?.data;
            Ok(Observed::of(change, Some(&user)))
        }
    }
}

fn same_set(a: &[IdentityProviderId], b: &[IdentityProviderId]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

fn same_email(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (a, b) => a == b,
    }
}

/// True when `now` shows `change` already done, so sending it would change nothing.
/// Changes whose effect cannot be read back (invitations sent or cancelled, anonymizing)
/// are never "in effect" here; their flows decide from the service's answer instead.
pub fn in_effect(change: &Change, now: &Observed) -> bool {
    match change {
        Change::Disable { .. } => now.is_disabled(),
        Change::Enable { .. } => now.status.is_some() && !now.is_disabled(),
        Change::AddRole { .. } => now.has_role == Some(true),
        Change::RemoveRole { .. } => now.has_role == Some(false),
        Change::Create { .. } => now.user.is_some(),
        Change::Update {
            name, email, title, ..
        } => now.profile.as_ref().is_some_and(|p| {
            name.as_ref().is_none_or(|n| p.name.as_ref() == Some(n))
                && email
                    .as_ref()
                    .is_none_or(|e| same_email(p.email.as_deref(), Some(e)))
                && title.as_ref().is_none_or(|t| p.title == *t)
        }),
        Change::SetIdentityProviders { providers, .. } => now
            .providers
            .as_ref()
            .is_some_and(|p| same_set(p, providers)),
        Change::Invite { .. }
        | Change::ResendInvitation { .. }
        | Change::CancelInvitations { .. }
        | Change::Anonymize { .. } => false,
    }
}

/// The change that puts back what `before` shows, after `change` was done (`created`: the
/// user a creation made). `None` when there is no inverse (invitations, anonymizing).
pub fn undo_of(change: &Change, before: &Observed, created: Option<&UserId>) -> Option<Change> {
    match change {
        Change::Disable { user } => Some(Change::Enable { user: user.clone() }),
        Change::Enable { user } => Some(Change::Disable { user: user.clone() }),
        Change::AddRole { user, role } => Some(Change::RemoveRole {
            user: user.clone(),
            role: role.clone(),
        }),
        Change::RemoveRole { user, role } => Some(Change::AddRole {
            user: user.clone(),
            role: role.clone(),
        }),
        Change::Update {
            user,
            name,
            email,
            title,
            current_user,
        } => {
            let old = before.profile.as_ref()?;
            Some(Change::Update {
                user: user.clone(),
                name: name.as_ref().and(old.name.clone()),
                email: email.as_ref().and(old.email.clone()),
                title: title.as_ref().map(|_| old.title.clone()),
                current_user: *current_user,
            })
        }
        Change::SetIdentityProviders { user, .. } => Some(Change::SetIdentityProviders {
            user: user.clone(),
            providers: before.providers.clone()?,
        }),
        Change::Create { .. } => created.map(|user| Change::Disable { user: user.clone() }),
        Change::Invite { .. }
        | Change::ResendInvitation { .. }
        | Change::CancelInvitations { .. }
        | Change::Anonymize { .. } => None,
    }
}

/// For an undo: whether the user is still as the run left them (`left`), judged by what
/// `undo` would put back. A later edit of the same thing — another status change (its
/// `modified_at` moves), another title, the role taken back — means somebody changed it
/// since, and the undo must leave it.
pub fn unchanged_since(undo: &Change, left: &Observed, now: &Observed) -> bool {
    let same_time = match (left.modified_at, now.modified_at) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    match undo {
        Change::Enable { .. } | Change::Disable { .. } => {
            left.status.is_none() || (left.status == now.status && same_time)
        }
        Change::AddRole { .. } | Change::RemoveRole { .. } => {
            left.has_role.is_none() || left.has_role == now.has_role
        }
        Change::Update { .. } => match (&left.profile, &now.profile) {
            (Some(l), Some(n)) => {
                l.name == n.name
                    && l.title == n.title
                    && same_email(l.email.as_deref(), n.email.as_deref())
            }
            _ => true,
        },
        Change::SetIdentityProviders { .. } => match (&left.providers, &now.providers) {
            (Some(l), Some(n)) => same_set(l, n),
            _ => true,
        },
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::RoleId;

    fn user(status: UserStatus, roles: &[&str], title: Option<&str>) -> User {
        let mut u: User = serde_json::from_value(serde_json::json!({
            "type": "users", "id": "u1",
            "attributes": {"name": "Ada", "email": "ada@x.co", "status": status.as_str(),
                           "disabled": status == UserStatus::Disabled,
                           "modified_at": "2026-11-01T10:00:00.000000+00:00"},
            "relationships": {"roles": {"data": roles.iter().map(|r| serde_json::json!({"type": "roles", "id": r})).collect::<Vec<_>>()}}
        }))
        .expect("a valid user");
        u.attributes.title = title.map(str::to_owned);
        u
    }

    #[test]
    fn a_disable_is_in_effect_once_the_user_reads_disabled_and_undoes_to_an_enable() {
        let change = Change::Disable { user: "u1".into() };
        let before = Observed::of(&change, Some(&user(UserStatus::Active, &[], None)));
        let after = Observed::of(&change, Some(&user(UserStatus::Disabled, &[], None)));
        assert!(!in_effect(&change, &before));
        assert!(in_effect(&change, &after));
        assert_eq!(
            undo_of(&change, &before, None),
            Some(Change::Enable { user: "u1".into() })
        );
    }

    #[test]
    fn an_update_undoes_to_the_values_read_before_not_the_new_ones() {
        let change = Change::Update {
            user: "u1".into(),
            name: None,
            email: None,
            title: Some(Some("CTO".into())),
            current_user: false,
        };
        let before = Observed::of(&change, Some(&user(UserStatus::Active, &[], Some("SRE"))));
        let after = Observed::of(&change, Some(&user(UserStatus::Active, &[], Some("CTO"))));
        assert!(in_effect(&change, &after));
        let Some(Change::Update { title, name, .. }) = undo_of(&change, &before, None) else {
            panic!("an update undoes to an update");
        };
        assert_eq!(title, Some(Some("SRE".into())));
        assert_eq!(name, None);
    }

    #[test]
    fn a_role_change_reads_whether_the_user_holds_that_role() {
        let role = RoleId::from("admin");
        let add = Change::AddRole {
            user: "u1".into(),
            role: role.clone(),
        };
        let without = Observed::of(&add, Some(&user(UserStatus::Active, &["std"], None)));
        let with = Observed::of(
            &add,
            Some(&user(UserStatus::Active, &["std", "admin"], None)),
        );
        assert!(!in_effect(&add, &without));
        assert!(in_effect(&add, &with));
        let undo = undo_of(&add, &without, None).expect("an inverse");
        assert!(unchanged_since(&undo, &with, &with));
        assert!(!unchanged_since(&undo, &with, &without));
    }

    #[test]
    fn undo_leaves_a_user_whose_status_changed_again_since_the_run() {
        let undo = Change::Enable { user: "u1".into() };
        let left = Observed::of(&undo, Some(&user(UserStatus::Disabled, &[], None)));
        let mut later = left.clone();
        assert!(unchanged_since(&undo, &left, &later));
        later.modified_at = Some(OffsetDateTime::UNIX_EPOCH);
        assert!(!unchanged_since(&undo, &left, &later));
        let enabled = Observed::of(&undo, Some(&user(UserStatus::Active, &[], None)));
        assert!(!unchanged_since(&undo, &left, &enabled));
    }

    #[test]
    fn observations_round_trip_through_the_journal_format() {
        let change = Change::Update {
            user: "u1".into(),
            name: None,
            email: None,
            title: Some(None),
            current_user: false,
        };
        let observed = Observed::of(&change, Some(&user(UserStatus::Pending, &[], None)));
        let text = serde_json::to_string(&observed).expect("serialises");
        let back: Observed = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, observed);
    }
}
