//! The users table: its columns at a given width, and rows for the visible window only, so
//! a frame costs the same with 100,000 users loaded as with 100.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

use crate::app::state::State;
use crate::org::UserRecord;
use crate::runs::ItemResult;

use super::spinner;
use super::text::fit;
use super::theme::Theme;

/// The table's columns at a given width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Mark,
    Status,
    Name,
    Email,
    Roles,
    Mfa,
    LastLogin,
    Created,
}

fn columns(width: u16) -> Vec<(Column, u16)> {
    use Column::*;
    let fixed: Vec<(Column, u16)> = if width < 70 {
        vec![(Mark, 1), (Status, 10)]
    } else if width < 100 {
        vec![(Mark, 1), (Status, 10), (LastLogin, 10)]
    } else {
        vec![
            (Mark, 1),
            (Status, 10),
            (Mfa, 3),
            (LastLogin, 10),
            (Created, 10),
        ]
    };
    let flexible: &[(Column, u16)] = if width < 70 {
        &[(Name, 4), (Email, 5)]
    } else {
        &[(Name, 4), (Email, 5), (Roles, 3)]
    };
    let count = fixed.len() + flexible.len();
    let spacing = count.saturating_sub(1) as u16;
    let used: u16 = fixed.iter().map(|(_, w)| w).sum::<u16>() + spacing;
    let room = width.saturating_sub(used);
    let weight: u16 = flexible.iter().map(|(_, w)| w).sum();
    let mut flex: Vec<(Column, u16)> = flexible
        .iter()
        .map(|(c, w)| (*c, room * w / weight))
        .collect();
    let given: u16 = flex.iter().map(|(_, w)| w).sum();
    if let Some(first) = flex.first_mut() {
        first.1 += room - given;
    }
    // Order on screen.
    let order = [Mark, Status, Name, Email, Roles, Mfa, LastLogin, Created];
    let mut all: Vec<(Column, u16)> = fixed.into_iter().chain(flex).collect();
    all.sort_by_key(|(c, _)| order.iter().position(|o| o == c));
    all
}

fn header_label(column: Column) -> &'static str {
    match column {
        Column::Mark => "",
        Column::Status => "Status",
        Column::Name => "Name",
        Column::Email => "Email",
        Column::Roles => "Roles",
        Column::Mfa => "MFA",
        Column::LastLogin => "Last login",
        Column::Created => "Created",
    }
}

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
    let cols = columns(area.width);
    let start = state.view.cursor.offset.min(state.view.rows.len());
    let end = (start + rows).min(state.view.rows.len());
    let body: Vec<Row> = state.view.rows[start..end]
        .iter()
        .enumerate()
        .filter_map(|(n, ix)| {
            let user = state.store.get(*ix)?;
            let row = user_row(user, &cols, state, theme);
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
            .map(|(c, w)| Cell::from(fit(header_label(*c), usize::from(*w))))
            .collect::<Vec<_>>(),
    )
    .style(theme.header);
    let widths: Vec<Constraint> = cols.iter().map(|(_, w)| Constraint::Length(*w)).collect();
    let table = Table::new(body, widths).header(header).column_spacing(1);
    frame.render_widget(table, area);
    if state.view.rows.is_empty() {
        draw_empty_message(frame, area, state, theme);
    }
}

/// One user's row.
fn user_row(
    user: &UserRecord,
    cols: &[(Column, u16)],
    state: &State,
    theme: &Theme,
) -> Row<'static> {
    let marked = state.marks.contains(&user.id);
    let cells: Vec<Cell> = cols
        .iter()
        .map(|(col, w)| user_cell(*col, usize::from(*w), user, marked, state, theme))
        .collect();
    Row::new(cells)
}

/// One cell of a user's row, `width` columns wide.
fn user_cell(
    column: Column,
    width: usize,
    user: &UserRecord,
    marked: bool,
    state: &State,
    theme: &Theme,
) -> Cell<'static> {
    match column {
        Column::Mark => Cell::from(Span::styled(if marked { "●" } else { " " }, theme.marked)),
        Column::Status => {
            let (text, style) = status_cell(user, state, theme);
            Cell::from(Span::styled(fit(&text, width), style))
        }
        Column::Name => {
            let name = if user.service_account {
                format!("[svc] {}", user.display_name())
            } else if user.name.is_empty() {
                "—".to_owned()
            } else {
                user.name.to_string()
            };
            let style = if marked { theme.marked } else { Style::new() };
            Cell::from(matched_text(fit(&name, width), state, style, theme))
        }
        Column::Email => Cell::from(matched_text(
            fit(&user.email, width),
            state,
            Style::new(),
            theme,
        )),
        Column::Roles => Cell::from(Span::styled(
            fit(&state.store.role_names(user), width),
            theme.dim,
        )),
        Column::Mfa => Cell::from(match user.mfa {
            Some(true) => Span::styled("on ", theme.ok),
            Some(false) => Span::styled("off", theme.dim),
            None => Span::styled("?  ", theme.dim),
        }),
        Column::LastLogin => Cell::from(fit(
            &user
                .last_login
                .map(|t| crate::words::ago(state.now, t.seconds()))
                .unwrap_or_else(|| "never".to_owned()),
            width,
        )),
        Column::Created => Cell::from(fit(
            &user
                .created
                .map(|t| crate::words::date(t.seconds()))
                .unwrap_or_else(|| "—".into()),
            width,
        )),
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
