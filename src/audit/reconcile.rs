//! Leavers reconciliation: the org's accounts matched against a list of people (a CSV from
//! HR or the identity provider). Pure: parses bytes already read, matches them with an
//! [`Org`], and never reads files, draws or talks to the network.
//!
//! What each finding means, exactly:
//! - **Active leaver**: an active or pending account whose email (or one of the person's
//!   aliases) matches a person the list marks as left (the status column holds one of
//!   [`LEFT_WORDS`]). These are the accounts `--disable-leavers` disables.
//! - **Orphan**: an active or pending account whose email matches no person of the list at
//!   all ("absent from the list" is an orphan, not a leaver): a contractor, a personal
//!   address, a shared account, or someone HR forgot. Orphans need a person's judgement,
//!   so nothing disables them automatically.
//! - **Service account**: listed apart whatever the list says, and never counted as a
//!   leaver or an orphan.
//!
//! Disabled accounts are not findings: they have no access left. When one email appears in
//! several rows, a row marking the person present wins over one marking them left (a
//! rehire is not disabled). Rows are numbered as the file's lines (the header is row 1),
//! the way a spreadsheet numbers them.

use std::collections::HashMap;

use serde::Serialize;

use crate::api::models::UserId;
use crate::email::validate_email;
use crate::org::{Org, Status, UserIx, UserRecord};

/// Status values that mean the person has left (compared trimmed and case-insensitively);
/// any other value, or an empty cell, means the person is present.
pub const LEFT_WORDS: &[&str] = &[
    "left",
    "leaver",
    "terminated",
    "inactive",
    "disabled",
    "deactivated",
    "offboarded",
    "departed",
    "resigned",
    "suspended",
    "former",
    "separated",
];

/// The email column's name when none is given.
pub const DEFAULT_EMAIL_COLUMN: &str = "email";
/// The status column read when none is named and the file has one.
pub const DEFAULT_STATUS_COLUMN: &str = "status";
/// The aliases column read when none is named and the file has one.
pub const DEFAULT_ALIASES_COLUMN: &str = "aliases";

/// True when a status cell says the person has left.
pub fn means_left(status: &str) -> bool {
    let status = status.trim();
    LEFT_WORDS.iter().any(|w| w.eq_ignore_ascii_case(status))
}

/// Which columns of the people file to read (names compared case-insensitively).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeopleColumns {
    /// The email column (`None`: [`DEFAULT_EMAIL_COLUMN`]).
    pub email: Option<String>,
    /// The status column (`None`: a column named [`DEFAULT_STATUS_COLUMN`] if the file has
    /// one; without any, every listed person is present).
    pub status: Option<String>,
    /// A column of further addresses, separated by `;` or `,` (`None`: a column named
    /// [`DEFAULT_ALIASES_COLUMN`] if the file has one).
    pub aliases: Option<String>,
}

/// One person of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The file's line number (the header is row 1).
    pub row: u64,
    pub left: bool,
    /// The status cell as written (empty without a status column).
    pub status: String,
}

/// A row (or an alias of a row) that could not be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvalidRow {
    pub row: u64,
    pub text: String,
    pub problem: String,
}

/// The people list, parsed: every person, each lower-cased address pointing at one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct People {
    /// The file's name, for reasons ("not in people.csv").
    pub source: String,
    pub persons: Vec<Person>,
    /// Lower-cased address → index in `persons`.
    by_email: HashMap<String, usize>,
    pub invalid: Vec<InvalidRow>,
}

/// Why a people file cannot be used at all.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PeopleError {
    #[error("{file} has no column named {wanted:?} (its columns: {found}); name the email column with --email-column")]
    NoEmailColumn {
        file: String,
        wanted: String,
        found: String,
    },
    #[error("{file} has no column named {wanted:?} (its columns: {found})")]
    NoColumn {
        file: String,
        wanted: String,
        found: String,
    },
    #[error("{file} is not a readable CSV file: {reason}")]
    Damaged { file: String, reason: String },
}

/// Column positions found in the header.
struct Positions {
    email: usize,
    status: Option<usize>,
    aliases: Option<usize>,
}

impl People {
    /// Parses a CSV people file's bytes; `source` names it in reasons and errors.
    pub fn parse(
        bytes: &[u8],
        source: &str,
        columns: &PeopleColumns,
    ) -> Result<People, PeopleError> {
        let damaged = |reason: String| PeopleError::Damaged {
            file: source.to_owned(),
            reason,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| damaged(e.to_string()))?
            .clone();
        let positions = positions(&headers, source, columns)?;
        let mut people = People {
            source: source.to_owned(),
            ..People::default()
        };
        let mut rows = RowCounter::default();
        for record in reader.records() {
            let record = record.map_err(|e| damaged(e.to_string()))?;
            let start = record.position().map_or(0, |p| p.byte());
            people.add_row(&record, rows.row_at(bytes, start), &positions);
        }
        Ok(people)
    }

    fn add_row(&mut self, record: &csv::StringRecord, row: u64, at: &Positions) {
        let cell = |ix: Option<usize>| ix.and_then(|i| record.get(i)).unwrap_or("");
        let email = cell(Some(at.email));
        if record.iter().all(str::is_empty) {
            return;
        }
        let primary = match validate_email(email) {
            Ok(address) => address,
            Err(problem) => {
                self.invalid.push(InvalidRow {
                    row,
                    text: email.to_owned(),
                    problem: problem.to_string(),
                });
                return;
            }
        };
        let status = cell(at.status).to_owned();
        let index = self.persons.len();
        self.persons.push(Person {
            row,
            left: means_left(&status),
            status,
        });
        self.link(primary, index);
        let aliases = cell(at.aliases);
        for alias in aliases
            .split([';', ','])
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            match validate_email(alias) {
                Ok(address) => self.link(address, index),
                Err(problem) => self.invalid.push(InvalidRow {
                    row,
                    text: alias.to_owned(),
                    problem: format!("alias: {problem}"),
                }),
            }
        }
    }

    /// Points `address` at a person; a person marked present wins over one marked left.
    fn link(&mut self, address: String, index: usize) {
        let persons = &self.persons;
        self.by_email
            .entry(address)
            .and_modify(|held| {
                if persons[*held].left && !persons[index].left {
                    *held = index;
                }
            })
            .or_insert(index);
    }

    /// The person an address belongs to (compared case-insensitively).
    pub fn find(&self, email: &str) -> Option<&Person> {
        let key = normalised(email);
        self.by_email.get(&key).and_then(|ix| self.persons.get(*ix))
    }
}

/// An address as compared: the one email rule's lower-cased form, or, for an address that
/// rule refuses, the trimmed text lower-cased (it can still match a listed one, never
/// wrongly).
fn normalised(email: &str) -> String {
    validate_email(email.trim()).unwrap_or_else(|_| email.trim().to_lowercase())
}

/// The file's line a record starts on, as a spreadsheet numbers rows. (The CSV reader's
/// own line number points at the blank lines it skipped before a record.) Counted
/// incrementally: records come in order.
#[derive(Default)]
struct RowCounter {
    scanned: usize,
    newlines: u64,
}

impl RowCounter {
    fn row_at(&mut self, bytes: &[u8], start: u64) -> u64 {
        let mut start = usize::try_from(start)
            .unwrap_or(bytes.len())
            .min(bytes.len());
        while bytes.get(start).is_some_and(|b| *b == b'\n' || *b == b'\r') {
            start += 1;
        }
        let from = self.scanned.min(start);
        self.newlines += bytes[from..start].iter().filter(|b| **b == b'\n').count() as u64;
        self.scanned = start;
        self.newlines + 1
    }
}

fn positions(
    headers: &csv::StringRecord,
    source: &str,
    columns: &PeopleColumns,
) -> Result<Positions, PeopleError> {
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name.trim()))
    };
    let found = || headers.iter().collect::<Vec<_>>().join(", ");
    let wanted = columns.email.as_deref().unwrap_or(DEFAULT_EMAIL_COLUMN);
    let email = find(wanted).ok_or_else(|| PeopleError::NoEmailColumn {
        file: source.to_owned(),
        wanted: wanted.to_owned(),
        found: found(),
    })?;
    // Named: it must exist. Not named: the usual name, if the file has it.
    let optional = |name: &Option<String>, usual: &str| -> Result<Option<usize>, PeopleError> {
        let Some(name) = name else {
            return Ok(find(usual));
        };
        find(name).map(Some).ok_or_else(|| PeopleError::NoColumn {
            file: source.to_owned(),
            wanted: name.clone(),
            found: found(),
        })
    };
    Ok(Positions {
        email,
        status: optional(&columns.status, DEFAULT_STATUS_COLUMN)?,
        aliases: optional(&columns.aliases, DEFAULT_ALIASES_COLUMN)?,
    })
}

/// What an account is, for the reconciliation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    ActiveLeaver,
    Orphan,
    ServiceAccount,
}

impl FindingKind {
    pub const ALL: [FindingKind; 3] = [
        FindingKind::ActiveLeaver,
        FindingKind::Orphan,
        FindingKind::ServiceAccount,
    ];

    /// "active leaver", for people.
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::ActiveLeaver => "active leaver",
            FindingKind::Orphan => "orphan",
            FindingKind::ServiceAccount => "service account",
        }
    }

    /// The word naming it on the command line and in `:reconcile` (`leavers`, …).
    pub fn word(self) -> &'static str {
        match self {
            FindingKind::ActiveLeaver => "leavers",
            FindingKind::Orphan => "orphans",
            FindingKind::ServiceAccount => "service",
        }
    }

    /// The kind a word names (`leavers`, `orphans`, `service`).
    pub fn parse(word: &str) -> Option<FindingKind> {
        FindingKind::ALL
            .into_iter()
            .find(|k| k.word().eq_ignore_ascii_case(word.trim()))
    }
}

/// One account found, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(skip)]
    pub ix: UserIx,
    pub user: UserId,
    pub kind: FindingKind,
    /// "marked left (terminated) in people.csv row 14", "not in people.csv".
    pub reason: String,
}

/// Every finding, by kind and then in the org's load order, with the rows that could not be used.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    pub source: String,
    pub findings: Vec<Finding>,
    pub invalid_rows: Vec<InvalidRow>,
}

impl Reconciliation {
    /// How many findings of `kind`.
    pub fn count(&self, kind: FindingKind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }

    /// The active leavers' ids (what `--disable-leavers` disables).
    pub fn leavers(&self) -> Vec<UserId> {
        self.findings
            .iter()
            .filter(|f| f.kind == FindingKind::ActiveLeaver)
            .map(|f| f.user.clone())
            .collect()
    }

    /// "2 active leavers, 3 orphans, 1 service account in people.csv".
    pub fn summary(&self) -> String {
        let parts: Vec<String> = FindingKind::ALL
            .iter()
            .map(|k| crate::words::count(self.count(*k), k.label()))
            .collect();
        let mut text = format!("{} (against {})", parts.join(", "), self.source);
        if !self.invalid_rows.is_empty() {
            text.push_str(&format!(
                "; {} skipped",
                crate::words::count(self.invalid_rows.len(), "invalid row")
            ));
        }
        text
    }
}

/// Matches every account of `org` with `people`.
pub fn reconcile(org: &Org, people: &People) -> Reconciliation {
    let mut findings: Vec<Finding> = org
        .indexed()
        .filter_map(|(ix, user)| {
            finding(user, people).map(|(kind, reason)| Finding {
                ix,
                user: user.id.clone(),
                kind,
                reason,
            })
        })
        .collect();
    // Leavers first, then orphans, then service accounts; each in load order.
    findings.sort_by_key(|f| f.kind as u8);
    Reconciliation {
        source: people.source.clone(),
        findings,
        invalid_rows: people.invalid.clone(),
    }
}

fn finding(user: &UserRecord, people: &People) -> Option<(FindingKind, String)> {
    let person = people.find(&user.email);
    let source = &people.source;
    if user.service_account {
        let reason = match person {
            Some(p) => format!("listed in {source} row {}", p.row),
            None => format!("not in {source}"),
        };
        return Some((FindingKind::ServiceAccount, reason));
    }
    if !matches!(user.status, Status::Active | Status::Pending) {
        return None;
    }
    match person {
        None => Some((FindingKind::Orphan, format!("not in {source}"))),
        Some(p) if p.left => Some((
            FindingKind::ActiveLeaver,
            format!("marked left ({}) in {source} row {}", p.status, p.row),
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::User;

    fn columns(status: bool, aliases: bool) -> PeopleColumns {
        PeopleColumns {
            email: None,
            status: status.then(|| "Status".to_owned()),
            aliases: aliases.then(|| "aliases".to_owned()),
        }
    }

    fn parse(text: &str, columns: &PeopleColumns) -> People {
        People::parse(text.as_bytes(), "people.csv", columns).expect("parses")
    }

    fn user(id: &str, email: &str, status: &str, service: bool) -> User {
        serde_json::from_value(serde_json::json!({
            "type": "users",
            "id": id,
            "attributes": {
                "email": email,
                "name": id,
                "status": status,
                "disabled": status == "Disabled",
                "service_account": service,
            }
        }))
        .expect("a user")
    }

    fn org(users: &[User]) -> Org {
        let mut org = Org::new();
        for user in users {
            org.upsert(user);
        }
        org
    }

    fn kinds(result: &Reconciliation) -> Vec<(String, FindingKind)> {
        result
            .findings
            .iter()
            .map(|f| (f.user.to_string(), f.kind))
            .collect()
    }

    #[test]
    fn emails_match_whatever_their_case() {
        let people = parse(
            "EMAIL,status\nJane.Doe@Example.com,terminated\n",
            &columns(true, false),
        );
        let org = org(&[user("u1", "jane.doe@example.COM", "Active", false)]);
        let result = reconcile(&org, &people);
        assert_eq!(
            kinds(&result),
            vec![("u1".into(), FindingKind::ActiveLeaver)]
        );
        assert_eq!(
            result.findings[0].reason,
            "marked left (terminated) in people.csv row 2"
        );
    }

    #[test]
    fn status_words_mean_left_and_anything_else_present() {
        for word in ["left", "Terminated", " INACTIVE ", "offboarded", "disabled"] {
            assert!(means_left(word), "{word}");
        }
        for word in ["active", "", "on leave", "leaving soon"] {
            assert!(!means_left(word), "{word}");
        }
    }

    #[test]
    fn aliases_match_the_person_and_bad_ones_are_reported() {
        let people = parse(
            "email,status,aliases\na@x.io,left,\"old@x.io; A.Other@Y.io, nope\"\nb@x.io,active,\n",
            &columns(true, true),
        );
        let org = org(&[
            user("u1", "a.other@y.io", "Active", false),
            user("u2", "b@x.io", "Pending", false),
            user("u3", "stranger@x.io", "Pending", false),
        ]);
        let result = reconcile(&org, &people);
        assert_eq!(
            kinds(&result),
            vec![
                ("u1".into(), FindingKind::ActiveLeaver),
                ("u3".into(), FindingKind::Orphan)
            ]
        );
        assert_eq!(result.findings[1].reason, "not in people.csv");
        assert_eq!(result.invalid_rows.len(), 1);
        assert_eq!(result.invalid_rows[0].row, 2);
        assert!(result.invalid_rows[0].problem.starts_with("alias:"));
    }

    #[test]
    fn invalid_rows_are_reported_and_the_rest_still_match() {
        let people = parse(
            "name,email,status\nNo At,nobody,left\n\nBob,bob@x.io,left\n",
            &columns(true, false),
        );
        assert_eq!(people.persons.len(), 1);
        assert_eq!(people.invalid.len(), 1);
        assert_eq!(people.invalid[0].row, 2);
        assert_eq!(people.invalid[0].text, "nobody");
        let org = org(&[user("u1", "bob@x.io", "Active", false)]);
        let result = reconcile(&org, &people);
        assert_eq!(
            result.findings[0].reason,
            "marked left (left) in people.csv row 4"
        );
    }

    #[test]
    fn service_accounts_are_listed_apart_never_as_leavers_or_orphans() {
        let people = parse("email,status\nbot@x.io,terminated\n", &columns(true, false));
        let org = org(&[
            user("s1", "bot@x.io", "Active", true),
            user("s2", "ci@x.io", "Active", true),
        ]);
        let result = reconcile(&org, &people);
        assert_eq!(
            kinds(&result),
            vec![
                ("s1".into(), FindingKind::ServiceAccount),
                ("s2".into(), FindingKind::ServiceAccount)
            ]
        );
        assert_eq!(result.count(FindingKind::ActiveLeaver), 0);
        assert!(result.leavers().is_empty());
    }

    #[test]
    fn disabled_accounts_and_present_people_are_not_findings() {
        let people = parse(
            "email,status\na@x.io,left\nb@x.io,active\n",
            &columns(true, false),
        );
        let org = org(&[
            user("u1", "a@x.io", "Disabled", false),
            user("u2", "b@x.io", "Active", false),
            user("u3", "gone@x.io", "Disabled", false),
        ]);
        assert!(reconcile(&org, &people).findings.is_empty());
    }

    #[test]
    fn a_row_marking_someone_present_wins_over_one_marking_them_left() {
        let people = parse(
            "email,status\na@x.io,left\nA@x.io,active\n",
            &columns(true, false),
        );
        assert!(!people.find("a@x.io").expect("listed").left);
    }

    #[test]
    fn without_a_status_column_everyone_listed_is_present() {
        let people = parse("Email,state\na@x.io,left\n", &PeopleColumns::default());
        let org = org(&[user("u1", "a@x.io", "Active", false)]);
        assert!(reconcile(&org, &people).findings.is_empty());
    }

    #[test]
    fn columns_named_status_and_aliases_are_read_unless_others_are_named() {
        let people = parse(
            "Email,STATUS,Aliases\na@x.io,left,old@x.io\n",
            &PeopleColumns::default(),
        );
        assert!(people.find("OLD@x.io").expect("alias").left);
    }

    #[test]
    fn missing_columns_and_damaged_files_are_errors_naming_the_file() {
        let error = People::parse(b"mail,status\n", "hr.csv", &PeopleColumns::default())
            .expect_err("no email column");
        assert!(error
            .to_string()
            .contains("hr.csv has no column named \"email\""));
        assert!(error.to_string().contains("mail, status"));
        let error = People::parse(b"email\na@x.io\n", "hr.csv", &columns(true, false))
            .expect_err("no status column");
        assert!(error.to_string().contains("\"Status\""));
        let error = People::parse(
            b"email\n\xff\xfe@x.io\n",
            "hr.csv",
            &PeopleColumns::default(),
        )
        .expect_err("not UTF-8");
        assert!(error
            .to_string()
            .starts_with("hr.csv is not a readable CSV file"));
    }
}
