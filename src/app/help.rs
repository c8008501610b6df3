//! Help: scrolling it, and searching it with `/` (only the lines holding the query are
//! shown, the query highlighted by `ui`). Which lines match is decided here, once, for
//! both the drawing and the scroll's end. Pure.

use super::action::Action;
use super::command::table;
use super::keymap;
use super::state::*;

/// The keys of help, and of its search line.
pub fn on_help(state: &mut State, action: Action) {
    let Some(Overlay::Help { scroll, search }) = state.overlay.as_mut() else {
        return;
    };
    match (action, search.as_mut()) {
        (Action::TextEdit(request), Some(found)) if found.typing => {
            found.query.handle(request);
            *scroll = 0;
        }
        // Enter keeps the search and goes back to scrolling what it found.
        (Action::Submit, Some(found)) if found.typing => found.typing = false,
        // Esc clears the search first; help closes on the next one.
        (Action::Cancel | Action::Back, Some(_)) => {
            *search = None;
            *scroll = 0;
        }
        (Action::StartFilter, _) => {
            *search = Some(HelpSearch {
                typing: true,
                ..HelpSearch::default()
            });
            *scroll = 0;
        }
        (Action::Down, _) => {
            let query = search.as_ref().map(|s| s.query.value()).unwrap_or_default();
            *scroll = scroll.saturating_add(1).min(last_line(query));
        }
        (Action::Up, _) => *scroll = scroll.saturating_sub(1),
        (Action::Cancel | Action::Help | Action::Back, None) => state.overlay = None,
        _ => {}
    }
}

/// True when a line of help (its `parts`: keys or usage, and what it does) holds `query`,
/// ignoring case; every line holds an empty query.
pub fn matches(query: &str, parts: &[&str]) -> bool {
    let query = query.trim().to_lowercase();
    query.is_empty() || parts.iter().any(|p| p.to_lowercase().contains(&query))
}

/// The last line help may scroll to the top: help is the keymap's sections (a title and a
/// blank line each, sections without a match left out) and the `:` commands (at most two
/// lines each), so scrolling stops at its end rather than into blank space.
fn last_line(query: &str) -> u16 {
    let keys: usize = keymap::help(None)
        .iter()
        .map(|section| {
            let shown = section
                .lines
                .iter()
                .filter(|line| matches(query, &[&line.keys, line.help]))
                .count();
            if shown == 0 {
                0
            } else {
                shown + 2
            }
        })
        .sum();
    let commands = table()
        .filter(|spec| matches(query, &[spec.usage, spec.about]))
        .count();
    u16::try_from(keys + 1 + 2 * commands).unwrap_or(u16::MAX)
}
