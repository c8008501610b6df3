//! The one event loop, generic over the ratatui backend and the input stream: terminal
//! events become `Msg`s (through the keymap), `update` runs, its effects go to the queue, the
//! queue's answers come back as `Msg`s. It redraws only when something changed, at most
//! every ~16 ms. Tests drive it with a `TestBackend` and scripted events. Also the signals
//! that end a process ([`StopSignals`]), and the error that says what one left undone.

use std::time::{Duration, Instant};

use crossterm::event::{
    Event, KeyCode as CtKey, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use futures::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use crate::app::{self, keymap, Action, Context, Key, KeyCode, Msg, State};
use crate::effects::EffectsQueue;

const FRAME: Duration = Duration::from_millis(16);
const TICK: Duration = Duration::from_millis(200);
/// The longest the loop spends on queued messages before it looks at input and the screen.
const DRAIN_BUDGET: Duration = Duration::from_millis(8);

/// A signal that asks ddusers to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopSignal {
    /// SIGINT (`kill -INT`; Ctrl-C outside raw mode).
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// SIGHUP (the terminal went away).
    Hangup,
    /// SIGQUIT.
    Quit,
}

impl StopSignal {
    /// Its usual name, `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
            StopSignal::Hangup => "SIGHUP",
            StopSignal::Quit => "SIGQUIT",
        }
    }

    /// The exit code of a process it stopped, as shells report one killed by it:
    /// 128 + the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            StopSignal::Hangup => 129,
            StopSignal::Interrupt => 130,
            StopSignal::Quit => 131,
            StopSignal::Terminate => 143,
        }
    }
}

/// Listens for stop signals. Once listened for, a signal no longer ends the process by
/// itself (tokio keeps the handler for the process's life): whoever listens must act.
pub struct StopSignals {
    #[cfg(unix)]
    listeners: Vec<(StopSignal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    /// Starts listening for `signals` (outside unix only SIGINT, as Ctrl-C, is heard).
    /// Needs a tokio runtime.
    pub fn listen(signals: &[StopSignal]) -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let listeners = signals
                .iter()
                .map(|&which| {
                    let kind = match which {
                        StopSignal::Interrupt => SignalKind::interrupt(),
                        StopSignal::Terminate => SignalKind::terminate(),
                        StopSignal::Hangup => SignalKind::hangup(),
                        StopSignal::Quit => SignalKind::quit(),
                    };
                    signal(kind).map(|listener| (which, listener))
                })
                .collect::<std::io::Result<_>>()?;
            Ok(StopSignals { listeners })
        }
        #[cfg(not(unix))]
        {
            let _ = signals;
            Ok(StopSignals {})
        }
    }

    /// The next signal; `None` when nothing is listened for or the runtime shuts down.
    pub async fn next(&mut self) -> Option<StopSignal> {
        #[cfg(unix)]
        {
            if self.listeners.is_empty() {
                return None;
            }
            let waits = self.listeners.iter_mut().map(|(which, listener)| {
                let which = *which;
                Box::pin(async move { listener.recv().await.map(|()| which) })
            });
            futures::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c()
                .await
                .ok()
                .map(|()| StopSignal::Interrupt)
        }
    }
}

/// A signal stopped the process; what it left unfinished, and how to finish it.
#[derive(Debug, thiserror::Error)]
pub struct Interrupted {
    pub signal: StopSignal,
    /// The run under way, if one was.
    pub run: Option<crate::runs::RunId>,
    /// Its items left unfinished.
    pub left: usize,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted by {}", self.signal.name())?;
        match &self.run {
            Some(run) if self.left > 0 => write!(
                f,
                "; {} of run {run} left unfinished — `ddusers resume {run}` finishes them (or J → r in the console)",
                crate::words::count(self.left, "item")
            ),
            _ => Ok(()),
        }
    }
}

/// Why the console's loop ended before the person quit.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The terminal backend could not draw a frame (its error, in words: backends' error
    /// types differ).
    #[error("drawing failed: {0}")]
    Draw(String),
    /// The terminal's event stream failed.
    #[error("reading the terminal failed")]
    Input(#[source] std::io::Error),
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A terminal key as our own key type (`None` for releases and keys we do not use).
pub fn key_from(event: KeyEvent) -> Option<Key> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let code = match event.code {
        CtKey::Char(c) => KeyCode::Char(c),
        CtKey::Enter => KeyCode::Enter,
        CtKey::Esc => KeyCode::Esc,
        CtKey::Tab => KeyCode::Tab,
        CtKey::BackTab => KeyCode::BackTab,
        CtKey::Backspace => KeyCode::Backspace,
        CtKey::Delete => KeyCode::Delete,
        CtKey::Up => KeyCode::Up,
        CtKey::Down => KeyCode::Down,
        CtKey::Left => KeyCode::Left,
        CtKey::Right => KeyCode::Right,
        CtKey::Home => KeyCode::Home,
        CtKey::End => KeyCode::End,
        CtKey::PageUp => KeyCode::PageUp,
        CtKey::PageDown => KeyCode::PageDown,
        CtKey::F(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(Key {
        code,
        ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
        alt: event.modifiers.contains(KeyModifiers::ALT),
    })
}

/// What a terminal event means for the app right now.
pub fn event_to_msg(state: &State, event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => keymap::resolve(state, key_from(key)?).map(Msg::Action),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::Mouse(mouse) => {
            let browsing = matches!(state.context(), Context::Browse | Context::Review);
            match mouse.kind {
                MouseEventKind::ScrollDown if browsing => Some(Msg::Action(Action::Down)),
                MouseEventKind::ScrollUp if browsing => Some(Msg::Action(Action::Up)),
                MouseEventKind::Down(MouseButton::Left) if browsing => state
                    .screen()
                    .table_row_at(mouse.column, mouse.row)
                    .map(|row| Msg::Action(Action::ClickRow(row))),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The running console.
pub struct Runtime<B: Backend> {
    pub terminal: Terminal<B>,
    pub state: State,
    queue: EffectsQueue,
    msgs: UnboundedReceiver<Msg>,
    dirty: bool,
    quit: CancellationToken,
    clock: fn() -> i64,
    /// Where escape sequences beside the drawing go (the clipboard's OSC 52): the
    /// terminal's stdout in the console, nowhere by default, a buffer in tests.
    terminal_out: Box<dyn std::io::Write + Send>,
}

impl<B: Backend> Runtime<B> {
    pub fn new(
        terminal: Terminal<B>,
        state: State,
        queue: EffectsQueue,
        msgs: UnboundedReceiver<Msg>,
    ) -> Self {
        Runtime {
            terminal,
            state,
            queue,
            msgs,
            dirty: true,
            quit: CancellationToken::new(),
            clock: unix_now,
            terminal_out: Box::new(std::io::sink()),
        }
    }

    /// Writes escape sequences that are not drawing (the clipboard's) to `out`.
    pub fn with_terminal_writer(mut self, out: Box<dyn std::io::Write + Send>) -> Self {
        self.terminal_out = out;
        self
    }

    /// Sends effects to the queue, apart from those only the terminal can carry out.
    fn submit(&mut self, effects: Vec<app::Effect>) {
        for effect in effects {
            match effect {
                app::Effect::CopyToClipboard { text } => {
                    // A terminal without OSC 52 ignores it; nothing else can be done.
                    let _ = crate::terminal::copy_to_clipboard(&mut self.terminal_out, &text);
                }
                other => self.queue.submit(other),
            }
        }
    }

    /// Uses `clock` for ticks (tests pin time).
    pub fn with_clock(mut self, clock: fn() -> i64) -> Self {
        self.clock = clock;
        self
    }

    /// Cancel this token to make the loop quit (SIGTERM does).
    pub fn quit_token(&self) -> CancellationToken {
        self.quit.clone()
    }

    /// Sends the startup effects and learns the terminal size.
    pub fn start(&mut self) {
        if let Ok(size) = self.terminal.size() {
            self.dispatch(Msg::Resize {
                width: size.width,
                height: size.height,
            });
        }
        let effects = app::init(&mut self.state);
        self.submit(effects);
        self.dirty = true;
    }

    /// Runs one message through `update` and its effects into the queue.
    pub fn dispatch(&mut self, msg: Msg) {
        let effects = app::update(&mut self.state, msg);
        self.submit(effects);
        self.dirty = true;
    }

    /// Handles one terminal event.
    pub fn handle_event(&mut self, event: Event) {
        if let Event::Resize(..) = event {
            let _ = self.terminal.autoresize();
        }
        if let Some(msg) = event_to_msg(&self.state, event) {
            self.dispatch(msg);
        }
    }

    /// Draws the state now.
    pub fn draw(&mut self) -> Result<(), RuntimeError> {
        let state = &self.state;
        self.terminal
            .draw(|frame| crate::ui::draw(frame, state))
            .map_err(|e| RuntimeError::Draw(e.to_string()))?;
        self.dirty = false;
        Ok(())
    }

    fn drain(&mut self) {
        // Take what is already waiting before drawing again (pages arrive in bursts), but
        // for no longer than about half a frame, so a keystroke never waits behind a
        // burst of pages.
        let deadline = Instant::now() + DRAIN_BUDGET;
        for _ in 0..512 {
            match self.msgs.try_recv() {
                Ok(msg) => self.dispatch(msg),
                Err(_) => break,
            }
            if Instant::now() >= deadline {
                break;
            }
        }
    }

    fn tick(&mut self) {
        let animating = self.state.is_animating();
        let now = (self.clock)();
        let effects = app::update(&mut self.state, Msg::Tick { now });
        self.submit(effects);
        if animating {
            self.dirty = true;
        }
    }

    /// The loop: until quit, the input ends, or the quit token is cancelled.
    pub async fn run<S>(&mut self, mut input: S) -> Result<(), RuntimeError>
    where
        S: Stream<Item = std::io::Result<Event>> + Unpin,
    {
        self.start();
        let mut ticker = tokio::time::interval(TICK);
        let mut last_draw = Instant::now() - FRAME;
        while !self.state.should_quit {
            let mut wait = Duration::from_secs(3600);
            if self.dirty {
                let since = last_draw.elapsed();
                if since >= FRAME {
                    self.draw()?;
                    last_draw = Instant::now();
                } else {
                    wait = FRAME - since;
                }
            }
            tokio::select! {
                event = input.next() => match event {
                    Some(Ok(event)) => self.handle_event(event),
                    Some(Err(error)) => {
                        self.queue.shutdown().await;
                        return Err(RuntimeError::Input(error));
                    }
                    None => break,
                },
                Some(msg) = self.msgs.recv() => {
                    self.dispatch(msg);
                    self.drain();
                }
                _ = ticker.tick() => self.tick(),
                _ = tokio::time::sleep(wait), if self.dirty => {}
                _ = self.quit.cancelled() => break,
            }
        }
        self.queue.shutdown().await;
        Ok(())
    }

    /// For tests: processes queue messages until `done(state)` or `timeout`; draws at the
    /// end. True when `done` held.
    pub async fn run_until(
        &mut self,
        timeout: Duration,
        done: impl Fn(&State) -> bool,
    ) -> Result<bool, RuntimeError> {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.state) {
            match tokio::time::timeout_at(deadline, self.msgs.recv()).await {
                Ok(Some(msg)) => self.dispatch(msg),
                Ok(None) | Err(_) => break,
            }
        }
        self.draw()?;
        Ok(done(&self.state))
    }

    /// For tests: types `keys` (each char one key press; see `press`).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(Key::ch(c));
        }
    }

    /// For tests: one key press, through the keymap like a real one.
    pub fn press(&mut self, key: Key) {
        if let Some(action) = keymap::resolve(&self.state, key) {
            self.dispatch(Msg::Action(action));
        }
    }

    /// Stops everything in flight.
    pub async fn shutdown(&self) {
        self.queue.shutdown().await;
    }
}
