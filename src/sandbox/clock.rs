//! Where the sandbox reads "now": every timestamp it writes (`created_at`, `modified_at`,
//! invitation expiry, new application keys), the "today" seeded times count back from,
//! and the rate-limit windows. The system clock by default; tests give a [`ManualClock`]
//! and move it instead of sleeping. Latency knobs are real delays and do not use it.

use std::sync::{Arc, Mutex, PoisonError};

use time::OffsetDateTime;

/// The sandbox's source of the current time. Cheap to clone; every clone reads the same
/// source.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> OffsetDateTime + Send + Sync>);

impl Clock {
    /// The system clock (UTC): what a sandbox uses unless told otherwise.
    pub fn system() -> Clock {
        Clock(Arc::new(OffsetDateTime::now_utc))
    }

    /// A clock that asks `now` for the time.
    pub fn from_fn(now: impl Fn() -> OffsetDateTime + Send + Sync + 'static) -> Clock {
        Clock(Arc::new(now))
    }

    /// The current time by this clock.
    pub fn now(&self) -> OffsetDateTime {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Clock").field(&self.now()).finish()
    }
}

/// A clock that stands still until a test moves it. Clones share one time, so a test
/// keeps one and gives the sandbox [`ManualClock::clock`].
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: OffsetDateTime) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    /// The time it shows.
    pub fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    /// Shows `at` from now on (earlier than before is allowed).
    pub fn set(&self, at: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }

    /// The [`Clock`] to give a sandbox: it reads this manual clock.
    pub fn clock(&self) -> Clock {
        let shared = self.clone();
        Clock::from_fn(move || shared.now())
    }
}

impl From<ManualClock> for Clock {
    fn from(manual: ManualClock) -> Clock {
        manual.clock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told_and_clones_share_it() {
        let start = OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
        let manual = ManualClock::new(start);
        let clock = manual.clock();
        assert_eq!(clock.now(), start);
        assert_eq!(clock.clone().now(), start);
        manual.advance(std::time::Duration::from_millis(1_500));
        assert_eq!(clock.now(), start + time::Duration::milliseconds(1_500));
        manual.set(start);
        assert_eq!(Clock::from(manual).now(), start);
    }

    #[test]
    fn the_system_clock_is_the_default() {
        let before = OffsetDateTime::now_utc();
        let read = Clock::default().now();
        assert!(read >= before && read <= OffsetDateTime::now_utc());
    }
}
