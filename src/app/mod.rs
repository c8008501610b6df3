//! The pure core of the console: state, messages, actions, effects (as data), the keymap and
//! `update`. No tokio, no HTTP, no terminal or drawing types here; everything is unit-testable.

pub mod action;
pub mod audit;
pub mod browse;
pub mod bulk;
pub mod changes;
pub mod column_choice;
pub mod columns;
pub mod command;
pub mod command_spec;
pub mod cursor;
pub mod detail;
pub mod diff;
pub mod effect;
/// Test fixtures: kept with the integration tests' helpers and compiled into the
/// library's own tests only, never into a release.
#[cfg(test)]
#[path = "../../tests/common/fixtures.rs"]
pub mod fixtures;
pub mod forms;
pub mod help;
pub mod journal;
pub mod keymap;
pub mod layout;
pub mod listing;
pub mod marks;
pub mod msg;
pub mod palette;
pub mod paste;
pub mod reconcile;
pub mod review;
pub mod role_picker;
pub mod state;
pub mod targets;
pub mod update;
pub mod view;

pub use action::{Action, StatusTab};
pub use effect::{BulkKind, Effect, Invitee, PlanId, Ticket};
pub use keymap::{Key, KeyCode};
pub use msg::{DetailData, Msg};
pub use state::{Context, Options, State};
pub use update::{init, update};

#[cfg(test)]
mod tests;
