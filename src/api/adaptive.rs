//! How many pages of a listing are in flight at once, adapted to what the answers say (AIMD,
//! as TCP sizes its window). Pure: no clock, no I/O — the paging reader feeds it one report
//! per page and asks it for the limit.
//!
//! - **Grow** by one for every page that finished without trouble, while round-trip time
//!   dominates (the page took at most [`SLOW_FACTOR`] times the fastest page yet: beyond
//!   that, pages wait on bandwidth or on the server, and more of them only queue) and while
//!   the rate limit leaves room (`X-RateLimit-Remaining` above the pages in flight).
//!   One per page finished doubles the limit every round trip, up to the cap.
//! - **Halve** when the service pushes back (a 429 or a 5xx on any attempt of a page), once
//!   per push: pages already in flight when the limit was halved met the same crowd and do
//!   not halve it again.
//! - Never below 1, never above the cap (the caller's concurrency option, at most
//!   [`MAX_PAGES_IN_FLIGHT`] by default).

use std::time::Duration;

/// The default ceiling of pages in flight (`ClientOptions::page_concurrency`, `users list
/// --concurrency`).
pub const MAX_PAGES_IN_FLIGHT: usize = 32;

/// Where a listing starts once page 0 is in: the fixed concurrency ddusers used before it
/// adapted, safe against any server that served it then.
pub const INITIAL_PAGES_IN_FLIGHT: usize = 8;

/// A page that took longer than this many times the fastest page was held up by something
/// other than the round trip.
pub const SLOW_FACTOR: u32 = 2;

/// What one page went through, from the attempts the client made for it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageReport {
    /// Some attempt met a 429 or a 5xx.
    pub pushed_back: bool,
    /// `X-RateLimit-Remaining` of the last answer, when it had one.
    pub remaining: Option<u64>,
    /// How long the last attempt took, from sending to the last byte of the body.
    pub elapsed: Option<Duration>,
}

impl PageReport {
    /// Adds one attempt's answer: its status (none when no answer came), its remaining
    /// rate-limit budget and how long it took.
    pub fn attempt(&mut self, status: Option<u16>, remaining: Option<u64>, elapsed: Duration) {
        if status.is_some_and(|s| s == 429 || (500..600).contains(&s)) {
            self.pushed_back = true;
        }
        self.remaining = remaining;
        self.elapsed = Some(elapsed);
    }
}

/// When a page was sent, relative to the limit's decreases (see [`PagesInFlight::launch`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launch(u64);

/// The adaptive limit of one listing.
#[derive(Clone, Debug)]
pub struct PagesInFlight {
    limit: usize,
    cap: usize,
    /// The fastest page so far: the round trip plus one page's transfer, with no queue.
    fastest: Option<Duration>,
    /// Counts the decreases, so that a push felt by pages sent before the last decrease
    /// is not counted twice.
    decreases: u64,
}

impl PagesInFlight {
    /// A limit that starts at [`INITIAL_PAGES_IN_FLIGHT`] (or the cap, if lower) and never
    /// exceeds `cap` (at least 1).
    pub fn new(cap: usize) -> Self {
        let cap = cap.max(1);
        PagesInFlight {
            limit: INITIAL_PAGES_IN_FLIGHT.min(cap),
            cap,
            fastest: None,
            decreases: 0,
        }
    }

    /// How many pages may be in flight now.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Marks a page as sent now; hand the mark back with its report.
    pub fn launch(&self) -> Launch {
        Launch(self.decreases)
    }

    /// Learns from a page that finished; `in_flight` is how many others are still out.
    pub fn finished(&mut self, launch: Launch, report: &PageReport, in_flight: usize) {
        if report.pushed_back {
            // Pages sent before the last decrease met the crowd that caused it.
            if launch.0 == self.decreases {
                self.limit = (self.limit / 2).max(1);
                self.decreases += 1;
            }
            return;
        }
        if let Some(elapsed) = report.elapsed {
            self.fastest = Some(self.fastest.map_or(elapsed, |f| f.min(elapsed)));
        }
        let round_trip_dominates = match (report.elapsed, self.fastest) {
            (Some(elapsed), Some(fastest)) => elapsed <= fastest.saturating_mul(SLOW_FACTOR),
            _ => true,
        };
        let budget_left = report
            .remaining
            .is_none_or(|remaining| remaining > in_flight as u64);
        if round_trip_dominates && budget_left {
            self.limit = (self.limit + 1).min(self.cap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RTT: Duration = Duration::from_millis(40);

    fn fine(remaining: u64) -> PageReport {
        PageReport {
            pushed_back: false,
            remaining: Some(remaining),
            elapsed: Some(RTT),
        }
    }

    fn pushed_back() -> PageReport {
        PageReport {
            pushed_back: true,
            remaining: Some(0),
            elapsed: Some(RTT),
        }
    }

    /// Feeds `pages` reports, each launched just before it finishes.
    fn feed(limit: &mut PagesInFlight, pages: usize, report: &PageReport) {
        for _ in 0..pages {
            let launch = limit.launch();
            limit.finished(launch, report, limit.limit() - 1);
        }
    }

    #[test]
    fn starts_at_eight_or_the_cap() {
        assert_eq!(PagesInFlight::new(32).limit(), 8);
        assert_eq!(PagesInFlight::new(3).limit(), 3);
        assert_eq!(PagesInFlight::new(0).limit(), 1, "a cap of 0 is 1");
    }

    #[test]
    fn grows_by_one_per_page_without_trouble_up_to_the_cap() {
        let mut limit = PagesInFlight::new(32);
        feed(&mut limit, 5, &fine(1000));
        assert_eq!(limit.limit(), 13);
        feed(&mut limit, 100, &fine(1000));
        assert_eq!(limit.limit(), 32, "never above the cap");
    }

    #[test]
    fn halves_on_a_push_back_and_never_goes_below_one() {
        let mut limit = PagesInFlight::new(32);
        feed(&mut limit, 8, &fine(1000));
        assert_eq!(limit.limit(), 16);
        feed(&mut limit, 1, &pushed_back());
        assert_eq!(limit.limit(), 8);
        feed(&mut limit, 10, &pushed_back());
        assert_eq!(limit.limit(), 1);
    }

    #[test]
    fn a_5xx_pushes_back_like_a_429_and_a_404_does_not() {
        for (status, pushed) in [(429, true), (500, true), (503, true), (404, false)] {
            let mut report = PageReport::default();
            report.attempt(Some(status), None, RTT);
            report.attempt(Some(200), Some(10), RTT);
            assert_eq!(report.pushed_back, pushed, "{status}");
            assert_eq!(report.remaining, Some(10), "the last answer's budget");
        }
    }

    #[test]
    fn pages_sent_before_a_decrease_do_not_halve_it_again() {
        let mut limit = PagesInFlight::new(32);
        feed(&mut limit, 8, &fine(1000));
        // Sixteen pages go out together and all meet the same 429s.
        let launches: Vec<Launch> = (0..16).map(|_| limit.launch()).collect();
        for (i, launch) in launches.into_iter().enumerate() {
            limit.finished(launch, &pushed_back(), 15 - i);
        }
        assert_eq!(limit.limit(), 8, "halved once, not sixteen times");
        // A page sent after the decrease that meets a 429 again halves again.
        feed(&mut limit, 1, &pushed_back());
        assert_eq!(limit.limit(), 4);
    }

    #[test]
    fn does_not_grow_beyond_the_rate_limit_budget() {
        let mut limit = PagesInFlight::new(32);
        // 7 pages still out, 7 requests left in the window: no room for one more.
        let launch = limit.launch();
        limit.finished(launch, &fine(7), 7);
        assert_eq!(limit.limit(), 8);
        let launch = limit.launch();
        limit.finished(launch, &fine(8), 7);
        assert_eq!(limit.limit(), 9);
    }

    #[test]
    fn does_not_grow_while_pages_queue_behind_something_slower_than_the_round_trip() {
        let mut limit = PagesInFlight::new(32);
        feed(&mut limit, 1, &fine(1000));
        assert_eq!(limit.limit(), 9);
        let slow = PageReport {
            elapsed: Some(RTT * 3),
            ..fine(1000)
        };
        feed(&mut limit, 10, &slow);
        assert_eq!(
            limit.limit(),
            9,
            "bandwidth-bound: more pages would only queue"
        );
        let a_bit_slower = PageReport {
            elapsed: Some(RTT * 2),
            ..fine(1000)
        };
        feed(&mut limit, 1, &a_bit_slower);
        assert_eq!(
            limit.limit(),
            10,
            "within twice the fastest: still the round trip"
        );
    }

    #[test]
    fn a_page_without_headers_or_timing_still_grows_the_limit() {
        let mut limit = PagesInFlight::new(32);
        feed(&mut limit, 1, &PageReport::default());
        assert_eq!(limit.limit(), 9);
    }

    #[test]
    fn recovers_after_halving() {
        let mut limit = PagesInFlight::new(16);
        feed(&mut limit, 1, &pushed_back());
        assert_eq!(limit.limit(), 4);
        feed(&mut limit, 100, &fine(1000));
        assert_eq!(limit.limit(), 16);
    }
}
