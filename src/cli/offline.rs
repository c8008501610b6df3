//! Offline auditing: the console on a snapshot file. The snapshot is served by an
//! in-process sandbox (`Sandbox::start_offline`) and the console runs read-only over it,
//! so everything the console does on a live org works the same on the file, and nothing
//! can be changed.

use std::io::IsTerminal;
use std::path::Path;

use crate::api::{Client, ClientOptions};
use crate::app::state::DiffBase;
use crate::config::{self, Credentials};
use crate::org::snapshot::Snapshot;
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
    if !std::io::stdout().is_terminal() {
        return Err(UsageError(
            "the console needs a terminal; use `ddusers audit VIEW --from FILE` in scripts"
                .to_owned(),
        )
        .into());
    }
    let (sandbox, client, label) = serve_snapshot(path).await?;
    let options = crate::console::ConsoleOptions {
        read_only: true,
        origin_label: label,
        monochrome: false,
        // Read-only: nothing is ever sent, so there is nothing to journal.
        journal: None,
        address: sandbox.base_url(),
        compare_with,
        demo: false,
        settings: crate::settings::default_path(&|name| std::env::var(name).ok()),
    };
    let result = crate::console::run_console(client, options).await;
    sandbox.shutdown().await;
    Ok(result?)
}

/// Starts a sandbox serving the snapshot at `path`; returns it, a client holding its
/// offline key, and words for the title bar.
pub async fn serve_snapshot(path: &Path) -> CliResult<(Sandbox, Client, String)> {
    let snapshot = Snapshot::read(path)?;
    let sandbox = Sandbox::start_offline(&snapshot, SandboxConfig::default()).await?;
    let base_url = config::parse_base_url(&sandbox.base_url(), false)?;
    let client = Client::new(ClientOptions::new(
        base_url,
        Credentials::new(DEMO_API_KEY, OFFLINE_APP_KEY),
    ))?;
    let label = format!("{} — read-only", snapshot.describe(path));
    Ok((sandbox, client, label))
}

/// Opens the console on a review file (`ddusers review open`): its population as the list
/// with a decision column. (To be written by the console work.)
pub async fn open_review(path: &Path) -> CliResult {
    Err(UsageError(format!(
        "opening {} in the console is not available yet",
        path.display()
    ))
    .into())
}
