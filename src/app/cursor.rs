//! One cursor for every list of the console (the users, the journal's runs, pickers) and
//! one scroll for every text that may not fit (help, the detail pane, a run's items): the
//! clamping and the window arithmetic live here once.

use super::action::Action;

/// A position in a list of `len` items, and the first item shown in a window of `rows`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListCursor {
    /// The selected item.
    pub pos: usize,
    /// The first item shown.
    pub offset: usize,
}

impl ListCursor {
    /// Moves by `delta` (clamped to the list), keeping the selection in a window of
    /// `rows`. True when the selection moved.
    pub fn step(&mut self, delta: i64, len: usize, rows: usize) -> bool {
        let before = self.pos;
        if len == 0 {
            *self = ListCursor::default();
            return before != 0;
        }
        let last = len as i64 - 1;
        self.pos = (self.pos as i64).saturating_add(delta).clamp(0, last) as usize;
        self.keep_visible(len, rows);
        before != self.pos
    }

    /// Selects `pos` (clamped).
    pub fn select(&mut self, pos: usize, len: usize, rows: usize) -> bool {
        self.step(pos as i64 - self.pos as i64, len, rows)
    }

    /// After the list changed length: the selection stays in it, the window too.
    pub fn clamp(&mut self, len: usize, rows: usize) {
        self.pos = self.pos.min(len.saturating_sub(1));
        self.keep_visible(len, rows);
    }

    /// Scrolls the window just enough to show the selection, never past the end.
    pub fn keep_visible(&mut self, len: usize, rows: usize) {
        let rows = rows.max(1);
        if self.pos < self.offset {
            self.offset = self.pos;
        } else if self.pos >= self.offset + rows {
            self.offset = self.pos + 1 - rows;
        }
        self.offset = self.offset.min(len.saturating_sub(rows));
    }
}

/// The page of a popup list (pickers, the journal): PageUp/PageDown move this far. Popups
/// keep the selection in sight as they draw, whatever their height.
pub const POPUP_PAGE: usize = 10;

impl ListCursor {
    /// Moves as a navigation key says (up, down, a page of `page`, top, bottom) in a list
    /// of `len` shown `page` at a time; false for any other action, or when nothing moved.
    pub fn navigate(&mut self, action: &Action, len: usize, page: usize) -> bool {
        let page = page.max(1) as i64;
        let delta = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => i64::MIN / 2,
            Action::Bottom => i64::MAX / 2,
            _ => return false,
        };
        self.step(delta, len, page as usize)
    }
}

/// How far a text is scrolled: by lines, not past `max` when it is known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scroll(pub u16);

impl Scroll {
    /// Scrolls by `delta` lines (`max`: the last line that may be on top, when known).
    pub fn by(&mut self, delta: i32, max: Option<u16>) {
        let moved = (i32::from(self.0) + delta).clamp(0, i32::from(u16::MAX)) as u16;
        self.0 = max.map_or(moved, |m| moved.min(m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_stays_in_the_list_and_the_window_follows_it() {
        let mut cursor = ListCursor::default();
        assert!(cursor.step(5, 10, 3));
        assert_eq!((cursor.pos, cursor.offset), (5, 3));
        assert!(!cursor.step(100, 6, 3) || cursor.pos == 5);
        cursor.step(i64::MAX / 2, 10, 3);
        assert_eq!((cursor.pos, cursor.offset), (9, 7));
        cursor.step(i64::MIN / 2, 10, 3);
        assert_eq!((cursor.pos, cursor.offset), (0, 0));
        cursor.select(8, 10, 3);
        cursor.clamp(4, 3);
        assert_eq!((cursor.pos, cursor.offset), (3, 1));
        cursor.clamp(0, 3);
        assert_eq!((cursor.pos, cursor.offset), (0, 0));
    }

    #[test]
    fn navigation_keys_move_by_one_a_page_or_to_the_ends_and_others_do_nothing() {
        let mut cursor = ListCursor::default();
        assert!(cursor.navigate(&Action::Down, 25, 10));
        assert!(cursor.navigate(&Action::PageDown, 25, 10));
        assert_eq!(cursor.pos, 11);
        assert!(cursor.navigate(&Action::Bottom, 25, 10));
        assert_eq!(cursor.pos, 24);
        assert!(
            !cursor.navigate(&Action::Down, 25, 10),
            "already at the end"
        );
        assert!(cursor.navigate(&Action::Top, 25, 10));
        assert_eq!(cursor.pos, 0);
        assert!(!cursor.navigate(&Action::Submit, 25, 10));
        assert!(!cursor.navigate(&Action::Down, 0, 10), "an empty list");
    }

    #[test]
    fn a_scroll_stops_at_its_ends() {
        let mut scroll = Scroll::default();
        scroll.by(-3, None);
        assert_eq!(scroll, Scroll(0));
        scroll.by(10, Some(4));
        assert_eq!(scroll, Scroll(4));
    }
}
