//! Drawing only: turns `&State` into a frame. Never changes state, never does I/O. The users
//! table builds rows for the visible window only, so the cost of a frame does not depend on
//! how many users are loaded.

pub mod audit;
pub mod dialogs;
pub mod journal;
pub mod plan;
pub mod text;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Gauge, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

use crate::app::action::StatusTab;
use crate::app::detail::detail_side_by_side;
use crate::app::state::{list_body_rows, Focus, State};
use crate::org::{Status, UserRecord};
use crate::runs::ItemResult;

use text::fit;
use theme::Theme;

/// The smallest terminal the layout works in.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 10;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for this tick.
pub fn spinner(state: &State) -> &'static str {
    SPINNER[(state.tick % SPINNER.len() as u64) as usize]
}

/// Draws the whole console.
pub fn draw(frame: &mut Frame, state: &State) {
    let theme = Theme::for_monochrome(state.options.monochrome);
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        draw_too_small(frame, area, &theme);
        return;
    }
    let [title, tabs, filter, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(frame, title, state, &theme);
    if !audit::draw_tab_line(frame, tabs, state, &theme) {
        draw_tabs(frame, tabs, state, &theme);
    }
    draw_filter(frame, filter, state, &theme);
    let (list, detail) = body_areas(state, body);
    if let Some(list) = list {
        draw_table(frame, list, state, &theme);
    }
    if let Some(detail) = detail {
        dialogs::draw_detail(frame, detail, state, &theme);
    }
    draw_status(frame, status, state, &theme);
    draw_hints(frame, hints, state, &theme);
    if let Some(overlay) = &state.overlay {
        dialogs::draw_overlay(frame, area, hints, overlay, state, &theme);
    }
    if let Some(plan) = state.plan.as_ref().filter(|p| p.is_shown()) {
        plan::draw_plan(frame, area, plan, state, &theme);
    }
}

fn draw_too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = vec![
        Line::styled("Terminal too small", theme.warn),
        Line::from(format!(
            "{}×{}; needs {MIN_WIDTH}×{MIN_HEIGHT}.",
            area.width, area.height
        )),
        Line::from("Enlarge it, or q quits."),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// Where the list and the detail go (either may be hidden).
fn body_areas(state: &State, body: Rect) -> (Option<Rect>, Option<Rect>) {
    match &state.detail {
        None => (Some(body), None),
        Some(_) if detail_side_by_side(body.width) => {
            let [list, detail] =
                Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                    .areas(body);
            (Some(list), Some(detail))
        }
        Some(_) if state.focus == Focus::Detail => (None, Some(body)),
        Some(_) => (Some(body), None),
    }
}

/// Which visible table row is at terminal cell (x, y), for mouse clicks.
pub fn table_row_at(state: &State, width: u16, height: u16, x: u16, y: u16) -> Option<u16> {
    let body = Rect::new(0, 3, width, height.saturating_sub(5));
    let (list, _) = body_areas(state, body);
    let list = list?;
    let first = list.y + 1; // below the header row
    let rows = list_body_rows(height) as u16;
    (x >= list.x && x < list.x + list.width && y >= first && y < first + rows).then(|| y - first)
}

fn draw_title(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut left = vec![
        Span::styled(" ddusers ", theme.title),
        Span::styled("· ", theme.dim),
        Span::raw(state.options.origin_label.clone()),
    ];
    if let Some(me) = state.me.as_ref().and_then(|id| state.store.by_id(id)) {
        left.push(Span::styled(" · me: ", theme.dim));
        left.push(Span::raw(me.display_name().to_owned()));
    }
    let mut right = Vec::new();
    if state.access.read_only {
        right.push(Span::styled(" READ-ONLY ", theme.badge));
        right.push(Span::raw(" "));
    }
    right.push(Span::styled("? help ", theme.dim));
    let right_width: usize = right.iter().map(|s| s.width()).sum();
    let [l, r] = Layout::horizontal([Constraint::Min(1), Constraint::Length(right_width as u16)])
        .areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), l);
    frame.render_widget(Paragraph::new(Line::from(right)), r);
}

fn draw_tabs(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let counts = state.store.counts();
    let mut spans = vec![Span::raw(" ")];
    for (n, tab) in StatusTab::ALL.iter().enumerate() {
        let count = match tab {
            StatusTab::All => counts.all,
            StatusTab::Active => counts.active,
            StatusTab::Pending => counts.pending,
            StatusTab::Disabled => counts.disabled,
            StatusTab::ServiceAccounts => counts.service,
        };
        let label = if *tab == StatusTab::ServiceAccounts && area.width < 100 {
            "Service"
        } else {
            tab.label()
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
                crate::words::thousands(u64::from(count))
            ),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_filter(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let arrow = if state.view.sort.descending {
        "↓"
    } else {
        "↑"
    };
    let mut right = format!("sort {} {arrow}", state.view.sort.key.label());
    if !state.marks.is_empty() {
        right.push_str(&format!(
            " · {} marked",
            crate::words::thousands(state.marks.len() as u64)
        ));
    }
    right.push_str(&format!(
        " · {} shown ",
        crate::words::thousands(state.view.rows.len() as u64)
    ));
    let right_width = text::width(&right) as u16;
    let [l, r] =
        Layout::horizontal([Constraint::Min(1), Constraint::Length(right_width)]).areas(area);
    let value = state.view.filter.value();
    let line = if state.view.filter_editing {
        let prefix = " / ";
        let avail = l.width.saturating_sub(prefix.len() as u16 + 1) as usize;
        let scroll = state.view.filter.visual_scroll(avail);
        let cursor = state.view.filter.visual_cursor().saturating_sub(scroll);
        frame.set_cursor_position((l.x + prefix.len() as u16 + cursor as u16, l.y));
        Line::from(vec![
            Span::styled(prefix, theme.title),
            Span::raw(text::skip_columns(value, scroll)),
        ])
    } else if value.is_empty() {
        Line::styled(" / filter   s sort   : commands", theme.dim)
    } else {
        Line::from(vec![
            Span::styled(" filter: ", theme.dim),
            Span::styled(value.to_owned(), theme.marked),
            Span::styled("  (Esc clears)", theme.dim),
        ])
    };
    frame.render_widget(Paragraph::new(line), l);
    frame.render_widget(Paragraph::new(Span::styled(right, theme.dim)), r);
}

/// The table's columns at a given width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Column {
    Mark,
    Status,
    Name,
    Email,
    Roles,
    Mfa,
    LastLogin,
    Created,
}

fn columns(width: u16) -> Vec<(Column, u16)> {
    use Column::*;
    let fixed: Vec<(Column, u16)> = if width < 70 {
        vec![(Mark, 1), (Status, 10)]
    } else if width < 100 {
        vec![(Mark, 1), (Status, 10), (LastLogin, 10)]
    } else {
        vec![
            (Mark, 1),
            (Status, 10),
            (Mfa, 3),
            (LastLogin, 10),
            (Created, 10),
        ]
    };
    let flexible: &[(Column, u16)] = if width < 70 {
        &[(Name, 4), (Email, 5)]
    } else {
        &[(Name, 4), (Email, 5), (Roles, 3)]
    };
    let count = fixed.len() + flexible.len();
    let spacing = count.saturating_sub(1) as u16;
    let used: u16 = fixed.iter().map(|(_, w)| w).sum::<u16>() + spacing;
    let room = width.saturating_sub(used);
    let weight: u16 = flexible.iter().map(|(_, w)| w).sum();
    let mut flex: Vec<(Column, u16)> = flexible
        .iter()
        .map(|(c, w)| (*c, room * w / weight))
        .collect();
    let given: u16 = flex.iter().map(|(_, w)| w).sum();
    if let Some(first) = flex.first_mut() {
        first.1 += room - given;
    }
    // Order on screen.
    let order = [Mark, Status, Name, Email, Roles, Mfa, LastLogin, Created];
    let mut all: Vec<(Column, u16)> = fixed.into_iter().chain(flex).collect();
    all.sort_by_key(|(c, _)| order.iter().position(|o| o == c));
    all
}

fn header_label(column: Column) -> &'static str {
    match column {
        Column::Mark => "",
        Column::Status => "Status",
        Column::Name => "Name",
        Column::Email => "Email",
        Column::Roles => "Roles",
        Column::Mfa => "MFA",
        Column::LastLogin => "Last login",
        Column::Created => "Created",
    }
}

fn status_cell(user: &UserRecord, state: &State, theme: &Theme) -> (String, Style) {
    let label = user.status.label();
    let Some(run) = state.run.as_ref() else {
        return (label.to_owned(), theme.status(user.status));
    };
    match run.result_of(&user.id) {
        Some(None) if !run.finished => (format!("{} {label}", spinner(state)), theme.warn),
        Some(Some(result)) if result.is_settled() => {
            (format!("✓ {label}"), theme.status(user.status))
        }
        Some(Some(
            ItemResult::Failed { .. } | ItemResult::Partial { .. } | ItemResult::Unfinished { .. },
        )) => (format!("✗ {label}"), theme.error),
        _ => (label.to_owned(), theme.status(user.status)),
    }
}

fn draw_table(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let cols = columns(area.width);
    let rows_room = area.height.saturating_sub(1) as usize;
    let start = state.view.cursor.offset.min(state.view.rows.len());
    let end = (start + rows_room).min(state.view.rows.len());
    let rows: Vec<Row> = state.view.rows[start..end]
        .iter()
        .enumerate()
        .filter_map(|(n, ix)| {
            let user = state.store.get(*ix)?;
            let marked = state.marks.contains(&user.id);
            let cells: Vec<Cell> = cols
                .iter()
                .map(|(col, w)| {
                    let w = usize::from(*w);
                    match col {
                        Column::Mark => {
                            Cell::from(Span::styled(if marked { "●" } else { " " }, theme.marked))
                        }
                        Column::Status => {
                            let (text, style) = status_cell(user, state, theme);
                            Cell::from(Span::styled(fit(&text, w), style))
                        }
                        Column::Name => {
                            let name = if user.service_account {
                                format!("[svc] {}", user.display_name())
                            } else if user.name.is_empty() {
                                "—".to_owned()
                            } else {
                                user.name.to_string()
                            };
                            let style = if marked { theme.marked } else { Style::new() };
                            Cell::from(Span::styled(fit(&name, w), style))
                        }
                        Column::Email => Cell::from(fit(&user.email, w)),
                        Column::Roles => Cell::from(Span::styled(
                            fit(&state.store.role_names(user), w),
                            theme.dim,
                        )),
                        Column::Mfa => Cell::from(match user.mfa {
                            Some(true) => Span::styled("on ", theme.ok),
                            Some(false) => Span::styled("off", theme.dim),
                            None => Span::styled("?  ", theme.dim),
                        }),
                        Column::LastLogin => Cell::from(fit(
                            &user
                                .last_login
                                .map(|t| crate::words::ago(state.now, t.seconds()))
                                .unwrap_or_else(|| "never".to_owned()),
                            w,
                        )),
                        Column::Created => Cell::from(fit(
                            &user
                                .created
                                .map(|t| crate::words::date(t.seconds()))
                                .unwrap_or_else(|| "—".into()),
                            w,
                        )),
                    }
                })
                .collect();
            let selected = start + n == state.view.cursor.pos;
            let row = Row::new(cells);
            Some(if selected {
                row.style(theme.selected)
            } else {
                row
            })
        })
        .collect();
    let header = Row::new(
        cols.iter()
            .map(|(c, w)| Cell::from(fit(header_label(*c), usize::from(*w))))
            .collect::<Vec<_>>(),
    )
    .style(theme.header);
    let widths: Vec<Constraint> = cols.iter().map(|(_, w)| Constraint::Length(*w)).collect();
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_widget(table, area);
    if state.view.rows.is_empty() {
        let message = if !state.load.done && state.load.error.is_none() {
            format!("{} loading users…", spinner(state))
        } else if state.store.is_empty() {
            "No users.".to_owned()
        } else {
            "No user matches the filter and tab (Esc clears the filter).".to_owned()
        };
        let y = area.y + 2.min(area.height.saturating_sub(1));
        let line = Rect::new(area.x + 1, y, area.width.saturating_sub(2), 1);
        frame.render_widget(Paragraph::new(Span::styled(message, theme.dim)), line);
    }
}

fn draw_status(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(run) = state.run.as_ref().filter(|r| !r.finished) {
        let done = run.done_count();
        let label = format!(
            "{} {} / {}",
            text::fit(&run.title, 60).trim_end(),
            crate::words::thousands(done as u64),
            crate::words::thousands(run.total as u64)
        );
        let ratio = if run.total == 0 {
            1.0
        } else {
            done as f64 / run.total as f64
        };
        frame.render_widget(
            Gauge::default()
                .gauge_style(theme.gauge)
                .ratio(ratio.clamp(0.0, 1.0))
                .label(label),
            area,
        );
        return;
    }
    let load = &state.load;
    if !load.done && load.error.is_none() && load.started() {
        let loaded = state.store.len() as u64;
        let label = match load.total_users {
            Some(total) => format!(
                "{} loaded {} / {}",
                spinner(state),
                crate::words::thousands(loaded.min(total)),
                crate::words::thousands(total)
            ),
            None => format!("{} loading users…", spinner(state)),
        };
        let ratio = match (load.total_pages, load.total_users) {
            (Some(pages), _) if pages > 0 => load.pages_done as f64 / pages as f64,
            (_, Some(total)) if total > 0 => loaded as f64 / total as f64,
            _ => 0.0,
        };
        frame.render_widget(
            Gauge::default()
                .gauge_style(theme.gauge)
                .ratio(ratio.clamp(0.0, 1.0))
                .label(label),
            area,
        );
        return;
    }
    let line = match &load.error {
        Some(error) => Line::styled(
            format!(" Loading stopped: {error} (C-r retries)"),
            theme.error,
        ),
        None => Line::styled(
            format!(
                " {} users loaded",
                crate::words::thousands(state.store.len() as u64)
            ),
            theme.dim,
        ),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_hints(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(toast) = &state.toast {
        frame.render_widget(
            Paragraph::new(Span::styled(
                format!(" {}", toast.text),
                theme.level(toast.level),
            )),
            area,
        );
        return;
    }
    let read_only = state.access.read_only;
    let all: &[(&str, &str, bool)] = &[
        ("j/k", "move", false),
        ("/", "filter", false),
        ("space", "mark", false),
        ("Enter", "detail", false),
        ("d", "disable", true),
        ("i", "invite", true),
        ("?", "help", false),
        ("q", "quit", false),
    ];
    let wide = area.width >= 100;
    let hints: Vec<&(&str, &str, bool)> = all
        .iter()
        .filter(|(key, _, _)| wide || *key != "Enter")
        .collect();
    let mut spans = vec![Span::raw(" ")];
    for (key, what, mutating) in hints {
        let unavailable = *mutating && read_only;
        let key_style = if unavailable { theme.dim } else { theme.title };
        let what_style = if unavailable { theme.dim } else { Style::new() };
        spans.push(Span::styled(*key, key_style));
        spans.push(Span::styled(format!(" {what}  "), what_style));
    }
    if read_only {
        spans.push(Span::styled("(read-only)", theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A block with the console's border style.
pub fn block<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(if focused {
            theme.focused_border
        } else {
            theme.border
        })
        .title(title)
}

/// A status word, styled.
pub fn status_span(status: Status, theme: &Theme) -> Span<'static> {
    Span::styled(status.label(), theme.status(status))
}
