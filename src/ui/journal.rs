//! Drawing the journal overlay: the runs (newest first) with their tallies, a run's items,
//! and the resume / undo confirmation listing what will be sent.

use crate::text::sanitize;
use crate::words::count;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::journal::{describe_change, JournalView};
use crate::app::state::State;
use crate::runs::{ItemResult, RunState};

use super::text::fit;
use super::theme::Theme;
use super::{popup, spinner};

fn started(run: &RunState) -> String {
    crate::words::minute(run.at)
}

/// Draws the journal overlay (and its confirmation, when one is asked).
pub fn draw_journal(
    frame: &mut Frame,
    area: Rect,
    view: &JournalView,
    state: &State,
    theme: &Theme,
) {
    // The whole body, below the title line: nothing of the list shows through.
    let rect = Rect::new(
        area.x,
        area.y + 1.min(area.height),
        area.width,
        area.height.saturating_sub(2),
    );
    let title = match (view.items, view.selected()) {
        (Some(_), Some(run)) => format!(" Run {} — {} ", run.run, sanitize(&run.title)),
        _ if view.skipped > 0 => format!(
            " Journal — {} · {} skipped ",
            count(view.runs.len(), "run"),
            count(view.skipped, "damaged line"),
        ),
        _ => format!(" Journal — {} ", count(view.runs.len(), "run")),
    };
    let inner = popup(frame, rect, title, theme);
    if inner.height < 3 {
        return;
    }
    let [body, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let w = body.width as usize;
    let lines: Vec<Line> = if view.loading && view.runs.is_empty() {
        vec![Line::styled(
            format!(" {} reading the journal…", spinner(state)),
            theme.warn,
        )]
    } else if let Some(error) = &view.error {
        vec![Line::styled(format!(" {error}"), theme.error)]
    } else if view.runs.is_empty() {
        vec![Line::styled(
            " No runs yet: every change the console or the CLI makes is journaled here.",
            theme.dim,
        )]
    } else if let (Some(scroll), Some(run)) = (view.items, view.selected()) {
        item_lines(run, scroll, body.height as usize, w, state, theme)
    } else {
        run_lines(view, body.height as usize, w, theme)
    };
    frame.render_widget(Paragraph::new(lines), body);
    let hint = if view.items.is_some() {
        " j/k scroll · r resume · U undo · Enter/Esc back to the runs"
    } else {
        " j/k move · Enter items · r resume · U undo · C-r re-read · Esc closes"
    };
    frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim)), footer);
}

fn run_lines(view: &JournalView, rows: usize, w: usize, theme: &Theme) -> Vec<Line<'static>> {
    let (tally_width, tally_header) = if w >= 100 {
        (44, "done / already so / failed / unfinished")
    } else {
        (24, "done/already/failed/left")
    };
    let title_width = w.saturating_sub(tally_width + 21);
    let mut lines = vec![Line::styled(
        format!(
            "   {:<16} {} {}",
            "started",
            fit("title", title_width),
            fit(tally_header, tally_width)
        ),
        theme.header,
    )];
    let room = rows.saturating_sub(1).max(1);
    let top = view.cursor.pos.saturating_sub(room - 1);
    for (n, run) in view.runs.iter().enumerate().skip(top).take(room) {
        let t = run.tally();
        let selected = n == view.cursor.pos;
        let mut title = run.title.clone();
        if run.origin != view.address {
            title = format!("[other org] {title} — {}", run.origin);
        }
        let tally = format!(
            "{} / {} / {} / {}",
            t.done, t.skipped, t.failed, t.unfinished
        );
        let tally_style = if t.failed > 0 || t.unfinished > 0 {
            theme.warn
        } else {
            theme.ok
        };
        let line = Line::from(vec![
            Span::raw(if selected { " ▸ " } else { "   " }),
            Span::raw(format!("{:<16} ", started(run))),
            Span::raw(fit(&title, title_width)),
            Span::raw(" "),
            Span::styled(tally, tally_style),
        ]);
        lines.push(if selected {
            line.style(theme.selected)
        } else {
            line
        });
    }
    lines
}

fn item_lines(
    run: &RunState,
    scroll: usize,
    rows: usize,
    w: usize,
    state: &State,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(
        format!(
            " {} · {} · org {}",
            started(run),
            run.tally(),
            sanitize(&run.origin)
        ),
        theme.dim,
    )];
    let change_width = w.saturating_sub(30).min(60);
    for (n, (change, outcome)) in run
        .changes
        .iter()
        .zip(&run.outcomes)
        .enumerate()
        .skip(scroll)
        .take(rows.saturating_sub(1))
    {
        let (mark, result, style) = match outcome {
            Some(ItemResult::Done { detail, .. }) => ("✓", detail.clone(), theme.ok),
            Some(ItemResult::Skipped { detail, .. }) => ("=", detail.clone(), theme.dim),
            Some(ItemResult::Partial { detail, next, .. }) => {
                ("~", format!("{detail}; {next}"), theme.warn)
            }
            Some(ItemResult::Failed { reason }) => ("✗", reason.clone(), theme.error),
            Some(ItemResult::Unfinished { reason }) => ("·", reason.clone(), theme.warn),
            None if run.started[n] => ("?", "outcome unknown".to_owned(), theme.warn),
            None => ("·", "not started".to_owned(), theme.warn),
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:>4} {mark} ", n + 1), style),
            Span::raw(fit(&describe_change(state, change), change_width)),
            Span::raw(" "),
            Span::styled(result, style),
        ]));
    }
    lines
}
