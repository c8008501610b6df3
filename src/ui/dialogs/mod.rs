//! Everything drawn over the panes, one popup a file: help (generated from the keymap,
//! searchable), the invite, edit and role forms, run summaries, the `:` palette and the
//! demo org's start-up notice; and the widgets the
//! forms share (a one-line input, a labelled field, a checklist). The change dialog is in
//! `ui::plan`, the audit popups in `ui::audit`, the journal in `ui::journal`.

mod columns;
mod edit;
mod help;
mod invite;
mod notice;
mod palette;
mod review;
mod roles;
mod summary;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use tui_input::Input;

use crate::app::state::{Overlay, State};
use crate::org::RoleIx;

use super::text::{fit, skip_columns, width};
use super::theme::Theme;

/// Draws the open overlay.
pub fn draw_overlay(
    frame: &mut Frame,
    area: Rect,
    hints: Rect,
    overlay: &Overlay,
    state: &State,
    theme: &Theme,
) {
    match overlay {
        Overlay::Help { scroll, search } => {
            help::draw_help(frame, area, *scroll, search.as_ref(), state, theme)
        }
        Overlay::Command(line) => palette::draw_palette(frame, area, hints, line, state, theme),
        Overlay::QuitWhileRunning => super::plan::draw_quit(frame, area, state, theme),
        Overlay::Invite(form) => invite::draw_invite(frame, area, form, state, theme),
        Overlay::Edit(form) => edit::draw_edit(frame, area, form, state, theme),
        Overlay::Roles(picker) => roles::draw_roles(frame, area, picker, state, theme),
        Overlay::Summary(summary) => summary::draw_summary(frame, area, summary, theme),
        Overlay::Export(prompt) => super::audit::draw_export(frame, area, prompt, theme),
        Overlay::Permissions(picker) => {
            super::audit::draw_permissions(frame, area, picker, state, theme)
        }
        Overlay::Journal(view) => super::journal::draw_journal(frame, area, view, state, theme),
        Overlay::Columns(picker) => columns::draw_columns(frame, area, picker, theme),
        Overlay::ReviewDecision(dialog) => review::draw_decision(frame, area, dialog, state, theme),
    }
}

pub use notice::draw_demo_notice;

/// A one-line text input with its prompt, placing the cursor.
pub(super) fn draw_input_line(
    frame: &mut Frame,
    area: Rect,
    prompt: &str,
    input: &Input,
    style: Style,
    theme: &Theme,
) {
    let prompt_width = width(prompt) as u16;
    let avail = area.width.saturating_sub(prompt_width + 1) as usize;
    let scroll = input.visual_scroll(avail);
    let cursor = input.visual_cursor().saturating_sub(scroll);
    let shown = fit(&skip_columns(input.value(), scroll), avail);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt.to_owned(), theme.title),
            Span::styled(shown, style),
        ])),
        area,
    );
    frame.set_cursor_position((area.x + prompt_width + cursor as u16, area.y));
}

/// A labelled one-line field; the focused one is editable (it places the cursor).
fn field_line(
    frame: &mut Frame,
    area: Rect,
    label: &str,
    input: &Input,
    focused: bool,
    theme: &Theme,
) {
    let style = if focused {
        theme.focused_field
    } else {
        theme.field
    };
    let prompt = format!("{label:<8}");
    if focused {
        draw_input_line(frame, area, &prompt, input, style, theme);
    } else {
        let avail = area.width.saturating_sub(width(&prompt) as u16 + 1) as usize;
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prompt, theme.dim),
                Span::styled(fit(input.value(), avail), style),
            ])),
            area,
        );
    }
}

/// A list of `(name, chosen before, chosen now)` with check boxes, scrolled to keep the
/// cursor in sight; `+`/`−` mark what changes.
fn draw_checklist(
    frame: &mut Frame,
    area: Rect,
    items: &[(String, bool, bool)],
    cursor: usize,
    focused: bool,
    theme: &Theme,
) {
    let rows = usize::from(area.height).max(1);
    let start = cursor
        .saturating_sub(rows - 1)
        .min(items.len().saturating_sub(rows));
    let lines: Vec<Line> = items
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(n, (name, before, now))| {
            let change = match (before, now) {
                (false, true) => "+",
                (true, false) => "−",
                _ => " ",
            };
            let text = format!("        [{}] {change} {name}", if *now { "x" } else { " " });
            let style = if focused && n == cursor {
                theme.selected
            } else if *now {
                theme.ok
            } else {
                Style::new()
            };
            Line::styled(fit(&text, usize::from(area.width)), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// A form's line while its change is under way: waiting for the answer to the change
/// dialog over it, then `doing` ("saving", "applying") with a spinner.
fn busy_line(state: &State, doing: &str, theme: &Theme) -> Line<'static> {
    if state.plan.is_some() {
        Line::styled("waiting for your answer to the dialog…", theme.dim)
    } else {
        Line::styled(format!("{} {doing}…", super::spinner(state)), theme.warn)
    }
}

/// A role's name for a checklist (empty if the role is not known).
fn role_name(state: &State, role: RoleIx) -> String {
    state
        .store
        .role(role)
        .map(|r| r.name.clone())
        .unwrap_or_default()
}
