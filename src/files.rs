//! Writing a whole file so that a crash, a full disk or a kill never leaves half of it
//! under its name: snapshots, exports and the sandbox's state file all go through
//! [`write_atomically`].

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder, synced, then
/// renamed into place; the temporary file is removed when anything fails.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ddusers".to_owned());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_neither_the_file_nor_the_temporary_one() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        // A folder where the file should go: the rename fails.
        let path = dir.path().join("taken");
        std::fs::create_dir_all(path.join("inside")).expect("folder");
        assert!(write_atomically(&path, b"data").is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(left.len(), 1, "only the folder that was there");
    }

    #[test]
    fn a_write_replaces_the_whole_file() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("out.json");
        write_atomically(&path, b"first, longer").expect("written");
        write_atomically(&path, b"second").expect("written");
        assert_eq!(std::fs::read(&path).expect("read"), b"second");
    }
}
