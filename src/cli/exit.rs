//! How a command ends: the exit codes scripts can rely on (usage, auth/permission, not
//! found, network are told apart), the errors that choose them, and the one line printed on
//! failure. A reader that goes away (`| head`) ends the command quietly.

use std::process::ExitCode;

use color_eyre::Report;

use super::changes::{Refused, Stopped, WouldBeRefused};
use super::output;
use crate::api::{ApiError, ErrorKind};
use crate::config::ConfigError;
use crate::runs::{Refusal, Rule};
use crate::runtime::Interrupted;

pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const AUTH: u8 = 3;
pub const NOT_FOUND: u8 = 4;
pub const NETWORK: u8 = 5;

/// A mistake in how the command was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Some items of a bulk command failed (exit code 1); each was reported already.
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} failed")]
pub struct PartialFailure {
    pub failed: usize,
    pub total: usize,
}

impl PartialFailure {
    /// Success when nothing failed.
    pub fn check(failed: usize, total: usize) -> color_eyre::Result<()> {
        if failed == 0 {
            Ok(())
        } else {
            Err(PartialFailure { failed, total }.into())
        }
    }
}

/// A usage error (exit code 2) saying `message`.
pub fn usage(message: impl Into<String>) -> Report {
    UsageError(message.into()).into()
}

/// The process's exit code for a command's result; prints the error on one line (a partial
/// failure's items were reported already).
pub fn finish(result: color_eyre::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): nothing more to say to anyone.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            if !error.is::<PartialFailure>() {
                eprintln!("error: {}", one_line(&error));
            }
            ExitCode::from(exit_code(&error))
        }
    }
}

/// The exit code for an error, from the first typed error in its chain.
pub fn exit_code(error: &Report) -> u8 {
    for cause in error.chain() {
        if cause.is::<UsageError>() || cause.is::<ConfigError>() {
            return USAGE;
        }
        if let Some(refused) = cause.downcast_ref::<Refused>() {
            return refusal_code(&refused.0);
        }
        if let Some(refused) = cause.downcast_ref::<WouldBeRefused>() {
            return refusal_code(&refused.0);
        }
        if cause.is::<Stopped>() {
            return AUTH;
        }
        if let Some(interrupted) = cause.downcast_ref::<Interrupted>() {
            return interrupted.signal.exit_code();
        }
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            return api_code(api);
        }
    }
    FAILURE
}

fn api_code(api: &ApiError) -> u8 {
    // A redirect means the address is not the Datadog API: a network-side failure.
    if matches!(api, ApiError::Redirected { .. }) {
        return NETWORK;
    }
    match api.kind() {
        ErrorKind::Auth => AUTH,
        ErrorKind::NotFound => NOT_FOUND,
        ErrorKind::Network | ErrorKind::RateLimited | ErrorKind::Server => NETWORK,
        ErrorKind::BadRequest => USAGE,
        ErrorKind::Decode => FAILURE,
    }
}

/// A missing permission is an auth failure; the other refusals, a usage one.
fn refusal_code(refusals: &[Refusal]) -> u8 {
    if refusals.iter().any(|r| r.rule == Rule::Permission) {
        AUTH
    } else {
        USAGE
    }
}

fn is_broken_pipe(error: &Report) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line, without repeating what the outer one says.
fn one_line(error: &Report) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    output::sanitize(&parts.join(": "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runs::RunId;
    use crate::runtime::StopSignal;

    #[test]
    fn an_interrupted_run_names_the_resume_command_and_exits_with_the_signals_code() {
        let error: Report = Interrupted {
            signal: StopSignal::Terminate,
            run: Some(RunId("20261127T061500-3f9a".into())),
            left: 37,
        }
        .into();
        let said = error.to_string();
        assert!(said.contains("interrupted by SIGTERM"), "{said}");
        assert!(said.contains("37 item(s)"), "{said}");
        assert!(
            said.contains("`ddusers resume 20261127T061500-3f9a`"),
            "{said}"
        );
        assert_eq!(exit_code(&error), 143);
        for (signal, code) in [
            (StopSignal::Interrupt, 130),
            (StopSignal::Hangup, 129),
            (StopSignal::Quit, 131),
        ] {
            let error: Report = Interrupted {
                signal,
                run: None,
                left: 0,
            }
            .into();
            assert_eq!(exit_code(&error), code);
        }
    }
}
