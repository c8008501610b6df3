//! The role-membership picker: every org role, checked when the user holds it.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::state::{RolePicker, State};

use super::{draw_checklist, role_name};
use crate::ui::theme::Theme;
use crate::ui::{centered, popup, spinner};

pub(super) fn draw_roles(
    frame: &mut Frame,
    area: Rect,
    picker: &RolePicker,
    state: &State,
    theme: &Theme,
) {
    let rect = centered(area, 64, area.height.saturating_sub(4));
    let inner = popup(
        frame,
        rect,
        format!(" Roles of {} ", state.store.label(&picker.user_id)),
        theme,
    );
    if inner.height < 3 {
        return;
    }
    let [list, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let items: Vec<(String, bool, bool)> = picker
        .items
        .iter()
        .map(|(ix, before, now)| (role_name(state, *ix), *before, *now))
        .collect();
    draw_checklist(frame, list, &items, picker.cursor.pos, true, theme);
    let text = if picker.saving {
        Line::styled(format!("{} applying…", spinner(state)), theme.warn)
    } else {
        Line::styled("space toggle · Enter apply · Esc cancel", theme.dim)
    };
    frame.render_widget(Paragraph::new(text), footer);
}
