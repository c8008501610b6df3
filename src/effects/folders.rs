//! Listing a folder for the palette's path completion (`Effect::ListFolder`): the entries'
//! names, folders marked with a trailing `/`, sorted, at most `MAX_ENTRIES`. A folder that
//! cannot be read lists nothing: completion then offers nothing, which says enough.

use std::path::PathBuf;

use crate::app::state::FolderListing;

/// Entries listed at most: a folder of a million files must not stall the console.
const MAX_ENTRIES: usize = 5_000;

/// The folder `typed` names: the working folder for "", the home folder for a leading `~/`.
fn resolve(typed: &str, home: Option<PathBuf>) -> PathBuf {
    match (typed.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if typed.is_empty() => PathBuf::from("."),
        _ => PathBuf::from(typed),
    }
}

/// Lists the folder `typed` (blocking: run it off the async threads).
pub fn list(typed: &str) -> FolderListing {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut entries: Vec<String> = std::fs::read_dir(resolve(typed, home))
        .into_iter()
        .flatten()
        .flatten()
        .take(MAX_ENTRIES)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let folder = entry.file_type().is_ok_and(|t| t.is_dir());
            Some(if folder { format!("{name}/") } else { name })
        })
        .map(|name| crate::text::sanitize(&name))
        .collect();
    entries.sort();
    FolderListing {
        folder: typed.to_owned(),
        entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_lists_its_entries_sorted_with_folders_marked() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(dir.path().join("exports")).expect("a folder");
        std::fs::write(dir.path().join("users.csv"), "").expect("a file");
        let typed = format!("{}/", dir.path().display());
        let listing = list(&typed);
        assert_eq!(listing.folder, typed);
        assert_eq!(listing.entries, ["exports/", "users.csv"]);
        assert!(list(&format!("{typed}missing/")).entries.is_empty());
    }

    #[test]
    fn a_tilde_is_the_home_folder() {
        let home = PathBuf::from("/home/ada");
        assert_eq!(resolve("~/x/", Some(home)), PathBuf::from("/home/ada/x/"));
        assert_eq!(resolve("", None), PathBuf::from("."));
    }
}
