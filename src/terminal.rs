//! Taking over the terminal and giving it back: raw mode, alternate screen, bracketed paste
//! and mouse capture on the way in; all of it undone on quit, on panic (a hook chained after
//! color-eyre's) and on SIGTERM/SIGHUP (the loop quits, then `restore` runs).

use std::io::{self, Stdout};

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

/// Enters raw mode and the alternate screen, with paste and mouse reporting.
pub fn setup() -> io::Result<Tui> {
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
    screen.and(raw)
}

/// Restores the terminal before the previous panic hook (color-eyre's) prints its report.
/// Install after color-eyre.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = restore();
        previous(info);
    }));
}
