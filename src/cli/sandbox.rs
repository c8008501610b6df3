//! `ddusers sandbox`: the built-in Datadog-compatible server on 127.0.0.1, with its demo
//! keys printed, until Ctrl-C or SIGTERM.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::exit::{usage, CliResult};
use crate::sandbox::{
    RateLimitSpec, Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY, DEMO_READONLY_APP_KEY,
};

#[derive(Debug, Args, Clone)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8126)]
    pub port: u16,
    /// Users in the demo org.
    #[arg(long, default_value_t = 500)]
    pub users: usize,
    /// Seed of the demo data (same seed, same org).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Keep the org in this file across restarts.
    #[arg(long, value_name = "FILE", value_parser = super::common::path_arg)]
    pub state: Option<PathBuf>,
    /// Delay every response.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Fraction of requests answered with a 500/503 before doing anything (0..1).
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Fraction of answers lost after the request was handled (0..1).
    #[arg(long, default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Requests per period and endpoint group, e.g. 30/10.
    #[arg(long, value_name = "N/SECONDS")]
    pub rate_limit: Option<String>,
}

/// Serves the demo org until a stop signal.
pub async fn run(args: SandboxArgs) -> CliResult {
    let sandbox = Sandbox::start(config(args)?).await?;
    let url = sandbox.base_url();
    println!("ddusers sandbox listening on {url}");
    println!("  API key:            {DEMO_API_KEY}");
    println!("  admin app key:      {DEMO_ADMIN_APP_KEY}");
    println!("  read-only app key:  {DEMO_READONLY_APP_KEY}");
    println!();
    println!("Use it from another shell:");
    println!(
        "  DDUSERS_BASE_URL={url} DD_API_KEY={DEMO_API_KEY} DD_APP_KEY={DEMO_ADMIN_APP_KEY} ddusers users list"
    );
    println!("Stop with Ctrl-C.");
    std::io::stdout().flush()?;
    wait_for_stop_signal().await;
    eprintln!("stopping sandbox…");
    sandbox.shutdown().await;
    Ok(())
}

/// The sandbox's configuration from the flags; refused when a rate is out of range.
fn config(args: SandboxArgs) -> CliResult<SandboxConfig> {
    let rate_limit = args
        .rate_limit
        .as_deref()
        .map(|text| {
            text.parse::<RateLimitSpec>()
                .map_err(|e| usage(format!("--rate-limit {text:?}: {e}")))
        })
        .transpose()?;
    if !(0.0..=1.0).contains(&args.fail_rate) || !(0.0..=1.0).contains(&args.drop_rate) {
        return Err(usage("--fail-rate and --drop-rate must be between 0 and 1"));
    }
    Ok(SandboxConfig {
        port: args.port,
        users: args.users,
        seed: args.seed,
        state_file: args.state,
        latency: std::time::Duration::from_millis(args.latency_ms),
        fail_rate: args.fail_rate,
        drop_rate: args.drop_rate,
        rate_limit,
        extra_keys: None,
        clock: crate::sandbox::Clock::system(),
    })
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
