//! The fifteen Users API v2 operations, one async fn each.

use reqwest::Method;

use super::client::{AttemptObserver, Client, Request};
use super::error::ApiError;
use super::models::*;

/// Sort direction of ListUsers' `sort_dir`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

impl SortDir {
    pub fn as_str(self) -> &'static str {
        match self {
            SortDir::Asc => "asc",
            SortDir::Desc => "desc",
        }
    }
}

/// The largest `page[size]` the service accepts.
pub const MAX_PAGE_SIZE: u32 = 100;

/// ListUsers' query parameters; unset ones are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListUsersQuery {
    pub page_size: Option<u32>,
    pub page_number: Option<u64>,
    /// `name`, `email`, `modified_at`, ...; a leading `-` sorts descending.
    pub sort: Option<String>,
    pub sort_dir: Option<SortDir>,
    /// Free text over name, email and handle.
    pub filter: Option<String>,
    /// Sent as a comma list in `filter[status]`.
    pub status: Vec<UserStatus>,
}

impl ListUsersQuery {
    /// The same query at another page.
    pub fn at_page(&self, number: u64) -> Self {
        Self {
            page_number: Some(number),
            ..self.clone()
        }
    }

    fn request(&self) -> Request {
        let status = (!self.status.is_empty()).then(|| {
            self.status
                .iter()
                .map(UserStatus::as_str)
                .collect::<Vec<_>>()
                .join(",")
        });
        Request::get("list users", &["api", "v2", "users"])
            .query_opt("page[size]", self.page_size)
            .query_opt("page[number]", self.page_number)
            .query_opt("sort", self.sort.as_deref())
            .query_opt("sort_dir", self.sort_dir.map(SortDir::as_str))
            .query_opt("filter", self.filter.as_deref())
            .query_opt("filter[status]", status)
    }
}

impl Client {
    /// ListUsers: one page of users (`GET /api/v2/users`).
    pub async fn list_users(&self, query: &ListUsersQuery) -> Result<UsersResponse, ApiError> {
        self.list_users_observed(query, None).await
    }

    /// ListUsers, telling `observer` how each attempt went (a listing sizes its pages in
    /// flight by it).
    pub(crate) async fn list_users_observed(
        &self,
        query: &ListUsersQuery,
        observer: Option<AttemptObserver>,
    ) -> Result<UsersResponse, ApiError> {
        self.json(query.request().observed(observer)).await
    }

    /// The user with exactly this email (case-insensitive), through the list filter.
    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<User>, ApiError> {
        let query = ListUsersQuery {
            filter: Some(email.to_owned()),
            page_size: Some(MAX_PAGE_SIZE),
            ..Default::default()
        };
        let page = self.list_users(&query).await?;
        Ok(page.data.into_iter().find(|u| {
            u.attributes
                .email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        }))
    }

    /// GetUser (`GET /api/v2/users/{id}`).
    pub async fn get_user(&self, id: &UserId) -> Result<UserResponse, ApiError> {
        self.json(Request::get(
            "get user",
            &["api", "v2", "users", id.as_str()],
        ))
        .await
    }

    /// CreateUser (`POST /api/v2/users`, 201). The new user is `Pending`.
    pub async fn create_user(&self, user: &NewUser) -> Result<UserResponse, ApiError> {
        let request = Request::new("create user", Method::POST, &["api", "v2", "users"])
            .body(user.to_request());
        self.json(request).await
    }

    /// UpdateUser (`PATCH /api/v2/users/{id}`).
    pub async fn update_user(
        &self,
        id: &UserId,
        update: &UserUpdate,
    ) -> Result<UserResponse, ApiError> {
        let request = Request::new(
            "update user",
            Method::PATCH,
            &["api", "v2", "users", id.as_str()],
        )
        .body(update.to_request(id));
        self.json(request).await
    }

    /// DisableUser (`DELETE /api/v2/users/{id}`, 204). A user already disabled answers 404,
    /// like an unknown one: `runs` reads the user again to tell them apart.
    pub async fn disable_user(&self, id: &UserId) -> Result<(), ApiError> {
        self.no_content(Request::new(
            "disable user",
            Method::DELETE,
            &["api", "v2", "users", id.as_str()],
        ))
        .await
    }

    /// ListUserOrganizations (`GET /api/v2/users/{id}/orgs`): the user, with their orgs in
    /// `included`.
    pub async fn list_user_organizations(&self, id: &UserId) -> Result<UserResponse, ApiError> {
        self.json(Request::get(
            "list user organizations",
            &["api", "v2", "users", id.as_str(), "orgs"],
        ))
        .await
    }

    /// ListUserPermissions (`GET /api/v2/users/{id}/permissions`).
    pub async fn list_user_permissions(
        &self,
        id: &UserId,
    ) -> Result<PermissionsResponse, ApiError> {
        self.json(Request::get(
            "list user permissions",
            &["api", "v2", "users", id.as_str(), "permissions"],
        ))
        .await
    }

    /// SendInvitations (`POST /api/v2/user_invitations`, 201).
    pub async fn send_invitations(
        &self,
        users: &[UserId],
    ) -> Result<InvitationsResponse, ApiError> {
        let request = Request::new(
            "send invitations",
            Method::POST,
            &["api", "v2", "user_invitations"],
        )
        .body(invitations_request(users));
        self.json(request).await
    }

    /// GetInvitation (`GET /api/v2/user_invitations/{uuid}`).
    pub async fn get_invitation(&self, id: &InvitationId) -> Result<InvitationResponse, ApiError> {
        self.json(Request::get(
            "get invitation",
            &["api", "v2", "user_invitations", id.as_str()],
        ))
        .await
    }

    /// DeleteUserInvitations (`DELETE /api/v2/users/{id}/invitations`): cancels every
    /// pending invitation of the user.
    pub async fn cancel_user_invitations(&self, id: &UserId) -> Result<(), ApiError> {
        self.no_content(Request::new(
            "cancel invitations",
            Method::DELETE,
            &["api", "v2", "users", id.as_str(), "invitations"],
        ))
        .await
    }

    /// GetCurrentUser (`GET /api/v2/current_user`): the user behind the keys.
    pub async fn get_current_user(&self) -> Result<UserResponse, ApiError> {
        self.json(Request::get(
            "get current user",
            &["api", "v2", "current_user"],
        ))
        .await
    }

    /// UpdateCurrentUser (`PATCH /api/v2/current_user`); `id` must be the caller's own.
    pub async fn update_current_user(
        &self,
        id: &UserId,
        update: &UserUpdate,
    ) -> Result<UserResponse, ApiError> {
        let request = Request::new(
            "update current user",
            Method::PATCH,
            &["api", "v2", "current_user"],
        )
        .body(update.to_request(id));
        self.json(request).await
    }

    /// AnonymizeUsers (`PUT /api/v2/anonymize_users`). Irreversible; an unstable operation
    /// of the service. Per-user failures come back in the result, not as an error.
    pub async fn anonymize_users(
        &self,
        users: &[UserId],
    ) -> Result<AnonymizeUsersResponse, ApiError> {
        let request = Request::new(
            "anonymize users",
            Method::PUT,
            &["api", "v2", "anonymize_users"],
        )
        .body(anonymize_request(users));
        self.json(request).await
    }

    /// GetUserIdentityProviders (`GET /api/v2/users/{id}/identity_providers`).
    pub async fn get_user_identity_providers(
        &self,
        id: &UserId,
    ) -> Result<IdentityProvidersResponse, ApiError> {
        self.json(Request::get(
            "get identity providers",
            &["api", "v2", "users", id.as_str(), "identity_providers"],
        ))
        .await
    }

    /// UpdateUserIdentityProviders
    /// (`PATCH /api/v2/users/{id}/relationships/identity_providers`, 204). An empty list
    /// removes every override.
    pub async fn update_user_identity_providers(
        &self,
        id: &UserId,
        providers: &[IdentityProviderId],
    ) -> Result<(), ApiError> {
        let request = Request::new(
            "update identity providers",
            Method::PATCH,
            &[
                "api",
                "v2",
                "users",
                id.as_str(),
                "relationships",
                "identity_providers",
            ],
        )
        .body(identity_providers_request(providers));
        self.no_content(request).await
    }
}
