//! The two bottom lines: the status line (a run's or the listing's gauge, or the loaded
//! count) and the key hints, generated from the keymap for the context on screen (a toast
//! takes their place while it lasts).

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Gauge, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::keymap::{self, FooterHint};
use crate::app::state::{LoadProgress, State};
use crate::words::thousands;

use super::spinner;
use super::text::{self, width};
use super::theme::Theme;

/// What follows the hints when the console is read-only.
const READ_ONLY_NOTE: &str = "(read-only)";

/// Draws the status line: a run in flight, else the listing in progress, else the count.
pub(super) fn draw_status(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(run) = state.run.as_ref().filter(|r| !r.finished) {
        let done = run.done_count();
        let label = format!(
            "{} {} / {}",
            text::fit(&run.title, 60).trim_end(),
            thousands(done as u64),
            thousands(run.total as u64)
        );
        // A run of nothing is all done.
        let ratio = if run.total == 0 {
            1.0
        } else {
            done as f64 / run.total as f64
        };
        draw_gauge(frame, area, label, ratio, theme);
        return;
    }
    let load = &state.load;
    if !load.done && load.error.is_none() && load.started() {
        let (label, done, total) = load_measure(load, state.store.len() as u64);
        let label = format!("{} {label}", spinner(state));
        let ratio = if total == 0 {
            0.0
        } else {
            done as f64 / total as f64
        };
        draw_gauge(frame, area, label, ratio, theme);
        return;
    }
    let filter_error = match crate::app::listing::filter_notice(state) {
        Some(crate::app::listing::FilterNotice::Invalid(why)) => Some(why),
        _ => None,
    };
    let line = match (&load.error, filter_error) {
        // The filter line may be too narrow for the whole sentence: it is said here too,
        // wrapped when even this line is too short.
        (None, Some(why)) => {
            let text = format!(" ⚠ {why}");
            let paragraph = Paragraph::new(Span::styled(text, theme.error));
            frame.render_widget(paragraph.wrap(Wrap { trim: false }), area);
            return;
        }
        (Some(error), _) => Line::styled(
            format!(" Loading stopped: {error} (C-r retries)"),
            theme.error,
        ),
        (None, None) => match &state.review.active {
            Some(lens) => super::review::status_line(lens, theme),
            None => Line::styled(
                format!(" {} loaded", crate::words::count(state.store.len(), "user")),
                theme.dim,
            ),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The listing's progress in one measure, for both the gauge's label and its bar: users
/// (loaded of the total) when the total is known, else pages, else nothing yet (0 of 0).
fn load_measure(load: &LoadProgress, loaded_users: u64) -> (String, u64, u64) {
    match (load.total_users, load.total_pages) {
        (Some(total), _) => {
            let loaded = loaded_users.min(total);
            let label = format!("loaded {} / {}", thousands(loaded), thousands(total));
            (label, loaded, total)
        }
        (None, Some(pages)) => {
            let done = load.pages_done.min(pages);
            let label = format!(
                "loading users: page {} / {}",
                thousands(done),
                thousands(pages)
            );
            (label, done, pages)
        }
        (None, None) => ("loading users…".to_owned(), 0, 0),
    }
}

/// A gauge filled to `ratio` (clamped to 0..=1), with its label.
fn draw_gauge(frame: &mut Frame, area: Rect, label: String, ratio: f64, theme: &Theme) {
    frame.render_widget(
        Gauge::default()
            .gauge_style(theme.gauge)
            .ratio(ratio.clamp(0.0, 1.0))
            .label(label),
        area,
    );
}

/// Draws the key hints of the context on screen, or the toast while it lasts. A toast too
/// long for its line wraps onto the status line above (`status`), rather than being cut.
pub(super) fn draw_hints(
    frame: &mut Frame,
    area: Rect,
    status: Rect,
    state: &State,
    theme: &Theme,
) {
    if let Some(toast) = &state.toast {
        let text = format!(" {}", toast.text);
        let both = status.union(area);
        let rect = if width(&text) > usize::from(area.width) && both.height == 2 {
            both
        } else {
            area
        };
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.level(toast.level))).wrap(Wrap { trim: false }),
            rect,
        );
        return;
    }
    let changes_blocked = state.read_only_reason().is_some();
    let hints = keymap::footer(state.context(), changes_blocked);
    let read_only = state.access.read_only;
    let mut spans = vec![Span::raw(" ")];
    let mut room = usize::from(area.width).saturating_sub(1);
    for hint in fitting(hints, room) {
        room = room.saturating_sub(hint_width(&hint));
        let key_style = if hint.unavailable {
            theme.dim
        } else {
            theme.title
        };
        let label_style = if hint.unavailable {
            theme.dim
        } else {
            Style::new()
        };
        spans.push(Span::styled(hint.keys, key_style));
        spans.push(Span::styled(format!(" {}  ", hint.label), label_style));
    }
    if read_only && width(READ_ONLY_NOTE) <= room {
        spans.push(Span::styled(READ_ONLY_NOTE, theme.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Columns a hint takes: "keys label" and two spaces.
fn hint_width(hint: &FooterHint) -> usize {
    width(&hint.keys) + 1 + width(hint.label) + 2
}

/// The hints that fit in `room` columns, whole: the optional ones only when every hint
/// fits, then as many as fit from the left.
fn fitting(hints: Vec<FooterHint>, room: usize) -> Vec<FooterHint> {
    let all_fit = hints.iter().map(hint_width).sum::<usize>() <= room;
    let mut used = 0;
    hints
        .into_iter()
        .filter(|hint| all_fit || !hint.if_room)
        .take_while(|hint| {
            used += hint_width(hint);
            used <= room
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(
        pages_done: u64,
        total_pages: Option<u64>,
        total_users: Option<u64>,
    ) -> LoadProgress {
        LoadProgress {
            pages_done,
            total_pages,
            total_users,
            ..LoadProgress::default()
        }
    }

    #[test]
    fn the_gauge_counts_users_when_their_total_is_known() {
        let (label, done, total) = load_measure(&progress(34, Some(1000), Some(100_000)), 12);
        assert_eq!(
            (label.as_str(), done, total),
            ("loaded 12 / 100,000", 12, 100_000)
        );
    }

    #[test]
    fn the_gauge_counts_pages_when_the_total_of_users_is_unknown() {
        let (label, done, total) = load_measure(&progress(3, Some(10), None), 250);
        assert_eq!(
            (label.as_str(), done, total),
            ("loading users: page 3 / 10", 3, 10)
        );
        let (label, done, total) = load_measure(&progress(0, None, None), 0);
        assert_eq!((label.as_str(), done, total), ("loading users…", 0, 0));
    }

    #[test]
    fn a_narrow_footer_drops_the_optional_hints_first_then_cuts_whole_hints() {
        let hints = keymap::footer(crate::app::state::Context::Browse, false);
        let every: usize = hints.iter().map(hint_width).sum();
        assert!(fitting(hints.clone(), every).iter().any(|h| h.if_room));
        let narrower = fitting(hints.clone(), every - 1);
        assert!(narrower.iter().all(|h| !h.if_room));
        assert_eq!(narrower.len(), hints.len() - 1);
        let tiny = fitting(hints, 12);
        assert_eq!(tiny.len(), 1, "{tiny:?}");
    }
}
