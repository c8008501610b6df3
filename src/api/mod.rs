//! The typed Datadog Users API v2 (and Roles API, and the Key Management API's
//! application-key reads) client: models, one async fn per operation, a concurrent page
//! stream, and errors that carry the HTTP status, Datadog's messages and the rate-limit
//! headers. No UI here.

pub mod adaptive;
mod answer;
pub mod audit;
pub mod client;
pub mod error;
pub mod keys;
pub mod models;
pub mod pacer;
pub mod paging;
pub mod ratelimit;
pub mod roles;
pub mod users;

pub use adaptive::MAX_PAGES_IN_FLIGHT;
pub use audit::{AUDIT_PAGE_LIMIT, MAX_AUDIT_PAGES};
pub use client::{
    id_problem, AnswerObserver, Client, ClientOptions, RetryNotice, RetryObserver, RetryPolicy,
    DEFAULT_MAX_BODY_BYTES,
};
pub use error::{ApiError, ErrorKind};
pub use keys::{
    application_keys_by_owner, ApplicationKey, ApplicationKeyAttributes, ApplicationKeyId,
    ApplicationKeyIncluded, ApplicationKeyRelationships, ApplicationKeyResponse,
    ApplicationKeySort, ApplicationKeysMeta, ApplicationKeysResponse, KeysByOwner,
    ListApplicationKeysQuery, OwnedKey, MAX_APPLICATION_KEY_PAGES, PER_OWNER_QUERY_LIMIT,
};
pub use paging::{UsersPage, MAX_PAGES};
pub use ratelimit::RateLimit;
pub use roles::{ListRoleUsersQuery, ListRolesQuery};
pub use users::{ListUsersQuery, SortDir, MAX_PAGE_SIZE};
