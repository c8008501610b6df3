//! The typed Datadog Users API v2 (and Roles API) client: models, one async fn per
//! operation, a concurrent page stream, and errors that carry the HTTP status, Datadog's
//! messages and the rate-limit headers. No UI here.

pub mod models;
