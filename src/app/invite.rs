//! Parsing and checking the invite form's emails, as they are typed or pasted: split on
//! commas, semicolons, whitespace and newlines; each entry valid or with a reason.

use std::collections::HashSet;

/// One email of the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailEntry {
    pub email: String,
    /// Why it will not be sent, if it will not.
    pub problem: Option<String>,
}

impl EmailEntry {
    pub fn is_valid(&self) -> bool {
        self.problem.is_none()
    }
}

/// Why `email` is not a plausible address, if it is not.
pub fn email_problem(email: &str) -> Option<String> {
    if email.len() > 254 {
        return Some("longer than 254 characters".into());
    }
    if email.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Some("contains spaces or control characters".into());
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Some("missing @".into());
    };
    if local.is_empty() {
        return Some("nothing before @".into());
    }
    if local.contains('@') {
        return Some("more than one @".into());
    }
    if domain.is_empty() {
        return Some("nothing after @".into());
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Some(format!("{domain:?} is not a full domain"));
    }
    if domain.contains("..") || local.starts_with('.') || local.ends_with('.') {
        return Some("misplaced dot".into());
    }
    None
}

/// Splits and checks the emails field; duplicates (case-insensitive) are flagged.
pub fn parse_emails(text: &str) -> Vec<EmailEntry> {
    let mut seen = HashSet::new();
    text.split([',', ';', '\n', '\r', ' ', '\t'])
        .map(|s| s.trim().trim_start_matches('<').trim_end_matches('>'))
        .filter(|s| !s.is_empty())
        .map(|email| {
            let problem = email_problem(email).or_else(|| {
                (!seen.insert(email.to_lowercase())).then(|| "listed twice".to_owned())
            });
            EmailEntry {
                email: email.to_owned(),
                problem,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_split_on_commas_newlines_and_spaces() {
        let parsed = parse_emails("a@x.io, b@x.io\nc@x.io;  <d@x.io>");
        let emails: Vec<_> = parsed.iter().map(|e| e.email.as_str()).collect();
        assert_eq!(emails, ["a@x.io", "b@x.io", "c@x.io", "d@x.io"]);
        assert!(parsed.iter().all(EmailEntry::is_valid));
    }

    #[test]
    fn invalid_and_duplicate_emails_carry_a_reason() {
        let parsed = parse_emails("nope, a@x, a@x.io, A@X.io, @x.io");
        let problems: Vec<_> = parsed.iter().map(|e| e.problem.as_deref()).collect();
        assert_eq!(
            problems,
            [
                Some("missing @"),
                Some("\"x\" is not a full domain"),
                None,
                Some("listed twice"),
                Some("nothing before @"),
            ]
        );
    }
}
