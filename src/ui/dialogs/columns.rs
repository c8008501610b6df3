//! The column picker (`:columns`): every kind of column, ticked when shown, in the order
//! the list shows them; what each column holds beside its name.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::state::ColumnPicker;

use crate::ui::text::fit;
use crate::ui::theme::Theme;
use crate::ui::{centered, popup};

pub(super) fn draw_columns(frame: &mut Frame, area: Rect, picker: &ColumnPicker, theme: &Theme) {
    let height = (picker.items.len() as u16 + 4).min(area.height.saturating_sub(2));
    let rect = centered(area, 72, height);
    let inner = popup(frame, rect, " Columns ".to_owned(), theme);
    if inner.height < 3 {
        return;
    }
    let [list, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let rows = usize::from(list.height).max(1);
    let cursor = picker.cursor.pos;
    let start = cursor
        .saturating_sub(rows - 1)
        .min(picker.items.len().saturating_sub(rows));
    let lines: Vec<Line> = picker
        .items
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(n, (id, shown))| {
            let spec = id.spec();
            let style = if n == cursor {
                theme.selected
            } else if *shown {
                theme.ok
            } else {
                Style::new()
            };
            let head = format!(
                " [{}] {:<16}",
                if *shown { "x" } else { " " },
                spec.id.name()
            );
            let room = usize::from(list.width).saturating_sub(crate::ui::text::width(&head));
            Line::from(vec![
                Span::styled(head, style),
                Span::styled(fit(spec.about, room), theme.dim),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
    let help = "space show/hide · K/J move · Enter apply and remember · Esc cancel";
    frame.render_widget(
        Paragraph::new(Line::styled(
            fit(help, usize::from(footer.width)),
            theme.dim,
        )),
        footer,
    );
}
