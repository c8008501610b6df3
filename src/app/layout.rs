//! Where each part of the console goes on screen: one pure function of the terminal's size
//! and the open panes. The drawing, paging (a page is the rows the table shows) and mouse
//! hits all read it, so they cannot disagree about where the rows are. No drawing types
//! here (app/ stays free of ratatui); the drawing converts an `Area` into its own rectangle.

/// The smallest terminal the console draws in; below it only a message is drawn.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 10;

/// From this width the detail pane opens beside the list; below it, over the list.
pub const DETAIL_BESIDE_MIN_WIDTH: u16 = 120;

/// The list's share of the width when the detail is beside it, in percent.
const LIST_PERCENT: u32 = 58;

/// A rectangle of terminal cells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Area {
    pub const fn new(x: u16, y: u16, width: u16, height: u16) -> Area {
        Area {
            x,
            y,
            width,
            height,
        }
    }

    /// True when the cell (x, y) is inside.
    pub fn contains(&self, x: u16, y: u16) -> bool {
        x >= self.x
            && y >= self.y
            && u32::from(x) < u32::from(self.x) + u32::from(self.width)
            && u32::from(y) < u32::from(self.y) + u32::from(self.height)
    }

    /// The one-row strip `row` rows below the top (empty past the bottom).
    fn row(&self, row: u16) -> Area {
        let inside = row < self.height;
        Area::new(
            self.x,
            self.y.saturating_add(row),
            self.width,
            u16::from(inside),
        )
    }
}

/// What is open, as far as the layout cares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Panes {
    pub detail_open: bool,
    /// The detail has the keys (on a narrow terminal it then covers the list).
    pub detail_focused: bool,
}

/// Where each part of the console goes. On a terminal below the minimum size only `area`
/// is meaningful (`too_small`): the other parts are empty and nothing is clickable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Screen {
    /// The whole terminal.
    pub area: Area,
    pub too_small: bool,
    pub title: Area,
    /// The status tabs (or an audit view's line).
    pub tabs: Area,
    pub filter: Area,
    /// What the list and the detail share.
    pub body: Area,
    /// The users table, its header row included, when it is on screen.
    pub table: Option<Area>,
    /// The detail pane (with its border), when it is on screen.
    pub detail: Option<Area>,
    /// The loading or run gauge, or the loaded count.
    pub status: Area,
    /// The key hints (or a toast, or the command line).
    pub hints: Area,
}

/// True when the detail goes beside the list at this terminal width.
pub fn detail_beside_list(width: u16) -> bool {
    width >= DETAIL_BESIDE_MIN_WIDTH
}

impl Screen {
    /// The layout of a terminal `area` with these panes open.
    pub fn new(area: Area, panes: Panes) -> Screen {
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            return Screen {
                area,
                too_small: true,
                ..Screen::default()
            };
        }
        // One row each for title, tabs, filter, status and hints; the body takes the rest.
        let body = Area::new(area.x, area.y + 3, area.width, area.height - 5);
        let (table, detail) = split_body(body, panes);
        Screen {
            area,
            too_small: false,
            title: area.row(0),
            tabs: area.row(1),
            filter: area.row(2),
            body,
            table,
            detail,
            status: area.row(area.height - 2),
            hints: area.row(area.height - 1),
        }
    }

    /// Rows of users the table shows below its header. The table always has the body's
    /// height, wherever it is, so this holds while the detail covers it too: the list's
    /// window stays the one it will be shown in. Zero on a terminal below the minimum.
    pub fn table_rows(&self) -> usize {
        usize::from(self.body.height.saturating_sub(1))
    }

    /// Lines of text the detail pane shows inside its border (zero when it is closed).
    pub fn detail_rows(&self) -> usize {
        self.detail
            .map_or(0, |detail| usize::from(detail.height.saturating_sub(2)))
    }

    /// Which visible row of the table (0 is the first below the header) is at the cell
    /// (x, y), for mouse clicks. None off the table, on its header, or on a tiny terminal.
    pub fn table_row_at(&self, x: u16, y: u16) -> Option<u16> {
        let table = self.table?;
        let rows = Area::new(
            table.x,
            table.y + 1,
            table.width,
            table.height.saturating_sub(1),
        );
        rows.contains(x, y).then(|| y - rows.y)
    }
}

/// Where the table and the detail go in the body (either may be hidden): side by side on a
/// wide terminal; on a narrow one the detail covers the list while it has the keys.
fn split_body(body: Area, panes: Panes) -> (Option<Area>, Option<Area>) {
    if !panes.detail_open {
        return (Some(body), None);
    }
    if detail_beside_list(body.width) {
        // Rounded to the nearest column, as the percentages were when ratatui split them.
        let list_width = ((u32::from(body.width) * LIST_PERCENT + 50) / 100) as u16;
        let list = Area {
            width: list_width,
            ..body
        };
        let detail = Area {
            x: body.x + list_width,
            width: body.width - list_width,
            ..body
        };
        return (Some(list), Some(detail));
    }
    if panes.detail_focused {
        (None, Some(body))
    } else {
        (Some(body), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(width: u16, height: u16, panes: Panes) -> Screen {
        Screen::new(Area::new(0, 0, width, height), panes)
    }

    const DETAIL_FOCUSED: Panes = Panes {
        detail_open: true,
        detail_focused: true,
    };

    #[test]
    fn the_parts_stack_from_the_top_and_the_body_takes_the_rest() {
        let s = screen(80, 24, Panes::default());
        assert_eq!(s.title, Area::new(0, 0, 80, 1));
        assert_eq!(s.tabs, Area::new(0, 1, 80, 1));
        assert_eq!(s.filter, Area::new(0, 2, 80, 1));
        assert_eq!(s.body, Area::new(0, 3, 80, 19));
        assert_eq!(s.table, Some(s.body));
        assert_eq!(s.status, Area::new(0, 22, 80, 1));
        assert_eq!(s.hints, Area::new(0, 23, 80, 1));
        assert_eq!(s.table_rows(), 18);
    }

    #[test]
    fn a_tiny_terminal_has_no_table_no_rows_and_nothing_to_click() {
        for (width, height) in [(0, 0), (1, 1), (20, 6), (49, 24), (80, 9)] {
            let s = screen(width, height, DETAIL_FOCUSED);
            assert!(s.too_small, "{width}x{height}");
            assert_eq!((s.table, s.detail), (None, None));
            assert_eq!((s.table_rows(), s.detail_rows()), (0, 0));
            assert_eq!(s.table_row_at(1, 4), None);
        }
        let smallest = screen(MIN_WIDTH, MIN_HEIGHT, Panes::default());
        assert!(!smallest.too_small);
        assert_eq!(smallest.table_rows(), 4);
    }

    #[test]
    fn the_detail_goes_beside_the_list_when_wide_and_over_it_when_narrow() {
        let wide = screen(160, 48, DETAIL_FOCUSED);
        let (table, detail) = (wide.table.unwrap(), wide.detail.unwrap());
        assert_eq!((table.x, table.width), (0, 93));
        assert_eq!((detail.x, detail.width), (93, 67));
        assert_eq!(wide.detail_rows(), 41);
        let narrow = screen(80, 24, DETAIL_FOCUSED);
        assert_eq!((narrow.table, narrow.detail), (None, Some(narrow.body)));
        let list_focused = Panes {
            detail_open: true,
            detail_focused: false,
        };
        let narrow = screen(80, 24, list_focused);
        assert_eq!((narrow.table, narrow.detail), (Some(narrow.body), None));
        // Covered or not, the list keeps the window it is shown in.
        assert_eq!(screen(80, 24, DETAIL_FOCUSED).table_rows(), 18);
    }

    #[test]
    fn clicks_hit_the_rows_below_the_header_inside_the_table() {
        let s = screen(160, 48, DETAIL_FOCUSED);
        assert_eq!(s.table_row_at(0, 3), None, "the header");
        assert_eq!(s.table_row_at(0, 4), Some(0));
        assert_eq!(s.table_row_at(92, 45), Some(41));
        assert_eq!(s.table_row_at(92, 46), None, "the status line");
        assert_eq!(s.table_row_at(93, 10), None, "the detail");
    }
}
