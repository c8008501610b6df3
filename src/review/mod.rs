//! Access-review campaigns: the review file and what can be done with it. A review freezes
//! a population (the users in scope as a snapshot saw them, one row per user, or one per
//! user and privileged role), collects one decision per row, is signed by a reviewer, turns
//! the decisions that change something into one run through the change gate, and ends in
//! an evidence pack.
//!
//! - [`population`]: the scope and the rows it freezes from an [`Org`](crate::org::Org).
//! - [`decide`]: decisions, which rows a decision reaches, the justification rule,
//!   progress counts and the signature.
//! - [`remediate`]: the changes the decisions ask for, and the users left out because they
//!   changed since the snapshot.
//! - [`evidence`]: the evidence pack's files, byte for byte.
//! - [`stand_in`]: the org a review opens on in the console: its snapshot, or a stand-in
//!   built from its own rows.
//!
//! Nothing here talks to the network or draws; the file is read and written here (like a
//! snapshot), always whole and atomically, so quitting after any decision loses nothing.

pub mod decide;
pub mod evidence;
pub mod population;
pub mod remediate;
pub mod stand_in;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{timestamp, RoleId, UserId};
use crate::audit::meta::TakenBy;
use crate::runs::RunId;

pub use decide::{Decided, Decision, Progress, RowDecision, RowSelector, Signature};
pub use population::{Member, Scope};

/// The review format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What can go wrong with a review file or a decision.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a ddusers review ({reason}); start one with `ddusers review start`")]
    NotAReview { path: PathBuf, reason: String },
    #[error("{path} is in review format {found}; this ddusers reads format {FORMAT_VERSION}")]
    Version { path: PathBuf, found: u64 },
    /// The review was signed: its decisions are final.
    #[error("signed by {by} on {at} UTC: its decisions are final and cannot change (start a new review instead)")]
    Signed { by: String, at: String },
    /// A decision that does not fit the row (a role the user does not hold, …).
    #[error("{0}")]
    Invalid(String),
}

/// A role as the review names it: its id (what a change sends) and its name then.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoleRef {
    pub id: RoleId,
    pub name: String,
}

/// The snapshot the population was frozen from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceSnapshot {
    /// The snapshot file as given to `review start` (or written beside the review).
    pub file: String,
    /// sha256 of the snapshot file's bytes.
    pub sha256: String,
    /// The snapshot's own content hash, when it has one.
    #[serde(default)]
    pub content_sha256: Option<String>,
    #[serde(with = "timestamp")]
    pub taken_at: OffsetDateTime,
    /// The site (`datadoghq.eu`), a base URL, or the demo org.
    pub origin: String,
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub org_name: Option<String>,
    #[serde(default)]
    pub taken_by: Option<TakenBy>,
}

/// One row of the review: a user in scope, or a user and one privileged role they hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The user as the snapshot saw them.
    pub user: Member,
    /// The privileged role this row asks about; none for the user's account row.
    #[serde(default)]
    pub role: Option<RoleRef>,
    /// True when keeping this row keeps admin access (a justification is required).
    pub privileged: bool,
    /// Why the user is in scope ("Datadog Admin Role", "member of Support").
    pub reason: String,
    #[serde(default)]
    pub decision: Option<Decided>,
}

impl Item {
    /// The role this row is about, or "(account)".
    pub fn role_label(&self) -> &str {
        self.role.as_ref().map_or("(account)", |r| r.name.as_str())
    }
}

/// A run that carried out the review's decisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedRun {
    pub run: RunId,
    #[serde(with = "timestamp")]
    pub at: OffsetDateTime,
    /// Changes the run was given.
    pub changes: usize,
    /// Users left out because they changed since the snapshot (unless forced).
    #[serde(default)]
    pub left_out: Vec<LeftOut>,
    /// `--force`: users changed since the snapshot were included.
    #[serde(default)]
    pub forced: bool,
}

/// A user whose decisions were not carried out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    pub user: UserId,
    pub email: String,
    pub reason: String,
}

/// A review campaign, as its file holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The format marker and version.
    pub ddusers_review: u32,
    pub name: String,
    #[serde(with = "timestamp")]
    pub started_at: OffsetDateTime,
    /// The keys' user when the review was started from the live org; else whoever
    /// took the snapshot.
    #[serde(default)]
    pub started_by: Option<TakenBy>,
    pub ddusers_version: String,
    /// The scope as given (`all`, `admins`, `role:NAME`, `view:NAME`).
    pub scope: String,
    pub source: SourceSnapshot,
    /// The org's roles when the snapshot was taken (what `change-role` may pick).
    pub roles: Vec<RoleRef>,
    pub items: Vec<Item>,
    #[serde(default)]
    pub signature: Option<Signature>,
    #[serde(default)]
    pub runs: Vec<AppliedRun>,
}

impl Review {
    /// Reads a review file, checking its marker and version before anything else.
    pub fn read(path: &Path) -> Result<Review, ReviewError> {
        let bytes = std::fs::read(path).map_err(|source| ReviewError::Read {
            path: path.to_owned(),
            source,
        })?;
        Review::parse(&bytes, path)
    }

    /// A review from its file's bytes (`path` names it in errors).
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Review, ReviewError> {
        let not_a_review = |reason: String| ReviewError::NotAReview {
            path: path.to_owned(),
            reason,
        };
        use crate::files::{parse_versioned_json, VersionedJsonError};
        let review: Review = parse_versioned_json(bytes, "ddusers_review", FORMAT_VERSION)
            .map_err(|e| match e {
                VersionedJsonError::Unreadable(reason) => not_a_review(reason),
                VersionedJsonError::Version(found) => ReviewError::Version {
                    path: path.to_owned(),
                    found,
                },
            })?;
        if let Some(signature) = &review.signature {
            if !signature.matches(&review) {
                return Err(not_a_review(
                    "its decisions do not match its signature: it was changed after it was signed"
                        .to_owned(),
                ));
            }
        }
        Ok(review)
    }

    /// The file's bytes: pretty JSON, text kept exact but with control characters escaped.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ReviewError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| ReviewError::Write {
            path: PathBuf::new(),
            source: std::io::Error::other(e),
        })?;
        let mut bytes = crate::text::escape_json(&text).into_owned().into_bytes();
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// Writes the whole review atomically: an interrupted write leaves the previous file.
    pub fn write(&self, path: &Path) -> Result<(), ReviewError> {
        let bytes = self.to_bytes().map_err(|e| match e {
            ReviewError::Write { source, .. } => ReviewError::Write {
                path: path.to_owned(),
                source,
            },
            other => other,
        })?;
        crate::files::write_atomically(path, &bytes).map_err(|source| ReviewError::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// Refused when signed: a signed review's decisions are final.
    pub fn check_unsigned(&self) -> Result<(), ReviewError> {
        match &self.signature {
            None => Ok(()),
            Some(signature) => Err(ReviewError::Signed {
                by: signature.reviewer_label(),
                at: crate::words::minute(signature.signed_at),
            }),
        }
    }

    /// Refused when the keys are of another org than the review's: a reviewer of another
    /// org cannot sign it, and its decisions must never be applied elsewhere. Unknown on
    /// either side (a key that cannot see its org, an old snapshot) is not a mismatch.
    pub fn check_org(&self, keys_org: Option<&str>) -> Result<(), ReviewError> {
        match (self.source.org_id.as_deref(), keys_org) {
            (Some(review_org), Some(keys_org)) if review_org != keys_org => {
                let name = self
                    .source
                    .org_name
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                Err(ReviewError::Invalid(format!(
                    "the review is of org {review_org}{name} but these keys are of org {keys_org}; use keys of the reviewed org"
                )))
            }
            _ => Ok(()),
        }
    }

    /// "Q4 access review: 214 of 1,380 decided" — how titles and status lines name it.
    pub fn headline(&self) -> String {
        format!(
            "{}: {}",
            self.name,
            self.progress_words(self.progress().decided)
        )
    }

    /// "214 of 1,380 decided" (", signed" once signed), with `decided` rows decided: the
    /// console keeps that count as decisions land rather than counting every row again.
    pub fn progress_words(&self, decided: usize) -> String {
        let signed = if self.signature.is_some() {
            ", signed"
        } else {
            ""
        };
        format!(
            "{} of {} decided{signed}",
            crate::runs::describe::group(decided),
            crate::runs::describe::group(self.items.len())
        )
    }

    /// The distinct users of the population, in row order.
    pub fn users(&self) -> Vec<&Member> {
        let mut seen = std::collections::HashSet::new();
        self.items
            .iter()
            .filter(|i| seen.insert(&i.user.id))
            .map(|i| &i.user)
            .collect()
    }

    /// The role of the org named `wanted` (case-insensitively), or its id.
    pub fn find_role(&self, wanted: &str) -> Result<&RoleRef, ReviewError> {
        let wanted = wanted.trim();
        self.roles
            .iter()
            .find(|r| r.id.0 == wanted || r.name.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let names: Vec<&str> = self.roles.iter().map(|r| r.name.as_str()).collect();
                ReviewError::Invalid(format!(
                    "no role of the org is named {wanted:?}; the roles are: {}",
                    names.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests;
