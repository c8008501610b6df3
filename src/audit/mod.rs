//! Read-only auditing of an org: who can do what, risk lists, exports, snapshots and their
//! diffs. Owns the [`Org`] model (users, roles, role permissions, the permission catalogue,
//! taken at a moment), built from the live API by [`load::load_snapshot`] (reads only) or
//! from a snapshot file. Pure over that model apart from the loader and the file helpers:
//! never draws, never writes to the org.

pub mod diff;
pub mod export;
pub mod load;
pub mod org;
pub mod views;

use std::path::PathBuf;

pub use diff::{diff, SnapshotDiff};
pub use org::{EffectivePermission, Org, OrgInfo, Snapshot, FORMAT_VERSION};
pub use views::{view, AuditView, ViewKind, ViewRow, ACCESS_WRITE_PERMISSIONS, ADMIN_ROLE_NAME};

use crate::api::ApiError;

/// What can go wrong while auditing.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Reading the org from the API failed.
    #[error("could not read the org: {0}")]
    Api(#[from] ApiError),
    /// A file could not be read.
    #[error("could not read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not an audit snapshot (or is damaged).
    #[error("{path} is not a ddusers audit snapshot ({reason}); write one with `ddusers snapshot --output FILE`")]
    NotASnapshot { path: PathBuf, reason: String },
    /// The snapshot was written by a newer (or older, incompatible) ddusers.
    #[error("{path} is in snapshot format {found}; this ddusers reads format {FORMAT_VERSION}")]
    Version { path: PathBuf, found: u64 },
    /// No permission of the catalogue has that name or id.
    #[error("no permission is named {0:?}; list them with `ddusers audit permissions`")]
    UnknownPermission(String),
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
