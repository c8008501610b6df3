//! Drawing only: turns `&State` into a frame. Never changes state, never does I/O. Where each
//! part goes comes from `app::layout` (the one layout, shared with paging and mouse hits).
//! The users table builds rows for the visible window only, so the cost of a frame does not
//! depend on how many users are loaded.

pub mod audit;
pub mod detail;
pub mod dialogs;
pub mod footer;
pub mod journal;
pub mod list;
pub mod plan;
pub mod review;
pub mod text;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::action::StatusTab;
use crate::app::layout::{Area, Screen, MIN_HEIGHT, MIN_WIDTH};
use crate::app::listing::FilterNotice;
use crate::app::state::State;
use crate::org::Status;

use theme::Theme;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for this tick.
pub fn spinner(state: &State) -> &'static str {
    SPINNER[(state.tick % SPINNER.len() as u64) as usize]
}

impl From<Area> for Rect {
    fn from(area: Area) -> Rect {
        Rect::new(area.x, area.y, area.width, area.height)
    }
}

impl From<Rect> for Area {
    fn from(rect: Rect) -> Area {
        Area::new(rect.x, rect.y, rect.width, rect.height)
    }
}

/// Draws the whole console.
pub fn draw(frame: &mut Frame, state: &State) {
    let theme = Theme::for_monochrome(state.options.monochrome);
    let area = frame.area();
    let screen = Screen::new(area.into(), state.panes());
    if screen.too_small {
        draw_too_small(frame, area, &theme);
        return;
    }
    draw_title(frame, screen.title.into(), state, &theme);
    let tabs = screen.tabs.into();
    let review = state.review.active.as_ref();
    if let Some(lens) = review {
        review::draw_line(frame, tabs, lens, &theme);
    } else if !audit::draw_tab_line(frame, tabs, state, &theme) {
        draw_tabs(frame, tabs, state, &theme);
    }
    draw_filter(frame, screen.filter.into(), state, &theme);
    match (screen.table, review) {
        (Some(table), Some(lens)) => {
            review::draw_rows(frame, table.into(), screen.table_rows(), lens, &theme)
        }
        (Some(table), None) => {
            list::draw_table(frame, table.into(), screen.table_rows(), state, &theme)
        }
        (None, _) => {}
    }
    if let Some(pane) = screen.detail {
        detail::draw_detail(frame, pane.into(), state, &theme);
    }
    let hints = screen.hints.into();
    footer::draw_status(frame, screen.status.into(), state, &theme);
    footer::draw_hints(frame, hints, screen.status.into(), state, &theme);
    if let Some(overlay) = &state.overlay {
        dialogs::draw_overlay(frame, area, hints, overlay, state, &theme);
    }
    if let Some(plan) = state.plan.as_ref().filter(|p| p.is_shown()) {
        plan::draw_plan(frame, area, plan, state, &theme);
    }
    if state.demo_notice && state.overlay.is_none() && state.plan.is_none() {
        dialogs::draw_demo_notice(frame, area, &theme);
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

/// A rectangle of at most `w`×`h`, centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn draw_title(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut left = vec![
        Span::styled(" ddusers ", theme.title),
        Span::styled("· ", theme.dim),
        Span::raw(where_am_i(state)),
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

/// The org and the site: "Acme Corp · datadoghq.eu", "Demo Org (sandbox) · local"; the
/// site alone until the org's name is known.
fn where_am_i(state: &State) -> String {
    match (&state.org_name, state.options.demo) {
        (Some(name), true) => format!("{name} (sandbox) · local"),
        (Some(name), false) => format!("{name} · {}", state.options.origin_label),
        (None, _) => state.options.origin_label.clone(),
    }
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

/// The counts at the right of the filter line: the sort, marks and users shown (or the
/// review's rows).
fn filter_counts(state: &State) -> String {
    if let Some(lens) = &state.review.active {
        return review::counts(lens);
    }
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
    if state.selection.marked_only.is_some() {
        right.push_str(" (only marked shown, M shows all)");
    }
    right.push_str(&format!(
        " · {} shown ",
        crate::words::thousands(state.view.rows.len() as u64)
    ));
    right
}

fn draw_filter(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let right = filter_counts(state);
    let notice = crate::app::listing::filter_notice(state);
    // A filter term in error takes the whole line: what to type matters more than counts.
    let right_width = match notice {
        Some(FilterNotice::Invalid(_)) => 0,
        _ => text::width(&right) as u16,
    };
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
    } else if value.is_empty() && state.review.active.is_some() {
        Line::styled(" / filter   : commands (:review undecided, …)", theme.dim)
    } else if value.is_empty() {
        Line::styled(" / filter   s sort   : commands", theme.dim)
    } else {
        Line::from(vec![
            Span::styled(" filter: ", theme.dim),
            Span::styled(value.to_owned(), theme.marked),
            Span::styled("  (Esc clears)", theme.dim),
        ])
    };
    let mut line = line;
    match notice {
        Some(FilterNotice::Invalid(why)) => {
            line.push_span(Span::styled(format!("  ⚠ {why}"), theme.error))
        }
        Some(FilterNotice::Partial(what)) => {
            line.push_span(Span::styled(format!("  ({what})"), theme.warn))
        }
        None => {}
    }
    frame.render_widget(Paragraph::new(line), l);
    frame.render_widget(Paragraph::new(Span::styled(right, theme.dim)), r);
}

/// Clears `rect` over whatever was drawn there and draws a focused border titled `title`
/// around it: a popup. Returns its inside.
pub(crate) fn popup<'a>(
    frame: &mut Frame,
    rect: Rect,
    title: impl Into<Line<'a>>,
    theme: &Theme,
) -> Rect {
    frame.render_widget(Clear, rect);
    let outer = block(title, true, theme);
    let inner = outer.inner(rect);
    frame.render_widget(outer, rect);
    inner
}

/// `area` cut into one-row strips from the top, the last taking the rows left.
pub(crate) fn rows_then_rest<const N: usize>(area: Rect) -> [Rect; N] {
    let mut constraints = [Constraint::Length(1); N];
    if let Some(last) = constraints.last_mut() {
        *last = Constraint::Min(1);
    }
    Layout::vertical(constraints).areas(area)
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
