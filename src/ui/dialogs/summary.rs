//! A finished run's report: counts by outcome, then every item (failures first) in a window
//! that scrolls with the dialog's cursor, and a last line of keys that is always shown.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::state::{ResultRow, Summary};
use crate::words::{count, thousands};

use crate::ui::text::fit;
use crate::ui::theme::Theme;
use crate::ui::{centered, popup};

/// Lines of the dialog that are not items: the counts, the items' heading, the keys.
const FIXED_LINES: usize = 3;

pub(super) fn draw_summary(frame: &mut Frame, area: Rect, summary: &Summary, theme: &Theme) {
    let extra = usize::from(summary.not_attempted.is_some());
    let wanted = 2 + FIXED_LINES + extra + summary.rows.len().max(1);
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
    let window = usize::from(inner.height).saturating_sub(lines.len() + 1);
    let mut cursor = summary.cursor;
    cursor.keep_visible(summary.rows.len(), window);
    let shown = summary.rows.iter().enumerate().skip(cursor.offset);
    for (n, row) in shown.take(window) {
        lines.push(row_line(row, n == cursor.pos, width, theme));
    }
    let top = Rect::new(inner.x, inner.y, inner.width, inner.height.saturating_sub(1));
    frame.render_widget(Paragraph::new(lines), top);
    if inner.height > 0 {
        let keys = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
        let last = (cursor.offset + window).min(summary.rows.len());
        let line = keys_line(summary, cursor.offset, last, width, theme);
        frame.render_widget(Paragraph::new(line), keys);
    }
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
        "{} need attention, listed first (failed users stay marked):",
        count(attention, "item")
    );
    Line::styled(fit(&text, width), theme.error)
}

/// One item: its outcome, who, and what happened.
fn row_line(row: &ResultRow, selected: bool, width: usize, theme: &Theme) -> Line<'static> {
    let outcome = format!("{:<12}", row.outcome);
    let who = format!("{}: ", row.who);
    let rest = width.saturating_sub(outcome.len());
    let who = fit(&who, rest);
    let detail = fit(
        &row.detail,
        rest.saturating_sub(crate::ui::text::width(&who)),
    );
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
        keys.push(format!("r retry {}", summary.retry.len()));
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
