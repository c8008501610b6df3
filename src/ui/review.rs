//! Drawing an access review open as the list: its line (the review's name and progress,
//! what the rows are narrowed to), the table of its rows — user, role ("(account)" or the
//! privileged role), reason, decision with its justification — built for the visible
//! window only, and the status line saying whether every decision is saved. The review's
//! text comes from a file: it is made safe here, as it is drawn.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

use crate::app::state::{Narrow, ReviewLens};
use crate::review::{Decision, Item};
use crate::text::sanitize;
use crate::words::{count, thousands};

use super::text::fit;
use super::theme::Theme;

/// The review's line where the status tabs are: its title with its progress, what the
/// rows are narrowed to, and how to leave.
pub fn draw_line(frame: &mut Frame, area: Rect, lens: &ReviewLens, theme: &Theme) {
    let title = sanitize(&crate::app::review::title(lens));
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(format!(" ◆ {title} "), theme.badge),
        Span::raw(" "),
    ];
    if lens.only != Narrow::All {
        spans.push(Span::styled(
            format!(" {} only ", lens.only.label()),
            theme.tab_selected,
        ));
        spans.push(Span::raw(" "));
    }
    if area.width >= 100 {
        spans.push(Span::styled(" Esc returns to all users", theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The counts at the right of the filter line: marked and shown rows.
pub fn counts(lens: &ReviewLens) -> String {
    let mut text = String::new();
    if !lens.marks.is_empty() {
        text.push_str(&format!("{} marked · ", thousands(lens.marks.len() as u64)));
    }
    text.push_str(&format!(
        "{} of {} rows shown ",
        thousands(lens.rows.len() as u64),
        thousands(lens.review.items.len() as u64)
    ));
    text
}

/// The status line: where decisions are saved, or that some are not.
pub fn status_line(lens: &ReviewLens, theme: &Theme) -> Line<'static> {
    let file = sanitize(&lens.path.display().to_string());
    match (&lens.save_error, lens.unsaved.len()) {
        (_, 0) => Line::styled(format!(" every decision is saved to {file}"), theme.dim),
        (Some(error), unsaved) => Line::styled(
            format!(
                " ✗ {} not saved: {} (:review save tries again)",
                count(unsaved, "decision"),
                sanitize(error)
            ),
            theme.error,
        ),
        (None, _) => Line::styled(format!(" saving to {file}…"), theme.dim),
    }
}

/// The widths of the user, role, reason and decision columns in `width` columns (after
/// the mark column and the spaces between columns).
fn widths(width: u16) -> [u16; 4] {
    let room = width.saturating_sub(1 + 4);
    let share = |percent: u16| (u32::from(room) * u32::from(percent) / 100) as u16;
    let (user, role, reason) = (share(27), share(18).min(26), share(21));
    [user, role, reason, room - user - role - reason]
}

/// Draws the rows in `area`: a header, then `rows` rows from the cursor's window.
pub fn draw_rows(frame: &mut Frame, area: Rect, rows: usize, lens: &ReviewLens, theme: &Theme) {
    let [user, role, reason, decision] = widths(area.width);
    let start = lens.cursor.offset.min(lens.rows.len());
    let end = (start + rows).min(lens.rows.len());
    let body: Vec<Row> = lens.rows[start..end]
        .iter()
        .enumerate()
        .filter_map(|(n, &row)| {
            let item = lens.review.items.get(row)?;
            let cells = vec![
                Cell::from(Span::styled(
                    if lens.marks.contains(&row) {
                        "●"
                    } else {
                        " "
                    },
                    theme.marked,
                )),
                Cell::from(fit(&sanitize(&user_text(item)), usize::from(user))),
                role_cell(item, usize::from(role), theme),
                Cell::from(fit(&sanitize(&item.reason), usize::from(reason))),
                decision_cell(lens, row, item, usize::from(decision), theme),
            ];
            let line = Row::new(cells);
            Some(if start + n == lens.cursor.pos {
                line.style(theme.selected)
            } else {
                line
            })
        })
        .collect();
    let header = Row::new(["", "User", "Role", "Reason", "Decision"]).style(theme.header);
    let widths = [1, user, role, reason, decision].map(Constraint::Length);
    let table = Table::new(body, widths).header(header).column_spacing(1);
    frame.render_widget(table, area);
    if lens.rows.is_empty() {
        let message = if lens.only == Narrow::All {
            "No row matches the filter (Esc clears it)."
        } else {
            "No row here: :review all shows every row, Esc clears the filter."
        };
        let y = area.y + 2.min(area.height.saturating_sub(1));
        let line = Rect::new(area.x + 1, y, area.width.saturating_sub(2), 1);
        frame.render_widget(Paragraph::new(Span::styled(message, theme.dim)), line);
    }
}

/// "Ada Lovelace <ada@example.com>", or what the review knows of the user.
fn user_text(item: &Item) -> String {
    let user = &item.user;
    if user.name.trim().is_empty() {
        user.label().to_owned()
    } else {
        format!("{} <{}>", user.name, user.email)
    }
}

fn role_cell(item: &Item, width: usize, theme: &Theme) -> Cell<'static> {
    let style = if item.role.is_none() {
        theme.dim
    } else {
        Style::new()
    };
    Cell::from(Span::styled(
        fit(&sanitize(item.role_label()), width),
        style,
    ))
}

/// The decision with its justification, marked while it is not saved yet ("…") or when
/// its write failed ("✗").
fn decision_cell(
    lens: &ReviewLens,
    row: usize,
    item: &Item,
    width: usize,
    theme: &Theme,
) -> Cell<'static> {
    let Some(decided) = &item.decision else {
        return Cell::from(Span::styled(fit("undecided", width), theme.dim));
    };
    let mut text = decided.decision.describe();
    if !decided.why.is_empty() {
        text.push_str(" — ");
        text.push_str(&decided.why);
    }
    let style = match decided.decision {
        Decision::Keep => theme.ok,
        _ => theme.warn,
    };
    let (text, style) = match (lens.unsaved.contains_key(&row), &lens.save_error) {
        (false, _) => (text, style),
        (true, None) => (format!("… {text}"), style),
        (true, Some(_)) => (format!("✗ {text}"), theme.error),
    };
    Cell::from(Span::styled(fit(&sanitize(&text), width), style))
}
