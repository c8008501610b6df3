//! The Roles API operations the console needs: role pickers, membership and permission
//! inspection (API.md §11).

use futures::stream::{BoxStream, StreamExt};
use reqwest::Method;

use super::client::{Client, Request};
use super::error::ApiError;
use super::models::*;
use super::paging::{bounded_pages, every_item, Bounds, Numbered};
use super::users::MAX_PAGE_SIZE;

/// ListRoles' query parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListRolesQuery {
    pub page_size: Option<u32>,
    pub page_number: Option<u64>,
    /// `name`, `modified_at`, `user_count`, with a leading `-` for descending.
    pub sort: Option<String>,
    pub filter: Option<String>,
    /// Sent as a comma list in `filter[id]`.
    pub ids: Vec<RoleId>,
}

/// ListRoleUsers' query parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListRoleUsersQuery {
    pub page_size: Option<u32>,
    pub page_number: Option<u64>,
    /// `name`, `email`, `status`, with a leading `-` for descending.
    pub sort: Option<String>,
    pub filter: Option<String>,
}

fn role_path<'a>(role: &'a RoleId, tail: &[&'a str]) -> Vec<&'a str> {
    let mut path = vec!["api", "v2", "roles", role.as_str()];
    path.extend_from_slice(tail);
    path
}

impl Client {
    /// ListRoles (`GET /api/v2/roles`).
    pub async fn list_roles(&self, query: &ListRolesQuery) -> Result<RolesResponse, ApiError> {
        let ids = (!query.ids.is_empty()).then(|| {
            query
                .ids
                .iter()
                .map(RoleId::as_str)
                .collect::<Vec<_>>()
                .join(",")
        });
        let request = Request::get("list roles", &["api", "v2", "roles"])
            .query_opt("page[size]", query.page_size)
            .query_opt("page[number]", query.page_number)
            .query_opt("sort", query.sort.as_deref())
            .query_opt("filter", query.filter.as_deref())
            .query_opt("filter[id]", ids);
        self.json(request).await
    }

    /// Every role of the org, page by page (an org may hold thousands), each once. Bounded
    /// like every listing (see [`paging`](super::paging)): a listing that does not end is
    /// an [`ApiError::Listing`].
    pub async fn list_all_roles(&self) -> Result<Vec<Role>, ApiError> {
        let client = self.clone();
        let bounds = Bounds {
            operation: "list roles",
            items: "roles",
            size: MAX_PAGE_SIZE,
            concurrency: 1,
            max_pages: self.max_pages(),
        };
        let pages = bounded_pages(bounds, move |number| {
            let client = client.clone();
            let query = ListRolesQuery {
                page_size: Some(MAX_PAGE_SIZE),
                page_number: Some(number),
                ..Default::default()
            };
            async move { client.list_roles(&query).await }
        });
        every_item(pages, |page| page.data, |role| role.id.clone()).await
    }

    /// GetRole (`GET /api/v2/roles/{id}`).
    pub async fn get_role(&self, role: &RoleId) -> Result<RoleResponse, ApiError> {
        self.json(Request::get("get role", &role_path(role, &[])))
            .await
    }

    /// ListRolePermissions (`GET /api/v2/roles/{id}/permissions`).
    pub async fn list_role_permissions(
        &self,
        role: &RoleId,
    ) -> Result<PermissionsResponse, ApiError> {
        self.json(Request::get(
            "list role permissions",
            &role_path(role, &["permissions"]),
        ))
        .await
    }

    /// ListRoleUsers (`GET /api/v2/roles/{id}/users`).
    pub async fn list_role_users(
        &self,
        role: &RoleId,
        query: &ListRoleUsersQuery,
    ) -> Result<UsersResponse, ApiError> {
        let request = Request::get("list role users", &role_path(role, &["users"]))
            .query_opt("page[size]", query.page_size)
            .query_opt("page[number]", query.page_number)
            .query_opt("sort", query.sort.as_deref())
            .query_opt("filter", query.filter.as_deref());
        self.json(request).await
    }

    /// Every page of `role`'s members, one after another from page 0 (100 a page). Bounded
    /// like every listing (see [`paging`](super::paging)): a listing that does not end
    /// finishes with an [`ApiError::Listing`]. Drop the stream to stop early.
    pub fn role_user_pages(
        &self,
        role: &RoleId,
    ) -> BoxStream<'static, Result<UsersResponse, ApiError>> {
        self.numbered_role_user_pages(role)
            .map(|page| page.map(|p| p.page))
            .boxed()
    }

    /// Every member of `role`, each once, in page order; bounded like
    /// [`role_user_pages`](Self::role_user_pages).
    pub async fn list_all_role_users(&self, role: &RoleId) -> Result<Vec<User>, ApiError> {
        let pages = self.numbered_role_user_pages(role);
        every_item(pages, |page| page.data, |user| user.id.clone()).await
    }

    fn numbered_role_user_pages(
        &self,
        role: &RoleId,
    ) -> BoxStream<'static, Result<Numbered<UsersResponse>, ApiError>> {
        let client = self.clone();
        let role = role.clone();
        let bounds = Bounds {
            operation: "list role users",
            items: "users",
            size: MAX_PAGE_SIZE,
            concurrency: 1,
            max_pages: self.max_pages(),
        };
        bounded_pages(bounds, move |number| {
            let client = client.clone();
            let role = role.clone();
            let query = ListRoleUsersQuery {
                page_size: Some(MAX_PAGE_SIZE),
                page_number: Some(number),
                ..Default::default()
            };
            async move { client.list_role_users(&role, &query).await }
        })
    }

    /// AddUserToRole (`POST /api/v2/roles/{id}/users`, 200): the role's members after.
    pub async fn add_user_to_role(
        &self,
        role: &RoleId,
        user: &UserId,
    ) -> Result<UsersResponse, ApiError> {
        let request = Request::new(
            "add user to role",
            Method::POST,
            &role_path(role, &["users"]),
        )
        .body(relationship_to_user(user));
        self.json(request).await
    }

    /// RemoveUserFromRole (`DELETE /api/v2/roles/{id}/users` with a JSON body, 200).
    pub async fn remove_user_from_role(
        &self,
        role: &RoleId,
        user: &UserId,
    ) -> Result<UsersResponse, ApiError> {
        let request = Request::new(
            "remove user from role",
            Method::DELETE,
            &role_path(role, &["users"]),
        )
        .body(relationship_to_user(user));
        self.json(request).await
    }

    /// ListPermissions (`GET /api/v2/permissions`): the whole catalogue in one answer.
    /// `include_scopes` adds the permissions usable only as OAuth scopes.
    pub async fn list_permissions(
        &self,
        include_scopes: bool,
    ) -> Result<PermissionsResponse, ApiError> {
        let request = Request::get("list permissions", &["api", "v2", "permissions"])
            .query_opt("include_scopes", include_scopes.then_some("true"));
        self.json(request).await
    }

    /// GrantPermission (`POST /api/v2/roles/{id}/permissions`): the role's permissions after.
    pub async fn grant_permission(
        &self,
        role: &RoleId,
        permission: &PermissionId,
    ) -> Result<PermissionsResponse, ApiError> {
        self.json(permission_change(
            "grant permission",
            Method::POST,
            role,
            permission,
        ))
        .await
    }

    /// RevokePermission (`DELETE /api/v2/roles/{id}/permissions`): the role's permissions after.
    pub async fn revoke_permission(
        &self,
        role: &RoleId,
        permission: &PermissionId,
    ) -> Result<PermissionsResponse, ApiError> {
        self.json(permission_change(
            "revoke permission",
            Method::DELETE,
            role,
            permission,
        ))
        .await
    }
}

fn permission_change(
    operation: &'static str,
    method: Method,
    role: &RoleId,
    permission: &PermissionId,
) -> Request {
    Request::new(operation, method, &role_path(role, &["permissions"]))
        .body(serde_json::json!({"data": {"type": "permissions", "id": permission}}))
}

/// Picks roles by id or by (case-insensitive) name. A name that fits several roles is an
/// error: the spec warns names are not unique.
pub fn resolve_roles(roles: &[Role], wanted: &[String]) -> Result<Vec<RoleId>, String> {
    wanted
        .iter()
        .map(|want| {
            if let Some(role) = roles.iter().find(|r| r.id.as_str() == want) {
                return Ok(role.id.clone());
            }
            let named: Vec<&Role> = roles
                .iter()
                .filter(|r| {
                    r.attributes
                        .name
                        .as_deref()
                        .is_some_and(|n| n.eq_ignore_ascii_case(want))
                })
                .collect();
            match named.as_slice() {
                [one] => Ok(one.id.clone()),
                [] => Err(format!("no role is named or has the id {want:?}")),
                many => Err(format!(
                    "{} roles are named {want:?}; give the id instead: {}",
                    many.len(),
                    many.iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            }
        })
        .collect()
}
