//! A finished run's report: counts by outcome, then what needs attention.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::Summary;

use crate::ui::theme::Theme;
use crate::ui::{block, centered};

pub(super) fn draw_summary(frame: &mut Frame, area: Rect, summary: &Summary, theme: &Theme) {
    let height =
        (6 + summary.counts.len() + summary.failures.len()).min(usize::from(area.height)) as u16;
    let rect = centered(area, 76, height);
    frame.render_widget(Clear, rect);
    let mut lines = Vec::new();
    for (label, n) in &summary.counts {
        let style = match label.as_str() {
            "failed" => theme.error,
            "partly done" | "unfinished" => theme.warn,
            _ => theme.ok,
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>6} ", crate::words::thousands(*n as u64)), style),
            Span::raw(label.clone()),
        ]));
    }
    if !summary.failures.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled(
            "Needs attention (failed users stay marked, to retry):",
            theme.error,
        ));
        for (who, reason) in &summary.failures {
            lines.push(Line::from(vec![
                Span::raw(format!("  {who}: ")),
                Span::styled(reason.clone(), theme.error),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled("Enter closes", theme.dim));
    let para = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block(
            format!(" {} — finished ", summary.title),
            true,
            theme,
        ));
    frame.render_widget(para, rect);
}
