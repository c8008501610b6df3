//! What lies between the sandbox's handlers and its clients' sockets, simulated so the
//! sandbox can be tried as a laptop meets the service: the round trip every request waits
//! (`latency`, plus a random `jitter`), compression as Datadog answers (gzip or deflate when
//! the request's `Accept-Encoding` asks for it, `Vary: Accept-Encoding` on every answer; the
//! level chosen by what bytes cost on the link, see [`compression_level`]), and
//! one bandwidth shared by every response body at once — more connections cannot beat the
//! link. Bandwidth is spent on the bytes actually sent, after compression. Owns no org data.

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::VARY;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use futures::stream::{self, StreamExt};
use http_body::{Frame, SizeHint};
use tokio::time::Instant;
use tower_http::compression::{CompressionLayer, CompressionLevel};

use super::{SandboxConfig, Shared};

/// The gzip and deflate level of answers over an unlimited link: level 1. Measured on the
/// project's 2-core machine, listing 20,000 users (200 pages of 100) through a release
/// build: level 1 sends 51 KB a page where a plain page is 256 KB, for no more process CPU
/// than sending it plain (0.74–0.81 s against 0.76–0.94 s: the bytes it saves cost
/// copying too); level 4 sends 37 KB for 0.3 s more, level 6 36 KB for 0.6 s more. On
/// loopback the bytes cost next to nothing, so level 1 is the only one that pays for itself.
const LEVEL_FOR_FREE_BYTES: i32 = 1;

/// The level when bytes cost link time: level 4, the knee of the curve (level 6 saves
/// 0.9 KB more a page for 2.4 ms more CPU). Its 14 KB a page saved over level 1 cost about
/// 1.5 ms of CPU, which pays below 14 KB × 8 / 1.5 ms ≈ 75 Mbit/s: at 50 Mbit/s and a 40 ms
/// round trip the 20,000 users took 1.5–2.0 s at level 4 and 2.0–2.3 s at level 1.
const LEVEL_FOR_SCARCE_BYTES: i32 = 4;

/// Below this bandwidth, the bytes level 4 saves are worth its CPU.
const SCARCE_BELOW_MBIT: f64 = 75.0;

/// The compression level for a link of `bandwidth` (`None`: unlimited).
fn compression_level(bandwidth: Option<Bandwidth>) -> CompressionLevel {
    match bandwidth {
        Some(b) if b.mbit() < SCARCE_BELOW_MBIT => {
            CompressionLevel::Precise(LEVEL_FOR_SCARCE_BYTES)
        }
        _ => CompressionLevel::Precise(LEVEL_FOR_FREE_BYTES),
    }
}

/// How much of a body is sent at a time against the shared bandwidth: small enough that
/// concurrent answers interleave finely, large enough that the bookkeeping is negligible.
const PIECE_BYTES: usize = 16 * 1024;

/// A link's bandwidth, in bits per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bandwidth {
    bits_per_second: f64,
}

/// Why a bandwidth could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error(
    "invalid bandwidth {input:?}: expected megabits per second, at least 0.001, e.g. 50 or 0.5"
)]
pub struct BandwidthParseError {
    /// The text that was given.
    pub input: String,
}

impl Bandwidth {
    /// The slowest link simulated: a kilobit per second (a 16 KB piece then takes two
    /// minutes; anything slower is a stalled link, which `--latency-ms` simulates better).
    pub const MIN_MBIT: f64 = 0.001;

    /// `megabits` million bits per second; `None` unless it is a finite number of at least
    /// [`MIN_MBIT`](Self::MIN_MBIT).
    pub fn from_mbit(megabits: f64) -> Option<Bandwidth> {
        (megabits.is_finite() && megabits >= Self::MIN_MBIT).then_some(Bandwidth {
            bits_per_second: megabits * 1e6,
        })
    }

    /// In megabits per second.
    pub fn mbit(self) -> f64 {
        self.bits_per_second / 1e6
    }

    /// How long `bytes` take to go through (at most `Duration::MAX`).
    pub fn time_for(self, bytes: usize) -> Duration {
        Duration::try_from_secs_f64(bytes as f64 * 8.0 / self.bits_per_second)
            .unwrap_or(Duration::MAX)
    }
}

impl std::str::FromStr for Bandwidth {
    type Err = BandwidthParseError;

    /// Reads megabits per second: `"50"`, `"0.5"`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim()
            .parse::<f64>()
            .ok()
            .and_then(Bandwidth::from_mbit)
            .ok_or_else(|| BandwidthParseError {
                input: text.to_owned(),
            })
    }
}

impl std::fmt::Display for Bandwidth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} Mbit/s", self.mbit())
    }
}

/// The simulated link of one sandbox.
pub(crate) struct Link {
    latency: Duration,
    jitter: Duration,
    /// Its own dice, so that turning jitter on leaves the fault dice's sequence as it was.
    jitter_rng: Mutex<fastrand::Rng>,
    bandwidth: Option<Arc<SharedBandwidth>>,
}

impl Link {
    pub fn new(config: &SandboxConfig) -> Link {
        Link {
            latency: config.latency,
            jitter: config.jitter,
            jitter_rng: Mutex::new(fastrand::Rng::with_seed(config.seed ^ 0x717e)),
            bandwidth: config.bandwidth.map(|bandwidth| {
                Arc::new(SharedBandwidth {
                    bandwidth,
                    free_at: Mutex::new(Instant::now()),
                })
            }),
        }
    }

    /// The round trip of one request: the latency, plus up to `jitter` more at random.
    pub fn round_trip(&self) -> Duration {
        if self.jitter.is_zero() {
            return self.latency;
        }
        let most = u64::try_from(self.jitter.as_micros()).unwrap_or(u64::MAX);
        let extra = self
            .jitter_rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .u64(0..=most);
        self.latency.saturating_add(Duration::from_micros(extra))
    }
}

/// One budget of bytes for every answer: a token bucket without burst, kept as the instant
/// the link is next free. Each piece reserves its transmission time after what was reserved
/// before it, whichever connection it belongs to, and is let through once that time is over.
struct SharedBandwidth {
    bandwidth: Bandwidth,
    free_at: Mutex<Instant>,
}

impl SharedBandwidth {
    /// Waits until `bytes` have gone through the link, after everything sent before them.
    async fn send(&self, bytes: usize) {
        let done = {
            let mut free_at = self.free_at.lock().unwrap_or_else(PoisonError::into_inner);
            let start = (*free_at).max(Instant::now());
            let transfer = self.bandwidth.time_for(bytes);
            // Bounded by the slowest bandwidth and the piece size; never an overflow.
            *free_at = start.checked_add(transfer).unwrap_or(start);
            *free_at
        };
        tokio::time::sleep_until(done).await;
    }
}

/// The router behind the link: `Vary` on every answer, compression as the service answers,
/// and around them the bandwidth and the count of bytes sent, which so see compressed bytes.
pub(crate) fn around(router: Router, shared: Arc<Shared>) -> Router {
    let level = compression_level(shared.config.bandwidth);
    router
        .layer(axum::middleware::map_response(varies_with_encoding))
        .layer(CompressionLayer::new().quality(level))
        .layer(axum::middleware::from_fn_with_state(shared, outbound))
}

/// Every answer says it varies with `Accept-Encoding`, as Datadog's do (even an empty 429),
/// in the recordings' spelling; the compression layer then adds no second one.
async fn varies_with_encoding(mut response: Response) -> Response {
    response
        .headers_mut()
        .append(VARY, HeaderValue::from_static("Accept-Encoding"));
    response
}

/// An answer's body goes through the shared bandwidth, when there is one, and its bytes as
/// sent are counted (`SandboxStats::bytes_sent`).
async fn outbound(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let body = match shared.link.bandwidth.clone() {
        Some(bandwidth) => throttled(body, bandwidth),
        None => body,
    };
    Response::from_parts(parts, Body::new(Counted { body, shared }))
}

/// A body that adds the bytes it yields to the sandbox's count, and is otherwise the body
/// it wraps (its length still known, so a plain answer keeps its `Content-Length`).
struct Counted {
    body: Body,
    shared: Arc<Shared>,
}

impl HttpBody for Counted {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            if let Some(data) = frame.data_ref() {
                let sent = &self.shared.stats.bytes_sent;
                sent.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// `body`, let through the shared bandwidth [`PIECE_BYTES`] at a time.
fn throttled(body: Body, bandwidth: Arc<SharedBandwidth>) -> Body {
    let pieces = body.into_data_stream().flat_map(|chunk| {
        let pieces: Vec<Result<Bytes, axum::Error>> = match chunk {
            Ok(bytes) => (0..bytes.len())
                .step_by(PIECE_BYTES)
                .map(|at| Ok(bytes.slice(at..(at + PIECE_BYTES).min(bytes.len()))))
                .collect(),
            Err(error) => vec![Err(error)],
        };
        stream::iter(pieces)
    });
    let paced = pieces.then(move |piece| {
        let bandwidth = Arc::clone(&bandwidth);
        async move {
            if let Ok(bytes) = &piece {
                bandwidth.send(bytes.len()).await;
            }
            piece
        }
    });
    Body::from_stream(paced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_reads_megabits_and_refuses_nonsense() {
        let fifty: Bandwidth = "50".parse().unwrap();
        assert_eq!(fifty.to_string(), "50 Mbit/s");
        assert_eq!(fifty.time_for(6_250_000), Duration::from_secs(1));
        assert_eq!("0.5".parse::<Bandwidth>().unwrap().mbit(), 0.5);
        for bad in ["0", "-3", "0.0001", "fast", "", "inf", "NaN"] {
            assert!(bad.parse::<Bandwidth>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bytes_are_compressed_harder_only_where_the_link_makes_them_cost() {
        let level = |mbit: Option<f64>| compression_level(mbit.and_then(Bandwidth::from_mbit));
        assert_eq!(level(None), CompressionLevel::Precise(1));
        assert_eq!(level(Some(1000.0)), CompressionLevel::Precise(1));
        assert_eq!(level(Some(50.0)), CompressionLevel::Precise(4));
    }

    #[tokio::test(start_paused = true)]
    async fn the_bandwidth_is_one_budget_for_every_sender() {
        let link = SharedBandwidth {
            bandwidth: Bandwidth::from_mbit(8.0).unwrap(), // 1 MB/s
            free_at: Mutex::new(Instant::now()),
        };
        let started = Instant::now();
        link.send(100_000).await;
        assert_eq!(started.elapsed(), Duration::from_millis(100));
        // Two senders at once share it: both done after both pieces' time.
        let started = Instant::now();
        tokio::join!(link.send(100_000), link.send(100_000));
        assert_eq!(started.elapsed(), Duration::from_millis(200));
    }

    #[test]
    fn jitter_adds_up_to_its_amount_to_the_latency() {
        let config = SandboxConfig {
            latency: Duration::from_millis(40),
            jitter: Duration::from_millis(10),
            ..SandboxConfig::default()
        };
        let link = Link::new(&config);
        let trips: Vec<Duration> = (0..200).map(|_| link.round_trip()).collect();
        assert!(trips.iter().all(|t| *t >= Duration::from_millis(40)));
        assert!(trips.iter().all(|t| *t <= Duration::from_millis(50)));
        assert!(trips.iter().any(|t| *t > Duration::from_millis(45)));
        assert!(trips.iter().any(|t| *t < Duration::from_millis(45)));
    }
}
