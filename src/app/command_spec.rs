//! What a `:` command is, so each feature can declare its own commands and the command
//! line (`command`) can gather them into one table.

use super::action::Action;
use super::effect::Effect;
use super::state::State;

/// What a command does.
pub enum Does {
    /// Runs with the words after the command's name.
    Run(fn(&mut State, &[&str]) -> Vec<Effect>),
    /// What a key of the list does.
    Act(Action),
}

/// The most a command's `about` may say: help shows it beside the usage in one line.
pub const ABOUT_WIDTH: usize = 54;

/// One `:` command: the names it answers to, how it is used, and what it does.
pub struct CommandSpec {
    pub names: &'static [&'static str],
    pub usage: &'static str,
    /// What it does, for help.
    pub about: &'static str,
    pub does: Does,
}

impl CommandSpec {
    /// True when the command changes the org (so read-only mode makes it unavailable).
    pub fn writes(&self) -> bool {
        matches!(&self.does, Does::Act(action) if action.is_mutating())
    }
}
