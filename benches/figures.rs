//! Every figure of issue 5 in one command: `cargo bench` (or `cargo bench --bench figures`).
//!
//! Everything runs in-process against the built-in sandbox on 127.0.0.1; the memory figure
//! runs the console in a child process (this binary, re-executed) so its peak RSS is its own.
//!
//! Knobs (environment):
//! - `DDUSERS_BENCH_USERS` — org size (default 100000); e.g. 10000 for a quick try.
//! - `DDUSERS_BENCH_RUNS` — runs of each listing and first-rows figure (default 3 / 7).
//! - `DDUSERS_BENCH_SAMPLES` — samples of each keystroke and frame figure (default 100).
//! - `DDUSERS_BENCH_SKIP_BULK=1` — skip the bulk disable (it takes ~90 s by design).
//! - `DDUSERS_BENCH_ONLY=listing,first,memory,filter,frame,review,bulk,sandbox` — run a
//!   subset.

use ddusers::app::msg::{LoadMsg, RunMsg};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use ddusers::api::models::{UserId, UserStatus, UsersResponse};
use ddusers::api::{Client, ClientOptions, ListUsersQuery};
use ddusers::app::{self, DetailData, Effect, Key, KeyCode, Msg, Options, State};
use ddusers::config::Credentials;
use ddusers::effects::{EffectsQueue, QueueOptions};
use ddusers::runs::{check, Change, Draft, GateOptions, ItemResult};
use ddusers::runtime::Runtime;
use ddusers::sandbox::{RateLimitSpec, Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY};
use futures::StreamExt;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const PAGE: u32 = 100;
const MEMORY_CHILD: &str = "--ddusers-memory-child";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn wanted(part: &str) -> bool {
    match std::env::var("DDUSERS_BENCH_ONLY") {
        Ok(list) if !list.trim().is_empty() => list.split(',').any(|p| p.trim() == part),
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------
// Statistics and the report

/// Samples in milliseconds.
struct Dist(Vec<f64>);

impl Dist {
    fn new(mut v: Vec<f64>) -> Dist {
        v.sort_by(|a, b| a.total_cmp(b));
        Dist(v)
    }
    fn from_durations(v: &[Duration]) -> Dist {
        Dist::new(v.iter().map(|d| d.as_secs_f64() * 1e3).collect())
    }
    /// Nearest-rank percentile.
    fn pct(&self, p: f64) -> f64 {
        if self.0.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.0.len() as f64).ceil() as usize;
        self.0[rank.clamp(1, self.0.len()) - 1]
    }
    fn median(&self) -> f64 {
        let n = self.0.len();
        if n == 0 {
            return f64::NAN;
        }
        if n % 2 == 1 {
            self.0[n / 2]
        } else {
            (self.0[n / 2 - 1] + self.0[n / 2]) / 2.0
        }
    }
    fn min(&self) -> f64 {
        self.0.first().copied().unwrap_or(f64::NAN)
    }
    fn max(&self) -> f64 {
        self.0.last().copied().unwrap_or(f64::NAN)
    }
    fn n(&self) -> usize {
        self.0.len()
    }
}

fn ms(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1} s", v / 1e3)
    } else if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 1.0 {
        format!("{v:.2} ms")
    } else {
        format!("{:.0} µs", v * 1e3)
    }
}

fn range(d: &Dist) -> String {
    format!("{}–{} (n={})", ms(d.min()), ms(d.max()), d.n())
}

#[derive(Default)]
struct Report {
    rows: Vec<[String; 5]>,
}

impl Report {
    fn row(
        &mut self,
        figure: &str,
        value: String,
        spread: String,
        baseline: String,
        target: String,
    ) {
        eprintln!("  {figure}: {value}  [{spread}]  {baseline}  {target}");
        self.rows
            .push([figure.to_owned(), value, spread, baseline, target]);
    }

    fn print(&self, users: usize) {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "\n## ddusers figures — {} users, {} CPUs\n",
            users,
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        let _ = writeln!(
            out,
            "| figure | median | spread | baseline / ratio | target |"
        );
        let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
        for r in &self.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r[0], r[1], r[2], r[3], r[4]
            );
        }
        println!("{out}");
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

// ---------------------------------------------------------------------------------------
// Set-up helpers

async fn sandbox(users: usize, latency: Duration, rate_limit: Option<RateLimitSpec>) -> Sandbox {
    Sandbox::start(SandboxConfig {
        port: 0,
        users,
        seed: 7,
        latency,
        rate_limit,
        ..Default::default()
    })
    .await
    .expect("the sandbox starts on 127.0.0.1")
}

fn client_for(url: &str) -> Client {
    let url = url.parse().expect("sandbox URL");
    Client::new(ClientOptions::new(
        url,
        Credentials::new(DEMO_API_KEY, DEMO_ADMIN_APP_KEY),
    ))
    .expect("client")
}

fn new_state() -> State {
    State::new(
        Options {
            origin_label: "bench".into(),
            monochrome: false,
            demo: false,
        },
        ddusers::runtime::unix_now(),
    )
}

/// Every page of the org, in page order, fetched once.
async fn all_pages(client: &Client) -> Vec<UsersResponse> {
    let mut pages: Vec<(u64, UsersResponse)> = Vec::new();
    let mut stream = client.user_pages(ListUsersQuery::default(), client.page_concurrency());
    while let Some(page) = stream.next().await {
        let page = page.expect("page");
        pages.push((page.number, page.response));
    }
    pages.sort_by_key(|(n, _)| *n);
    pages.into_iter().map(|(_, r)| r).collect()
}

/// A state holding every page, loaded through `update` as the console does.
fn loaded_state(pages: &[UsersResponse], width: u16, height: u16) -> State {
    loaded_state_timed(pages, width, height).0
}

/// The same, with the time `update` took for each page.
fn loaded_state_timed(pages: &[UsersResponse], width: u16, height: u16) -> (State, Vec<Duration>) {
    let mut times = Vec::with_capacity(pages.len());
    let mut state = new_state();
    app::update(&mut state, Msg::Resize { width, height });
    let request_id = ddusers::app::effect::RequestId(1);
    state.load.request.issue(request_id);
    state.next_id = 2;
    let total_pages = Some(pages.len() as u64);
    for (number, response) in pages.iter().enumerate() {
        let msg = Msg::Load(LoadMsg::UsersPage {
            request_id,
            number: number as u64,
            total_pages,
            response: response.clone(),
        });
        let start = Instant::now();
        app::update(&mut state, msg);
        times.push(start.elapsed());
    }
    app::update(&mut state, Msg::Load(LoadMsg::UsersLoaded { request_id }));
    (state, times)
}

fn press(state: &mut State, key: Key) -> Vec<Effect> {
    match app::keymap::resolve(state, key) {
        Some(action) => app::update(state, Msg::Action(action)),
        None => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------
// 1. Full listing

async fn sequential_listing(client: &Client) -> usize {
    // Like the official clients' "with pagination" helpers: page after page until a short one.
    let query = ListUsersQuery {
        page_size: Some(PAGE),
        ..Default::default()
    };
    let mut users = 0;
    let mut number = 0;
    loop {
        let page = client
            .list_users(&query.at_page(number))
            .await
            .expect("page");
        users += page.data.len();
        if page.data.len() < PAGE as usize {
            return users;
        }
        number += 1;
    }
}

async fn concurrent_listing(client: &Client) -> usize {
    let query = ListUsersQuery {
        page_size: Some(PAGE),
        ..Default::default()
    };
    let mut stream = client.user_pages(query, client.page_concurrency());
    let mut users = 0;
    while let Some(page) = stream.next().await {
        users += page.expect("page").response.data.len();
    }
    users
}

async fn bench_listing(report: &mut Report, users: usize, runs: usize) {
    for latency_ms in [0u64, 20] {
        eprintln!("listing at {latency_ms} ms latency ({runs} runs each)…");
        let sb = sandbox(users, Duration::from_millis(latency_ms), None).await;
        let client = client_for(&sb.base_url());
        let mut seq = Vec::new();
        let mut conc = Vec::new();
        let (mut seq_req, mut conc_req, mut listed) = (0, 0, 0);
        for _ in 0..runs {
            let before = sb.stats().requests;
            let start = Instant::now();
            listed = sequential_listing(&client).await;
            seq.push(start.elapsed());
            seq_req = sb.stats().requests - before;

            let before = sb.stats().requests;
            let start = Instant::now();
            let n = concurrent_listing(&client).await;
            conc.push(start.elapsed());
            conc_req = sb.stats().requests - before;
            assert_eq!(n, listed, "both pagers list every user");
        }
        let (s, c) = (Dist::from_durations(&seq), Dist::from_durations(&conc));
        let pages = (listed as u64).div_ceil(u64::from(PAGE));
        let retries = conc_req.saturating_sub(pages);
        let speedup = s.median() / c.median();
        let target = if latency_ms == 20 {
            format!(
                "≥ 5× and no 429s: {}",
                verdict(speedup >= 5.0 && retries == 0)
            )
        } else {
            String::new()
        };
        report.row(
            &format!(
                "1. full listing, {latency_ms} ms latency, concurrent pager ({} at once)",
                client.page_concurrency()
            ),
            ms(c.median()),
            format!(
                "{}; {conc_req} requests ({retries} beyond the {pages} pages); {:.0} users/s",
                range(&c),
                listed as f64 / (c.median() / 1e3)
            ),
            format!("{:.1}× faster than sequential", speedup),
            target,
        );
        report.row(
            &format!("1. full listing, {latency_ms} ms latency, sequential pager (baseline)"),
            ms(s.median()),
            format!(
                "{}; {seq_req} requests; {:.0} users/s",
                range(&s),
                listed as f64 / (s.median() / 1e3)
            ),
            "1.0×".into(),
            String::new(),
        );
        sb.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------------
// 2. Time to first rows

async fn bench_first_rows(report: &mut Report, sb: &Sandbox, runs: usize) {
    eprintln!("time to first rows ({runs} runs)…");
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let client = client_for(&sb.base_url());
        let (queue, msgs) = EffectsQueue::new(client, QueueOptions::default());
        let terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        let mut runtime = Runtime::new(terminal, new_state(), queue, msgs);
        runtime.start();
        let shown = runtime
            .run_until(Duration::from_secs(30), |s| !s.view.rows.is_empty())
            .await
            .expect("draws");
        samples.push(start.elapsed());
        assert!(shown, "the first page arrives");
        runtime.shutdown().await;
    }
    let d = Dist::from_durations(&samples);
    report.row(
        "2. time to first rows (console launch → first page drawn, 200×50)",
        ms(d.median()),
        range(&d),
        String::new(),
        format!("≤ 300 ms: {}", verdict(d.max() <= 300.0)),
    );
}

// ---------------------------------------------------------------------------------------
// 3. Memory (in a child process)

fn proc_status_kb(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The child: runs the console (runtime, effects queue, client, TestBackend) against the
/// parent's sandbox until every user is loaded, then opens `:audit admins`, then (the
/// baseline: what `:audit` did before the console's org became the one model) reads the
/// whole org a second time, and prints its RSS figures after each step.
fn memory_child(url: &str) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let client = client_for(url);
        let (queue, msgs) = EffectsQueue::new(client, QueueOptions::default());
        let terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
        let mut runtime = Runtime::new(terminal, new_state(), queue, msgs);
        let baseline = proc_status_kb("VmRSS:").unwrap_or(0);
        runtime.start();
        let done = runtime
            .run_until(Duration::from_secs(300), |s| s.load.done)
            .await
            .expect("draws");
        assert!(done, "every user loads");
        let loaded = runtime.state.store.len();
        let peak = proc_status_kb("VmHWM:").unwrap_or(0);
        let rss = proc_status_kb("VmRSS:").unwrap_or(0);
        runtime.press(Key::plain(KeyCode::Char(':')));
        runtime.type_text("audit admins");
        runtime.press(Key::plain(KeyCode::Enter));
        let opened = runtime
            .run_until(Duration::from_secs(60), |s| s.audit.active.is_some())
            .await
            .expect("draws");
        assert!(opened, "the audit view opens");
        let audit_peak = proc_status_kb("VmHWM:").unwrap_or(0);
        // Baseline: a second, whole read of the org held beside the console's.
        let reread = ddusers::org::load::load_org(&client_for(url), "bench")
            .await
            .expect("the org reads");
        let reread_peak = proc_status_kb("VmHWM:").unwrap_or(0);
        drop(reread);
        println!("MEMORY {baseline} {peak} {rss} {loaded} {audit_peak} {reread_peak}");
        runtime.shutdown().await;
    });
}

async fn bench_memory(report: &mut Report, sb: &Sandbox, runs: usize) {
    eprintln!("memory ({runs} child processes)…");
    let exe = std::env::current_exe().expect("this bench's path");
    let mut peaks = Vec::new();
    let mut deltas = Vec::new();
    let mut audit_peaks = Vec::new();
    let mut reread_peaks = Vec::new();
    let mut loaded = 0;
    for _ in 0..runs {
        let url = sb.base_url();
        let exe = exe.clone();
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new(exe)
                .arg(MEMORY_CHILD)
                .arg(url)
                .output()
        });
        let out = out.await.expect("join").expect("the child runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().find(|l| l.starts_with("MEMORY ")) else {
            eprintln!(
                "memory child failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        };
        let v: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|n| n.parse().ok())
            .collect();
        if v.len() < 6 {
            eprintln!("memory child said too little: {line}");
            return;
        }
        peaks.push(v[1] as f64 / 1024.0);
        deltas.push((v[1].saturating_sub(v[0])) as f64 / 1024.0);
        loaded = v[3];
        audit_peaks.push(v[4] as f64 / 1024.0);
        reread_peaks.push(v[5] as f64 / 1024.0);
    }
    let p = Dist::new(peaks);
    let d = Dist::new(deltas);
    report.row(
        &format!("3. memory: peak RSS of the console process with {loaded} users loaded"),
        format!("{:.0} MB", p.median()),
        format!(
            "{:.0}–{:.0} MB (n={}); above the idle process: {:.0} MB",
            p.min(),
            p.max(),
            p.n(),
            d.median()
        ),
        String::new(),
        format!("≤ 150 MB: {}", verdict(p.max() <= 150.0)),
    );
    let a = Dist::new(audit_peaks);
    let r = Dist::new(reread_peaks);
    report.row(
        &format!("3b. memory: peak RSS with {loaded} users loaded and :audit admins open"),
        format!("{:.0} MB", a.median()),
        format!("{:.0}–{:.0} MB (n={})", a.min(), a.max(), a.n()),
        format!(
            "{:.0} MB reading the org again for the view (before: 529 MB measured)",
            r.median()
        ),
        format!("≤ 150 MB: {}", verdict(a.max() <= 150.0)),
    );
}

// ---------------------------------------------------------------------------------------
// 4. Filter and sort

fn keystroke_samples(state: &mut State, samples: usize, prefix: &str, key: Key) -> (Dist, usize) {
    let mut times = Vec::with_capacity(samples);
    let mut shown = 0;
    for _ in 0..samples {
        // Reach `prefix` as a person would have: the filter open, the text typed.
        press(state, Key::plain(KeyCode::Esc));
        press(state, Key::plain(KeyCode::Esc));
        press(state, Key::ch('/'));
        if !prefix.is_empty() {
            app::update(state, Msg::Paste(prefix.to_owned()));
        }
        let start = Instant::now();
        let effects = press(state, key);
        times.push(start.elapsed());
        assert!(
            effects.is_empty(),
            "a keystroke over a loaded org asks nothing of the network"
        );
        shown = state.view.rows.len();
    }
    press(state, Key::plain(KeyCode::Esc));
    press(state, Key::plain(KeyCode::Esc));
    (Dist::from_durations(&times), shown)
}

fn bench_filter(report: &mut Report, pages: &[UsersResponse], samples: usize) {
    eprintln!("filter and sort ({samples} samples each)…");
    let (mut state, ingest) = loaded_state_timed(pages, 200, 50);
    let n = state.store.len();
    let d = Dist::from_durations(&ingest);
    report.row(
        &format!("4. one page of 100 arriving: `update` while {n} users stream in"),
        ms(d.median()),
        format!(
            "p99 {}; {}; all pages {}",
            ms(d.pct(99.0)),
            range(&d),
            ms(d.0.iter().sum())
        ),
        String::new(),
        String::new(),
    );
    // A long query that matches someone: most of a real email.
    let email = state
        .store
        .get((n / 2) as u32)
        .map(|u| u.email.to_string())
        .unwrap_or_else(|| "someone@example.org".into());
    let long: String = email.chars().take(18).collect();
    let (long_prefix, long_last) = long.split_at(long.len() - 1);
    let last = long_last.chars().next().unwrap_or('a');
    let cases: Vec<(String, String, Key)> = vec![
        ("first keystroke \"a\"".into(), String::new(), Key::ch('a')),
        ("second keystroke \"al\"".into(), "a".into(), Key::ch('l')),
        (
            format!("last keystroke of \"{long}\""),
            long_prefix.to_owned(),
            Key::ch(last),
        ),
        (
            format!("backspace in \"{long}\""),
            long.clone(),
            Key::plain(KeyCode::Backspace),
        ),
        (
            "backspace to \"\" (from \"a\")".into(),
            "a".into(),
            Key::plain(KeyCode::Backspace),
        ),
    ];
    for (what, prefix, key) in cases {
        let (d, shown) = keystroke_samples(&mut state, samples, &prefix, key);
        report.row(
            &format!("4. filter keystroke over {n} users: {what} → {shown} shown"),
            ms(d.median()),
            format!("p99 {}; {}", ms(d.pct(99.0)), range(&d)),
            String::new(),
            format!("p99 ≤ 16 ms: {}", verdict(d.pct(99.0) <= 16.0)),
        );
    }
    // Re-sort: `s` cycles the column, `S` reverses.
    let mut by_key: Vec<(String, Vec<Duration>)> = Vec::new();
    let rounds = (samples / 8).max(3);
    for _ in 0..rounds {
        for _ in 0..8 {
            let start = Instant::now();
            press(&mut state, Key::ch('s'));
            let took = start.elapsed();
            let label = state.view.sort.key.label().to_owned();
            match by_key.iter_mut().find(|(l, _)| *l == label) {
                Some((_, v)) => v.push(took),
                None => by_key.push((label, vec![took])),
            }
        }
    }
    let mut all = Vec::new();
    for (label, v) in &by_key {
        all.extend_from_slice(v);
        let d = Dist::from_durations(v);
        report.row(
            &format!("4. re-sort by {label} (`s`) over {n} users"),
            ms(d.median()),
            format!("p99 {}; {}", ms(d.pct(99.0)), range(&d)),
            String::new(),
            String::new(),
        );
    }
    let mut rev = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        press(&mut state, Key::ch('S'));
        rev.push(start.elapsed());
    }
    let d = Dist::from_durations(&rev);
    report.row(
        &format!(
            "4. reverse sort (`S`, by {}) over {n} users",
            state.view.sort.key.label()
        ),
        ms(d.median()),
        format!("p99 {}; {}", ms(d.pct(99.0)), range(&d)),
        String::new(),
        String::new(),
    );
}

// ---------------------------------------------------------------------------------------
// 4b. An access review of every user, open as the list

/// A review of every user of `state`'s org (scope `all`), open in the console; how long
/// opening took.
fn open_review(state: &mut State) -> Duration {
    use ddusers::app::msg::ReviewMsg;
    use ddusers::app::state::OpenedReview;
    use ddusers::review::population::{start, Start};
    let scope = ddusers::review::Scope::parse("all").expect("a scope");
    let review = start(
        &state.store,
        Start {
            name: "bench",
            scope: &scope,
            started_at: time::OffsetDateTime::now_utc(),
            started_by: None,
            snapshot_file: "bench.json",
            snapshot_sha256: "0",
            content_sha256: None,
        },
    )
    .expect("the review starts");
    let opened = OpenedReview {
        path: "bench-review.json".into(),
        review,
        decider: "bench".into(),
        note: None,
    };
    let start = Instant::now();
    app::update(state, Msg::Review(ReviewMsg::Opened(Ok(Box::new(opened)))));
    start.elapsed()
}

/// `samples` times: `keys` timed; the review writes they ask for land after each sample
/// when `land` says so (else they pile up, as when the disk is slow).
fn review_samples(state: &mut State, samples: usize, keys: &[Key], land: bool) -> Dist {
    use ddusers::app::msg::ReviewMsg;
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let mut effects = Vec::new();
        let start = Instant::now();
        for key in keys {
            effects.extend(press(state, *key));
        }
        times.push(start.elapsed());
        for effect in effects.into_iter().filter(|_| land) {
            if let Effect::WriteReview { lens, revision, .. } = effect {
                let result = Ok(());
                let saved = ReviewMsg::Saved {
                    lens,
                    revision,
                    result,
                };
                app::update(state, Msg::Review(saved));
            }
        }
    }
    Dist::from_durations(&times)
}

fn bench_review(report: &mut Report, pages: &[UsersResponse], samples: usize) {
    eprintln!("an access review ({samples} samples each)…");
    let mut state = loaded_state(pages, 200, 50);
    let opened = open_review(&mut state);
    let rows = state.review.active.as_ref().map_or(0, |l| l.rows.len());
    report.row(
        &format!("4b. open a review of {rows} rows"),
        ms(opened.as_secs_f64() * 1e3),
        String::new(),
        String::new(),
        String::new(),
    );
    // A keystroke's or a frame's figure, against one frame's time.
    let mut timed = |figure: String, d: Dist| {
        report.row(
            &figure,
            ms(d.median()),
            format!("p99 {}; {}", ms(d.pct(99.0)), range(&d)),
            String::new(),
            format!("p99 ≤ 16 ms: {}", verdict(d.pct(99.0) <= 16.0)),
        );
    };
    let enter = Key::plain(KeyCode::Enter);
    let cases: [(&str, Vec<Key>, bool); 5] = [
        ("move `j`", vec![Key::ch('j')], true),
        ("next undecided `n`", vec![Key::ch('n')], true),
        (
            "decide `d` Enter, each write landing",
            vec![Key::ch('d'), enter],
            true,
        ),
        (
            "decide `d` Enter, no write landing (every unsaved row carried)",
            vec![Key::ch('d'), enter],
            false,
        ),
        ("mark `space`", vec![Key::ch(' ')], true),
    ];
    for (what, keys, land) in cases {
        let d = review_samples(&mut state, samples, &keys, land);
        timed(format!("4b. review of {rows} rows: {what}"), d);
    }
    // The filter's first keystroke: every row looked at again, as in the users' list.
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        press(&mut state, Key::ch('/'));
        let start = Instant::now();
        press(&mut state, Key::ch('a'));
        times.push(start.elapsed());
        press(&mut state, Key::plain(KeyCode::Esc));
    }
    let d = Dist::from_durations(&times);
    timed(
        format!("4b. review of {rows} rows: filter keystroke \"a\""),
        d,
    );
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let d = draw_samples(&mut terminal, &mut state, samples);
    timed(format!("4b. frame 200×50, review of {rows} rows"), d);
}

// ---------------------------------------------------------------------------------------
// 5. Frames

fn draw_samples(terminal: &mut Terminal<TestBackend>, state: &mut State, samples: usize) -> Dist {
    let mut times = Vec::with_capacity(samples);
    for i in 0..samples {
        // Something changes between frames, as it does when a person scrolls.
        let key = if (i / 20) % 2 == 0 { 'j' } else { 'k' };
        press(state, Key::ch(key));
        let start = Instant::now();
        terminal
            .draw(|frame| ddusers::ui::draw(frame, state))
            .expect("draw");
        times.push(start.elapsed());
    }
    Dist::from_durations(&times)
}

async fn bench_frames(
    report: &mut Report,
    pages: &[UsersResponse],
    client: &Client,
    samples: usize,
) {
    eprintln!("frames ({samples} samples each)…");
    let mut state = loaded_state(pages, 200, 50);
    let n = state.store.len();
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let d = draw_samples(&mut terminal, &mut state, samples);
    report.row(
        &format!("5. frame 200×50, list pane, {n} users, top of the list"),
        ms(d.median()),
        format!("p99 {}; {}", ms(d.pct(99.0)), range(&d)),
        String::new(),
        format!("≤ 2 ms: {}", verdict(d.median() <= 2.0)),
    );
    press(&mut state, Key::ch('G'));
    let d = draw_samples(&mut terminal, &mut state, samples);
    report.row(
        &format!("5. frame 200×50, list pane, {n} users, bottom of the list"),
        ms(d.median()),
        format!("p99 {}; {}", ms(d.pct(99.0)), range(&d)),
        String::new(),
        format!("≤ 2 ms: {}", verdict(d.median() <= 2.0)),
    );
    // The detail pane beside the list, with the user's real detail.
    press(&mut state, Key::ch('g'));
    let effects = press(&mut state, Key::plain(KeyCode::Enter));
    for effect in effects {
        if let Effect::LoadDetail {
            request_id,
            user_id,
        } = effect
        {
            let user = client.get_user(&user_id).await.expect("get user");
            let permissions = client
                .list_user_permissions(&user_id)
                .await
                .map(|p| p.data)
                .unwrap_or_default();
            app::update(
                &mut state,
                Msg::Detail {
                    request_id,
                    user_id,
                    result: Ok(Box::new(DetailData {
                        user: user.data,
                        included: user.included,
                        orgs: vec!["bench org".into()],
                        permissions,
                    })),
                },
            );
        }
    }
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        terminal
            .draw(|frame| ddusers::ui::draw(frame, &state))
            .expect("draw");
        times.push(start.elapsed());
    }
    let d = Dist::from_durations(&times);
    report.row(
        &format!("5. frame 200×50, list + detail pane, {n} users"),
        ms(d.median()),
        format!("p99 {}; {}", ms(d.pct(99.0)), range(&d)),
        String::new(),
        String::new(),
    );
}

// ---------------------------------------------------------------------------------------
// 6. Bulk disable under a rate limit

async fn bench_bulk(report: &mut Report) {
    let count = 1000usize;
    let spec = RateLimitSpec {
        requests: 100,
        period_secs: 10,
    };
    eprintln!("bulk disable of {count} users at 100 writes / 10 s (about 90 s)…");
    let sb = sandbox(count + 200, Duration::ZERO, Some(spec)).await;
    let client = client_for(&sb.base_url());
    let me = client.get_current_user().await.expect("me").data.id;
    let users = client
        .list_all_users(ListUsersQuery {
            status: vec![UserStatus::Active, UserStatus::Pending],
            ..Default::default()
        })
        .await
        .expect("list");
    let ids: Vec<UserId> = users
        .into_iter()
        .map(|u| u.id)
        .filter(|id| *id != me)
        .take(count)
        .collect();
    assert_eq!(ids.len(), count, "enough users to disable");
    // Wait for a fresh window so the figure does not depend on where we start in one.
    let period = u64::from(spec.period_secs);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock");
    let into = now.as_secs_f64() % period as f64;
    tokio::time::sleep(Duration::from_secs_f64(period as f64 - into + 0.05)).await;
    let writes_before = sb.stats().write_requests;
    let requests_before = sb.stats().requests;
    let (queue, mut msgs) = EffectsQueue::new(client, QueueOptions::default());
    let start = Instant::now();
    // The whole pipeline, as the console runs it: read the facts, check, apply.
    let changes = ids
        .into_iter()
        .map(|user| Change::Disable { user })
        .collect();
    let draft = Draft::new("disable (bench)", changes);
    queue.submit(Effect::Prepare {
        plan: app::PlanId(1),
        draft: Box::new(draft.clone()),
    });
    let facts = loop {
        match msgs.recv().await {
            Some(Msg::Run(RunMsg::Prepared { result, .. })) => break result.expect("facts"),
            Some(_) => {}
            None => panic!("the queue stopped"),
        }
    };
    let plan = check(&draft, &facts, GateOptions::default())
        .into_plan()
        .expect("the gate lets the bench's disable through");
    queue.submit(Effect::Apply {
        ticket: app::Ticket(2),
        plan: Box::new(plan),
    });
    let (mut done, mut failed) = (0, 0);
    while let Some(msg) = msgs.recv().await {
        match msg {
            Msg::Run(RunMsg::Item { report, .. }) => match report.result {
                ItemResult::Failed { reason } => {
                    failed += 1;
                    if failed <= 3 {
                        eprintln!("  bulk item failed: {reason}");
                    }
                }
                _ => done += 1,
            },
            Msg::Run(RunMsg::Ended { .. }) => break,
            _ => {}
        }
    }
    let took = start.elapsed().as_secs_f64();
    queue.shutdown().await;
    let writes = sb.stats().write_requests - writes_before;
    let requests = sb.stats().requests - requests_before;
    // Starting at a window's start: 100 writes now, then one window per further 100.
    let imposed = ((count as u64).div_ceil(u64::from(spec.requests)) - 1) * period;
    let ratio = took / imposed as f64;
    report.row(
        &format!("6. bulk disable of {count} users, rate limit 100/10 s"),
        format!("{took:.1} s"),
        format!(
            "n=1; {done} done, {failed} failed; {writes} write requests ({} refused 429), {requests} requests in all",
            writes.saturating_sub(count as u64)
        ),
        format!("rate limit alone: {imposed} s; ratio {ratio:.2}"),
        format!("within 20%: {}", verdict(ratio <= 1.2 && failed == 0)),
    );
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// 7. Sandbox throughput

async fn bench_sandbox(report: &mut Report, sb: &Sandbox, users: usize, runs: usize) {
    let per_run = 2000usize;
    eprintln!("sandbox list pages ({runs} runs of {per_run} requests)…");
    let http = reqwest::Client::new();
    let pages = users.div_ceil(PAGE as usize).max(1);
    for (label, extra) in [
        ("default sort (name)", ""),
        ("sort=-email", "&sort=-email"),
        ("filter[status]=Pending", "&filter%5Bstatus%5D=Pending"),
    ] {
        let mut rates = Vec::new();
        let mut bytes = 0usize;
        for run in 0..runs {
            let mut rng = fastrand::Rng::with_seed(run as u64);
            let urls: Vec<String> = (0..per_run)
                .map(|_| {
                    format!(
                        "{}/api/v2/users?page%5Bsize%5D={PAGE}&page%5Bnumber%5D={}{extra}",
                        sb.base_url(),
                        rng.usize(0..pages)
                    )
                })
                .collect();
            let start = Instant::now();
            let sizes: Vec<usize> = futures::stream::iter(urls)
                .map(|url| {
                    let http = http.clone();
                    async move {
                        let response = http
                            .get(url)
                            .header("dd-api-key", DEMO_API_KEY)
                            .header("dd-application-key", DEMO_ADMIN_APP_KEY)
                            .send()
                            .await
                            .expect("request");
                        assert!(response.status().is_success(), "{}", response.status());
                        response.bytes().await.expect("body").len()
                    }
                })
                .buffer_unordered(8)
                .collect()
                .await;
            let secs = start.elapsed().as_secs_f64();
            rates.push(per_run as f64 / secs);
            bytes = sizes.iter().sum::<usize>() / sizes.len().max(1);
        }
        let d = Dist::new(rates);
        report.row(
            &format!(
                "7. sandbox: list pages of {users} users, {label}, 8 at once, random page numbers"
            ),
            format!("{:.0} req/s", d.median()),
            format!(
                "{:.0}–{:.0} req/s (n={}); {} KB per page",
                d.min(),
                d.max(),
                d.n(),
                bytes / 1024
            ),
            String::new(),
            String::new(),
        );
    }
}

// ---------------------------------------------------------------------------------------

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == MEMORY_CHILD) {
        memory_child(args.get(pos + 1).expect("sandbox URL"));
        return;
    }
    let users = env_usize("DDUSERS_BENCH_USERS", 100_000);
    let runs = env_usize("DDUSERS_BENCH_RUNS", 3).max(1);
    let samples = env_usize("DDUSERS_BENCH_SAMPLES", 100).max(5);
    let skip_bulk =
        std::env::var("DDUSERS_BENCH_SKIP_BULK").is_ok_and(|v| v != "0" && !v.is_empty());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut report = Report::default();
    rt.block_on(async {
        if wanted("listing") {
            bench_listing(&mut report, users, runs).await;
        }
        let need_org = ["first", "memory", "filter", "frame", "review", "sandbox"]
            .iter()
            .any(|p| wanted(p));
        if need_org {
            eprintln!("starting a {users}-user sandbox…");
            // It measures speed, not rate limits: thousands of pages a second must not
            // meet the default limit (10,000 a 10-second window) mid-run.
            let unlimited = RateLimitSpec {
                requests: u32::MAX,
                period_secs: 1,
            };
            let sb = sandbox(users, Duration::ZERO, Some(unlimited)).await;
            if wanted("first") {
                bench_first_rows(&mut report, &sb, runs.max(7)).await;
            }
            if wanted("memory") {
                bench_memory(&mut report, &sb, runs).await;
            }
            if wanted("filter") || wanted("frame") || wanted("review") {
                let client = client_for(&sb.base_url());
                let pages = all_pages(&client).await;
                if wanted("filter") {
                    bench_filter(&mut report, &pages, samples);
                }
                if wanted("frame") {
                    bench_frames(&mut report, &pages, &client, samples).await;
                }
                if wanted("review") {
                    bench_review(&mut report, &pages, samples);
                }
            }
            if wanted("sandbox") {
                bench_sandbox(&mut report, &sb, users, runs).await;
            }
            sb.shutdown().await;
        }
        if wanted("bulk") {
            if skip_bulk {
                eprintln!("bulk disable skipped (DDUSERS_BENCH_SKIP_BULK)");
            } else {
                bench_bulk(&mut report).await;
            }
        }
    });
    report.print(users);
}
