//! A finished run's report: counts by outcome, then every item (failures first) in a window
//! that scrolls with the dialog's cursor, and a last line of keys that is always shown.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{ResultRow, Summary};
use crate::words::{count, thousands};

use crate::ui::text::{fit, width};
use crate::ui::theme::Theme;
use crate::ui::{centered, popup};

/// Lines of the dialog that are not items: the counts, the items' heading, the keys.
const FIXED_LINES: usize = 3;
/// Lines showing the selected item whole, when rows are cut.
const SELECTED_LINES: usize = 2;
/// The outcome column ("partly done" and a space).
const OUTCOME_WIDTH: usize = 12;

pub(super) fn draw_summary(frame: &mut Frame, area: Rect, summary: &Summary, theme: &Theme) {
    let extra = usize::from(summary.not_attempted.is_some());
    let inner_width = usize::from(area.width.min(76).saturating_sub(2));
    // A row too long for its line is cut; the selected one is then shown whole below.
    let cut = summary.rows.iter().any(|row| row_width(row) > inner_width);
    let whole = if cut { SELECTED_LINES } else { 0 };
    let wanted = 2 + FIXED_LINES + extra + whole + summary.rows.len().max(1);
    let rect = centered(area, 76, wanted.min(usize::from(area.height)) as u16);
    let title = format!(" {} — finished ", crate::text::sanitize(&summary.title));
    let inner = popup(frame, rect, title, theme);
    let width = usize::from(inner.width);
    let mut lines = vec![counts_line(summary, theme)];
    if let Some((missing, reason)) = &summary.not_attempted {
        let text = format!("{} not attempted: {reason}", thousands(*missing as u64));
        lines.push(Line::styled(fit(&text, width), theme.warn));
    }
    lines.push(heading(summary, theme, width));
    let window = usize::from(inner.height).saturating_sub(lines.len() + whole + 1);
    let mut cursor = summary.cursor;
    cursor.keep_visible(summary.rows.len(), window);
    let shown = summary.rows.iter().enumerate().skip(cursor.offset);
    for (n, row) in shown.take(window) {
        lines.push(row_line(row, n == cursor.pos, width, theme));
    }
    let [top, selected, keys] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(whole as u16),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(lines), top);
    if let Some(row) = summary.rows.get(cursor.pos).filter(|_| whole > 0) {
        let text = Line::from(vec![
            Span::styled("▸ ", theme.dim),
            Span::raw(format!("{}: ", row.who)),
            Span::styled(row.detail.clone(), outcome_style(row.outcome, theme)),
        ]);
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), selected);
    }
    let last = (cursor.offset + window).min(summary.rows.len());
    let line = keys_line(summary, cursor.offset, last, width, theme);
    frame.render_widget(Paragraph::new(line), keys);
}

/// Columns a row takes on one line.
fn row_width(row: &ResultRow) -> usize {
    OUTCOME_WIDTH + width(&row.who) + 2 + width(&row.detail)
}

/// "   3 done · 15 failed", each count in its outcome's colour.
fn counts_line(summary: &Summary, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (n, (label, number)) in summary.counts.iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled(" · ", theme.dim));
        }
        spans.push(Span::styled(
            thousands(*number as u64),
            outcome_style(label, theme),
        ));
        spans.push(Span::raw(format!(" {label}")));
    }
    Line::from(spans)
}

fn heading(summary: &Summary, theme: &Theme, width: usize) -> Line<'static> {
    let attention = summary.attention();
    if attention == 0 {
        return Line::styled(fit("Every item settled:", width), theme.dim);
    }
    let text = format!(
        "Needing attention, listed first: {} of {} (failed users stay marked)",
        thousands(attention as u64),
        count(summary.rows.len(), "item")
    );
    Line::styled(fit(&text, width), theme.error)
}

/// One item: its outcome, who, and what happened.
fn row_line(row: &ResultRow, selected: bool, columns: usize, theme: &Theme) -> Line<'static> {
    let outcome = format!("{:<OUTCOME_WIDTH$}", row.outcome);
    let rest = columns.saturating_sub(OUTCOME_WIDTH);
    // `fit` pads to its width: trimmed, so the detail follows the name.
    let who = format!("{}: ", fit(&row.who, rest.saturating_sub(2)).trim_end());
    let detail = fit(&row.detail, rest.saturating_sub(width(&who)));
    let detail_style = if row.needs_attention {
        theme.error
    } else {
        theme.dim
    };
    let line = Line::from(vec![
        Span::styled(outcome, outcome_style(row.outcome, theme)),
        Span::raw(who),
        Span::styled(detail, detail_style),
    ]);
    if selected {
        line.style(theme.selected)
    } else {
        line
    }
}

/// The keys, and where the window is: always the dialog's last line.
fn keys_line(
    summary: &Summary,
    first: usize,
    last: usize,
    width: usize,
    theme: &Theme,
) -> Line<'static> {
    let mut keys = vec!["j/k scroll".to_owned()];
    if !summary.retry.is_empty() {
        keys.push(format!("r retry {} failed", summary.retry.len()));
    }
    keys.push("y copy ids".to_owned());
    keys.push("Enter closes".to_owned());
    let keys = keys.join(" · ");
    let position = if summary.rows.is_empty() {
        String::new()
    } else {
        format!("{}–{last} of {}", first + 1, summary.rows.len())
    };
    let gap = width.saturating_sub(keys.chars().count() + position.chars().count());
    if gap == 0 {
        return Line::styled(fit(&keys, width), theme.dim);
    }
    Line::from(vec![
        Span::styled(keys, theme.dim),
        Span::raw(" ".repeat(gap)),
        Span::styled(position, theme.dim),
    ])
}

fn outcome_style(label: &str, theme: &Theme) -> Style {
    match label {
        "failed" => theme.error,
        "partly done" | "unfinished" => theme.warn,
        _ => theme.ok,
    }
}
