//! Email lists as people type or paste them: split on commas, semicolons, whitespace and
//! newlines, trimmed, de-duplicated case-insensitively, each checked for a plausible address.
//! Pure: used by the invite form as you type and by `users invite`.

/// One entry of a typed or pasted list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailEntry {
    /// As typed (trimmed, with `Name <addr>` reduced to `addr`).
    pub text: String,
    /// Lower-cased address, when valid.
    pub verdict: Result<String, EmailProblem>,
}

impl EmailEntry {
    /// True when the entry is an address that will be sent.
    pub fn is_valid(&self) -> bool {
        self.verdict.is_ok()
    }

    /// Why it will not be sent, in words, if it will not.
    pub fn problem(&self) -> Option<String> {
        self.verdict.as_ref().err().map(ToString::to_string)
    }

    /// The address to send: lower-cased when valid, else as typed.
    pub fn address(&self) -> &str {
        self.verdict.as_deref().unwrap_or(&self.text)
    }
}

/// Why an entry is not an address we will send.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailProblem {
    #[error("not an email address (no @)")]
    NoAt,
    #[error("nothing before the @")]
    EmptyLocal,
    #[error("nothing after the @")]
    EmptyDomain,
    #[error("the part after the @ is not a valid domain")]
    BadDomain,
    #[error("contains spaces, control characters or characters not allowed in an address")]
    BadCharacters,
    #[error("longer than 254 characters")]
    TooLong,
    #[error("listed twice")]
    Duplicate,
}

/// Checks one address; returns it lower-cased.
pub fn validate_email(text: &str) -> Result<String, EmailProblem> {
    if text.chars().count() > 254 {
        return Err(EmailProblem::TooLong);
    }
    if text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c))
    {
        return Err(EmailProblem::BadCharacters);
    }
    let (local, domain) = text.rsplit_once('@').ok_or(EmailProblem::NoAt)?;
    if local.is_empty() {
        return Err(EmailProblem::EmptyLocal);
    }
    if local.contains('@') {
        return Err(EmailProblem::BadCharacters);
    }
    if domain.is_empty() {
        return Err(EmailProblem::EmptyDomain);
    }
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    if !domain.contains('.') || !labels_ok {
        return Err(EmailProblem::BadDomain);
    }
    Ok(text.to_lowercase())
}

/// Splits a typed or pasted list into entries, in order, marking repeats.
pub fn parse_email_list(input: &str) -> Vec<EmailEntry> {
    let mut seen = std::collections::HashSet::new();
    input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|raw| {
            let text = strip_angle_brackets(raw).to_owned();
            let verdict = validate_email(&text).and_then(|email| {
                if seen.insert(email.clone()) {
                    Ok(email)
                } else {
                    Err(EmailProblem::Duplicate)
                }
            });
            EmailEntry { text, verdict }
        })
        .collect()
}

/// `<a@b.c>` → `a@b.c` (what mail clients paste).
fn strip_angle_brackets(raw: &str) -> &str {
    raw.strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_addresses_and_lower_cases_them() {
        assert_eq!(
            validate_email("Jane.Doe@Example.com"),
            Ok("jane.doe@example.com".into())
        );
        assert_eq!(
            validate_email("a+tag@sub.example.co.uk"),
            Ok("a+tag@sub.example.co.uk".into())
        );
        assert_eq!(
            validate_email("zoë@exämple.de"),
            Ok("zoë@exämple.de".into())
        );
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        assert_eq!(validate_email("jane"), Err(EmailProblem::NoAt));
        assert_eq!(
            validate_email("@example.com"),
            Err(EmailProblem::EmptyLocal)
        );
        assert_eq!(
            validate_email("jane@localhost"),
            Err(EmailProblem::BadDomain)
        );
        assert_eq!(
            validate_email("jane@exa..mple.com"),
            Err(EmailProblem::BadDomain)
        );
        assert_eq!(
            validate_email("ja ne@example.com"),
            Err(EmailProblem::BadCharacters)
        );
        assert_eq!(
            validate_email("jane@example.com\u{7}"),
            Err(EmailProblem::BadCharacters)
        );
        assert_eq!(
            validate_email(&format!("{}@example.com", "a".repeat(250))),
            Err(EmailProblem::TooLong)
        );
    }

    #[test]
    fn splits_pasted_lists_and_marks_duplicates() {
        let entries = parse_email_list("a@x.io, B@x.io;\n<c@x.io>\n\n a@X.io nope");
        let verdicts: Vec<_> = entries.iter().map(|e| e.verdict.clone()).collect();
        assert_eq!(
            verdicts,
            vec![
                Ok("a@x.io".into()),
                Ok("b@x.io".into()),
                Ok("c@x.io".into()),
                Err(EmailProblem::Duplicate),
                Err(EmailProblem::NoAt),
            ]
        );
    }

    #[test]
    fn ten_thousand_pasted_addresses_parse() {
        let pasted: String = (0..10_000)
            .map(|i| format!("user{i}@example.com\n"))
            .collect();
        let entries = parse_email_list(&pasted);
        assert_eq!(entries.len(), 10_000);
        assert!(entries.iter().all(|e| e.verdict.is_ok()));
    }
}

/// The domain of an address (after the last `@`), lower-case; `None` without one.
pub fn email_domain(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    (!domain.is_empty()).then_some(domain)
}

/// True when `domain` is one of `allowed` or a subdomain of one (`eu.a.com` is inside
/// `a.com`); `allowed` is lower-case, as [`parse_domain_list`] gives it.
pub fn domain_allowed(domain: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|a| {
        domain == a
            || domain
                .strip_suffix(a.as_str())
                .is_some_and(|sub| sub.ends_with('.'))
    })
}

/// A list of domains as people type it (`a.com, @b.org`): split on commas and spaces,
/// lower-case, a leading `@` dropped, repeats removed.
pub fn parse_domain_list(text: &str) -> Vec<String> {
    let mut domains: Vec<String> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|d| {
            d.trim()
                .trim_start_matches('@')
                .trim_end_matches('.')
                .to_lowercase()
        })
        .filter(|d| !d.is_empty())
        .collect();
    domains.sort();
    domains.dedup();
    domains
}

#[cfg(test)]
mod domain_tests {
    use super::*;

    #[test]
    fn a_domain_is_inside_the_list_when_it_or_a_parent_is_listed() {
        let allowed = parse_domain_list("Example.com, @b.org");
        assert_eq!(allowed, ["b.org", "example.com"]);
        assert!(domain_allowed("example.com", &allowed));
        assert!(domain_allowed("eu.example.com", &allowed));
        assert!(!domain_allowed("badexample.com", &allowed));
        assert!(!domain_allowed("example.com.evil.io", &allowed));
        assert_eq!(
            email_domain("Ann@EU.Example.com"),
            Some("eu.example.com".into())
        );
        assert_eq!(email_domain("no-at-sign"), None);
    }
}
