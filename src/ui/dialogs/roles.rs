//! The role picker: for one user, every org role checked when held; for marked users, how
//! many of them hold each role and what applying does ("+ add to 2", "− remove from 3").

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::state::{RoleChoice, RolePicker, RoleRow, State};
use crate::words;

use super::{busy_line, draw_checklist, role_name};
use crate::ui::text::fit;
use crate::ui::theme::Theme;
use crate::ui::{centered, popup};

pub(super) fn draw_roles(
    frame: &mut Frame,
    area: Rect,
    picker: &RolePicker,
    state: &State,
    theme: &Theme,
) {
    let rect = centered(area, 72, area.height.saturating_sub(4));
    let inner = popup(frame, rect, title(picker, state), theme);
    if inner.height < 3 {
        return;
    }
    let [list, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let users = picker.users.len();
    if picker.marked {
        draw_shared_roles(frame, list, picker, state, theme);
    } else {
        let items: Vec<(String, bool, bool)> = picker
            .rows
            .iter()
            .map(|row| {
                let name = role_name(state, row.role);
                (name, row.holders == users, row.held_after(users))
            })
            .collect();
        draw_checklist(frame, list, &items, picker.cursor.pos, true, theme);
    }
    let text = if picker.saving {
        busy_line(state, "applying", theme)
    } else if picker.marked {
        Line::styled(
            "space: add to all / remove from all / keep · Enter apply · Esc cancel",
            theme.dim,
        )
    } else {
        Line::styled("space toggle · Enter apply · Esc cancel", theme.dim)
    };
    frame.render_widget(Paragraph::new(text), footer);
}

fn title(picker: &RolePicker, state: &State) -> String {
    match (picker.marked, picker.users.first()) {
        (false, Some(one)) => format!(" Roles of {} ", state.store.label(one)),
        _ => format!(
            " Roles of {} ",
            words::count(picker.users.len(), "marked user")
        ),
    }
}

/// One line a role: a box (all, some, none hold it), its name, how many hold it, and what
/// applying does.
fn draw_shared_roles(
    frame: &mut Frame,
    area: Rect,
    picker: &RolePicker,
    state: &State,
    theme: &Theme,
) {
    let users = picker.users.len();
    let rows = usize::from(area.height).max(1);
    let cursor = picker.cursor.pos;
    let start = cursor
        .saturating_sub(rows - 1)
        .min(picker.rows.len().saturating_sub(rows));
    let width = usize::from(area.width);
    let lines: Vec<Line> = picker
        .rows
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(n, row)| {
            let text = shared_role_line(row, users, &role_name(state, row.role));
            let style = if n == cursor {
                theme.selected
            } else {
                match row.choice {
                    RoleChoice::Keep => Style::new(),
                    RoleChoice::Add => theme.ok,
                    RoleChoice::Remove => theme.warn,
                }
            };
            Line::styled(fit(&text, width), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

fn shared_role_line(row: &RoleRow, users: usize, name: &str) -> String {
    let boxed = match row.holders {
        0 => "[ ]",
        n if n == users => "[x]",
        _ => "[-]",
    };
    let held = format!(
        "{} of {users} hold it",
        words::thousands(row.holders as u64)
    );
    let effect = match row.choice {
        RoleChoice::Keep => String::new(),
        RoleChoice::Add => format!(
            "+ add to {}",
            words::thousands((users - row.holders) as u64)
        ),
        RoleChoice::Remove => format!("− remove from {}", words::thousands(row.holders as u64)),
    };
    format!(" {boxed} {name:<28} {held:<18} {effect}")
}
