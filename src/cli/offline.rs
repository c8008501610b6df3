//! Offline auditing: the console on a snapshot file (`ddusers open`), or on an access
//! review (`ddusers review open`). The snapshot is served by an in-process sandbox
//! (`Sandbox::start_offline`) and the console runs read-only over it, so everything the
//! console does on a live org works the same on the file, and nothing can be changed. A
//! review opens on the snapshot it was frozen from, or on a stand-in built from its own
//! rows when that file is missing or changed (`review::stand_in`); deciding writes the
//! review file only.

use std::io::IsTerminal;
use std::path::Path;

use crate::api::{Client, ClientOptions};
use crate::app::state::{DiffBase, OpenedReview};
use crate::config::{self, Credentials};
use crate::org::snapshot::Snapshot;
use crate::review::decide::decider_name;
use crate::review::stand_in::{self, Source};
use crate::review::Review;
use crate::sandbox::{Sandbox, SandboxConfig, DEMO_API_KEY, OFFLINE_APP_KEY};

use super::exit::{CliResult, UsageError};

/// Opens the console, read-only, on the snapshot at `path`; with `diff`, compared with
/// that earlier snapshot (read first, so a bad file is said before the terminal is taken).
pub async fn open_snapshot(path: &Path, diff: Option<&Path>) -> CliResult {
    let compare_with = match diff {
        Some(old) => {
            let snapshot = Snapshot::read(old)?;
            Some(DiffBase {
                label: snapshot.describe(old),
                snapshot: std::sync::Arc::new(snapshot),
            })
        }
        None => None,
    };
    need_terminal("use `ddusers audit VIEW --from FILE` in scripts")?;
    let snapshot = Snapshot::read(path)?;
    let label = format!("{} — read-only", snapshot.describe(path));
    let options = crate::console::ConsoleOptions {
        compare_with,
        ..offline_options(label)
    };
    run_offline(&snapshot, options).await
}

/// Opens the console on the review at `path` (`ddusers review open`): its rows as the list,
/// decided with keys and written to the file; the org read-only, offline. Everything that
/// can be wrong with the files is said before the terminal is taken.
pub async fn open_review(path: &Path) -> CliResult {
    let review = Review::read(path)?;
    let source = stand_in::source(&review, path)?;
    need_terminal("use `ddusers review status` and `ddusers review decide` in scripts")?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let (snapshot, label, note) = match source {
        Source::Snapshot {
            path: found,
            snapshot,
        } => {
            let label = format!("review {name} on {} — read-only", snapshot.describe(&found));
            (snapshot, label, None)
        }
        Source::StandIn { snapshot, why } => {
            let label = format!("review {name} on a stand-in from its own rows — read-only");
            let note = format!(
                "{}: its users and roles are shown as the review froze them (what each role grants is unknown)",
                capitalized(&why)
            );
            (snapshot, label, Some(note))
        }
    };
    let options = crate::console::ConsoleOptions {
        review: Some(OpenedReview {
            path: path.to_owned(),
            review,
            decider: decider_name(&|name| std::env::var(name).ok()),
            note,
        }),
        ..offline_options(label)
    };
    run_offline(&snapshot, options).await
}

/// "The review's snapshot …" from "the review's snapshot …".
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The console needs a terminal; `scripts` says what to use instead.
fn need_terminal(scripts: &str) -> CliResult {
    if std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(UsageError(format!("the console needs a terminal; {scripts}")).into())
}

/// A read-only console over an offline sandbox, titled `label`.
fn offline_options(label: String) -> crate::console::ConsoleOptions {
    crate::console::ConsoleOptions {
        read_only: true,
        origin_label: label,
        // Read-only: nothing is ever sent, so there is nothing to journal.
        journal: None,
        settings: crate::settings::default_path(&|name| std::env::var(name).ok()),
        ..Default::default()
    }
}

/// Serves `snapshot` and runs the console with `options` over it until it ends.
async fn run_offline(snapshot: &Snapshot, options: crate::console::ConsoleOptions) -> CliResult {
    let (sandbox, client) = serve(snapshot).await?;
    let options = crate::console::ConsoleOptions {
        address: sandbox.base_url(),
        ..options
    };
    let result = crate::console::run_console(client, options).await;
    sandbox.shutdown().await;
    Ok(result?)
}

/// Starts a sandbox serving `snapshot`; returns it and a client holding its offline key.
pub async fn serve(snapshot: &Snapshot) -> CliResult<(Sandbox, Client)> {
    let sandbox = Sandbox::start_offline(snapshot, SandboxConfig::default()).await?;
    let base_url = config::parse_base_url(&sandbox.base_url(), false)?;
    let client = Client::new(ClientOptions::new(
        base_url,
        Credentials::new(DEMO_API_KEY, OFFLINE_APP_KEY),
    ))?;
    Ok((sandbox, client))
}
