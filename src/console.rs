//! The console's entry point for `main`: takes over the terminal, runs the loop with the
//! effects queue over the given client, and gives the terminal back however it ends.

use std::sync::{Arc, Mutex};

use color_eyre::eyre::WrapErr;
use crossterm::event::EventStream;

use crate::api::Client;
use crate::app::{Options, State};
use crate::effects::{EffectsQueue, QueueOptions};
use crate::runtime::{unix_now, Interrupted, Runtime, StopSignal, StopSignals};
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
}

/// The initial state for these options.
pub fn initial_state(options: &ConsoleOptions, monochrome: bool) -> State {
    State::new(
        Options {
            origin_label: options.origin_label.clone(),
            monochrome,
        },
        unix_now(),
    )
}

/// Runs the full-screen console until the user quits, or a stop signal (SIGINT, SIGTERM,
/// SIGHUP, SIGQUIT) ends it with [`Interrupted`] — naming the run it left unfinished, which
/// its journaled intents let `ddusers resume` finish. Install color-eyre before calling
/// this; the terminal is restored on every way out, a panic included.
pub async fn run_console(client: Client, options: ConsoleOptions) -> color_eyre::Result<()> {
    let monochrome =
        options.monochrome || no_color_requested(std::env::var("NO_COLOR").ok().as_deref());
    let (queue, msgs) = EffectsQueue::new(
        client,
        QueueOptions {
            read_only: options.read_only,
            journal: options.journal.clone(),
            origin: options.address.clone(),
            ..Default::default()
        },
    );
    terminal::install_panic_hook();
    // Listen before taking the terminal, so no signal can leave it raw. In raw mode Ctrl-C
    // is a key; SIGINT comes from `kill -INT`.
    let mut signals = StopSignals::listen(&[
        StopSignal::Interrupt,
        StopSignal::Terminate,
        StopSignal::Hangup,
        StopSignal::Quit,
    ])
    .wrap_err("could not listen for SIGINT, SIGTERM, SIGHUP and SIGQUIT")?;
    let terminal = terminal::setup()?;
    let mut runtime = Runtime::new(terminal, initial_state(&options, monochrome), queue, msgs);
    let quit = runtime.quit_token();
    let heard = Arc::new(Mutex::new(None::<StopSignal>));
    let heard_in = heard.clone();
    let listener = tokio::spawn(async move {
        let Some(signal) = signals.next().await else {
            return;
        };
        *heard_in.lock().unwrap_or_else(|e| e.into_inner()) = Some(signal);
        quit.cancel();
        // A second signal while the loop winds down (cancelling what is in flight) ends
        // the process at once; the journal's intents still let a resume finish the run.
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
    });
    let result = runtime.run(EventStream::new()).await;
    listener.abort();
    let restored = terminal::restore();
    result?;
    restored?;
    let signal = *heard.lock().unwrap_or_else(|e| e.into_inner());
    match signal {
        None => Ok(()),
        Some(signal) => {
            let unfinished = runtime
                .state
                .run
                .as_ref()
                .filter(|progress| !progress.finished);
            Err(Interrupted {
                signal,
                run: unfinished.and_then(|progress| progress.run.clone()),
                left: unfinished.map_or(0, |progress| progress.tally().unfinished),
            }
            .into())
        }
    }
}
