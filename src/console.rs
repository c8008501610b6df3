//! The console's entry point for `main`: takes over the terminal, runs the loop with the
//! effects queue over the given client, and gives the terminal back however it ends.

use std::sync::{Arc, Mutex};

use crossterm::event::EventStream;
use tokio_util::sync::CancellationToken;

use crate::api::Client;
use crate::app::msg::{AuditMsg, ReviewMsg};
use crate::app::{Msg, Options, State};
use crate::effects::{EffectsQueue, QueueOptions};
use crate::runtime::{unix_now, Interrupted, Runtime, RuntimeError, StopSignal, StopSignals};
use crate::terminal;
use crate::ui::theme::no_color_requested;

/// How the console starts.
#[derive(Clone, Debug, Default)]
pub struct ConsoleOptions {
    /// Refuse every change (`--read-only`).
    pub read_only: bool,
    /// Where the users come from, shown in the title: "demo org — sandbox", or the site.
    pub origin_label: String,
    /// Force monochrome; otherwise NO_COLOR decides.
    pub monochrome: bool,
    /// Where changes are journaled (none: they are not).
    pub journal: Option<std::sync::Arc<crate::runs::Journal>>,
    /// The org's address for the journal: its base URL, never a key.
    pub address: String,
    /// A snapshot to compare the org with once it is loaded (`open NEW --diff OLD`).
    pub compare_with: Option<crate::app::state::DiffBase>,
    /// The org is the embedded demo sandbox (its changes vanish on quit).
    pub demo: bool,
    /// Where the console's settings (the columns) are remembered (none: they are not).
    pub settings: Option<std::path::PathBuf>,
    /// An access review to open as the list once the org is loaded (`review open`).
    pub review: Option<crate::app::state::OpenedReview>,
}

/// The initial state for these options.
pub fn initial_state(options: &ConsoleOptions, monochrome: bool) -> State {
    State::new(
        Options {
            origin_label: options.origin_label.clone(),
            monochrome,
            demo: options.demo,
        },
        unix_now(),
    )
}

/// Why the console ended other than by the person quitting.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// Stop signals could not be listened for, so the terminal could be left raw.
    #[error("could not listen for SIGINT, SIGTERM, SIGHUP and SIGQUIT")]
    Signals(#[source] std::io::Error),
    /// The terminal could not be set up (raw mode, alternate screen) or given back.
    #[error("the terminal could not be {what}")]
    Terminal {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The loop failed: drawing, or reading the terminal.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// A stop signal ended it; what it left unfinished.
    #[error("{0}")]
    Interrupted(#[from] Interrupted),
}

/// Runs the full-screen console until the user quits, or a stop signal (SIGINT, SIGTERM,
/// SIGHUP, SIGQUIT) ends it with [`ConsoleError::Interrupted`] — naming the run it left
/// unfinished, which its journaled intents let `ddusers resume` finish. The terminal is
/// restored on every way out, a panic included.
pub async fn run_console(client: Client, options: ConsoleOptions) -> Result<(), ConsoleError> {
    let monochrome =
        options.monochrome || no_color_requested(std::env::var("NO_COLOR").ok().as_deref());
    let (queue, msgs) = EffectsQueue::new(
        client,
        QueueOptions {
            read_only: options.read_only,
            journal: options.journal.clone(),
            origin: options.address.clone(),
            settings: options.settings.clone(),
            ..Default::default()
        },
    );
    terminal::install_panic_hook();
    // Listen before taking the terminal, so no signal can leave it raw. In raw mode Ctrl-C
    // is a key; SIGINT comes from `kill -INT`.
    let signals = StopSignals::listen(&[
        StopSignal::Interrupt,
        StopSignal::Terminate,
        StopSignal::Hangup,
        StopSignal::Quit,
    ])
    .map_err(ConsoleError::Signals)?;
    let terminal = terminal::setup().map_err(|source| ConsoleError::Terminal {
        what: "set up",
        source,
    })?;
    let mut runtime = Runtime::new(terminal, initial_state(&options, monochrome), queue, msgs)
        .with_terminal_writer(Box::new(std::io::stdout()));
    if let Some(base) = options.compare_with.clone() {
        // Waits in the state for the org to finish loading.
        runtime.dispatch(Msg::Audit(AuditMsg::DiffBase(Ok(Box::new(base)))));
    }
    if let Some(review) = options.review.clone() {
        // Waits in the state for the org to finish loading too.
        runtime.dispatch(Msg::Review(ReviewMsg::Opened(Ok(Box::new(review)))));
    }
    let heard = Arc::new(Mutex::new(None::<StopSignal>));
    let listener = tokio::spawn(quit_on_signals(
        signals,
        runtime.quit_token(),
        heard.clone(),
    ));
    let result = runtime.run(EventStream::new()).await;
    listener.abort();
    let restored = terminal::restore();
    result?;
    restored.map_err(|source| ConsoleError::Terminal {
        what: "restored",
        source,
    })?;
    let signal = *heard.lock().unwrap_or_else(|e| e.into_inner());
    match signal {
        None => Ok(()),
        Some(signal) => Err(interrupted(&runtime.state, signal).into()),
    }
}

/// The first stop signal ends the loop (noted in `heard`); a second one, while the loop
/// winds down cancelling what is in flight, ends the process at once — the journal's
/// intents still let a resume finish the run.
async fn quit_on_signals(
    mut signals: StopSignals,
    quit: CancellationToken,
    heard: Arc<Mutex<Option<StopSignal>>>,
) {
    let Some(signal) = signals.next().await else {
        return;
    };
    *heard.lock().unwrap_or_else(|e| e.into_inner()) = Some(signal);
    quit.cancel();
    if let Some(again) = signals.next().await {
        // Held to the end: the loop cannot draw over the restored terminal.
        let stdout = std::io::stdout();
        let _held = stdout.lock();
        let _ = terminal::restore();
        eprintln!(
            "interrupted by {} — unfinished runs stay in the journal (`ddusers journal`)",
            again.name()
        );
        std::process::exit(i32::from(again.exit_code()));
    }
}

/// What `signal` left undone: the run under way, if one was, and its unfinished items.
fn interrupted(state: &State, signal: StopSignal) -> Interrupted {
    let unfinished = state.run.as_ref().filter(|progress| !progress.finished);
    Interrupted {
        signal,
        run: unfinished.and_then(|progress| progress.run.clone()),
        left: unfinished.map_or(0, |progress| progress.tally().unfinished),
    }
}
