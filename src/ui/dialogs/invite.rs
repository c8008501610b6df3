//! The invite form (emails checked as you type, name, title, roles) and, once sent, each
//! email's result.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::forms::existing_outcome;
use crate::app::state::{InviteField, InviteForm, InviteStatus, State};

use super::{draw_checklist, field_line, role_name};
use crate::ui::text::{fit, width};
use crate::ui::theme::Theme;
use crate::ui::{centered, popup, spinner};

/// Draws the form, or its results once sent.
pub(super) fn draw_invite(
    frame: &mut Frame,
    area: Rect,
    form: &InviteForm,
    state: &State,
    theme: &Theme,
) {
    let rect = centered(area, 84, area.height.saturating_sub(2));
    let inner = popup(frame, rect, " Invite users ", theme);
    if inner.height < 6 {
        return;
    }
    if form.sent {
        draw_invite_results(frame, inner, form, state, theme);
        return;
    }
    let [emails, check, name, title, roles_label, roles, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let focus = form.focus;
    let emails_focused = focus == InviteField::Emails;
    field_line(frame, emails, "Emails", &form.emails, emails_focused, theme);
    let check_lines = Paragraph::new(email_check_lines(form, theme)).wrap(Wrap { trim: false });
    frame.render_widget(check_lines, check);
    let name_focused = focus == InviteField::Name;
    field_line(frame, name, "Name", &form.name, name_focused, theme);
    let title_focused = focus == InviteField::Title;
    field_line(frame, title, "Title", &form.title, title_focused, theme);
    draw_role_field(frame, roles_label, roles, form, state, theme);
    let keys = if form.no_roles_warned {
        Span::styled(
            "No roles chosen — the users get no access. Send anyway? C-s again sends",
            theme.warn,
        )
    } else {
        Span::styled(
            "Tab next field · space toggle role · C-s send · Esc close",
            theme.dim,
        )
    };
    frame.render_widget(Paragraph::new(keys), footer);
}

/// How many emails are valid and invalid, and why each invalid one is.
fn email_check_lines(form: &InviteForm, theme: &Theme) -> Vec<Line<'static>> {
    let valid = form.parsed.iter().filter(|e| e.is_valid()).count();
    let invalid: Vec<String> = form
        .parsed
        .iter()
        .filter_map(|e| e.problem().map(|p| format!("{} ({p})", e.text)))
        .collect();
    let invalid_style = if invalid.is_empty() {
        theme.dim
    } else {
        theme.error
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("        {valid} valid"), theme.ok),
        Span::styled(format!(" · {} invalid", invalid.len()), invalid_style),
        Span::styled(
            "   (comma, space or newline separated; paste works)",
            theme.dim,
        ),
    ])];
    if !invalid.is_empty() {
        lines.push(Line::styled(
            format!("        {}", invalid.join(", ")),
            theme.error,
        ));
    }
    if !form.existing.is_empty() {
        let each: Vec<String> = form
            .existing
            .iter()
            .map(|(email, status)| format!("{email} ({})", existing_outcome(*status)))
            .collect();
        lines.push(Line::styled(
            format!(
                "        Already users — their roles are not changed (R does that): {}",
                each.join(", ")
            ),
            theme.warn,
        ));
    }
    lines
}

/// The roles field: its label with the count chosen, then the roles to check (or why
/// there are none).
fn draw_role_field(
    frame: &mut Frame,
    label: Rect,
    list: Rect,
    form: &InviteForm,
    state: &State,
    theme: &Theme,
) {
    let focused = form.focus == InviteField::Roles;
    let chosen = form.roles.iter().filter(|(_, c)| *c).count();
    let label_style = if focused { theme.title } else { theme.dim };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Roles   ", label_style),
            Span::styled(format!("{chosen} chosen (space toggles)"), theme.dim),
        ])),
        label,
    );
    let items: Vec<(String, bool, bool)> = form
        .roles
        .iter()
        .map(|(ix, c)| (role_name(state, *ix), *c, *c))
        .collect();
    if !items.is_empty() {
        draw_checklist(frame, list, &items, form.role_cursor.pos, focused, theme);
        return;
    }
    let text = match &state.roles_error {
        Some(e) => format!("        roles could not be loaded: {e}"),
        None if state.org_roles.is_none() => "        roles are loading…".to_owned(),
        None => "        the org has no roles".to_owned(),
    };
    frame.render_widget(Paragraph::new(Span::styled(text, theme.dim)), list);
}

/// Each email and where it stands, once the form is sent.
fn draw_invite_results(
    frame: &mut Frame,
    area: Rect,
    form: &InviteForm,
    state: &State,
    theme: &Theme,
) {
    let waiting = form
        .results
        .iter()
        .filter(|(_, s)| *s == InviteStatus::Waiting)
        .count();
    let mut lines = vec![
        if waiting > 0 {
            Line::styled(
                format!("{} inviting… {waiting} to go", spinner(state)),
                theme.warn,
            )
        } else {
            Line::styled("Finished. Enter or Esc closes.", theme.ok)
        },
        Line::from(""),
    ];
    let email_width = form
        .results
        .iter()
        .map(|(e, _)| width(e))
        .max()
        .unwrap_or(0)
        .min(usize::from(area.width) / 2);
    for (email, status) in &form.results {
        let (mark, text, style) = match status {
            InviteStatus::Waiting => (spinner(state), "working…".to_owned(), theme.dim),
            InviteStatus::Done(t) => ("✓", t.clone(), theme.ok),
            InviteStatus::Failed(t) => ("✗", t.clone(), theme.error),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} "), style),
            Span::raw(format!("{} ", fit(email, email_width))),
            Span::styled(text, style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
