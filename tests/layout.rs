//! The one layout (`app::layout`), checked against what is drawn: the table shows exactly a
//! page of rows, and a click on a drawn row (through the runtime's mouse mapping) selects the
//! user drawn there, at several sizes, tiny ones included, with and without the detail pane.

mod common;

use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use common::fixtures::{page, user};
use common::{loaded_with, terminal_for};
use ddusers::app::action::Action;
use ddusers::app::msg::Msg;
use ddusers::app::state::{Focus, State};
use ddusers::app::update;

/// More users than any tested terminal has rows, so the table is always full.
const USERS: usize = 150;
const EMAIL_DOMAIN: &str = "@rows.example";

/// Sizes from a usable minimum to wide (beside-the-list detail), and tiny ones.
const SIZES: [(u16, u16); 7] = [
    (50, 10),
    (80, 24),
    (119, 30),
    (120, 30),
    (160, 48),
    (20, 6),
    (49, 40),
];

/// How the panes stand in a case.
#[derive(Clone, Copy, Debug)]
enum Panes {
    ListOnly,
    DetailWithListFocused,
    DetailFocused,
}

const PANES: [Panes; 3] = [
    Panes::ListOnly,
    Panes::DetailWithListFocused,
    Panes::DetailFocused,
];

/// `USERS` users on a terminal of this size.
fn loaded(width: u16, height: u16) -> State {
    let users = (0..USERS)
        .map(|n| {
            let email = format!("p{n:03}{EMAIL_DOMAIN}");
            user(&format!("u{n:03}"), &format!("Person {n:03}"), &email, &[])
        })
        .collect();
    loaded_with(page(users, &[], &[]), width, height)
}

fn arrange(state: &mut State, panes: Panes) {
    if matches!(panes, Panes::ListOnly) {
        return;
    }
    update(state, Msg::Action(Action::OpenDetail));
    state.focus = match panes {
        Panes::DetailFocused => Focus::Detail,
        _ => Focus::List,
    };
}

/// One terminal size with one arrangement of the panes, loaded.
struct Case {
    name: String,
    width: u16,
    height: u16,
    state: State,
}

/// Every size with every arrangement of the panes, the list scrolled down `pages` first.
fn cases(pages: usize) -> Vec<Case> {
    let mut cases = Vec::new();
    for (width, height) in SIZES {
        for panes in PANES {
            let mut state = loaded(width, height);
            for _ in 0..pages {
                update(&mut state, Msg::Action(Action::PageDown));
            }
            arrange(&mut state, panes);
            let name = format!("{width}x{height} {panes:?}");
            cases.push(Case {
                name,
                width,
                height,
                state,
            });
        }
    }
    cases
}

/// The screen's lines.
fn drawn(state: &State, width: u16, height: u16) -> Vec<String> {
    let terminal = terminal_for(state, width, height);
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_owned())
                .collect()
        })
        .collect()
}

/// The rows of the drawn table: (screen line, the user's email). A row starts with the mark
/// column, a space and the status (every user here is active); the detail pane's lines
/// start with its border. The table is the leftmost thing on a line, so the first email of
/// a row is the table's.
fn table_rows(lines: &[String]) -> Vec<(u16, String)> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| line.chars().skip(2).take(6).eq("Active".chars()))
        .filter_map(|(y, line)| {
            let end = line.find(EMAIL_DOMAIN)?;
            let start = line[..end].rfind(' ').map_or(0, |space| space + 1);
            Some((y as u16, line[start..end + EMAIL_DOMAIN.len()].to_owned()))
        })
        .collect()
}

fn click(state: &State, x: u16, y: u16) -> Option<Msg> {
    let mouse = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    };
    ddusers::runtime::event_to_msg(state, Event::Mouse(mouse))
}

fn selected_email(state: &State) -> String {
    state
        .selected()
        .map(|u| u.email.to_string())
        .unwrap_or_default()
}

#[test]
fn the_table_draws_as_many_rows_as_a_page_moves() {
    for mut case in cases(0) {
        let name = &case.name;
        let screen = case.state.screen();
        let rows = table_rows(&drawn(&case.state, case.width, case.height)).len();
        let shown = screen.table.map_or(0, |_| screen.table_rows());
        assert_eq!(rows, shown, "{name}");
        // A page is the rows the table draws; on a terminal too small to draw the list, one
        // user. (With the detail over the list, the page is the list's once it is shown.)
        let page = if screen.too_small {
            1
        } else {
            screen.table_rows()
        };
        assert!(rows == 0 || rows == page, "{name}");
        case.state.focus = Focus::List;
        update(&mut case.state, Msg::Action(Action::PageDown));
        assert_eq!(case.state.view.cursor.pos, page, "{name}");
    }
}

#[test]
fn the_table_rows_drawn_fill_the_body_below_the_header() {
    for (width, height) in [(50, 10), (80, 24), (160, 48)] {
        let state = loaded(width, height);
        let rows = table_rows(&drawn(&state, width, height));
        // Title, tabs, filter and the header above; status and hints below.
        assert_eq!(rows.len(), usize::from(height) - 6, "{width}x{height}");
        assert_eq!(rows.first().map(|r| r.0), Some(4), "{width}x{height}");
        assert_eq!(state.body_rows(), rows.len());
    }
}

#[test]
fn a_click_on_a_drawn_row_selects_the_user_drawn_there() {
    // Scrolled, so that the window does not start at the first user.
    for mut case in cases(3) {
        let name = &case.name;
        let rows = table_rows(&drawn(&case.state, case.width, case.height));
        for (y, email) in [rows.first(), rows.get(rows.len() / 2), rows.last()]
            .into_iter()
            .flatten()
        {
            let msg = click(&case.state, 2, *y).unwrap_or_else(|| panic!("{name}: row {y}"));
            update(&mut case.state, msg);
            assert_eq!(&selected_email(&case.state), email, "{name}: line {y}");
        }
    }
}

#[test]
fn a_click_off_the_drawn_rows_selects_nothing() {
    for Case {
        name,
        width,
        height,
        state,
    } in cases(0)
    {
        let rows = table_rows(&drawn(&state, width, height));
        let table_lines: Vec<u16> = rows.iter().map(|r| r.0).collect();
        let columns = state.screen().table.map_or(0, |t| t.x + t.width);
        for y in 0..height {
            for x in 0..width {
                let on_a_row = table_lines.contains(&y) && x < columns;
                let hit = click(&state, x, y).is_some();
                assert_eq!(hit, on_a_row, "{name} at ({x}, {y})");
            }
        }
    }
}

#[test]
fn tiny_terminals_draw_a_message_and_never_panic() {
    for (width, height) in [(0, 0), (1, 1), (3, 2), (20, 6), (49, 10), (50, 9)] {
        for panes in PANES {
            let mut state = loaded(width, height);
            arrange(&mut state, panes);
            update(&mut state, Msg::Action(Action::PageDown));
            if width > 0 && height > 0 {
                let lines = drawn(&state, width, height);
                assert!(table_rows(&lines).is_empty(), "{width}x{height}");
            }
        }
    }
}
