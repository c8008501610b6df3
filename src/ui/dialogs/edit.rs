//! The edit-profile form: name, title, email.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{EditForm, State};

use super::{busy_line, field_line};
use crate::ui::theme::Theme;
use crate::ui::{centered, popup, rows_then_rest};

pub(super) fn draw_edit(
    frame: &mut Frame,
    area: Rect,
    form: &EditForm,
    state: &State,
    theme: &Theme,
) {
    let rect = centered(area, 70, 10);
    let title = if !form.marked.is_empty() {
        let who = crate::words::count(form.marked.len(), "marked user");
        format!(" Title of {who} ")
    } else if form.current_user {
        " Edit my profile ".to_owned()
    } else {
        format!(" Edit {} ", state.store.label(&form.user_id))
    };
    let inner = popup(frame, rect, title, theme);
    if inner.height < 4 {
        return;
    }
    let [name, title_row, email, _, status] = rows_then_rest(inner);
    if !form.marked.is_empty() {
        draw_marked_title(frame, [name, title_row, email, status], form, state, theme);
        return;
    }
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
    let hint = "Tab next field · Enter on the last or C-s saves · Esc cancels";
    draw_status(frame, status, form, hint, state, theme);
}

/// The form's last line: its error, the saving spinner, or what the keys do.
fn draw_status(
    frame: &mut Frame,
    area: Rect,
    form: &EditForm,
    hint: &'static str,
    state: &State,
    theme: &Theme,
) {
    let line = match (&form.error, form.saving) {
        (Some(error), _) => Line::styled(error.clone(), theme.error),
        (None, true) => busy_line(state, "saving", theme),
        (None, false) => Line::styled(hint, theme.dim),
    };
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), area);
}

/// The marked users' form: the one title they all get, and why there is nothing else.
fn draw_marked_title(
    frame: &mut Frame,
    [note, title_row, _, status]: [Rect; 4],
    form: &EditForm,
    state: &State,
    theme: &Theme,
) {
    let text = "Names and emails are each person's own: unmark (A) to edit one user.";
    frame.render_widget(Paragraph::new(Line::styled(text, theme.dim)), note);
    field_line(frame, title_row, "Title", &form.title, true, theme);
    let hint = "Enter sets this title for all of them (empty clears it) · Esc cancels";
    draw_status(frame, status, form, hint, state, theme);
}
