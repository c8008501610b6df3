//! Read-only auditing of an org: who can do what, risk lists, exports, snapshot diffs,
//! leavers reconciliation against a people list.
//! Pure functions over the one org model, [`crate::org::Org`] (read live by
//! [`crate::org::load::load_org`], from a snapshot file, or page by page in the console):
//! never draws, never writes to the org, never talks to the network.

pub mod diff;
pub mod export;
pub mod history;
pub mod meta;
pub mod reconcile;
pub mod views;

pub use diff::{diff, SnapshotDiff};
pub use views::{view, AuditView, ViewKind, ViewRow};

use crate::api::ApiError;
use crate::org::snapshot::SnapshotError;

fn close_names(close: &[String]) -> String {
    if close.is_empty() {
        "the org has no roles loaded".to_owned()
    } else {
        format!("did you mean {}?", close.join(", "))
    }
}

/// What can go wrong while auditing.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Reading the org from the API failed.
    #[error("could not read the org: {0}")]
    Api(#[from] ApiError),
    /// A snapshot file could not be read or written.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// An export file could not be written.
    #[error("could not write {path}: {source}")]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No permission of the catalogue has that name or id.
    #[error("no permission is named {0:?}; list them with `ddusers audit permissions`")]
    UnknownPermission(String),
    /// No role has that name (or several contain it): the closest names.
    #[error("no role is named {name:?}; {}", close_names(close))]
    UnknownRole { name: String, close: Vec<String> },
    /// No user has that id or email.
    #[error("no user has the id or email {0:?}")]
    UnknownUser(String),
    /// A view needs an argument it was not given.
    #[error("{0}")]
    MissingArgument(&'static str),
    /// Writing CSV or JSON failed.
    #[error("could not write the export: {0}")]
    Output(String),
}
