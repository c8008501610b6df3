//! The console's remembered settings (today: the list's columns), a small JSON file in the
//! platform config folder, or in `DDUSERS_CONFIG_DIR` when set (tests point it at a
//! temporary folder). Reading and writing happen in the effects layer; `app/` receives
//! what was read in a message and asks for a write with an effect. Keys never go here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file's name inside the config folder.
pub const FILE_NAME: &str = "console.json";

/// The largest file read: settings are a few hundred bytes.
const MAX_BYTES: u64 = 64 * 1024;

/// What the file holds. Fields this version does not know are kept as they were, so an
/// older console writing its columns leaves a newer one's settings alone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The list's columns, by name, in order (`status`, `name`, `email`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// Why the settings could not be read or written, in words.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("the settings file {path} is damaged ({reason}); using the default columns until they are changed, which rewrites it")]
    Damaged { path: String, reason: String },
    #[error("the settings file {path} could not be read ({reason})")]
    Unreadable { path: String, reason: String },
    #[error("the settings could not be saved to {path} ({reason})")]
    Unwritable { path: String, reason: String },
}

/// Where the settings live: `DDUSERS_CONFIG_DIR/console.json` when set, else the platform
/// config folder's; `None` when the platform has none (then nothing is remembered).
pub fn default_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(dir) = env("DDUSERS_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join(FILE_NAME));
    }
    directories::ProjectDirs::from("com", "ddusers", "ddusers")
        .map(|dirs| dirs.config_dir().join(FILE_NAME))
}

/// The settings in `path`; `None` when there is no file yet.
pub fn read(path: &Path) -> Result<Option<Settings>, SettingsError> {
    let shown = path.display().to_string();
    let unreadable = |reason: String| SettingsError::Unreadable {
        path: shown.clone(),
        reason,
    };
    let size = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e.to_string())),
        Ok(meta) => meta.len(),
    };
    if size > MAX_BYTES {
        return Err(SettingsError::Damaged {
            path: shown,
            reason: format!("{size} bytes, more than settings ever take"),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| SettingsError::Damaged {
            path: shown,
            reason: crate::text::sanitize(&e.to_string()),
        })
}

/// Writes `settings` to `path` whole (the folder is created when missing).
pub fn write(path: &Path, settings: &Settings) -> Result<(), SettingsError> {
    let unwritable = |reason: String| SettingsError::Unwritable {
        path: path.display().to_string(),
        reason,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| unwritable(e.to_string()))?;
    }
    let mut text = serde_json::to_string_pretty(settings).map_err(|e| unwritable(e.to_string()))?;
    text.push('\n');
    crate::files::write_atomically(path, text.as_bytes()).map_err(|e| unwritable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_override_names_the_folder() {
        let env = |name: &str| (name == "DDUSERS_CONFIG_DIR").then(|| "/tmp/x".to_owned());
        assert_eq!(
            default_path(&env),
            Some(PathBuf::from("/tmp/x").join(FILE_NAME))
        );
    }

    #[test]
    fn settings_round_trip_and_keep_what_this_version_does_not_know() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("nested").join(FILE_NAME);
        assert_eq!(read(&path), Ok(None), "no file yet");
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder");
        std::fs::write(&path, r#"{"columns":["name"],"theme":"dark"}"#).expect("write");
        let mut settings = read(&path).expect("reads").expect("a file");
        settings.columns = Some(vec!["email".into(), "title".into()]);
        write(&path, &settings).expect("writes");
        let back = read(&path).expect("reads").expect("a file");
        assert_eq!(back, settings);
        assert_eq!(back.other["theme"], "dark");
    }

    #[test]
    fn a_damaged_file_is_named_with_what_is_wrong() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "{\"columns\": [\"name\",").expect("write");
        let error = read(&path).expect_err("damaged");
        assert!(matches!(error, SettingsError::Damaged { .. }));
        assert!(error.to_string().contains("default columns"), "{error}");
        std::fs::write(&path, r#"{"columns": 7}"#).expect("write");
        assert!(matches!(read(&path), Err(SettingsError::Damaged { .. })));
    }
}
