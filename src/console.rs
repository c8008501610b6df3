//! The console's entry point for `main`: takes over the terminal, runs the loop with the
//! effects queue over the given client, and gives the terminal back however it ends.

use crossterm::event::EventStream;

use crate::api::Client;
use crate::app::{Options, State};
use crate::effects::{EffectsQueue, QueueOptions};
use crate::runtime::{unix_now, Runtime};
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

/// Runs the full-screen console until the user quits (or SIGTERM/SIGHUP). Install
/// color-eyre before calling this; the terminal is restored on every way out.
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
    let terminal = terminal::setup()?;
    let mut runtime = Runtime::new(terminal, initial_state(&options, monochrome), queue, msgs);
    let quit = runtime.quit_token();
    let signals = tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut term), Ok(mut hup)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::hangup()),
            ) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            quit.cancel();
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            quit.cancel();
        }
    });
    let result = runtime.run(EventStream::new()).await;
    signals.abort();
    let restored = terminal::restore();
    result?;
    restored?;
    Ok(())
}
