//! The detail pane and everything drawn over the panes: help (generated from the keymap),
//! the command line, confirm dialogs, the invite, edit and role forms, and run summaries.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;
use tui_input::Input;

use crate::app::keymap;
use crate::app::state::*;
use crate::org::Status;

use super::text::{fit, skip_columns, width};
use super::theme::Theme;
use super::{block, spinner, status_span};

/// A rectangle of at most `w`×`h`, centred in `area`.
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn label_value<'a>(label: &'a str, value: impl Into<Span<'a>>, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("  {label:<12}"), theme.dim),
        value.into(),
    ])
}

/// The detail pane.
pub fn draw_detail(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(detail) = &state.detail else {
        return;
    };
    let user = state.store.by_id(&detail.user_id);
    let title = match user {
        Some(u) => format!(" {} ", u.display_name()),
        None => " user ".to_owned(),
    };
    let focused = state.focus == Focus::Detail;
    let mut lines: Vec<Line> = Vec::new();
    if detail.loading {
        lines.push(Line::styled(
            format!("{} loading detail…", spinner(state)),
            theme.warn,
        ));
    }
    if let Some(error) = &detail.error {
        lines.push(Line::styled(
            format!("Could not load: {error}"),
            theme.error,
        ));
    }
    let Some(user) = user else {
        let para = Paragraph::new(lines).block(block(title, focused, theme));
        frame.render_widget(para, area);
        return;
    };
    let dash = || Span::styled("—", theme.dim);
    lines.push(Line::styled("Profile", theme.header));
    lines.push(label_value(
        "Email",
        Span::raw(user.email.to_string()),
        theme,
    ));
    if let crate::org::Handle::Other(handle) = &user.handle {
        lines.push(label_value("Handle", Span::raw(handle.to_string()), theme));
    }
    lines.push(label_value(
        "Title",
        user.title
            .as_deref()
            .map(|t| Span::raw(t.to_owned()))
            .unwrap_or_else(dash),
        theme,
    ));
    lines.push(label_value(
        "Status",
        status_span(user.status, theme),
        theme,
    ));
    if user.service_account {
        lines.push(label_value("Kind", Span::raw("service account"), theme));
    }
    let yes_no = |v: Option<bool>| match v {
        Some(true) => Span::styled("yes", theme.ok),
        Some(false) => Span::raw("no"),
        None => Span::styled("unknown", theme.dim),
    };
    lines.push(label_value("MFA", yes_no(user.mfa), theme));
    lines.push(label_value("Verified", yes_no(user.verified), theme));
    lines.push(label_value(
        "Created",
        user.created
            .map(|t| {
                Span::raw(format!(
                    "{} ({})",
                    crate::words::date(t.seconds()),
                    crate::words::ago(state.now, t.seconds())
                ))
            })
            .unwrap_or_else(dash),
        theme,
    ));
    lines.push(label_value(
        "Last login",
        user.last_login
            .map(|t| {
                Span::raw(format!(
                    "{} ({})",
                    crate::words::date(t.seconds()),
                    crate::words::ago(state.now, t.seconds())
                ))
            })
            .unwrap_or_else(|| Span::styled("never", theme.dim)),
        theme,
    ));
    lines.push(label_value(
        "Id",
        Span::styled(user.id.to_string(), theme.dim),
        theme,
    ));
    if user.status == Status::Pending {
        lines.push(Line::from(""));
        lines.push(Line::styled("Invitation", theme.header));
        match state.invitations.get(&user.id) {
            Some(inv) => {
                lines.push(label_value(
                    "Sent",
                    Span::raw(crate::words::date(inv.sent_at)),
                    theme,
                ));
                let expiry = match inv.expires_at {
                    Some(t) if t <= state.now => {
                        Span::styled(format!("{} (expired)", crate::words::date(t)), theme.error)
                    }
                    Some(t) => Span::raw(format!(
                        "{} (in {})",
                        crate::words::date(t),
                        in_words(t - state.now)
                    )),
                    None => Span::styled("unknown", theme.dim),
                };
                lines.push(label_value("Expires", expiry, theme));
            }
            None => lines.push(Line::styled(
                "  Pending: invited, not yet accepted (r resends, c cancels)",
                theme.pending,
            )),
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::styled(
        format!("Roles ({})", user.roles.len()),
        theme.header,
    ));
    if user.roles.is_empty() {
        lines.push(Line::styled("  no role", theme.dim));
    }
    for ix in user.roles.iter() {
        if let Some(role) = state.store.role(*ix) {
            lines.push(Line::from(format!("  {}", role.name)));
        }
    }
    if !detail.orgs.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::styled("Organizations", theme.header));
        for org in &detail.orgs {
            lines.push(Line::from(format!("  {org}")));
        }
    }
    lines.push(Line::from(""));
    match state.store.permission_groups(user) {
        Some(groups) => {
            let total: usize = groups.iter().map(|g| g.permissions.len()).sum();
            lines.push(Line::styled(
                format!("Effective permissions ({total})"),
                theme.header,
            ));
            let name_width = groups
                .iter()
                .flat_map(|g| g.permissions.iter())
                .map(|p| width(&p.name))
                .max()
                .unwrap_or(0)
                .min(30);
            for group in groups {
                lines.push(Line::styled(format!("  {}", group.group), theme.title));
                for perm in group.permissions {
                    lines.push(Line::from(vec![
                        Span::raw(format!("    {} ", fit(&perm.name, name_width))),
                        Span::styled(format!("← {}", perm.granted_by.join(", ")), theme.dim),
                    ]));
                }
            }
        }
        None => match &detail.server_permissions {
            Some(names) => {
                lines.push(Line::styled(
                    format!("Effective permissions ({})", names.len()),
                    theme.header,
                ));
                lines.push(Line::styled("  (granting roles not known)", theme.dim));
                for name in names {
                    lines.push(Line::from(format!("    {name}")));
                }
            }
            None => lines.push(Line::styled("Effective permissions: loading…", theme.dim)),
        },
    }
    // Wrapped, not clipped: a cut-off id or grant would read as a whole one.
    let para = Paragraph::new(lines)
        .block(block(title, focused, theme))
        .wrap(Wrap { trim: false })
        .scroll((detail.scroll, 0));
    frame.render_widget(para, area);
}

fn in_words(secs: i64) -> String {
    match secs {
        s if s < 3600 => format!("{} min", (s / 60).max(1)),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

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
        Overlay::Help { scroll } => draw_help(frame, area, *scroll, state, theme),
        Overlay::Command(input) => {
            frame.render_widget(Clear, hints);
            draw_input_line(frame, hints, ":", input, theme.title, theme);
        }
        Overlay::QuitWhileRunning => super::plan::draw_quit(frame, area, state, theme),
        Overlay::Invite(form) => draw_invite(frame, area, form, state, theme),
        Overlay::Edit(form) => draw_edit(frame, area, form, state, theme),
        Overlay::Roles(picker) => draw_roles(frame, area, picker, state, theme),
        Overlay::Summary(summary) => draw_summary(frame, area, summary, theme),
        Overlay::Export(prompt) => super::audit::draw_export(frame, area, prompt, theme),
        Overlay::Permissions(picker) => {
            super::audit::draw_permissions(frame, area, picker, state, theme)
        }
        Overlay::Journal(view) => super::journal::draw_journal(frame, area, view, state, theme),
    }
}

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

fn draw_help(frame: &mut Frame, area: Rect, scroll: u16, state: &State, theme: &Theme) {
    let rect = centered(area, 76, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let reason = state.read_only_reason();
    let mut lines = Vec::new();
    if let Some(reason) = &reason {
        lines.push(Line::styled(
            format!("Changes are unavailable: {reason}"),
            theme.warn,
        ));
        lines.push(Line::from(""));
    }
    for section in keymap::help(reason.as_deref()) {
        lines.push(Line::styled(section.title, theme.header));
        for line in section.lines {
            let style = if line.unavailable.is_some() {
                theme.dim
            } else {
                Style::new()
            };
            let mut spans = vec![
                Span::styled(format!("  {} ", fit(&line.keys, 16)), theme.title),
                Span::styled(line.help, style),
            ];
            if line.unavailable.is_some() {
                spans.push(Span::styled(" (unavailable)", theme.dim));
            }
            lines.push(Line::from(spans));
        }
        lines.push(Line::from(""));
    }
    let para = Paragraph::new(lines)
        .block(block(" Help — j/k scroll, Esc closes ", true, theme))
        .scroll((scroll, 0));
    frame.render_widget(para, rect);
}

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

fn draw_invite(frame: &mut Frame, area: Rect, form: &InviteForm, state: &State, theme: &Theme) {
    let rect = centered(area, 84, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let outer = block(" Invite users ", true, theme);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    if inner.height < 6 {
        return;
    }
    if form.sent {
        draw_invite_results(frame, inner, form, state, theme);
        return;
    }
    let [emails, check, name, title, roles_label, roles, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    field_line(
        frame,
        emails,
        "Emails",
        &form.emails,
        form.focus == InviteField::Emails,
        theme,
    );
    let valid = form.parsed.iter().filter(|e| e.is_valid()).count();
    let invalid: Vec<String> = form
        .parsed
        .iter()
        .filter_map(|e| e.problem().map(|p| format!("{} ({p})", e.text)))
        .collect();
    let mut check_lines = vec![Line::from(vec![
        Span::styled(format!("        {valid} valid"), theme.ok),
        Span::styled(
            format!(" · {} invalid", invalid.len()),
            if invalid.is_empty() {
                theme.dim
            } else {
                theme.error
            },
        ),
        Span::styled(
            "   (comma, space or newline separated; paste works)",
            theme.dim,
        ),
    ])];
    if !invalid.is_empty() {
        check_lines.push(Line::styled(
            format!("        {}", invalid.join(", ")),
            theme.error,
        ));
    }
    frame.render_widget(Paragraph::new(check_lines), check);
    field_line(
        frame,
        name,
        "Name",
        &form.name,
        form.focus == InviteField::Name,
        theme,
    );
    field_line(
        frame,
        title,
        "Title",
        &form.title,
        form.focus == InviteField::Title,
        theme,
    );
    let roles_focused = form.focus == InviteField::Roles;
    let chosen = form.roles.iter().filter(|(_, c)| *c).count();
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                "Roles   ",
                if roles_focused {
                    theme.title
                } else {
                    theme.dim
                },
            ),
            Span::styled(format!("{chosen} chosen (space toggles)"), theme.dim),
        ])),
        roles_label,
    );
    let items: Vec<(String, bool, bool)> = form
        .roles
        .iter()
        .map(|(ix, c)| {
            let name = state
                .store
                .role(*ix)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            (name, *c, *c)
        })
        .collect();
    if items.is_empty() {
        let text = match &state.roles_error {
            Some(e) => format!("        roles could not be loaded: {e}"),
            None if state.org_roles.is_none() => "        roles are loading…".to_owned(),
            None => "        the org has no roles".to_owned(),
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme.dim)), roles);
    } else {
        draw_checklist(frame, roles, &items, form.role_cursor, roles_focused, theme);
    }
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Tab next field · space toggle role · C-s send · Esc close",
            theme.dim,
        )),
        footer,
    );
}

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

fn draw_edit(frame: &mut Frame, area: Rect, form: &EditForm, state: &State, theme: &Theme) {
    let rect = centered(area, 70, 10);
    frame.render_widget(Clear, rect);
    let title = if form.current_user {
        " Edit my profile ".to_owned()
    } else {
        format!(" Edit {} ", state.store.label(&form.user_id))
    };
    let outer = block(title, true, theme);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    if inner.height < 4 {
        return;
    }
    let [name, title_row, email, _, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
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

fn draw_roles(frame: &mut Frame, area: Rect, picker: &RolePicker, state: &State, theme: &Theme) {
    let rect = centered(area, 64, area.height.saturating_sub(4));
    frame.render_widget(Clear, rect);
    let outer = block(
        format!(" Roles of {} ", state.store.label(&picker.user_id)),
        true,
        theme,
    );
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    if inner.height < 3 {
        return;
    }
    let [list, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let items: Vec<(String, bool, bool)> = picker
        .items
        .iter()
        .map(|(ix, before, now)| {
            let name = state
                .store
                .role(*ix)
                .map(|r| r.name.clone())
                .unwrap_or_default();
            (name, *before, *now)
        })
        .collect();
    draw_checklist(frame, list, &items, picker.cursor, true, theme);
    let text = if picker.saving {
        Line::styled(format!("{} applying…", spinner(state)), theme.warn)
    } else {
        Line::styled("space toggle · Enter apply · Esc cancel", theme.dim)
    };
    frame.render_widget(Paragraph::new(text), footer);
}

fn draw_summary(frame: &mut Frame, area: Rect, summary: &Summary, theme: &Theme) {
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
