//! Appending to the journal: one record per line, in one write, synced when asked; a file
//! (or a failed write) that may not end in a newline gets one before the next record, so a
//! torn line never swallows the record after it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::types::{JournalError, Record};

/// The journal file, shared by every run of this process.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<Tail<File>>,
}

/// The end of the journal as this process writes it.
#[derive(Debug)]
pub(super) struct Tail<W> {
    pub(super) out: W,
    /// False when the file may not end in a newline: it did not when opened, or a write
    /// failed partway (a full disk). The next record then starts with one, so a torn line
    /// stays alone on its line. (Truncating back instead could cut another process's
    /// records: the console and the command line may append to the same journal.)
    pub(super) at_line_start: bool,
}

impl<W: Write> Tail<W> {
    /// Writes `line` (ending in a newline) in one `write_all`, after a newline when the
    /// file may end in the middle of a line.
    pub(super) fn append(&mut self, line: &[u8]) -> std::io::Result<()> {
        let written = if self.at_line_start {
            self.out.write_all(line)
        } else {
            let mut fenced = Vec::with_capacity(line.len() + 1);
            fenced.push(b'\n');
            fenced.extend_from_slice(line);
            self.out.write_all(&fenced)
        };
        // Whatever part of a failed write reached the file is a torn line now.
        self.at_line_start = written.is_ok();
        written
    }
}

impl Journal {
    /// Opens (creating it, mode 0600, in a 0700 folder) the journal at `path` for appending.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let error = |source| JournalError::Open {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(error)?;
        }
        let mut options = OpenOptions::new();
        // Read too: to see whether the last line was finished.
        options.create(true).append(true).read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(error)?;
        let at_line_start = ends_with_newline(&mut file).map_err(error)?;
        let mut tail = Tail {
            out: file,
            at_line_start,
        };
        if !tail.at_line_start {
            // Finish the torn line now. If even that fails (a full disk), the next record
            // starts with the newline instead, and fails the same way if the disk is still
            // full — so nothing is sent either.
            tail.at_line_start = tail.out.write_all(b"\n").is_ok();
        }
        Ok(Journal {
            path: path.to_owned(),
            file: Mutex::new(tail),
        })
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as one line; `sync` also forces it to disk.
    pub fn append(&self, record: &Record, sync: bool) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).map_err(|e| JournalError::Write {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        let mut tail = self.file.lock().unwrap_or_else(|e| e.into_inner());
        // One write per line: with O_APPEND, lines of concurrent writers do not interleave.
        let mut written = tail.append(&line);
        if written.is_ok() && sync {
            written = tail.out.sync_data();
            if written.is_err() {
                // The line may not have reached the disk whole.
                tail.at_line_start = false;
            }
        }
        written.map_err(|source| JournalError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// True when `file` is empty or its last byte is a newline.
fn ends_with_newline(file: &mut File) -> std::io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    let mut last = [0u8; 1];
    file.seek(SeekFrom::End(-1))?;
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}
