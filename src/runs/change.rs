//! One change to the org as data that can be journaled, and what it came to. How a change
//! is carried out is in `item`; what it expects and how it is undone, in `observe`.

use serde::{Deserialize, Serialize};

use super::observe::Observed;
use crate::api::models::{IdentityProviderId, NewUser, Patch, RoleId, User, UserId, UserUpdate};

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

    /// The user the change is about, when it names one (not an invitation's email).
    pub fn user(&self) -> Option<UserId> {
        match self {
            Change::Invite { .. } | Change::Create { .. } => None,
            other => Some(UserId(other.target().to_owned())),
        }
    }

    /// True for changes that take something away: disabling, anonymizing, cancelling
    /// invitations, removing a role. Their confirmations never take Enter as yes.
    pub fn is_destructive(&self) -> bool {
        matches!(
            self,
            Change::Disable { .. }
                | Change::Anonymize { .. }
                | Change::CancelInvitations { .. }
                | Change::RemoveRole { .. }
        )
    }

    /// The body of a create or invite.
    pub fn new_user(&self) -> Option<NewUser> {
        match self {
            Change::Create {
                email,
                name,
                title,
                roles,
            }
            | Change::Invite {
                email,
                name,
                title,
                roles,
            } => Some(NewUser {
                email: email.clone(),
                name: name.clone(),
                title: title.clone(),
                roles: roles.clone(),
            }),
            _ => None,
        }
    }

    /// The body of an update.
    pub fn update_body(&self) -> Option<UserUpdate> {
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

/// What one change came to. `Done` carries the change that undoes it, when there is one,
/// and the state it left (what an undo expects to find).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum ItemResult {
    /// It did what it says.
    Done {
        detail: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        undo: Option<Change>,
        /// The target as the change left it, read back after the write.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        left: Option<Box<Observed>>,
        /// The user afterwards, for the console (not journaled).
        #[serde(skip)]
        user: Option<Box<User>>,
        /// When the invitation sent by this change expires (unix seconds; not journaled).
        #[serde(skip)]
        invitation_expires_at: Option<i64>,
    },
    /// Nothing to do: already so (already disabled, already active, ...), or left alone
    /// by an undo because it changed since the run.
    Skipped {
        detail: String,
        #[serde(skip)]
        user: Option<Box<User>>,
    },
    /// Part of it happened: a user was created but their invitation did not go out.
    Partial {
        detail: String,
        /// What to do to finish it.
        next: String,
        #[serde(skip)]
        user: Option<Box<User>>,
    },
    /// It failed; the org is as it was for this item.
    Failed { reason: String },
    /// Not attempted: the run stopped first (its keys stopped working, or it was cancelled).
    /// Never journaled, so the item stays unfinished and a resume picks it up.
    Unfinished { reason: String },
}

impl ItemResult {
    /// A `Done` without a user.
    pub fn done(detail: &str, undo: Option<Change>) -> ItemResult {
        ItemResult::Done {
            detail: detail.to_owned(),
            undo,
            left: None,
            user: None,
            invitation_expires_at: None,
        }
    }

    /// A `Skipped`, with the user when known.
    pub fn skipped(detail: impl Into<String>, user: Option<User>) -> ItemResult {
        ItemResult::Skipped {
            detail: detail.into(),
            user: user.map(Box::new),
        }
    }

    /// A `Failed`.
    pub fn failed(reason: impl Into<String>) -> ItemResult {
        ItemResult::Failed {
            reason: reason.into(),
        }
    }

    /// The words for a result line.
    pub fn detail(&self) -> &str {
        match self {
            ItemResult::Done { detail, .. }
            | ItemResult::Skipped { detail, .. }
            | ItemResult::Partial { detail, .. } => detail,
            ItemResult::Failed { reason } | ItemResult::Unfinished { reason } => reason,
        }
    }

    /// The same result with its words made safe to show (they may quote the service).
    pub fn sanitized(mut self) -> ItemResult {
        use crate::text::sanitize;
        match &mut self {
            ItemResult::Done { detail, .. } | ItemResult::Skipped { detail, .. } => {
                *detail = sanitize(detail)
            }
            ItemResult::Partial { detail, next, .. } => {
                *detail = sanitize(detail);
                *next = sanitize(next);
            }
            ItemResult::Failed { reason } | ItemResult::Unfinished { reason } => {
                *reason = sanitize(reason)
            }
        }
        self
    }

    /// True for a failure.
    pub fn is_failed(&self) -> bool {
        matches!(self, ItemResult::Failed { .. })
    }

    /// True when the item needs nothing more (done, or already so).
    pub fn is_settled(&self) -> bool {
        matches!(self, ItemResult::Done { .. } | ItemResult::Skipped { .. })
    }

    /// True when the result belongs in the journal (everything but "not attempted").
    pub fn is_journaled(&self) -> bool {
        !matches!(self, ItemResult::Unfinished { .. })
    }

    /// The user as the change left them, when the service said.
    pub fn user(&self) -> Option<&User> {
        match self {
            ItemResult::Done { user, .. }
            | ItemResult::Skipped { user, .. }
            | ItemResult::Partial { user, .. } => user.as_deref(),
            _ => None,
        }
    }

    /// A word for tables: done, already so, partly done, failed, unfinished.
    pub fn label(&self) -> &'static str {
        match self {
            ItemResult::Done { .. } => "done",
            ItemResult::Skipped { .. } => "already so",
            ItemResult::Partial { .. } => "partly done",
            ItemResult::Failed { .. } => "failed",
            ItemResult::Unfinished { .. } => "unfinished",
        }
    }
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
        let result = ItemResult::Done {
            detail: "disabled".into(),
            undo: Some(Change::Enable { user: "u1".into() }),
            left: None,
            user: Some(Box::new(User {
                kind: "users".into(),
                id: "u1".into(),
                attributes: Default::default(),
                relationships: Default::default(),
            })),
            invitation_expires_at: None,
        };
        let text = serde_json::to_string(&result).unwrap();
        assert!(!text.contains("attributes"), "{text}");
        let back: ItemResult = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back,
            ItemResult::done("disabled", Some(Change::Enable { user: "u1".into() }))
        );
    }
}
