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
///
/// The alternate screen is cleared, with the cursor home, before it is left: a terminal
/// that was resized meanwhile (tmux, grown from 100×24 to 160×48) fits the alternate
/// screen back to the shell screen's old size when leaving, and what the alternate screen
/// still held above the cursor could end up on the shell's screen. Empty, it leaves nothing.
pub fn restore() -> io::Result<()> {
    let mut stdout = io::stdout();
    if TAKEN.load(Ordering::SeqCst) {
        // Only while the alternate screen is ours: never clear the shell's screen.
        let _ = execute!(
            stdout,
            Clear(ClearType::All),
            crossterm::cursor::MoveTo(0, 0)
        );
    }
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

/// Puts `text` on the clipboard through the terminal: the OSC 52 sequence, which terminals
/// that support it (and tmux with `set-clipboard on`) turn into a copy; others ignore it.
pub fn copy_to_clipboard(out: &mut dyn Write, text: &str) -> io::Result<()> {
    write!(out, "\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()))?;
    out.flush()
}

/// Standard base64 with padding (what OSC 52 carries).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clipboard_sequence_carries_the_text_in_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"u01\nu02"), "dTAxCnUwMg==");
        let mut out = Vec::new();
        copy_to_clipboard(&mut out, "u01").expect("a buffer takes it");
        assert_eq!(out, b"\x1b]52;c;dTAx\x07");
    }
}
