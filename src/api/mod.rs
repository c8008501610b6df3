//! The typed Datadog Users API v2 (and Roles API) client: models, one async fn per
//! operation, a concurrent page stream, and errors that carry the HTTP status, Datadog's
//! messages and the rate-limit headers. No UI here.

pub mod client;
pub mod error;
pub mod models;
pub mod pacer;
pub mod paging;
pub mod ratelimit;
pub mod roles;
pub mod users;

pub use client::{AnswerObserver, Client, ClientOptions, RetryNotice, RetryObserver, RetryPolicy};
pub use error::{ApiError, ErrorKind};
pub use paging::UsersPage;
pub use ratelimit::RateLimit;
pub use roles::{ListRoleUsersQuery, ListRolesQuery};
pub use users::{ListUsersQuery, SortDir, MAX_PAGE_SIZE};
