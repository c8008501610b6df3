//! A run's circuit breaker: when the service says the keys no longer work — a 401, or a
//! 403 on an operation that succeeded earlier in the same run (the key's owner was disabled
//! or lost a role mid-run) — the run stops. Items not yet attempted stay unfinished (never
//! "failed"), so a resume with working keys finishes them. Also how a run is cancelled.

use std::collections::HashSet;
use std::sync::Mutex;

use crate::api::ApiError;

/// Shared by every item of one run; fed by the client's answer observer.
#[derive(Debug, Default)]
pub struct Breaker {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    tripped: Option<String>,
    succeeded: HashSet<&'static str>,
}

impl Breaker {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hears how one request ended.
    pub fn observe(&self, operation: &'static str, error: Option<&ApiError>) {
        let mut state = self.state();
        let Some(error) = error else {
            state.succeeded.insert(operation);
            return;
        };
        if state.tripped.is_some() {
            return;
        }
        let reason = match error.status() {
            Some(401) => format!(
                "stopped: the service no longer accepts the keys ({operation} answered 401)"
            ),
            Some(403) if state.succeeded.contains(operation) => format!(
                "stopped: the keys lost their access mid-run ({operation} worked earlier in this run, now 403 — the key's owner may have been disabled or lost a role)"
            ),
            _ => return,
        };
        state.tripped = Some(reason);
    }

    /// Stops the run with `reason` (the first reason stays).
    pub fn trip(&self, reason: impl Into<String>) {
        let mut state = self.state();
        if state.tripped.is_none() {
            state.tripped = Some(reason.into());
        }
    }

    /// Why the run stopped, once it has.
    pub fn tripped(&self) -> Option<String> {
        self.state().tripped.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> ApiError {
        ApiError::Status {
            operation: "disable user",
            status,
            messages: vec![],
            rate_limit: None,
        }
    }

    #[test]
    fn a_403_trips_only_after_the_same_operation_worked() {
        let breaker = Breaker::default();
        breaker.observe("disable user", Some(&status(403)));
        assert!(breaker.tripped().is_none(), "never worked: a plain failure");
        breaker.observe("disable user", None);
        breaker.observe("disable user", Some(&status(404)));
        assert!(breaker.tripped().is_none());
        breaker.observe("disable user", Some(&status(403)));
        assert!(breaker.tripped().unwrap_or_default().contains("403"));
    }

    #[test]
    fn a_401_trips_at_once() {
        let breaker = Breaker::default();
        breaker.observe("get user", Some(&status(401)));
        assert!(breaker.tripped().unwrap_or_default().contains("401"));
    }
}
