//! How a user can log in: the one rule saying whether a user can log in with a password,
//! from their login-method override (`allowed_login_methods`). Datadog's MFA applies to
//! password logins only (an SSO account's MFA lives in its identity provider), so the
//! MFA audit, the override audit and anything else asking "can this user use a password"
//! call [`Org::password_login`].
//!
//! What is known: each user's override, as [`Org::login_methods`] keeps it. An empty
//! override means "the org's default login methods apply"; those defaults are not
//! readable through the API ddusers uses (the org settings endpoint is not in the
//! client), so such a user is *assumed* able to use a password. That assumption is the
//! conservative one for a risk list: it may list an SSO-only user, never hide a password
//! user.

use super::records::UserRecord;
use super::Org;

/// The login method that means a password (compared case-insensitively).
pub const PASSWORD_METHOD: &str = "password";

/// Login methods known to be single sign-on (no Datadog password, no Datadog MFA).
pub const SSO_METHODS: &[&str] = &["saml", "google"];

/// Whether, and why, a user can log in with a password.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordLogin {
    /// The user's override allows a password.
    Allowed,
    /// The user's override allows single sign-on methods only.
    SsoOnly,
    /// No override: the org's defaults apply, which are not readable; a password is
    /// assumed allowed.
    OrgDefault,
    /// The override names a method this rule does not know; a password is assumed allowed.
    Unrecognised,
    /// The service did not send the user's login methods; a password is assumed allowed.
    NotReported,
}

impl PasswordLogin {
    /// True unless the user is known to be unable to log in with a password.
    pub fn possible(self) -> bool {
        self != PasswordLogin::SsoOnly
    }

    /// What the audit views write in their `password_login` column.
    pub fn explanation(self) -> &'static str {
        match self {
            PasswordLogin::Allowed => "yes (override allows password)",
            PasswordLogin::SsoOnly => "no (override allows SSO only)",
            PasswordLogin::OrgDefault => "assumed (org default methods not readable)",
            PasswordLogin::Unrecognised => "assumed (override has an unknown method)",
            PasswordLogin::NotReported => "assumed (login methods not reported)",
        }
    }
}

/// The rule over an override as [`Org::login_methods`] gives it: sorted methods joined
/// with ", ", empty for none, `None` when not reported.
pub fn password_login(methods: Option<&str>) -> PasswordLogin {
    let Some(methods) = methods else {
        return PasswordLogin::NotReported;
    };
    let methods: Vec<&str> = methods
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect();
    if methods.is_empty() {
        return PasswordLogin::OrgDefault;
    }
    if methods
        .iter()
        .any(|m| m.eq_ignore_ascii_case(PASSWORD_METHOD))
    {
        return PasswordLogin::Allowed;
    }
    let known_sso = |m: &&str| SSO_METHODS.iter().any(|s| m.eq_ignore_ascii_case(s));
    if methods.iter().all(known_sso) {
        PasswordLogin::SsoOnly
    } else {
        PasswordLogin::Unrecognised
    }
}

impl Org {
    /// Whether `user` can log in with a password: see the module notes.
    pub fn password_login(&self, user: &UserRecord) -> PasswordLogin {
        password_login(self.login_methods(user))
    }

    /// True when `user` has a login-method override (a non-empty `allowed_login_methods`).
    pub fn has_login_override(&self, user: &UserRecord) -> bool {
        self.login_methods(user).is_some_and(|m| !m.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_override_allows_a_password_login() {
        assert_eq!(password_login(Some("password")), PasswordLogin::Allowed);
        assert_eq!(
            password_login(Some("Password, saml")),
            PasswordLogin::Allowed
        );
    }

    #[test]
    fn an_override_of_sso_methods_only_rules_out_a_password() {
        assert_eq!(password_login(Some("saml")), PasswordLogin::SsoOnly);
        assert_eq!(password_login(Some("google, SAML")), PasswordLogin::SsoOnly);
        assert!(!PasswordLogin::SsoOnly.possible());
    }

    #[test]
    fn what_is_not_known_is_assumed_to_allow_a_password() {
        for (methods, expected) in [
            (Some(""), PasswordLogin::OrgDefault),
            (None, PasswordLogin::NotReported),
            (Some("saml, okta-magic"), PasswordLogin::Unrecognised),
        ] {
            let rule = password_login(methods);
            assert_eq!(rule, expected, "{methods:?}");
            assert!(
                rule.possible(),
                "{methods:?} is assumed to allow a password"
            );
            assert!(rule.explanation().starts_with("assumed"));
        }
    }
}
