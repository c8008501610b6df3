//! Taking over the terminal and giving it back: raw mode, alternate screen, bracketed paste
//! and mouse capture on the way in; all of it undone on quit, on a stop signal (SIGINT,
//! SIGTERM, SIGHUP, SIGQUIT: the loop quits, then `restore` runs) and on a panic — in any
//! thread or task — after which the process ends (a hook chained after color-eyre's).

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// The real terminal.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// True while the terminal is ours: the panic hook gives it back only then, so a panic in
/// a scripting command prints no escape codes into its output.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The exit code after a panic (what an unwinding `main` gives).
pub const PANIC_EXIT_CODE: i32 = 101;

/// Enters raw mode and the alternate screen, with paste and mouse reporting.
pub fn setup() -> io::Result<Tui> {
    TAKEN.store(true, Ordering::SeqCst);
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(error) = execute!(
        stdout,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture
    ) {
        let _ = restore();
        return Err(error);
    }
    // Clear with crossterm rather than `Terminal::clear`, which asks the terminal for the
    // cursor position and fails on terminals (or pty harnesses) that never answer.
    if let Err(error) = execute!(stdout, Clear(ClearType::All)) {
        let _ = restore();
        return Err(error);
    }
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Gives the terminal back as it was. Safe to call more than once.
pub fn restore() -> io::Result<()> {
    let mut stdout = io::stdout();
    let screen = execute!(
        stdout,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let raw = disable_raw_mode();
    TAKEN.store(false, Ordering::SeqCst);
    screen.and(raw)
}

/// Makes every panic, in any thread or tokio task, restore the terminal (when it was
/// taken), let the previous hook (color-eyre's) print its report, and end the process with
/// code 101. Without the exit, a panic in a spawned task (the effects queue) is caught by
/// tokio and the console keeps drawing over a shell that has its terminal back. Install
/// after color-eyre; installing again does nothing.
pub fn install_panic_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Hold stdout to the end: no other thread draws over the restored terminal.
            let stdout = io::stdout();
            let mut held = stdout.lock();
            if TAKEN.load(Ordering::SeqCst) {
                let _ = restore();
            }
            let _ = held.flush();
            previous(info);
            std::process::exit(PANIC_EXIT_CODE);
        }));
    });
}
