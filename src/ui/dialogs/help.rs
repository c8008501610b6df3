//! The help overlay, generated from the keymap (the same table the footer reads).

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::app::command;
use crate::app::help::matches;
use crate::app::keymap;
use crate::app::state::{HelpSearch, State};

use crate::ui::text::fit;
use crate::ui::theme::Theme;
use crate::ui::{block, centered};

pub(super) fn draw_help(
    frame: &mut Frame,
    area: Rect,
    scroll: u16,
    search: Option<&HelpSearch>,
    state: &State,
    theme: &Theme,
) {
    let rect = centered(area, 76, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let reason = state.read_only_reason();
    let query = search.map(|s| s.query.value()).unwrap_or_default();
    let mut lines = Vec::new();
    if let Some(reason) = &reason {
        lines.push(Line::styled(
            format!("Changes are unavailable: {reason}"),
            theme.warn,
        ));
        lines.push(Line::from(""));
    }
    for section in keymap::help(reason.as_deref()) {
        let shown: Vec<_> = section
            .lines
            .into_iter()
            .filter(|line| matches(query, &[&line.keys, line.help]))
            .collect();
        if shown.is_empty() {
            continue;
        }
        lines.push(Line::styled(section.title, theme.header));
        for line in shown {
            let style = if line.unavailable.is_some() {
                theme.dim
            } else {
                Style::new()
            };
            let mut spans = highlighted(
                format!("  {} ", fit(&line.keys, 16)),
                query,
                theme.title,
                theme,
            );
            spans.extend(highlighted(line.help.to_owned(), query, style, theme));
            if line.unavailable.is_some() {
                spans.push(Span::styled(" (unavailable)", theme.dim));
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::from(""));
    }
    lines.extend(command_lines(reason.is_some(), query, theme));
    let outer = block(" Help — j/k scroll, / search, Esc closes ", true, theme);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    let body = match search {
        Some(search) => draw_search_line(frame, inner, search, lines.is_empty(), theme),
        None => inner,
    };
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), body);
}

/// The search's line at the top of help; returns the room left below it.
fn draw_search_line(
    frame: &mut Frame,
    inner: Rect,
    search: &HelpSearch,
    nothing_found: bool,
    theme: &Theme,
) -> Rect {
    let [line, rest] = crate::ui::rows_then_rest::<2>(inner);
    if search.typing {
        super::draw_input_line(frame, line, "/", &search.query, theme.marked, theme);
    } else {
        let mut spans = vec![
            Span::styled("/", theme.title),
            Span::styled(search.query.value().to_owned(), theme.marked),
        ];
        if nothing_found {
            spans.push(Span::styled("  (nothing matches)", theme.dim));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), line);
    }
    rest
}

/// `text` as spans, the parts holding `query` (ignoring case) highlighted.
fn highlighted(text: String, query: &str, style: Style, theme: &Theme) -> Vec<Span<'static>> {
    let query = query.trim().to_lowercase();
    let lower = text.to_lowercase();
    // Lower-casing may change byte lengths (a few scripts): then nothing is highlighted.
    if query.is_empty() || lower.len() != text.len() {
        return vec![Span::styled(text, style)];
    }
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find(&query) {
        let start = at + found;
        let end = start + query.len();
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            break;
        }
        if start > at {
            spans.push(Span::styled(text[at..start].to_owned(), style));
        }
        spans.push(Span::styled(text[start..end].to_owned(), theme.marked));
        at = end;
    }
    if at < text.len() {
        spans.push(Span::styled(text[at..].to_owned(), style));
    }
    spans
}

/// The width of the usage column of the commands.
const USAGE_WIDTH: usize = 16;

/// The `:` commands, from the table the command line runs them from.
fn command_lines(changes_blocked: bool, query: &str, theme: &Theme) -> Vec<Line<'static>> {
    let specs: Vec<_> = command::table()
        .filter(|spec| matches(query, &[spec.usage, spec.about]))
        .collect();
    if specs.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![Line::styled("Commands (after :)", theme.header)];
    for spec in specs {
        let unavailable = changes_blocked && spec.writes();
        let style = if unavailable { theme.dim } else { Style::new() };
        let mut about = highlighted(spec.about.to_owned(), query, style, theme);
        if unavailable {
            about.push(Span::styled(" (unavailable)", theme.dim));
        }
        // Usages line up; a long one puts what it does on the next line.
        if spec.usage.chars().count() <= USAGE_WIDTH {
            let mut spans = highlighted(
                format!("  {:<USAGE_WIDTH$} ", spec.usage),
                query,
                theme.title,
                theme,
            );
            spans.extend(about);
            lines.push(Line::from(spans));
        } else {
            lines.push(Line::from(highlighted(
                format!("  {}", spec.usage),
                query,
                theme.title,
                theme,
            )));
            let mut spans = vec![Span::raw(format!("  {:<USAGE_WIDTH$} ", ""))];
            spans.extend(about);
            lines.push(Line::from(spans));
        }
    }
    lines
}
