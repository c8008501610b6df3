//! The help overlay, generated from the keymap (the same table the footer reads).

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::app::command;
use crate::app::keymap;
use crate::app::state::State;

use crate::ui::text::fit;
use crate::ui::theme::Theme;
use crate::ui::{block, centered};

pub(super) fn draw_help(frame: &mut Frame, area: Rect, scroll: u16, state: &State, theme: &Theme) {
    let rect = centered(area, 76, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let reason = state.read_only_reason();
    let mut lines = Vec::new();
    if let Some(reason) = &reason {
        lines.push(Line::styled(
            format!("Changes are unavailable: {reason}"),
            theme.warn,
        ));
        lines.push(Line::from(""));
    }
    for section in keymap::help(reason.as_deref()) {
        lines.push(Line::styled(section.title, theme.header));
        for line in section.lines {
            let style = if line.unavailable.is_some() {
                theme.dim
            } else {
                Style::new()
            };
            let mut spans = vec![
                Span::styled(format!("  {} ", fit(&line.keys, 16)), theme.title),
                Span::styled(line.help, style),
            ];
            if line.unavailable.is_some() {
                spans.push(Span::styled(" (unavailable)", theme.dim));
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::from(""));
    }
    lines.extend(command_lines(reason.is_some(), theme));
    let para = Paragraph::new(lines)
        .block(block(" Help — j/k scroll, Esc closes ", true, theme))
        .scroll((scroll, 0));
    frame.render_widget(para, rect);
}

/// The width of the usage column of the commands.
const USAGE_WIDTH: usize = 16;

/// The `:` commands, from the table the command line runs them from.
fn command_lines(changes_blocked: bool, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Commands (after :)", theme.header)];
    for spec in command::table() {
        let unavailable = changes_blocked && spec.writes();
        let style = if unavailable { theme.dim } else { Style::new() };
        let mut about = vec![Span::styled(spec.about, style)];
        if unavailable {
            about.push(Span::styled(" (unavailable)", theme.dim));
        }
        // Usages line up; a long one puts what it does on the next line.
        if spec.usage.chars().count() <= USAGE_WIDTH {
            let mut spans = vec![Span::styled(
                format!("  {:<USAGE_WIDTH$} ", spec.usage),
                theme.title,
            )];
            spans.extend(about);
            lines.push(Line::from(spans));
        } else {
            lines.push(Line::styled(format!("  {}", spec.usage), theme.title));
            let mut spans = vec![Span::raw(format!("  {:<USAGE_WIDTH$} ", ""))];
            spans.extend(about);
            lines.push(Line::from(spans));
        }
    }
    lines
}
