//! One run, one writer: an exclusive lock per run id, held while a process applies that
//! run's items, so two processes (two resumes, or a console and a command line) never send
//! the same run's writes. The locks are files in a folder beside the journal
//! (`journal.jsonl.locks/RUN.lock`) locked with the operating system's advisory file lock,
//! which is released when the process ends, however it ends. The files are left in place:
//! removing a lock file while another process may be opening it would let two processes
//! hold "the" lock on two different files.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use super::journal::RunId;

/// Why a run could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("run {0} is being carried out by another ddusers process; wait for it to finish (or stop it), then try again")]
    Busy(RunId),
    #[error("the lock file {path} could not be used: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Where the lock of `run` lives, beside the journal at `journal`.
pub fn lock_path(journal: &Path, run: &RunId) -> PathBuf {
    let mut folder = journal.as_os_str().to_owned();
    folder.push(".locks");
    PathBuf::from(folder).join(format!("{}.lock", sanitize(&run.0)))
}

/// Run ids come from the journal file, which a person may edit: keep them to a file name.
fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl RunLock {
    /// Takes the lock of `run` without waiting: `Busy` when another process holds it.
    pub fn acquire(journal: &Path, run: &RunId) -> Result<RunLock, LockError> {
        let path = lock_path(journal, run);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            builder.create(dir).map_err(io)?;
        }
        let mut options = OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Busy(run.clone())),
            Err(TryLockError::Error(source)) => Err(io(source)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_locked_once_until_its_holder_lets_go() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let journal = dir.path().join("journal.jsonl");
        let run = RunId("20261201T000000-abcd".into());
        let held = RunLock::acquire(&journal, &run).expect("free");
        assert!(matches!(
            RunLock::acquire(&journal, &run),
            Err(LockError::Busy(_))
        ));
        let other = RunId("20261201T000000-ef01".into());
        assert!(RunLock::acquire(&journal, &other).is_ok());
        drop(held);
        assert!(RunLock::acquire(&journal, &run).is_ok());
    }

    #[test]
    fn odd_run_ids_stay_inside_the_lock_folder() {
        let path = lock_path(Path::new("/j/journal.jsonl"), &RunId("../../etc/x".into()));
        assert_eq!(path, Path::new("/j/journal.jsonl.locks/______etc_x.lock"));
    }
}
