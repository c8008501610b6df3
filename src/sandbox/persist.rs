//! The sandbox's state file: loading it at start, and writing snapshots atomically
//! (temporary file in the same folder, fsync, rename) from a background task that
//! coalesces bursts of writes. Knows nothing of HTTP.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{watch, Notify};

use super::store::{PermRec, Snapshot, Store};
use super::{SandboxError, Shared};

/// Reads a state file; `Ok(None)` when it does not exist.
pub(crate) fn load(path: &Path, perms: Vec<PermRec>) -> Result<Option<Store>, SandboxError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SandboxError::StateFile {
                path: path.to_owned(),
                source,
            })
        }
    };
    let snapshot: Snapshot =
        serde_json::from_slice(&bytes).map_err(|e| SandboxError::StateFileContent {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
    Store::from_snapshot(snapshot, perms)
        .map(Some)
        .map_err(|reason| SandboxError::StateFileContent {
            path: path.to_owned(),
            reason,
        })
}

/// Serialises the store as it is now; returns the generation written.
fn serialise(shared: &Shared) -> Result<(u64, Vec<u8>), serde_json::Error> {
    let store = shared.read();
    let bytes = serde_json::to_vec(&store.snapshot())?;
    Ok((store.generation, bytes))
}

/// Writes the current state if it changed since `written`; returns the new mark.
pub(crate) async fn flush(shared: &Arc<Shared>, path: &Path, written: u64) -> u64 {
    if shared.read().generation == written {
        return written;
    }
    let task_shared = Arc::clone(shared);
    let task_path = path.to_owned();
    let result = tokio::task::spawn_blocking(move || {
        let (generation, bytes) = serialise(&task_shared).map_err(std::io::Error::other)?;
        crate::files::write_atomically(&task_path, &bytes)?;
        Ok::<u64, std::io::Error>(generation)
    })
    .await;
    match result {
        Ok(Ok(generation)) => generation,
        Ok(Err(e)) => {
            eprintln!("sandbox: could not write {}: {e}", path.display());
            written
        }
        Err(e) => {
            eprintln!("sandbox: state writer failed: {e}");
            written
        }
    }
}

/// Writes snapshots after changes until told to stop, then writes the last one.
pub(crate) async fn writer(
    shared: Arc<Shared>,
    path: PathBuf,
    changed: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
    mut written: u64,
) {
    loop {
        tokio::select! {
            _ = changed.notified() => {
                // Coalesce a burst of writes into one snapshot.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                written = flush(&shared, &path, written).await;
            }
            _ = stop.changed() => break,
        }
    }
    flush(&shared, &path, written).await;
}
