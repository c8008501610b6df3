//! How a command ends: the one error type every command returns ([`CliError`]), the exit
//! codes scripts can rely on (usage, auth/permission, not found, network are told apart),
//! and the one line printed on failure. A reader that goes away (`| head`) ends the command
//! quietly.

use std::error::Error;
use std::process::ExitCode;

use super::changes::{Refused, Stopped, WouldBeRefused};
use super::output;
use crate::api::{ApiError, ErrorKind};
use crate::audit::AuditError;
use crate::config::ConfigError;
use crate::console::ConsoleError;
use crate::runs::{JournalError, Refusal, Rule, RunError};
use crate::runtime::Interrupted;
use crate::sandbox::SandboxError;

pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const AUTH: u8 = 3;
pub const NOT_FOUND: u8 = 4;
pub const NETWORK: u8 = 5;

/// Why a command failed. Each variant keeps what it wraps as its `source`, so the line
/// printed names every cause once, and the exit code comes from the first cause that has
/// one of its own (see [`exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(#[from] UsageError),
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    Refused(#[from] Refused),
    #[error("{0}")]
    WouldBeRefused(#[from] WouldBeRefused),
    #[error("{0}")]
    Stopped(#[from] Stopped),
    #[error("{0}")]
    Interrupted(#[from] Interrupted),
    #[error("{0}")]
    PartialFailure(#[from] PartialFailure),
    #[error("{0}")]
    Journal(#[from] JournalError),
    #[error("{0}")]
    Run(#[from] RunError),
    #[error("{0}")]
    Audit(#[from] AuditError),
    #[error("{0}")]
    Sandbox(#[from] SandboxError),
    #[error("{0}")]
    Console(#[from] ConsoleError),
    /// Writing the output or reading an answer from stdin failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Stop signals could not be listened for (a run could not be stopped cleanly).
    #[error("could not listen for {signals}")]
    Signals {
        signals: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A role name or id that matches no role.
    #[error("no role {0:?}")]
    NoSuchRole(String),
    /// A review file that could not be read or written.
    #[error("{0}")]
    Review(crate::review::ReviewError),
}

/// A review's refusals (a signed review, a decision that does not fit, a file that is not
/// a review) are the caller's mistake (exit code 2); reading or writing it is a failure.
impl From<crate::review::ReviewError> for CliError {
    fn from(error: crate::review::ReviewError) -> CliError {
        use crate::review::ReviewError;
        match error {
            ReviewError::Read { .. } | ReviewError::Write { .. } => CliError::Review(error),
            ReviewError::NotAReview { .. }
            | ReviewError::Version { .. }
            | ReviewError::Signed { .. }
            | ReviewError::Invalid(_) => usage(error.to_string()),
        }
    }
}

/// A snapshot file that could not be read or written is an audit error.
impl From<crate::org::snapshot::SnapshotError> for CliError {
    fn from(error: crate::org::snapshot::SnapshotError) -> CliError {
        CliError::Audit(AuditError::from(error))
    }
}

/// What every command handler returns.
pub type CliResult<T = ()> = Result<T, CliError>;

/// The exit code for an error: from the first cause with a meaning of its own (a usage
/// mistake, a refusal, a stopped run, a signal, an API error), else 1.
pub fn exit_code(error: &CliError) -> u8 {
    causes(error).find_map(code_of).unwrap_or(FAILURE)
}

/// The error and each of its causes, outermost first.
fn causes<'a>(error: &'a (dyn Error + 'static)) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(error), |&e| e.source())
}

/// The exit code one cause chooses, if it chooses one.
fn code_of(cause: &(dyn Error + 'static)) -> Option<u8> {
    if cause.is::<UsageError>() || cause.is::<ConfigError>() {
        return Some(USAGE);
    }
    if let Some(refused) = cause.downcast_ref::<Refused>() {
        return Some(refusal_code(&refused.0));
    }
    if let Some(refused) = cause.downcast_ref::<WouldBeRefused>() {
        return Some(refusal_code(&refused.0));
    }
    if cause.is::<Stopped>() {
        return Some(AUTH);
    }
    if let Some(interrupted) = cause.downcast_ref::<Interrupted>() {
        return Some(interrupted.signal.exit_code());
    }
    cause.downcast_ref::<ApiError>().map(api_code)
}

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
    pub fn check(failed: usize, total: usize) -> CliResult {
        if failed == 0 {
            Ok(())
        } else {
            Err(PartialFailure { failed, total }.into())
        }
    }
}

/// A usage error (exit code 2) saying `message`.
pub fn usage(message: impl Into<String>) -> CliError {
    UsageError(message.into()).into()
}

/// The process's exit code for a command's result; prints the error on one line (a partial
/// failure's items were reported already).
pub fn finish(result: CliResult) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): nothing more to say to anyone.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            if !matches!(error, CliError::PartialFailure(_)) {
                eprintln!("error: {}", one_line(&error));
            }
            ExitCode::from(exit_code(&error))
        }
    }
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

fn is_broken_pipe(error: &CliError) -> bool {
    causes(error).any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line, without repeating what the outer one says.
fn one_line(error: &CliError) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in causes(error) {
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
        let error: CliError = Interrupted {
            signal: StopSignal::Terminate,
            run: Some(RunId("20261127T061500-3f9a".into())),
            left: 37,
        }
        .into();
        let said = error.to_string();
        assert!(said.contains("interrupted by SIGTERM"), "{said}");
        assert!(said.contains("37 items of run"), "{said}");
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
            let error: CliError = Interrupted {
                signal,
                run: None,
                left: 0,
            }
            .into();
            assert_eq!(exit_code(&error), code);
        }
    }
}
