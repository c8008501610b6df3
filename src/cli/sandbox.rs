//! `ddusers sandbox`: the built-in Datadog-compatible server on 127.0.0.1, with its demo
//! keys printed, until Ctrl-C or SIGTERM.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::exit::{usage, CliResult};
use crate::sandbox::{
    Bandwidth, RateLimitSpec, Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY,
    DEMO_READONLY_APP_KEY,
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
    /// The round trip: delay every response by this many milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Delay each request by a further random 0..N milliseconds.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// The link's bandwidth in megabits per second, shared by every connection (the bytes
    /// sent, after compression); unlimited when not given.
    #[arg(long, value_name = "MBIT")]
    pub bandwidth: Option<String>,
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
    let config = config(args)?;
    let link = link_description(&config);
    let sandbox = Sandbox::start(config).await?;
    let url = sandbox.base_url();
    println!("ddusers sandbox listening on {url}{link}");
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
    let rate_limit = parsed::<RateLimitSpec>("--rate-limit", args.rate_limit.as_deref())?;
    if !(0.0..=1.0).contains(&args.fail_rate) || !(0.0..=1.0).contains(&args.drop_rate) {
        return Err(usage("--fail-rate and --drop-rate must be between 0 and 1"));
    }
    let bandwidth = parsed::<Bandwidth>("--bandwidth", args.bandwidth.as_deref())?;
    Ok(SandboxConfig {
        port: args.port,
        users: args.users,
        seed: args.seed,
        state_file: args.state,
        latency: Duration::from_millis(args.latency_ms),
        jitter: Duration::from_millis(args.jitter_ms),
        bandwidth,
        fail_rate: args.fail_rate,
        drop_rate: args.drop_rate,
        rate_limit,
        extra_keys: None,
        clock: crate::sandbox::Clock::system(),
    })
}

/// An optional flag's value read as `T`; a usage error naming the flag when it does not read.
fn parsed<T>(flag: &str, text: Option<&str>) -> CliResult<Option<T>>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    text.map(|text| {
        text.parse::<T>()
            .map_err(|e| usage(format!("{flag} {text:?}: {e}")))
    })
    .transpose()
}

/// The simulated link in words, for the startup line: " (round trip 40 ms + up to 10 ms
/// jitter, 50 Mbit/s shared)", or nothing when it is loopback as it is.
fn link_description(config: &SandboxConfig) -> String {
    let mut parts = Vec::new();
    if !config.latency.is_zero() || !config.jitter.is_zero() {
        let mut trip = format!("round trip {} ms", config.latency.as_millis());
        if !config.jitter.is_zero() {
            trip.push_str(&format!(" + up to {} ms jitter", config.jitter.as_millis()));
        }
        parts.push(trip);
    }
    if let Some(bandwidth) = config.bandwidth {
        parts.push(format!("{bandwidth} shared"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
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
