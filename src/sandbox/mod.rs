//! The built-in Datadog-compatible Users API v2 server.
