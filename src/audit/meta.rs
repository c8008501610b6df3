//! What an export says about itself, so it can stand as evidence: where and when the org
//! was read, which org, whose keys read it, the ddusers version, the view and filter, how
//! many rows of how many, and a sha256 of the content. [`evidence_meta`] is the one place
//! that builds it, for the command line's exports and the console's alike.
//!
//! What the hash covers: for CSV, the CSV file's bytes (the meta sits beside it in
//! `FILE.meta.json`, so the CSV stays plain); for JSON, the `users` array as canonical
//! JSON, compact with keys sorted (`jq -cSj .users FILE | sha256sum` gives it for plain
//! text), since a hash cannot cover the object that holds it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::api::models::{timestamp, UserId};
use crate::org::Org;

use super::export::Source;
use super::views::AuditView;

/// What the `sha256` of a CSV export covers.
pub const CSV_HASHED: &str = "the CSV file's bytes";
/// What the `sha256` of a JSON export covers.
pub const JSON_HASHED: &str = "the users array as compact JSON with sorted keys (jq -cSj .users)";

/// The user whose keys read the org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakenBy {
    pub id: UserId,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

impl TakenBy {
    /// The user `id` as `org` knows them (email and name when loaded).
    pub fn of(org: &Org, id: &UserId) -> TakenBy {
        let user = org.by_id(id);
        let text = |t: &str| (!t.is_empty()).then(|| t.to_owned());
        TakenBy {
            id: id.clone(),
            email: user.and_then(|u| text(&u.email)),
            name: user.and_then(|u| text(&u.name)),
        }
    }
}

/// An export's description of itself (see the module notes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceMeta {
    /// The site (`datadoghq.eu`), a base URL, or the demo org.
    pub origin: String,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    /// When the org was read (UTC, RFC 3339).
    pub taken_at: String,
    /// Whose keys read it, when known.
    pub taken_by: Option<TakenBy>,
    pub ddusers_version: String,
    /// The view's name (`no-mfa`) and title with its count.
    pub view: String,
    pub view_title: String,
    /// The console's filter, when the rows are a filtered list.
    pub filter: Option<String>,
    /// Rows written, against the view's total.
    pub rows: usize,
    pub total: usize,
    /// Lower-case hex sha256 of [`EvidenceMeta::sha256_of`].
    pub sha256: String,
    pub sha256_of: String,
}

/// The meta of `rows` rows of `view` read as `source` says, whose content hashes to
/// `sha256` (of what `sha256_of` says).
pub fn evidence_meta(
    org: &Org,
    view: &AuditView,
    rows: usize,
    source: Source,
    sha256: String,
    sha256_of: &str,
) -> EvidenceMeta {
    let taken_by = source.taken_by.map(|id| TakenBy::of(org, id));
    EvidenceMeta {
        origin: source.origin.to_owned(),
        org_id: source
            .org
            .and_then(|o| o.id.as_ref())
            .map(|id| id.to_string()),
        org_name: source.org.and_then(|o| o.name.clone()),
        taken_at: timestamp::format(&source.taken_at),
        taken_by,
        ddusers_version: crate::VERSION.to_owned(),
        view: view.kind.name().to_owned(),
        view_title: view.title.clone(),
        filter: source
            .filter
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned),
        rows,
        total: view.rows.len(),
        sha256,
        sha256_of: sha256_of.to_owned(),
    }
}

/// Where a CSV export's meta goes: `FILE.meta.json` beside `FILE`.
pub fn meta_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".meta.json");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meta_of_a_csv_sits_beside_the_file() {
        assert_eq!(
            meta_path(Path::new("/tmp/no-mfa.csv")),
            Path::new("/tmp/no-mfa.csv.meta.json")
        );
    }
}
