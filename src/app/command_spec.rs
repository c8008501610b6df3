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

/// What a command's argument is, so the palette can complete it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// No argument (or nothing worth completing).
    None,
    /// An audit view's name (`audit::ViewKind::NAMES`).
    AuditView,
    /// A permission's name, from the org's permission catalogue.
    Permission,
    /// A role's name, from the org's roles.
    Role,
    /// A column to sort by (`view::SortKey`).
    SortKey,
    /// A file path (listed by the effects layer).
    Path,
    /// One of a few words, or a path, first; then a path (`:export json FILE`).
    WordsThenPath(&'static [&'static str]),
    /// One of a few fixed words.
    Words(&'static [&'static str]),
}

/// One `:` command: the names it answers to, how it is used, what its argument is, and
/// what it does.
pub struct CommandSpec {
    pub names: &'static [&'static str],
    pub usage: &'static str,
    /// What it does, for help and the palette.
    pub about: &'static str,
    /// What its first argument is, for completion.
    pub arg: ArgKind,
    pub does: Does,
}

impl CommandSpec {
    /// True when the command changes the org (so read-only mode makes it unavailable).
    pub fn writes(&self) -> bool {
        matches!(&self.does, Does::Act(action) if action.is_mutating())
    }
}

impl ArgKind {
    /// True when the argument's last word is a file path (its folder gets listed).
    pub fn takes_path(self) -> bool {
        matches!(self, ArgKind::Path | ArgKind::WordsThenPath(_))
    }
}
