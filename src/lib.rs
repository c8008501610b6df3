//! ddusers: a terminal console for the users of a Datadog organization.

pub mod api;
pub mod app;
pub mod config;
pub mod effects;
pub mod sandbox;
pub mod ui;
