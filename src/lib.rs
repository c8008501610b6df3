//! ddusers: a terminal console for the users of a Datadog organization.

pub mod api;
pub mod cli;
pub mod config;
pub mod email;
pub mod sandbox;
