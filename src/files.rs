//! Writing a whole file so that a crash, a full disk or a kill never leaves half of it
//! under its name: snapshots, exports and the sandbox's state file all go through
//! [`write_atomically`].

use std::io::Write;
use std::path::{Path, PathBuf};

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

/// Why a versioned JSON file could not be taken.
#[derive(Debug, PartialEq, Eq)]
pub enum VersionedJsonError {
    /// Not JSON, no version field, or not the expected shape: the reason.
    Unreadable(String),
    /// Another version than the one this build reads.
    Version(u64),
}

/// A file's JSON of type `T`, after checking its `field` (a number) is `version` before
/// anything else, so a file of another format version is named as such rather than as
/// "damaged" (snapshots and review files).
pub fn parse_versioned_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    field: &str,
    version: u32,
) -> Result<T, VersionedJsonError> {
    let unreadable = |reason: String| VersionedJsonError::Unreadable(reason);
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| unreadable(e.to_string()))?;
    let found = value
        .get(field)
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| unreadable(format!("it has no {field}")))?;
    if found != u64::from(version) {
        return Err(VersionedJsonError::Version(found));
    }
    serde_json::from_value(value).map_err(|e| unreadable(e.to_string()))
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

/// `~` or `~/…` as the home folder (the console's export prompt and the command line's
/// file arguments; a shell expands it before we see it, a prompt or `--output=~/x` does
/// not). Other paths, and `~user`, are left as they are.
pub fn expand_home(path: &Path) -> PathBuf {
    let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_owned());
    expand_home_with(path, home.as_deref())
}

/// [`expand_home`] with the home folder given.
pub fn expand_home_with(path: &Path, home: Option<&Path>) -> PathBuf {
    let (Some(home), Some(text)) = (home, path.to_str()) else {
        return path.to_owned();
    };
    match text.strip_prefix('~') {
        Some("") => home.to_owned(),
        Some(rest) if rest.starts_with('/') => home.join(rest.trim_start_matches('/')),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod home_tests {
    use super::*;

    #[test]
    fn a_tilde_at_the_start_is_the_home_folder_and_nothing_else_changes() {
        let home = Path::new("/home/ada");
        let expand = |p: &str| expand_home_with(Path::new(p), Some(home));
        assert_eq!(expand("~"), PathBuf::from("/home/ada"));
        assert_eq!(expand("~/"), PathBuf::from("/home/ada/"));
        assert_eq!(
            expand("~/x/users.csv"),
            PathBuf::from("/home/ada/x/users.csv")
        );
        assert_eq!(expand("~bob/x"), PathBuf::from("~bob/x"));
        assert_eq!(expand("a/~/b"), PathBuf::from("a/~/b"));
        assert_eq!(expand("/tmp/x"), PathBuf::from("/tmp/x"));
        assert_eq!(
            expand_home_with(Path::new("~/x"), None),
            PathBuf::from("~/x"),
            "no home: left alone"
        );
    }
}
