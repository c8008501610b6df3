//! Offline auditing: the console on a snapshot file. The snapshot is served by an
//! in-process sandbox (`Sandbox::start_offline`) and the console runs read-only over it,
//! so everything the console does on a live org works the same on the file, and nothing
//! can be changed.

use std::io::IsTerminal;
use std::path::Path;

use crate::api::models::timestamp;
use crate::api::{Client, ClientOptions};
use crate::config::{self, Credentials};
use crate::org::snapshot::Snapshot;
use crate::sandbox::{Sandbox, SandboxConfig, DEMO_API_KEY, OFFLINE_APP_KEY};

use super::exit::{CliResult, UsageError};

/// Opens the console, read-only, on the snapshot at `path`.
pub async fn open_snapshot(path: &Path) -> CliResult {
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
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let taken = timestamp::format(&snapshot.taken_at);
    let label = format!(
        "snapshot {file} of {} taken {} — read-only",
        snapshot.origin,
        taken.get(..16).unwrap_or(&taken).replace('T', " ")
    );
    Ok((sandbox, client, label))
}
