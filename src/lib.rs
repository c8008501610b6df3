//! ddusers: a terminal console for the users of a Datadog organization.

// The fixtures shared with the integration tests name this crate `ddusers`, as they do.
#[cfg(test)]
extern crate self as ddusers;

/// This build's version, as exports and snapshots record it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod api;
pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod console;
pub mod digest;
pub mod domain;
pub mod effects;
pub mod email;
pub mod files;
pub mod org;
pub mod review;
pub mod runs;
pub mod runtime;
pub mod sandbox;
pub mod settings;
pub mod terminal;
pub mod text;
pub mod ui;
pub mod words;
