//! Drawing the audit parts of the console: the audit view's line (its title, count and the
//! status tabs counted within it), the export prompt and the permission picker.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::action::StatusTab;
use crate::app::audit::{ExportPrompt, PermissionPicker};
use crate::app::state::State;

use super::text::{fit, skip_columns, width};
use super::theme::Theme;
use super::{centered, popup, rows_then_rest, spinner};

/// The lens restricting the list, if any: its title and its members per status tab.
fn lens(state: &State) -> Option<(String, [usize; 5])> {
    if let Some(audit) = &state.audit.active {
        return Some((audit.title.clone(), audit.tab_counts));
    }
    if let Some(found) = &state.reconcile.active {
        return Some((crate::app::reconcile::title(found), found.tab_counts));
    }
    let diff = state.diff.active.as_ref()?;
    let title = match diff.only {
        Some(kind) => format!("Diff: {} ({})", kind.label(), diff.members.len()),
        None => format!("Diff: changed since the snapshot ({})", diff.members.len()),
    };
    Some((title, diff.tab_counts))
}

/// Draws the tab line of an audit view (title, count, tabs counted within the view);
/// false when no audit view is open.
pub fn draw_tab_line(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) -> bool {
    let Some((title, counts)) = lens(state) else {
        return false;
    };
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(format!(" ◆ {title} "), theme.badge),
        Span::raw(" "),
    ];
    for (n, tab) in StatusTab::ALL.iter().enumerate() {
        let label = match tab {
            StatusTab::All => "All",
            StatusTab::Active => "Act",
            StatusTab::Pending => "Pend",
            StatusTab::Disabled => "Dis",
            StatusTab::ServiceAccounts => "Svc",
        };
        let label = if area.width >= 120 {
            tab.label()
        } else {
            label
        };
        let style = if *tab == state.view.tab {
            theme.tab_selected
        } else {
            theme.tab
        };
        spans.push(Span::styled(
            format!(
                " {} {label} {} ",
                n + 1,
                crate::words::thousands(counts[n] as u64)
            ),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    if area.width >= 100 {
        spans.push(Span::styled(" Esc returns to all users", theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    true
}

/// The export prompt, a small box over the list.
pub fn draw_export(frame: &mut Frame, area: Rect, prompt: &ExportPrompt, theme: &Theme) {
    let rect = centered(area, 72, 8);
    let inner = popup(
        frame,
        rect,
        format!(
            " Export {} ({}) ",
            crate::words::count(prompt.count, "user"),
            prompt.view_name
        ),
        theme,
    );
    if inner.height < 4 {
        return;
    }
    let [format, _, file, _, help] = rows_then_rest(inner);
    let choice = |label: &'static str, on: bool| {
        if on {
            Span::styled(format!(" ● {label} "), theme.tab_selected)
        } else {
            Span::styled(format!(" ○ {label} "), theme.dim)
        }
    };
    use crate::app::audit::ExportFormat as F;
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Format  ", theme.dim),
            choice("CSV", prompt.format == F::Csv),
            Span::raw(" "),
            choice("JSON", prompt.format == F::Json),
        ])),
        format,
    );
    let label = " File    ";
    let avail = file.width.saturating_sub(width(label) as u16 + 1) as usize;
    let scroll = prompt.path.visual_scroll(avail);
    let cursor = prompt.path.visual_cursor().saturating_sub(scroll);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(label, theme.dim),
            Span::styled(
                fit(&skip_columns(prompt.path.value(), scroll), avail),
                theme.focused_field,
            ),
        ])),
        file,
    );
    if prompt.overwrite.is_some() {
        // Asking: no cursor in the name, the question where the help was.
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(" The file exists — overwrite it?", theme.warn),
                Line::styled(" y overwrites · n or Esc: back to the name", theme.dim),
            ]),
            help,
        );
        return;
    }
    frame.set_cursor_position((file.x + width(label) as u16 + cursor as u16, file.y));
    frame.render_widget(
        Paragraph::new(vec![
            Line::styled(
                " The list as shown: tab, filter, audit view and sort.",
                theme.dim,
            ),
            Line::styled(" Tab CSV / JSON · Enter writes · Esc cancels", theme.dim),
        ]),
        help,
    );
}

/// The permission picker: a search line and the catalogue grouped by permission group.
pub fn draw_permissions(
    frame: &mut Frame,
    area: Rect,
    picker: &PermissionPicker,
    state: &State,
    theme: &Theme,
) {
    let rect = centered(area, 90, area.height.saturating_sub(2));
    let matches = picker.matches();
    let inner = popup(
        frame,
        rect,
        format!(
            " Who can… — {} of {} permissions ",
            matches.len(),
            picker.entries.len()
        ),
        theme,
    );
    if inner.height < 3 {
        return;
    }
    let [search, list, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    draw_search_line(frame, search, picker, theme);
    if picker.loading {
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(" {} reading the permission catalogue…", spinner(state)),
                theme.warn,
            )),
            list,
        );
    } else if let Some(error) = &picker.error {
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {error}"), theme.error))
                .wrap(Wrap { trim: true }),
            list,
        );
    } else {
        let (lines, cursor_line) = catalogue_lines(picker, &matches, list.width, theme);
        // Scrolled just enough to keep the cursor's line in sight.
        let rows = list.height as usize;
        let top = cursor_line.saturating_sub(rows.saturating_sub(1));
        frame.render_widget(Paragraph::new(lines).scroll((top as u16, 0)), list);
    }
    frame.render_widget(
        Paragraph::new(Line::styled(
            " type to search · ↑/↓ move · Enter who holds it · Esc closes",
            Style::new().patch(theme.dim),
        )),
        footer,
    );
}

/// The search line, with the cursor placed in it.
fn draw_search_line(frame: &mut Frame, area: Rect, picker: &PermissionPicker, theme: &Theme) {
    let prompt = " search: ";
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt, theme.title),
            Span::raw(picker.query.value().to_owned()),
        ])),
        area,
    );
    frame.set_cursor_position((
        area.x + width(prompt) as u16 + picker.query.visual_cursor() as u16,
        area.y,
    ));
}

/// The matching permissions under their group headers, `list_width` wide, and the line the
/// cursor is on.
fn catalogue_lines(
    picker: &PermissionPicker,
    matches: &[usize],
    list_width: u16,
    theme: &Theme,
) -> (Vec<Line<'static>>, usize) {
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor_line = 0;
    let mut group: Option<&str> = None;
    let name_width = 36.min(list_width.saturating_sub(6) as usize);
    let about_width = (list_width as usize).saturating_sub(name_width + 5);
    for (pos, ix) in matches.iter().enumerate() {
        let Some(entry) = picker.entries.get(*ix) else {
            continue;
        };
        if group != Some(entry.group.as_str()) {
            group = Some(entry.group.as_str());
            lines.push(Line::styled(format!(" {}", entry.group), theme.header));
        }
        let selected = pos == picker.cursor.pos;
        if selected {
            cursor_line = lines.len();
        }
        let line = Line::from(vec![
            Span::raw(if selected { " ▸ " } else { "   " }),
            Span::raw(fit(&entry.name, name_width)),
            Span::raw(" "),
            Span::styled(fit(&entry.about, about_width), theme.dim),
        ]);
        lines.push(if selected {
            line.style(theme.selected)
        } else {
            line
        });
    }
    if matches.is_empty() {
        lines.push(Line::styled(" No permission matches.", theme.dim));
    }
    (lines, cursor_line)
}
