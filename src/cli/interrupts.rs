//! What a command does with a stop signal (SIGINT, SIGTERM, SIGHUP): a run under way stops
//! at an item boundary — items in flight finish, no new one starts (its breaker is tripped)
//! — and the command exits with the signal's code, naming the resume command; with no run
//! under way nothing is being sent, so the process ends at once.

use std::sync::Arc;

use super::exit::{CliError, CliResult};
use crate::runs::{Breaker, RunId};
use crate::runtime::{StopSignal, StopSignals};

/// The stop signals heard during a command, and the run they would stop.
#[derive(Debug, Default)]
pub struct Interrupts {
    state: std::sync::Mutex<InterruptState>,
}

#[derive(Debug, Default)]
struct InterruptState {
    heard: Option<StopSignal>,
    /// The run under way and its breaker.
    run: Option<(RunId, Arc<Breaker>)>,
}

/// What to do about a signal just heard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// The run is stopping at its next item boundary; carry on.
    Stopping(RunId),
    /// End the process now: no run is under way, or this is a second signal (the run's
    /// items in flight are cut; their journaled intents let a resume read them back).
    EndNow(Option<RunId>),
}

impl Interrupts {
    fn state(&self) -> std::sync::MutexGuard<'_, InterruptState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hears `signal`: stops the run under way, or says to end the process.
    pub fn hear(&self, signal: StopSignal) -> Heard {
        let mut state = self.state();
        let first = state.heard.is_none();
        state.heard.get_or_insert(signal);
        match &state.run {
            Some((run, breaker)) if first => {
                breaker.trip(format!("interrupted by {}", signal.name()));
                Heard::Stopping(run.clone())
            }
            Some((run, _)) => Heard::EndNow(Some(run.clone())),
            None => Heard::EndNow(None),
        }
    }

    /// The first signal heard, if any.
    pub fn heard(&self) -> Option<StopSignal> {
        self.state().heard
    }

    /// Signals stop `run` (through `breaker`) until the guard is dropped.
    pub(super) fn watch(&self, run: &RunId, breaker: &Arc<Breaker>) -> Watching<'_> {
        let mut state = self.state();
        if let Some(signal) = state.heard {
            breaker.trip(format!("interrupted by {}", signal.name()));
        }
        state.run = Some((run.clone(), breaker.clone()));
        Watching(self)
    }
}

/// While it lives, a signal stops the run rather than the process.
pub(super) struct Watching<'a>(&'a Interrupts);

impl Drop for Watching<'_> {
    fn drop(&mut self) {
        self.0.state().run = None;
    }
}

/// From now on SIGINT, SIGTERM and SIGHUP stop a run under way at an item boundary (the
/// command then exits with the signal's code and names the resume command), and end the
/// process at once otherwise — as they did by default, but with the conventional exit
/// code and a line on stderr.
pub fn stop_on_signals(interrupts: Arc<Interrupts>) -> CliResult {
    // Listening starts here, not in the task: no signal falls between the two.
    let mut signals = StopSignals::listen(&[
        StopSignal::Interrupt,
        StopSignal::Terminate,
        StopSignal::Hangup,
    ])
    .map_err(|source| CliError::Signals {
        signals: "SIGINT, SIGTERM and SIGHUP",
        source,
    })?;
    tokio::spawn(async move {
        while let Some(signal) = signals.next().await {
            match interrupts.hear(signal) {
                Heard::Stopping(run) => eprintln!(
                    "{}: stopping run {run} once the items in flight finish (again to stop at once)…",
                    signal.name()
                ),
                Heard::EndNow(run) => {
                    match run {
                        Some(run) => eprintln!(
                            "error: interrupted by {}; run {run} stopped mid-item — `ddusers resume {run}` reads back what was sent and finishes it",
                            signal.name()
                        ),
                        None => eprintln!("error: interrupted by {}", signal.name()),
                    }
                    std::process::exit(i32::from(signal.exit_code()));
                }
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker() -> Arc<Breaker> {
        Arc::new(Breaker::default())
    }

    #[test]
    fn a_signal_during_a_run_trips_its_breaker_and_a_second_ends_the_process() {
        let interrupts = Interrupts::default();
        let (run, breaker) = (RunId("r1".into()), breaker());
        let watching = interrupts.watch(&run, &breaker);
        assert_eq!(
            interrupts.hear(StopSignal::Terminate),
            Heard::Stopping(run.clone())
        );
        assert_eq!(breaker.tripped().as_deref(), Some("interrupted by SIGTERM"));
        assert_eq!(
            interrupts.hear(StopSignal::Interrupt),
            Heard::EndNow(Some(run))
        );
        assert_eq!(
            interrupts.heard(),
            Some(StopSignal::Terminate),
            "the first signal decides the exit code"
        );
        drop(watching);
    }

    #[test]
    fn a_signal_with_no_run_under_way_ends_the_process() {
        let interrupts = Interrupts::default();
        let (run, breaker) = (RunId("r1".into()), breaker());
        drop(interrupts.watch(&run, &breaker));
        assert_eq!(interrupts.hear(StopSignal::Hangup), Heard::EndNow(None));
        assert!(
            breaker.tripped().is_none(),
            "the finished run is left alone"
        );
    }

    #[test]
    fn a_run_watched_after_a_signal_stops_before_its_first_item() {
        let interrupts = Interrupts::default();
        interrupts.hear(StopSignal::Interrupt);
        let breaker = breaker();
        let _watching = interrupts.watch(&RunId("r1".into()), &breaker);
        assert_eq!(breaker.tripped().as_deref(), Some("interrupted by SIGINT"));
    }
}
