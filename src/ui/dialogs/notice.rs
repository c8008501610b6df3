//! The demo org's start-up notice: its changes vanish on quit, and how to point ddusers at
//! a real org. Shown once, until the first key.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::ui::theme::Theme;
use crate::ui::{centered, popup};

/// The notice's lines: what the demo org is, and the way to a real one (the variables and
/// flags `config` and the README document).
const LINES: [&str; 5] = [
    "This is a demo org, built into ddusers: changes made here vanish when you quit.",
    "",
    "For a real org, set DD_API_KEY and DD_APP_KEY (and DD_SITE, e.g. datadoghq.eu) and run \
     ddusers again; --read-only looks without changing anything.",
    "",
    "Any key closes this.",
];

pub fn draw_demo_notice(frame: &mut Frame, area: Rect, theme: &Theme) {
    let rect = centered(area, 64, 10);
    let inner = popup(frame, rect, " Demo org ", theme);
    // A column of margin on each side: the notice is prose.
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let lines: Vec<Line> = LINES
        .iter()
        .enumerate()
        .map(|(n, text)| match n {
            0 => Line::styled(*text, theme.warn),
            4 => Line::styled(*text, theme.dim),
            _ => Line::from(*text),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}
