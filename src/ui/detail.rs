//! The detail pane: one user's profile, invitation, roles, organizations and effective
//! permissions (with the roles that grant each), wrapped and scrolled.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::state::{Detail, Focus, State};
use crate::org::{Status, UserRecord};

use super::text::{fit, width};
use super::theme::Theme;
use super::{block, spinner, status_span};

/// Permission names are cut to this many columns, so the granting roles line up.
const PERMISSION_NAME_MAX: usize = 30;

/// Draws the detail pane in `area`.
pub(super) fn draw_detail(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(detail) = &state.detail else {
        return;
    };
    let user = state.store.by_id(&detail.user_id);
    let title = match user {
        Some(u) => format!(" {} ", u.display_name()),
        None => " user ".to_owned(),
    };
    let focused = state.focus == Focus::Detail;
    let mut lines = progress_lines(detail, state, theme);
    let Some(user) = user else {
        let para = Paragraph::new(lines).block(block(title, focused, theme));
        frame.render_widget(para, area);
        return;
    };
    lines.extend(profile_lines(user, state, theme));
    if user.status == Status::Pending {
        lines.extend(invitation_lines(user, state, theme));
    }
    lines.extend(role_lines(user, detail, state, theme));
    lines.extend(history_lines(detail, theme));
    lines.push(Line::from(""));
    lines.extend(permission_lines(user, detail, state, theme));
    let mut frame_block = block(title, focused, theme);
    if let Some(group) = focused.then(|| group_under_cursor(user, state)).flatten() {
        // The group the fold keys act on, named even when it is scrolled out of sight.
        frame_block = frame_block.title_bottom(Line::styled(
            format!(" z folds {group} · {{ }} group · / search "),
            theme.dim,
        ));
    }
    // Wrapped, not clipped: a cut-off id or grant would read as a whole one.
    let para = Paragraph::new(lines)
        .block(frame_block)
        .wrap(Wrap { trim: false })
        .scroll((detail.scroll, 0));
    frame.render_widget(para, area);
}

/// The permission group under the group cursor, if the permissions are shown by group.
fn group_under_cursor(user: &UserRecord, state: &State) -> Option<String> {
    crate::app::detail::permission_sections(state, user)?
        .into_iter()
        .find(|s| s.selected)
        .map(|s| s.group)
}

/// "loading…" and the last error, above the rest.
fn progress_lines(detail: &Detail, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
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
    lines
}

fn label_value(label: &str, value: Span<'static>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("  {label:<12}"), theme.dim),
        value,
    ])
}

/// A date with how long ago it was: "2024-03-01 (40d ago)".
fn date_and_age(time: i64, now: i64) -> Span<'static> {
    Span::raw(format!(
        "{} ({})",
        crate::words::date(time),
        crate::words::ago(now, time)
    ))
}

/// The profile: email, handle, title, status, kind, MFA, dates, id.
fn profile_lines(user: &UserRecord, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let dash = || Span::styled("—", theme.dim);
    let yes_no = |v: Option<bool>| match v {
        Some(true) => Span::styled("yes", theme.ok),
        Some(false) => Span::raw("no"),
        None => Span::styled("unknown", theme.dim),
    };
    let mut lines = vec![
        Line::styled("Profile", theme.header),
        label_value("Email", Span::raw(user.email.to_string()), theme),
    ];
    if let crate::org::Handle::Other(handle) = &user.handle {
        lines.push(label_value("Handle", Span::raw(handle.to_string()), theme));
    }
    let title = user.title.as_deref().map(|t| Span::raw(t.to_owned()));
    lines.push(label_value("Title", title.unwrap_or_else(dash), theme));
    lines.push(label_value(
        "Status",
        status_span(user.status, theme),
        theme,
    ));
    if user.service_account {
        lines.push(label_value("Kind", Span::raw("service account"), theme));
    }
    lines.push(label_value("MFA", yes_no(user.mfa), theme));
    lines.push(label_value("Verified", yes_no(user.verified), theme));
    let created = user.created.map(|t| date_and_age(t.seconds(), state.now));
    lines.push(label_value("Created", created.unwrap_or_else(dash), theme));
    let last_login = user
        .last_login
        .map(|t| date_and_age(t.seconds(), state.now));
    lines.push(label_value(
        "Last login",
        last_login.unwrap_or_else(|| Span::styled("never", theme.dim)),
        theme,
    ));
    lines.push(label_value(
        "Id",
        Span::styled(user.id.to_string(), theme.dim),
        theme,
    ));
    lines
}

/// A pending user's invitation: when it was sent and when it expires, if this session
/// sent it; else what the keys do.
fn invitation_lines(user: &UserRecord, state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(""), Line::styled("Invitation", theme.header)];
    let Some(inv) = state.invitations.get(&user.id) else {
        lines.push(Line::styled(
            "  Pending: invited, not yet accepted (r resends, c cancels)",
            theme.pending,
        ));
        return lines;
    };
    if let Some(cancelled) = inv.cancelled_at {
        lines.push(label_value(
            "Cancelled",
            Span::styled(crate::words::date(cancelled), theme.warn),
            theme,
        ));
        lines.push(Line::styled(
            "  The link no longer works (r sends a new invitation)",
            theme.dim,
        ));
        return lines;
    }
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
    lines
}

/// The user's roles, and the organizations the detail answer named.
fn role_lines(
    user: &UserRecord,
    detail: &Detail,
    state: &State,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::from(""),
        Line::styled(format!("Roles ({})", user.roles.len()), theme.header),
    ];
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
    lines
}

/// Effective permissions by group, each with the roles granting it; or, while the roles'
/// permissions are not known, the names the service listed.
/// Changes shown in the pane; the rest are one command away.
const HISTORY_SHOWN: usize = 8;

/// Who changed the user and when, newest first; nothing until the history has been read
/// (it is a second read, and the pane should not jump while it is on its way).
fn history_lines(detail: &Detail, theme: &Theme) -> Vec<Line<'static>> {
    let Some(history) = &detail.history else {
        return Vec::new();
    };
    let entries = &history.entries;
    let mut lines = vec![
        Line::from(""),
        Line::styled(format!("History ({})", entries.len()), theme.header),
    ];
    if let Some(reason) = &history.unavailable {
        lines.push(Line::styled(format!("  {reason}"), theme.dim));
    }
    if entries.is_empty() {
        lines.push(Line::styled("  no changes in the last 90 days", theme.dim));
    }
    for entry in entries.iter().take(HISTORY_SHOWN) {
        let when: String = entry
            .at
            .chars()
            .take(16)
            .collect::<String>()
            .replace('T', " ");
        lines.push(Line::from(vec![
            Span::styled(format!("  {when}  "), theme.dim),
            Span::raw(entry.change.clone()),
        ]));
    }
    if entries.len() > HISTORY_SHOWN {
        let more = entries.len() - HISTORY_SHOWN;
        lines.push(Line::styled(
            format!("  … {more} more: ddusers history {}", detail.user_id),
            theme.dim,
        ));
    }
    lines
}

fn permission_lines(
    user: &UserRecord,
    detail: &Detail,
    state: &State,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(sections) = crate::app::detail::permission_sections(state, user) else {
        let Some(names) = &detail.server_permissions else {
            return vec![Line::styled("Effective permissions: loading…", theme.dim)];
        };
        let mut lines = vec![
            Line::styled(
                format!("Effective permissions ({})", names.len()),
                theme.header,
            ),
            Line::styled("  (granting roles not known)", theme.dim),
        ];
        lines.extend(names.iter().map(|name| Line::from(format!("    {name}"))));
        return lines;
    };
    let total: usize = sections.iter().map(|g| g.permissions.len()).sum();
    let pane = &detail.permissions;
    let mut lines = vec![Line::styled(
        format!("Effective permissions ({total})"),
        theme.header,
    )];
    if pane.searching || !pane.query.value().is_empty() {
        let caret = if pane.searching { "▏" } else { "" };
        lines.push(Line::from(vec![
            Span::styled("  / ", theme.title),
            Span::raw(format!("{}{caret}", pane.query.value())),
            Span::styled(
                if total == 0 {
                    "  no permission matches"
                } else {
                    ""
                },
                theme.dim,
            ),
        ]));
    }
    let name_width = sections
        .iter()
        .flat_map(|g| g.permissions.iter())
        .map(|p| width(&p.name))
        .max()
        .unwrap_or(0)
        .min(PERMISSION_NAME_MAX);
    let focused = state.focus == Focus::Detail;
    for group in sections {
        let arrow = if group.folded { "▸" } else { "▾" };
        let style = if group.selected && focused {
            theme.selected
        } else {
            theme.title
        };
        lines.push(Line::styled(
            format!("  {arrow} {} ({})", group.group, group.permissions.len()),
            style,
        ));
        if group.folded {
            continue;
        }
        for perm in group.permissions {
            lines.push(Line::from(vec![
                Span::raw(format!("    {} ", fit(&perm.name, name_width))),
                Span::styled(format!("← {}", perm.granted_by.join(", ")), theme.dim),
            ]));
        }
    }
    lines
}

fn in_words(secs: i64) -> String {
    match secs {
        s if s < 3600 => format!("{} min", (s / 60).max(1)),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => crate::words::count((s / 86_400) as usize, "day"),
    }
}
