//! The state of the `:` command palette: the line being typed, the suggestion chosen, the
//! commands run in this session (history), and the folder listing that file-path
//! completion reads (the effects layer lists folders; the app never does I/O).

use tui_input::Input;

use crate::app::effect::Latest;

/// The open command line.
#[derive(Clone, Debug, Default)]
pub struct CommandLine {
    pub input: Input,
    /// The suggestion chosen, by position among those of the word being typed.
    pub choice: usize,
    /// The choice was moved with Up/Down since the last edit: Enter takes it.
    pub chose: bool,
    /// While Tab cycles through suggestions: the line as typed before the first Tab, from
    /// which the suggestions keep being computed.
    pub cycling: Option<String>,
    /// While Up/Down walk the history: the line of history shown.
    pub history_at: Option<usize>,
}

impl CommandLine {
    /// The line whose last word the suggestions complete.
    pub fn typed(&self) -> &str {
        self.cycling.as_deref().unwrap_or(self.input.value())
    }

    /// The line changed by hand (typed, pasted): suggestions start again from it.
    pub fn edited(&mut self) {
        self.choice = 0;
        self.chose = false;
        self.cycling = None;
        self.history_at = None;
    }
}

/// A folder's entries, as the effects layer listed them for path completion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FolderListing {
    /// The folder as typed ("", "exports/", "~/"), not resolved.
    pub folder: String,
    /// Entry names, sorted; folders end in `/`.
    pub entries: Vec<String>,
}

/// What the palette keeps for the whole session.
#[derive(Clone, Debug, Default)]
pub struct PaletteSession {
    /// Commands run, oldest first, without a repeat of the one before.
    pub history: Vec<String>,
    /// The folder listing asked for last: its answer counts.
    pub listing_request: Latest,
    pub listing: Option<FolderListing>,
}

impl PaletteSession {
    /// Remembers a command that was run.
    pub fn remember(&mut self, line: &str) {
        let line = line.trim();
        if !line.is_empty() && self.history.last().map(String::as_str) != Some(line) {
            self.history.push(line.to_owned());
        }
    }
}

/// Help searched with `/`: the query, and whether it is being typed.
#[derive(Clone, Debug, Default)]
pub struct HelpSearch {
    pub query: Input,
    pub typing: bool,
}
