//! The sandbox's HTTP surface: the router, and one module per resource with one handler
//! per operation — `users`, `invitations`, `current_user`, `roles`, `permissions` and
//! `keys` (the Key Management reads). `request` reads queries, bodies and path ids;
//! `response` writes bodies and `{"errors":[...]}`. Every handler reaches the org through
//! `crate::sandbox::extract` (`Shared::read_as`, `Shared::change_as`), which authenticates
//! the caller, checks the permission and counts applied writes. Handlers take the store
//! lock synchronously and never hold it across an await. Responses are serialised through
//! `crate::api::models` so the client and the sandbox share one shape.

mod audit;
mod current_user;
mod invitations;
mod keys;
mod permissions;
mod request;
pub(crate) mod response;
mod roles;
mod users;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;

use super::Shared;
use response::error_response;

/// The sandbox's routes, behind the guard middleware and the link (compression,
/// bandwidth).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let router = Router::new()
        .merge(users_routes())
        .merge(roles_routes())
        .merge(keys::routes())
        .route("/api/v2/audit/events", get(audit::list_events))
        .route("/api/v2/audit/events/search", post(audit::search_events))
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, "Not found") })
        .method_not_allowed_fallback(|| async {
            error_response(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
        })
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            super::guard::guard,
        ));
    super::link::around(router.with_state(Arc::clone(&shared)), shared)
}

/// The Users API: users, invitations, the current user, anonymization.
fn users_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/api/v2/users",
            get(users::list_users).post(users::create_user),
        )
        .route(
            "/api/v2/users/{id}",
            get(users::get_user)
                .patch(users::update_user)
                .delete(users::disable_user),
        )
        .route("/api/v2/users/{id}/orgs", get(users::user_orgs))
        .route(
            "/api/v2/users/{id}/permissions",
            get(users::user_permissions),
        )
        .route(
            "/api/v2/users/{id}/invitations",
            delete(invitations::cancel_invitations),
        )
        .route(
            "/api/v2/users/{id}/identity_providers",
            get(users::get_identity_providers),
        )
        .route(
            "/api/v2/users/{id}/relationships/identity_providers",
            patch(users::set_identity_providers),
        )
        .route(
            "/api/v2/user_invitations",
            post(invitations::send_invitations),
        )
        .route(
            "/api/v2/user_invitations/{id}",
            get(invitations::get_invitation),
        )
        .route(
            "/api/v2/current_user",
            get(current_user::get_current_user).patch(current_user::update_current_user),
        )
        .route("/api/v2/anonymize_users", put(users::anonymize_users))
}

/// The Roles API: roles, their permissions and members, the permission catalogue.
fn roles_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/roles", get(roles::list_roles))
        .route("/api/v2/roles/{id}", get(roles::get_role))
        .route(
            "/api/v2/roles/{id}/permissions",
            get(roles::role_permissions)
                .post(roles::grant_permission)
                .delete(roles::revoke_permission),
        )
        .route(
            "/api/v2/roles/{id}/users",
            get(roles::role_users)
                .post(roles::add_role_user)
                .delete(roles::remove_role_user),
        )
        .route("/api/v2/permissions", get(permissions::list_permissions))
}
