//! Reading every page of a listing, with bounds a lying server cannot stretch. One reader
//! ([`bounded_pages`]) serves every listing: users (page 0 first, then the rest
//! concurrently, each page tagged with its number so the consumer can place it), roles, a
//! role's members and application keys (one page after another).
//!
//! Page 0 tells how many items match (`meta.page.total_filtered_count`); when it does, the
//! pages that count needs are fetched concurrently: as many at a time as the adaptive limit
//! allows ([`PagesInFlight`]: grown while round trips dominate and the rate limit leaves
//! room, halved on 429s and 5xx), never more than `concurrency`. When it does not,
//! pages are fetched one after another until a short page, as the official clients do.
//! Either way the listing ends at the first short page, and it is stopped with an
//! [`ApiError::Listing`] — after yielding what it read — when:
//! - a page brings no item that an earlier page had not (the server repeats itself);
//! - every page the count allows came back full with more items than the count said;
//! - `max_pages` pages came back full (no count, or a count beyond it): "the server kept
//!   sending pages".
//!
//! Only a hash of each id is kept to tell repeats, so the bookkeeping of even the largest
//! listing stays small.

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::future::Future;
use std::hash::{BuildHasher, Hash};
use std::sync::{Arc, Mutex, PoisonError};

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, FuturesUnordered, StreamExt};

use super::adaptive::{Launch, PageReport, PagesInFlight};
use super::client::{AttemptObserver, Client};
use super::error::ApiError;
use super::models::{RolesResponse, User, UsersResponse};
use super::users::{ListUsersQuery, MAX_PAGE_SIZE};

/// Pages an "every page" listing reads at most by default: at 100 a page, a million items,
/// far beyond any org. `ClientOptions::max_pages` sets it per client.
pub const MAX_PAGES: u64 = 10_000;

/// One page of a listing.
#[derive(Clone, Debug)]
pub struct UsersPage {
    /// Zero-based page number.
    pub number: u64,
    /// How many pages the listing has, when the service said how many users match (never
    /// more than the client's page bound).
    pub total_pages: Option<u64>,
    /// How many pages the listing allowed in flight once this one arrived (the adaptive
    /// limit).
    pub pages_in_flight: usize,
    pub response: UsersResponse,
}

/// Pages needed for `total` items of `size` each.
pub fn page_count(total: u64, size: u32) -> u64 {
    total.div_ceil(u64::from(size.max(1)))
}

/// What the bounded reader needs to know of a page.
pub(crate) trait Listed: Send + 'static {
    /// The ids of the items on the page, in order.
    fn ids(&self) -> Vec<&str>;
    /// `meta.page.total_filtered_count`, when the service sent it.
    fn total(&self) -> Option<i64>;
}

impl Listed for UsersResponse {
    fn ids(&self) -> Vec<&str> {
        self.data.iter().map(|u| u.id.as_str()).collect()
    }

    fn total(&self) -> Option<i64> {
        self.total_filtered_count()
    }
}

impl Listed for RolesResponse {
    fn ids(&self) -> Vec<&str> {
        self.data.iter().map(|r| r.id.as_str()).collect()
    }

    fn total(&self) -> Option<i64> {
        self.meta.as_ref()?.page.as_ref()?.total_filtered_count
    }
}

/// One page as the bounded reader yields it.
pub(crate) struct Numbered<P> {
    /// Zero-based page number.
    pub number: u64,
    /// Pages the announced count needs (capped at the page bound), when there was a count.
    pub total_pages: Option<u64>,
    /// Pages allowed in flight once this one arrived.
    pub pages_in_flight: usize,
    pub page: P,
}

/// The bounds and words of one listing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    /// The operation, for errors ("list users").
    pub operation: &'static str,
    /// What the items are, for errors ("users").
    pub items: &'static str,
    /// The page size asked for: a page this long is full, and another may follow.
    pub size: u32,
    /// The most pages in flight after page 0 (when the count is known): the adaptive
    /// limit's ceiling.
    pub concurrency: usize,
    /// Pages read at most.
    pub max_pages: u64,
}

/// Reads one page by number, telling the observer how each attempt went.
type Fetch<P> =
    Arc<dyn Fn(u64, AttemptObserver) -> BoxFuture<'static, Result<P, ApiError>> + Send + Sync>;

/// A page in flight: its number, when it was sent, what its attempts met, and its answer.
type InFlight<P> = BoxFuture<'static, (u64, Launch, PageReport, Result<P, ApiError>)>;

/// Where a listing stands.
struct Reader<P> {
    bounds: Bounds,
    fetch: Fetch<P>,
    in_flight: FuturesUnordered<InFlight<P>>,
    /// How many pages may be in flight.
    pace: PagesInFlight,
    /// The next page number to ask for.
    next: u64,
    /// Page numbers below this may be asked for.
    allowed: u64,
    /// The announced count, when page 0 had a usable one.
    count: Option<u64>,
    total_pages: Option<u64>,
    /// Hashes of the ids seen so far.
    seen: HashSet<u64>,
    hasher: RandomState,
    /// Pages that arrived.
    received: u64,
    /// A short page arrived: the listing ended.
    short: bool,
    finished: bool,
}

/// Every page of a listing, page 0 first; see the module's header for when it stops.
/// `fetch` reads one page by number.
pub(crate) fn bounded_pages<P, F, Fut>(
    bounds: Bounds,
    fetch: F,
) -> BoxStream<'static, Result<Numbered<P>, ApiError>>
where
    P: Listed,
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<P, ApiError>> + Send + 'static,
{
    observed_pages(bounds, move |number, _| fetch(number))
}

/// [`bounded_pages`], with a `fetch` that tells the observer it is given how each attempt
/// went: the pages in flight then adapt to the answers (see [`PagesInFlight`]).
pub(crate) fn observed_pages<P, F, Fut>(
    bounds: Bounds,
    fetch: F,
) -> BoxStream<'static, Result<Numbered<P>, ApiError>>
where
    P: Listed,
    F: Fn(u64, AttemptObserver) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<P, ApiError>> + Send + 'static,
{
    let fetch: Fetch<P> = Arc::new(move |number, observer| Box::pin(fetch(number, observer)));
    let reader = Reader {
        bounds: Bounds {
            size: bounds.size.max(1),
            concurrency: bounds.concurrency.max(1),
            max_pages: bounds.max_pages.max(1),
            ..bounds
        },
        fetch,
        in_flight: FuturesUnordered::new(),
        pace: PagesInFlight::new(bounds.concurrency),
        next: 0,
        allowed: 1,
        count: None,
        total_pages: None,
        received: 0,
        seen: HashSet::new(),
        hasher: RandomState::new(),
        short: false,
        finished: false,
    };
    stream::unfold(reader, |mut reader| async move {
        let item = reader.step().await?;
        Some((item, reader))
    })
    .boxed()
}

impl<P: Listed> Reader<P> {
    /// The next page, the error that ends the listing, or `None` once it is over.
    async fn step(&mut self) -> Option<Result<Numbered<P>, ApiError>> {
        if self.finished {
            return None;
        }
        while !self.short && self.next < self.allowed && self.in_flight.len() < self.pace.limit() {
            self.launch();
        }
        let Some((number, launch, report, answer)) = self.in_flight.next().await else {
            self.finished = true;
            return self.verdict().map(Err);
        };
        let page = match answer {
            Ok(page) => page,
            Err(error) => {
                self.finished = true;
                return Some(Err(error));
            }
        };
        self.pace.finished(launch, &report, self.in_flight.len());
        self.received += 1;
        if number == 0 {
            self.learn_count(page.total());
        }
        let ids = page.ids();
        let len = ids.len();
        let fresh = ids
            .iter()
            .filter(|id| self.seen.insert(self.hasher.hash_one(id)))
            .count();
        if len > 0 && fresh == 0 {
            self.finished = true;
            return Some(Err(self.stop(format!(
                "page {} brought no {} that earlier pages had not (the server repeats itself): \
                 stopped after {} pages rather than read forever",
                number + 1,
                self.bounds.items,
                self.received
            ))));
        }
        if len < self.bounds.size as usize {
            // The end of the listing: ask for nothing more, but let pages already asked for
            // arrive (with a count, earlier pages may still be on their way).
            self.short = true;
        } else if self.count.is_none() {
            // No count: one page after another, for as long as they come back full.
            self.allowed = number.saturating_add(2).min(self.bounds.max_pages);
        }
        Some(Ok(Numbered {
            number,
            total_pages: self.total_pages,
            pages_in_flight: self.pace.limit(),
            page,
        }))
    }

    /// Sends the next page, with an observer that gathers what its attempts met.
    fn launch(&mut self) {
        let number = self.next;
        let report = Arc::new(Mutex::new(PageReport::default()));
        let gather = Arc::clone(&report);
        let observer: AttemptObserver = Arc::new(move |status, remaining, elapsed| {
            gather
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .attempt(status, remaining, elapsed);
        });
        let launch = self.pace.launch();
        let fetch = (self.fetch)(number, observer);
        self.in_flight.push(Box::pin(async move {
            let answer = fetch.await;
            let report =
                std::mem::take(&mut *report.lock().unwrap_or_else(PoisonError::into_inner));
            (number, launch, report, answer)
        }));
        self.next += 1;
    }

    /// Page 0's count sets how many pages may be read, within the bound. A negative count
    /// is no count.
    fn learn_count(&mut self, total: Option<i64>) {
        let Some(count) = total.and_then(|t| u64::try_from(t).ok()) else {
            return;
        };
        let pages = page_count(count, self.bounds.size)
            .max(1)
            .min(self.bounds.max_pages);
        self.count = Some(count);
        self.allowed = pages;
        self.total_pages = Some(pages);
    }

    /// Once every page asked for has arrived: whether the listing adds up.
    fn verdict(&self) -> Option<ApiError> {
        if self.short {
            return None;
        }
        // Every page came back full.
        let within_bound =
            |count: u64| page_count(count, self.bounds.size) <= self.bounds.max_pages;
        match self.count {
            Some(count) if within_bound(count) => {
                let read = self.seen.len() as u64;
                (read > count).then(|| {
                    self.stop(format!(
                        "the server sent more {items} ({read}) than its count said ({count}), \
                         and its last page was full: stopped after {pages} pages; the listing \
                         may be incomplete",
                        items = self.bounds.items,
                        pages = self.received
                    ))
                })
            }
            _ => Some(self.stop(format!(
                "the server kept sending pages: stopped after {} pages ({} {}) rather than \
                 read forever",
                self.received,
                self.seen.len(),
                self.bounds.items
            ))),
        }
    }

    fn stop(&self, detail: String) -> ApiError {
        ApiError::Listing {
            operation: self.bounds.operation,
            detail,
        }
    }
}

/// Every item of a bounded listing, each once (by `key`), in page order.
pub(crate) async fn every_item<P, T, K: Eq + Hash>(
    mut pages: BoxStream<'static, Result<Numbered<P>, ApiError>>,
    items: impl Fn(P) -> Vec<T>,
    key: impl Fn(&T) -> K,
) -> Result<Vec<T>, ApiError> {
    let mut read = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page?;
        read.push((page.number, items(page.page)));
    }
    read.sort_by_key(|(number, _)| *number);
    let mut seen = HashSet::new();
    Ok(read
        .into_iter()
        .flat_map(|(_, items)| items)
        .filter(|item| seen.insert(key(item)))
        .collect())
}

impl Client {
    /// The pages of `query`, numbered, for [`user_pages`](Self::user_pages) and
    /// [`list_all_users`](Self::list_all_users).
    fn numbered_user_pages(
        &self,
        query: ListUsersQuery,
        concurrency: usize,
    ) -> BoxStream<'static, Result<Numbered<UsersResponse>, ApiError>> {
        let size = query
            .page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE);
        let query = ListUsersQuery {
            page_size: Some(size),
            ..query
        };
        let client = self.clone();
        let bounds = Bounds {
            operation: "list users",
            items: "users",
            size,
            concurrency,
            max_pages: self.max_pages(),
        };
        observed_pages(bounds, move |number, observer| {
            let client = client.clone();
            let query = query.at_page(number);
            async move { client.list_users_observed(&query, Some(observer)).await }
        })
    }

    /// Every page of `query` (its page number is ignored; its page size defaults to 100),
    /// page 0 first, then the rest concurrently, at most `concurrency` at a time (the
    /// adaptive limit's ceiling). Bounded: see the module's
    /// header; a listing that does not add up ends with an [`ApiError::Listing`].
    pub fn user_pages(
        &self,
        query: ListUsersQuery,
        concurrency: usize,
    ) -> BoxStream<'static, Result<UsersPage, ApiError>> {
        self.numbered_user_pages(query, concurrency)
            .map(|page| {
                page.map(|p| UsersPage {
                    number: p.number,
                    total_pages: p.total_pages,
                    pages_in_flight: p.pages_in_flight,
                    response: p.page,
                })
            })
            .boxed()
    }

    /// Every user of `query`, each exactly once (by id), in page order. Bounded like
    /// [`user_pages`](Self::user_pages).
    pub async fn list_all_users(&self, query: ListUsersQuery) -> Result<Vec<User>, ApiError> {
        let pages = self.numbered_user_pages(query, self.page_concurrency());
        every_item(pages, |page| page.data, |user| user.id.clone()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_count_rounds_up_and_handles_empty() {
        assert_eq!(page_count(0, 100), 0);
        assert_eq!(page_count(1, 100), 1);
        assert_eq!(page_count(100, 100), 1);
        assert_eq!(page_count(101, 100), 2);
        assert_eq!(page_count(5, 0), 5);
    }

    /// A page of `ids`, with `total` as its count.
    fn page(ids: impl IntoIterator<Item = String>, total: Option<i64>) -> UsersResponse {
        let data = ids
            .into_iter()
            .map(|id| {
                serde_json::from_value(serde_json::json!({"type": "users", "id": id}))
                    .expect("a bare user parses")
            })
            .collect();
        let mut response = UsersResponse {
            data,
            ..Default::default()
        };
        if let Some(total) = total {
            response.meta = serde_json::from_value(
                serde_json::json!({"page": {"total_filtered_count": total}}),
            )
            .expect("meta parses");
        }
        response
    }

    fn bounds(size: u32, max_pages: u64) -> Bounds {
        Bounds {
            operation: "list users",
            items: "users",
            size,
            concurrency: 4,
            max_pages,
        }
    }

    /// Reads a listing served by `serve(page number)`: the pages' numbers, and the error.
    async fn read(
        bounds: Bounds,
        serve: impl Fn(u64) -> UsersResponse + Send + Sync + 'static,
    ) -> (Vec<u64>, Option<ApiError>) {
        let serve = Arc::new(serve);
        let mut pages = bounded_pages(bounds, move |number| {
            let serve = serve.clone();
            async move { Ok::<_, ApiError>(serve(number)) }
        });
        let mut numbers = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => numbers.push(page.number),
                Err(error) => {
                    assert!(pages.next().await.is_none(), "an error ends the listing");
                    return (numbers, Some(error));
                }
            }
        }
        numbers.sort();
        (numbers, None)
    }

    fn ids(number: u64, len: usize) -> impl Iterator<Item = String> {
        (0..len).map(move |i| format!("p{number}-u{i}"))
    }

    #[tokio::test(start_paused = true)]
    async fn pages_in_flight_grow_to_the_cap_and_halve_when_pushed_back() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::Duration;
        let cap = 12;
        let busy = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (busy_in, most_in) = (busy.clone(), most.clone());
        let bounds = Bounds {
            concurrency: cap,
            ..bounds(2, 1000)
        };
        let mut pages = observed_pages(bounds, move |number, observer| {
            let (busy, most) = (busy_in.clone(), most_in.clone());
            async move {
                most.fetch_max(busy.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                let round_trip = Duration::from_millis(40);
                tokio::time::sleep(round_trip).await;
                if number == 40 {
                    // The first attempt met a 429; the retry went through.
                    observer(Some(429), Some(0), round_trip);
                }
                observer(Some(200), Some(1000), round_trip);
                busy.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, ApiError>(page(ids(number, 2), Some(200)))
            }
        });
        let mut limits = std::collections::BTreeMap::new();
        while let Some(page) = pages.next().await {
            let page = page.expect("every page is served");
            limits.insert(page.number, page.pages_in_flight);
        }
        assert_eq!(limits.len(), 100);
        assert_eq!(
            most.load(Ordering::SeqCst),
            cap,
            "reaches the cap, never more"
        );
        assert_eq!(limits[&39], cap);
        assert_eq!(limits[&40], cap / 2, "halved by the 429");
        assert_eq!(limits[&99], cap, "and grown back");
    }

    #[tokio::test]
    async fn a_short_page_ends_a_listing_without_a_count() {
        let (numbers, error) = read(bounds(2, 100), |n| {
            page(ids(n, if n < 3 { 2 } else { 1 }), None)
        })
        .await;
        assert_eq!(numbers, [0, 1, 2, 3]);
        assert!(error.is_none());
    }

    #[tokio::test]
    async fn the_count_sets_how_many_pages_are_read() {
        let (numbers, error) = read(bounds(2, 100), |n| page(ids(n, 2), Some(6))).await;
        assert_eq!(numbers, [0, 1, 2]);
        assert!(error.is_none(), "{error:?}");
    }

    #[tokio::test]
    async fn full_pages_forever_stop_at_the_page_bound_and_say_so() {
        let (numbers, error) = read(bounds(2, 7), |n| page(ids(n, 2), None)).await;
        assert_eq!(numbers.len(), 7);
        let error = error.expect("an endless listing is an error");
        assert!(
            error
                .to_string()
                .contains("kept sending pages: stopped after 7"),
            "{error}"
        );
        let (numbers, error) = read(bounds(2, 7), |n| page(ids(n, 2), Some(i64::MAX))).await;
        assert_eq!(numbers.len(), 7);
        assert!(error.is_some());
    }

    #[tokio::test]
    async fn a_repeated_page_stops_the_listing() {
        let (numbers, error) = read(bounds(2, 100), |_| page(ids(0, 2), None)).await;
        assert_eq!(numbers, [0]);
        let error = error.expect("a repeated page is an error");
        assert!(error.to_string().contains("repeats itself"), "{error}");
    }

    #[tokio::test]
    async fn a_count_smaller_than_the_full_pages_sent_is_an_error() {
        let (_, error) = read(bounds(2, 100), |n| page(ids(n, 2), Some(3))).await;
        let error = error.expect("more users than counted");
        assert!(
            error
                .to_string()
                .contains("more users (4) than its count said (3)"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_count_larger_than_the_pages_sent_ends_at_the_first_short_page() {
        let (numbers, error) = read(bounds(2, 100_000), |n| {
            page(ids(n, if n < 2 { 2 } else { 0 }), Some(1_000_000_000))
        })
        .await;
        assert!(error.is_none(), "{error:?}");
        assert!(
            numbers.len() < 10,
            "stops soon after the short page: {numbers:?}"
        );
        assert!(numbers.starts_with(&[0, 1, 2]));
    }

    #[tokio::test]
    async fn a_negative_count_is_no_count() {
        let (numbers, error) = read(bounds(2, 100), |n| {
            page(ids(n, if n < 1 { 2 } else { 0 }), Some(-5))
        })
        .await;
        assert_eq!(numbers, [0, 1]);
        assert!(error.is_none());
    }
}
