//! The users table: the columns and widths `app::columns::place` gives (the registry says
//! each cell's text and tone; here it is styled), the sort's direction in its column's
//! header, and rows for the visible window only, so a frame costs the same with 100,000
//! users loaded as with 100.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

use crate::app::columns::{place, CellContext, ColumnId, Placed, TableColumn, Tone};
use crate::app::state::State;
use crate::app::view::SortKey;
use crate::org::UserRecord;
use crate::runs::ItemResult;

use super::spinner;
use super::text::{self, fit};
use super::theme::Theme;

fn status_cell(user: &UserRecord, state: &State, theme: &Theme) -> (String, Style) {
    let label = user.status.label();
    let Some(run) = state.run.as_ref() else {
        return (label.to_owned(), theme.status(user.status));
    };
    match run.result_of(&user.id) {
        Some(None) if !run.finished => (format!("{} {label}", spinner(state)), theme.warn),
        Some(Some(result)) if result.is_settled() => {
            (format!("✓ {label}"), theme.status(user.status))
        }
        Some(Some(
            ItemResult::Failed { .. } | ItemResult::Partial { .. } | ItemResult::Unfinished { .. },
        )) => (format!("✗ {label}"), theme.error),
        _ => (label.to_owned(), theme.status(user.status)),
    }
}

/// Draws the table in `area`: its header, then `rows` users from the view's window.
pub(super) fn draw_table(frame: &mut Frame, area: Rect, rows: usize, state: &State, theme: &Theme) {
    let explain = state.explanation();
    let cols = place(
        &state.columns,
        explain.map(|(columns, _)| columns),
        state.view.sort.key,
        area.width,
    );
    let start = state.view.cursor.offset.min(state.view.rows.len());
    let end = (start + rows).min(state.view.rows.len());
    let body: Vec<Row> = state.view.rows[start..end]
        .iter()
        .enumerate()
        .filter_map(|(n, ix)| {
            let user = state.store.get(*ix)?;
            let explanation = explain.and_then(|(_, cells)| cells.get(ix));
            let row = user_row(user, explanation.map(|e| &e[..]), &cols, state, theme);
            let selected = start + n == state.view.cursor.pos;
            Some(if selected {
                row.style(theme.selected)
            } else {
                row
            })
        })
        .collect();
    let header = Row::new(
        cols.iter()
            .map(|p| Cell::from(header_cell(p, state)))
            .collect::<Vec<_>>(),
    )
    .style(theme.header);
    let widths: Vec<Constraint> = cols.iter().map(|p| Constraint::Length(p.width)).collect();
    let table = Table::new(body, widths).header(header).column_spacing(1);
    frame.render_widget(table, area);
    if state.view.rows.is_empty() {
        draw_empty_message(frame, area, state, theme);
    }
}

/// A column's header: its label, and on the sorted column the sort's direction
/// ("Last login ▼").
fn header_cell(placed: &Placed, state: &State) -> String {
    let width = usize::from(placed.width);
    match placed.column {
        TableColumn::Mark => String::new(),
        TableColumn::Explain(n) => state
            .explanation()
            .and_then(|(columns, _)| columns.labels.get(n))
            .map(|label| fit(label, width))
            .unwrap_or_default(),
        TableColumn::User(id) => {
            let spec = id.spec();
            if state.view.sort.key != SortKey::By(id) {
                return fit(spec.label, width);
            }
            let arrow = if state.view.sort.descending {
                "▼"
            } else {
                "▲"
            };
            let label = if text::width(spec.label) + 2 <= width {
                spec.label.to_owned()
            } else {
                fit(spec.label, width.saturating_sub(2))
            };
            fit(&format!("{label} {arrow}"), width)
        }
    }
}

/// One user's row.
fn user_row(
    user: &UserRecord,
    explanation: Option<&[String]>,
    cols: &[Placed],
    state: &State,
    theme: &Theme,
) -> Row<'static> {
    let marked = state.marks.contains(&user.id);
    let context = CellContext {
        org: &state.store,
        now: state.now,
    };
    let cells: Vec<Cell> = cols
        .iter()
        .map(|placed| {
            let width = usize::from(placed.width);
            match placed.column {
                TableColumn::Mark => {
                    Cell::from(Span::styled(if marked { "●" } else { " " }, theme.marked))
                }
                TableColumn::Explain(n) => {
                    let text = explanation
                        .and_then(|e| e.get(n))
                        .map_or("", |t| t.as_str());
                    Cell::from(fit(text, width))
                }
                TableColumn::User(id) => {
                    let spec = id.spec();
                    let text = (spec.cell)(context, user);
                    let (text, style) = styled(spec.tone, text, user, marked, state, theme);
                    // The columns the filter's free text searches show what it matched.
                    if matches!(id, ColumnId::Name | ColumnId::Email) {
                        Cell::from(matched_text(fit(&text, width), state, style, theme))
                    } else {
                        Cell::from(Span::styled(fit(&text, width), style))
                    }
                }
            }
        })
        .collect();
    Row::new(cells)
}

/// A cell's text and style for its tone.
fn styled(
    tone: Tone,
    text: String,
    user: &UserRecord,
    marked: bool,
    state: &State,
    theme: &Theme,
) -> (String, Style) {
    match tone {
        Tone::Plain => (text, Style::new()),
        Tone::Dim => (text, theme.dim),
        Tone::Status => status_cell(user, state, theme),
        Tone::Name if marked => (text, theme.marked),
        Tone::Name => (text, Style::new()),
        Tone::Mfa if user.mfa == Some(true) => (text, theme.ok),
        Tone::Mfa => (text, theme.dim),
    }
}

/// A cell's text with what the filter's free text matched highlighted (accents folded, so
/// `bjorn` lights up "Björn"). Only visible rows come here, so the cost stays per screen.
fn matched_text(text: String, state: &State, style: Style, theme: &Theme) -> Line<'static> {
    let needles = state.view.parsed.filter.highlights();
    let ranges = crate::org::filter::highlight_ranges(&text, &needles);
    if ranges.is_empty() {
        return Line::from(Span::styled(text, style));
    }
    let lit = style.patch(theme.header).add_modifier(Modifier::UNDERLINED);
    let mut spans = Vec::with_capacity(ranges.len() * 2 + 1);
    let mut at = 0;
    for range in ranges {
        if range.start > at {
            spans.push(Span::styled(text[at..range.start].to_owned(), style));
        }
        spans.push(Span::styled(text[range.clone()].to_owned(), lit));
        at = range.end;
    }
    if at < text.len() {
        spans.push(Span::styled(text[at..].to_owned(), style));
    }
    Line::from(spans)
}

/// Why the table is empty: still loading, no users at all, or none matches.
fn draw_empty_message(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let message = if !state.load.done && state.load.error.is_none() {
        format!("{} loading users…", spinner(state))
    } else if state.store.is_empty() {
        "No users.".to_owned()
    } else {
        "No user matches the filter and tab (Esc clears the filter).".to_owned()
    };
    let y = area.y + 2.min(area.height.saturating_sub(1));
    let line = Rect::new(area.x + 1, y, area.width.saturating_sub(2), 1);
    frame.render_widget(Paragraph::new(Span::styled(message, theme.dim)), line);
}
