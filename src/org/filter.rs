//! The filter language, one for the console's `/` line and `ddusers users list --where`:
//! parsed once per edit into a [`Filter`], then bound to an org and a moment
//! ([`Filter::matcher`]) and asked of each user. Free text matches name, email and handle
//! accent-insensitively (see [`fold`]); field terms (`role:`, `status:`, `mfa:`, `title:`,
//! `email:`, `id:`, `svc:`, `login:`, `created:`) match one attribute; `!` negates a term;
//! terms are ANDed; values may be quoted (`title:"site reliability"`). Ages are relative
//! to the moment the matcher is given (`login:>90d`: not logged in for more than 90 days,
//! never included; `created:<30d`: created within the last 30 days), in units `d` (days),
//! `w` (weeks), `m` (30-day months) and `y` (365-day years). Never panics on input: a bad
//! filter is a [`FilterError`] that says what to type instead.

use std::ops::Range;

use time::OffsetDateTime;

use super::{Org, Stamp, Status, UserRecord};
use crate::api::models::UserStatus;

/// The fields a term may name, as help and errors list them.
pub const FIELDS: &[&str] = &[
    "role", "status", "mfa", "title", "email", "id", "svc", "login", "created",
];

/// Why a filter could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("unknown field {field:?}: use {}", FIELDS.join(" "))]
    UnknownField { field: String },
    #[error("{field}: needs a value, e.g. {example}")]
    MissingValue {
        field: &'static str,
        example: &'static str,
    },
    #[error("{field}:{value} is not understood: use {expected}")]
    BadValue {
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("a quote is not closed: {0}")]
    UnclosedQuote(String),
    #[error("`!` needs a term after it, e.g. !status:disabled")]
    LoneNegation,
}

/// Which way an age compares: `<` (more recent than) or `>` (longer ago than).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Age {
    Within(i64),
    Before(i64),
}

/// What one term asks of a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// Folded text in name, email or handle.
    Text(String),
    Role(String),
    Title(String),
    Email(String),
    IdPrefix(String),
    Status(Status),
    Mfa(bool),
    Service(bool),
    LoginNever,
    Login(Age),
    Created(Age),
}

/// One term, maybe negated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub test: Test,
}

/// A parsed filter: every term must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub terms: Vec<Term>,
}

impl Filter {
    /// Reads a filter; an empty text admits everyone.
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        match Filter::parse_lenient(text) {
            (filter, None) => Ok(filter),
            (_, Some(error)) => Err(error),
        }
    }

    /// Reads a filter as it is being typed: the terms that parse, and why the first one
    /// that does not (it is left out; an open quote is taken to close at the end), so
    /// `role:admin status:dis` lists admins while the status is still being typed.
    pub fn parse_lenient(text: &str) -> (Filter, Option<FilterError>) {
        let (tokens, open_quote) = tokens(text);
        let mut error = None;
        let mut terms = Vec::with_capacity(tokens.len());
        for token in tokens {
            match term(&token) {
                Ok(term) => terms.push(term),
                Err(e) => {
                    error.get_or_insert(e);
                }
            }
        }
        (Filter { terms }, error.or(open_quote))
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// True when some term depends on the moment (an age).
    pub fn uses_time(&self) -> bool {
        self.terms
            .iter()
            .any(|t| matches!(t.test, Test::Login(_) | Test::Created(_)))
    }

    /// The folded texts a row highlights in name and email (the positive free-text terms).
    pub fn highlights(&self) -> Vec<&str> {
        self.terms
            .iter()
            .filter_map(|t| match &t.test {
                Test::Text(text) if !t.negated => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    /// True when every user this filter admits is admitted by `old` too (so the rows built
    /// for `old` need only be re-checked).
    pub fn narrows(&self, old: &Filter) -> bool {
        old.terms
            .iter()
            .all(|o| self.terms.iter().any(|n| n.implies(o)))
    }

    /// This filter bound to `org`, with ages counted back from `now`.
    pub fn matcher<'a>(&'a self, org: &'a Org, now: OffsetDateTime) -> Matcher<'a> {
        let roles = self
            .terms
            .iter()
            .map(|t| match &t.test {
                Test::Role(wanted) => org
                    .roles()
                    .iter()
                    .map(|r| fold(&r.name).contains(wanted.as_str()))
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        Matcher {
            filter: self,
            org,
            roles,
            now_seconds: now.unix_timestamp(),
        }
    }
}

impl Term {
    /// True when every user this term admits, `other` admits too.
    fn implies(&self, other: &Term) -> bool {
        if self == other {
            return true;
        }
        let text = |t: &Test| -> Option<(u8, String)> {
            Some(match t {
                Test::Text(s) => (0, s.clone()),
                Test::Role(s) => (1, s.clone()),
                Test::Title(s) => (2, s.clone()),
                Test::Email(s) => (3, s.clone()),
                _ => return None,
            })
        };
        if self.negated != other.negated {
            return false;
        }
        match (&self.test, &other.test) {
            (Test::IdPrefix(new), Test::IdPrefix(old)) if !self.negated => new.starts_with(old),
            (a, b) => match (text(a), text(b)) {
                // A user with the longer text has the shorter; one without the shorter
                // lacks the longer.
                (Some((ka, new)), Some((kb, old))) if ka == kb => {
                    if self.negated {
                        old.contains(&new)
                    } else {
                        new.contains(&old)
                    }
                }
                _ => false,
            },
        }
    }
}

/// A filter bound to an org and a moment: asks each user in O(terms).
pub struct Matcher<'a> {
    filter: &'a Filter,
    org: &'a Org,
    /// Per term: for a `role:` term, which of the org's roles match.
    roles: Vec<Vec<bool>>,
    now_seconds: i64,
}

impl Matcher<'_> {
    /// True when `user` satisfies every term.
    pub fn matches(&self, user: &UserRecord) -> bool {
        self.filter
            .terms
            .iter()
            .zip(&self.roles)
            .all(|(term, roles)| self.holds(&term.test, roles, user) != term.negated)
    }

    /// True when a row of a lens satisfies every term: its user's fields (when the org
    /// has the user) as [`Matcher::matches`] asks them, a free-text term also matching
    /// `words`, the row's own text already [`fold`]ed (a review row's role, reason and
    /// decision).
    pub fn matches_row(&self, user: Option<&UserRecord>, words: &str) -> bool {
        self.filter
            .terms
            .iter()
            .zip(&self.roles)
            .all(|(term, roles)| {
                let in_words =
                    matches!(&term.test, Test::Text(text) if words.contains(text.as_str()));
                let holds = in_words || user.is_some_and(|u| self.holds(&term.test, roles, u));
                holds != term.negated
            })
    }

    fn holds(&self, test: &Test, roles: &[bool], user: &UserRecord) -> bool {
        match test {
            Test::Text(text) => self.org.haystack(user).contains(text.as_str()),
            Test::Role(_) => user
                .roles
                .iter()
                .any(|r| roles.get(*r as usize).copied().unwrap_or(false)),
            Test::Title(text) => user
                .title
                .as_deref()
                .is_some_and(|t| folded_contains(t, text)),
            Test::Email(text) => folded_contains(&user.email, text),
            Test::IdPrefix(prefix) => user
                .id
                .0
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix)),
            Test::Status(status) => user.status == *status,
            Test::Mfa(on) => user.mfa.unwrap_or(false) == *on,
            Test::Service(yes) => user.service_account == *yes,
            Test::LoginNever => user.last_login.is_none(),
            // Never logged in counts as "longer ago than" any age.
            Test::Login(age) => match user.last_login {
                None => matches!(age, Age::Before(_)),
                Some(t) => self.compares(*age, t),
            },
            Test::Created(age) => user.created.is_some_and(|t| self.compares(*age, t)),
        }
    }

    fn compares(&self, age: Age, when: Stamp) -> bool {
        let elapsed = self.now_seconds - when.seconds();
        match age {
            Age::Within(secs) => elapsed < secs,
            Age::Before(secs) => elapsed > secs,
        }
    }
}

/// `text` lower-cased, with the accents and ligatures of Latin letters folded to ASCII
/// (`Björn` → `bjorn`, `Łukasz` → `lukasz`, `Straße` → `strasse`). Other scripts are only
/// lower-cased, so Cyrillic or CJK names are found as typed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else if is_latin(c) {
        match deunicode::deunicode_char(c) {
            Some(ascii) if ascii.bytes().all(|b| b.is_ascii_alphanumeric()) => {
                out.extend(ascii.chars().map(|c| c.to_ascii_lowercase()))
            }
            _ => out.extend(c.to_lowercase()),
        }
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Latin letters with diacritics: Latin-1 Supplement, Extended-A and B, Extended Additional.
fn is_latin(c: char) -> bool {
    matches!(c, '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}')
}

/// True when folded `text` contains `needle` (already folded); ASCII text is compared
/// without allocating.
fn folded_contains(text: &str, needle: &str) -> bool {
    if text.is_ascii() {
        let (hay, needle) = (text.as_bytes(), needle.as_bytes());
        needle.is_empty()
            || hay
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
    } else {
        fold(text).contains(needle)
    }
}

/// Byte ranges of `text` where any of the folded `needles` matches, merged and in order
/// (for highlighting a cell).
pub fn highlight_ranges(text: &str, needles: &[&str]) -> Vec<Range<usize>> {
    if needles.iter().all(|n| n.is_empty()) {
        return Vec::new();
    }
    // The folded text, and for each of its bytes the original character's byte range.
    let mut folded = String::with_capacity(text.len());
    let mut origin: Vec<Range<usize>> = Vec::with_capacity(text.len());
    for (start, c) in text.char_indices() {
        let before = folded.len();
        fold_char(c, &mut folded);
        let range = start..start + c.len_utf8();
        origin.extend(std::iter::repeat_n(range, folded.len() - before));
    }
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for needle in needles.iter().filter(|n| !n.is_empty()) {
        for (at, found) in folded.match_indices(needle) {
            let (Some(first), Some(last)) = (origin.get(at), origin.get(at + found.len() - 1))
            else {
                continue;
            };
            ranges.push(first.start..last.end);
        }
    }
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Splits the filter into terms at spaces outside quotes; the quotes are removed. A quote
/// left open is an error, and closes at the end.
fn tokens(text: &str) -> (Vec<String>, Option<FilterError>) {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    out.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            c => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(current);
    }
    let error = quoted.then(|| FilterError::UnclosedQuote(text.trim().to_owned()));
    (out, error)
}

/// One term: `!`? then `field:value` or free text.
fn term(token: &str) -> Result<Term, FilterError> {
    let (negated, body) = match token.strip_prefix('!') {
        Some("") => return Err(FilterError::LoneNegation),
        Some(rest) => (true, rest),
        None => (false, token),
    };
    let test = match body.split_once(':') {
        Some((field, value)) if is_field_name(field) => field_test(field, value)?,
        _ => Test::Text(fold(body)),
    };
    Ok(Term { negated, test })
}

/// A word of letters before a colon names a field (so `a:b` is a field, `10:30` text).
fn is_field_name(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
}

fn field_test(field: &str, value: &str) -> Result<Test, FilterError> {
    let field = field.to_ascii_lowercase();
    let (name, example): (&'static str, &'static str) = match field.as_str() {
        "role" | "roles" => ("role", "role:admin"),
        "status" => ("status", "status:active"),
        "mfa" => ("mfa", "mfa:off"),
        "title" => ("title", "title:engineer"),
        "email" => ("email", "email:@example.com"),
        "id" => ("id", "id:4f2a"),
        "svc" | "service" => ("svc", "svc:yes"),
        "login" => ("login", "login:>90d"),
        "created" => ("created", "created:<30d"),
        _ => return Err(FilterError::UnknownField { field }),
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(FilterError::MissingValue {
            field: name,
            example,
        });
    }
    let bad = |expected| FilterError::BadValue {
        field: name,
        value: value.to_owned(),
        expected,
    };
    let lower = value.to_lowercase();
    Ok(match name {
        "role" => Test::Role(fold(value)),
        "title" => Test::Title(fold(value)),
        "email" => Test::Email(fold(value)),
        "id" => Test::IdPrefix(lower),
        "status" => match Status::of(&UserStatus::parse(value)) {
            Status::Other => return Err(bad("active, pending or disabled")),
            status => Test::Status(status),
        },
        "mfa" => Test::Mfa(yes_no(&lower, "on", "off").ok_or_else(|| bad("on or off"))?),
        "svc" => Test::Service(yes_no(&lower, "yes", "no").ok_or_else(|| bad("yes or no"))?),
        "login" if lower == "never" => Test::LoginNever,
        "login" => {
            Test::Login(age(&lower).ok_or_else(|| bad("never, <7d or >90d (units d, w, m, y)"))?)
        }
        _ => Test::Created(age(&lower).ok_or_else(|| bad("<30d or >1y (units d, w, m, y)"))?),
    })
}

fn yes_no(value: &str, yes: &str, no: &str) -> Option<bool> {
    match value {
        v if v == yes || v == "true" || v == "yes" || v == "on" => Some(true),
        v if v == no || v == "false" || v == "no" || v == "off" => Some(false),
        _ => None,
    }
}

/// `<7d`, `>90d`, `<2w`, `>6m`, `>1y`: a comparison and an age in seconds.
fn age(value: &str) -> Option<Age> {
    let (within, rest) = match value.as_bytes().first()? {
        b'<' => (true, &value[1..]),
        b'>' => (false, &value[1..]),
        _ => return None,
    };
    let unit = rest.chars().last()?;
    let count = i64::from(rest[..rest.len() - unit.len_utf8()].parse::<u32>().ok()?);
    let days = match unit {
        'd' => 1,
        'w' => 7,
        'm' => 30,
        'y' => 365,
        _ => return None,
    };
    let seconds = count.checked_mul(days * 86_400)?;
    Some(if within {
        Age::Within(seconds)
    } else {
        Age::Before(seconds)
    })
}

#[cfg(test)]
mod tests;
