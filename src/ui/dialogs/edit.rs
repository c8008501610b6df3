//! The edit-profile form: name, title, email.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{EditForm, State};

use super::field_line;
use crate::ui::theme::Theme;
use crate::ui::{centered, popup, rows_then_rest, spinner};

pub(super) fn draw_edit(
    frame: &mut Frame,
    area: Rect,
    form: &EditForm,
    state: &State,
    theme: &Theme,
) {
    let rect = centered(area, 70, 10);
    let title = if form.current_user {
        " Edit my profile ".to_owned()
    } else {
        format!(" Edit {} ", state.store.label(&form.user_id))
    };
    let inner = popup(frame, rect, title, theme);
    if inner.height < 4 {
        return;
    }
    let [name, title_row, email, _, status] = rows_then_rest(inner);
    field_line(frame, name, "Name", &form.name, form.focus == 0, theme);
    field_line(
        frame,
        title_row,
        "Title",
        &form.title,
        form.focus == 1,
        theme,
    );
    field_line(frame, email, "Email", &form.email, form.focus == 2, theme);
    let line = match (&form.error, form.saving) {
        (Some(error), _) => Line::styled(error.clone(), theme.error),
        (None, true) => Line::styled(format!("{} saving…", spinner(state)), theme.warn),
        (None, false) => Line::styled(
            "Tab next field · Enter on the last or C-s saves · Esc cancels",
            theme.dim,
        ),
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), status);
}
