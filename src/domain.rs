//! The rules of the domain that more than one part of ddusers needs, each in one place:
//! which permissions make someone an admin, and how much a person must type before a
//! change goes out. Pure; no I/O. (A user's status is `User::status`/`User::is_disabled` in
//! `api::models`, where the sandbox and the client both reach it; email validity is
//! `email::validate_email`.)

/// The permission every user-management write needs; holders are "admins" for the guard
/// rails and the confirmations.
pub const MANAGE: &str = "user_access_manage";
/// The permission invitations need (manage also allows them).
pub const INVITE: &str = "user_access_invite";
/// The permission that lists the org's application keys.
pub const ORG_APP_KEYS_READ: &str = "org_app_keys_read";
/// The managed role every org has, whose members administer it.
pub const ADMIN_ROLE_NAME: &str = "Datadog Admin Role";

/// Permissions that let a user change who has access: inviting and managing users, service
/// accounts, the org, cross-org connections and the governance console; `admin` is the
/// deprecated catch-all. Holding one (or [`ADMIN_ROLE_NAME`]) makes a user an admin for the
/// audits.
pub const ACCESS_WRITE_PERMISSIONS: &[&str] = &[
    MANAGE,
    INVITE,
    "service_account_write",
    "org_management",
    "org_connections_write",
    "governance_console_write",
    "admin",
];

/// A key used this recently is likely in use by automation.
pub const RECENT_KEY_DAYS: i64 = 30;

/// Up to this many users, with no admin and no service account among them, a destructive
/// change is confirmed with `y`; beyond it the person types the count.
pub const PLAIN_YES_LIMIT: usize = 10;

/// The word typed before anonymizing.
pub const ANONYMIZE_WORD: &str = "anonymize";

/// What a person must do to confirm a plan: sized to its blast radius.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum Confirmation {
    /// Not destructive: Enter or `y`.
    Enter,
    /// Destructive and small: `y` (never Enter).
    Yes,
    /// Type this text (the number of users, or a word) and press Enter.
    Type(String),
}

impl Confirmation {
    /// The confirmation a plan needs: `destructive` changes to `users` users, of which
    /// `privileged` are admins or service accounts; anonymizing always asks for its word.
    pub fn sized(destructive: bool, anonymize: bool, users: usize, privileged: usize) -> Self {
        if anonymize {
            Confirmation::Type(ANONYMIZE_WORD.to_owned())
        } else if !destructive {
            Confirmation::Enter
        } else if users > PLAIN_YES_LIMIT || privileged > 0 {
            Confirmation::Type(users.to_string())
        } else {
            Confirmation::Yes
        }
    }

    /// Whether `typed` (what the person typed, or the key they pressed) confirms.
    pub fn accepts(&self, typed: &str) -> bool {
        match self {
            Confirmation::Enter => true,
            Confirmation::Yes => typed.eq_ignore_ascii_case("y"),
            Confirmation::Type(word) => {
                // "15,863" and "15863" both mean the count.
                let cleaned: String = typed.trim().chars().filter(|c| *c != ',').collect();
                cleaned == *word
            }
        }
    }

    /// The instruction, for dialogs and prompts.
    pub fn instruction(&self, verb: &str) -> String {
        match self {
            Confirmation::Enter => format!("Enter or y to {verb}, Esc to cancel"),
            Confirmation::Yes => format!("y to {verb}, n or Esc to cancel"),
            Confirmation::Type(word) => {
                format!("type {word} and press Enter to {verb}, Esc to cancel")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmations_grow_with_the_blast_radius() {
        assert_eq!(
            Confirmation::sized(false, false, 500, 3),
            Confirmation::Enter
        );
        assert_eq!(Confirmation::sized(true, false, 10, 0), Confirmation::Yes);
        assert_eq!(
            Confirmation::sized(true, false, 11, 0),
            Confirmation::Type("11".into())
        );
        assert_eq!(
            Confirmation::sized(true, false, 2, 1),
            Confirmation::Type("2".into())
        );
        assert_eq!(
            Confirmation::sized(true, true, 1, 0),
            Confirmation::Type("anonymize".into())
        );
    }

    #[test]
    fn a_typed_count_must_match_and_enter_alone_never_does() {
        let typed = Confirmation::Type("15863".into());
        assert!(typed.accepts("15863"));
        assert!(typed.accepts(" 15,863 "));
        assert!(!typed.accepts(""));
        assert!(!typed.accepts("15862"));
        assert!(!Confirmation::Yes.accepts(""));
        assert!(Confirmation::Yes.accepts("Y"));
    }
}
