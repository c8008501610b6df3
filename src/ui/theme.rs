//! Styles, in colour or (with NO_COLOR) in monochrome using only bold, dim, underline and
//! reverse. Nothing else in `ui/` names a colour.

use ratatui::style::{Color, Modifier, Style};

use crate::app::state::Level;
use crate::org::Status;

/// Every style the console uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub title: Style,
    pub badge: Style,
    pub tab: Style,
    pub tab_selected: Style,
    pub header: Style,
    pub selected: Style,
    pub marked: Style,
    pub active: Style,
    pub pending: Style,
    pub disabled: Style,
    pub dim: Style,
    pub info: Style,
    pub warn: Style,
    pub error: Style,
    pub ok: Style,
    pub border: Style,
    pub focused_border: Style,
    pub field: Style,
    pub focused_field: Style,
    pub gauge: Style,
}

impl Theme {
    pub fn colored() -> Theme {
        let plain = Style::new();
        Theme {
            title: plain.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            badge: plain
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            tab: plain.fg(Color::Gray),
            tab_selected: plain
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            header: plain.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: plain
                .fg(Color::White)
                .bg(Color::Blue)
                .add_modifier(Modifier::BOLD),
            marked: plain.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            active: plain.fg(Color::Green),
            pending: plain.fg(Color::Yellow),
            disabled: plain.fg(Color::Red).add_modifier(Modifier::DIM),
            dim: plain.fg(Color::DarkGray),
            info: plain.fg(Color::Cyan),
            warn: plain.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            error: plain.fg(Color::Red).add_modifier(Modifier::BOLD),
            ok: plain.fg(Color::Green).add_modifier(Modifier::BOLD),
            border: plain.fg(Color::DarkGray),
            focused_border: plain.fg(Color::Cyan),
            field: plain.fg(Color::White).bg(Color::Black),
            focused_field: plain.fg(Color::Black).bg(Color::Cyan),
            gauge: plain.fg(Color::Cyan).bg(Color::Black),
        }
    }

    pub fn monochrome() -> Theme {
        let plain = Style::new();
        let bold = plain.add_modifier(Modifier::BOLD);
        Theme {
            title: bold,
            badge: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            tab: plain,
            tab_selected: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            header: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selected: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            marked: bold,
            active: plain,
            pending: plain.add_modifier(Modifier::ITALIC),
            disabled: plain.add_modifier(Modifier::DIM),
            dim: plain.add_modifier(Modifier::DIM),
            info: plain,
            warn: bold,
            error: bold,
            ok: bold,
            border: plain,
            focused_border: bold,
            field: plain.add_modifier(Modifier::UNDERLINED),
            focused_field: plain.add_modifier(Modifier::REVERSED),
            gauge: plain.add_modifier(Modifier::REVERSED),
        }
    }

    pub fn for_monochrome(monochrome: bool) -> Theme {
        if monochrome {
            Theme::monochrome()
        } else {
            Theme::colored()
        }
    }

    pub fn status(&self, status: Status) -> Style {
        match status {
            Status::Active => self.active,
            Status::Pending => self.pending,
            Status::Disabled => self.disabled,
            Status::Other => self.dim,
        }
    }

    pub fn level(&self, level: Level) -> Style {
        match level {
            Level::Info => self.info,
            Level::Warn => self.warn,
            Level::Error => self.error,
        }
    }
}

/// True when the environment asks for no colour (https://no-color.org: set and non-empty).
pub fn no_color_requested(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}
