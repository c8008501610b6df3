//! The `:` command palette: the line being typed (in the footer's row) and above it the
//! commands or argument values that match, each command with its description from the
//! command table; the chosen one highlighted. Its key hints come from the keymap.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use crate::app::command::table;
use crate::app::keymap;
use crate::app::palette::{suggestions, Suggestions};
use crate::app::state::{CommandLine, Context, State};

use super::draw_input_line;
use crate::ui::block;
use crate::ui::text::fit;
use crate::ui::theme::Theme;

/// The popup's widest.
const MAX_WIDTH: u16 = 80;
/// The name column of the command list.
const NAME_WIDTH: usize = 12;

pub(super) fn draw_palette(
    frame: &mut Frame,
    area: Rect,
    hints: Rect,
    line: &CommandLine,
    state: &State,
    theme: &Theme,
) {
    frame.render_widget(Clear, hints);
    draw_input_line(frame, hints, ":", &line.input, theme.title, theme);
    let found = suggestions(state, line.typed());
    // Above the command line, as high as its lines, within the screen.
    let room = hints.y.saturating_sub(area.y + 1);
    if room < 3 {
        return;
    }
    let width = MAX_WIDTH.min(area.width);
    let body = body_lines(
        &found,
        line,
        state,
        theme,
        usize::from(width.saturating_sub(2)),
    );
    // At most half the screen, so the list stays in view above it.
    let most = (area.height / 2).max(3);
    let height = ((body.len() as u16).saturating_add(2)).min(most).min(room);
    let rect = Rect::new(area.x, hints.y - height, width, height);
    frame.render_widget(Clear, rect);
    let outer = block(title(line), true, theme).title_bottom(key_hints(state));
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    let rows = usize::from(inner.height).max(1);
    let start = line.choice.saturating_sub(rows - 1);
    let shown: Vec<Line> = body.into_iter().skip(start).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

/// " Commands " while the name is typed, then the command's usage.
fn title(line: &CommandLine) -> String {
    let name = line.typed().split_whitespace().next().unwrap_or_default();
    let typing_name = !line.typed().trim_start().contains(char::is_whitespace);
    match table().find(|spec| spec.names.contains(&name)) {
        Some(spec) if !typing_name => format!(" {} ", spec.usage),
        _ => " Commands ".to_owned(),
    }
}

/// The palette's keys, from the keymap (the footer's row holds the line being typed).
fn key_hints(state: &State) -> Line<'static> {
    let blocked = state.read_only_reason().is_some();
    let words: Vec<String> = keymap::footer(Context::Command, blocked)
        .iter()
        .map(|hint| format!("{} {}", hint.keys, hint.label))
        .collect();
    Line::from(format!(" {} ", words.join("  ")))
}

/// One line per suggestion; with none, what the command does (or that none matches).
fn body_lines(
    found: &Suggestions,
    line: &CommandLine,
    state: &State,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'static>> {
    if found.items.is_empty() {
        let name = line.typed().split_whitespace().next().unwrap_or_default();
        let text = match table().find(|spec| spec.names.contains(&name)) {
            Some(spec) => format!(" {} — {}", spec.usage, spec.about),
            None if name.is_empty() => " Type a command".to_owned(),
            None => format!(" No command matches {name:?}"),
        };
        return vec![Line::styled(fit(&text, width), theme.dim)];
    }
    let blocked = state.read_only_reason().is_some();
    found
        .items
        .iter()
        .enumerate()
        .map(|(n, item)| {
            let chosen = n == line.choice;
            let unavailable = blocked && item.writes;
            let style = match (chosen, unavailable) {
                (true, _) => theme.selected,
                (false, true) => theme.dim,
                (false, false) => Style::new(),
            };
            // The choice is marked in words too, for terminals without colour.
            let marker = if chosen { "›" } else { " " };
            let text = if found.names {
                let about = if unavailable {
                    format!("{} (unavailable)", item.about)
                } else {
                    item.about.to_owned()
                };
                format!("{marker} {} {about}", fit(&item.text, NAME_WIDTH))
            } else {
                format!("{marker} {}", item.text)
            };
            Line::from(Span::styled(fit(&text, width), style))
        })
        .collect()
}
