//! ddusers: a terminal console for the users of a Datadog organization.

pub mod api;
pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
pub mod console;
pub mod domain;
pub mod effects;
pub mod email;
pub mod files;
pub mod org;
pub mod runs;
pub mod runtime;
pub mod sandbox;
pub mod terminal;
pub mod text;
pub mod ui;
pub mod words;
