//! The sandbox over loopback with a raw HTTP client: status codes, bodies, paging, auth,
//! rate limits, faults and persistence. Every success body is also parsed into the shared
//! `ddusers::api::models` types.

use std::collections::HashSet;
use std::time::Duration;

use ddusers::api::models::{
    AnonymizeUsersResponse, ErrorBody, IdentityProvidersResponse, Included, InvitationResponse,
    InvitationsResponse, PermissionsResponse, RoleResponse, RolesResponse, User, UserResponse,
    UserStatus, UsersResponse,
};
use ddusers::sandbox::{
    ManualClock, RateLimitSpec, Sandbox, SandboxConfig, ADMIN_ROLE_ID, DEMO_ADMIN_APP_KEY,
    DEMO_API_KEY, DEMO_READONLY_APP_KEY, READ_ONLY_ROLE_ID, STANDARD_ROLE_ID,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

const IDP_SAML: &str = "0c6a1f0e-5d2b-11ee-8c99-0242ac120002";

/// A sandbox clock standing at 10:15:00.5 UTC, half a second into a rate-limit window of
/// any whole number of seconds dividing a minute; tests move it instead of sleeping.
fn test_clock() -> ManualClock {
    ManualClock::new(time::macros::datetime!(2026-03-02 10:15:00.5 UTC))
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }

    fn typed<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body does not parse as the model ({e}): {}", self.body))
    }

    fn error(&self) -> String {
        let parsed = ErrorBody::parse(self.body.as_bytes())
            .unwrap_or_else(|| panic!("not an error body: {:?}", self.body));
        parsed.errors.join("; ")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

struct Api {
    sandbox: Sandbox,
    http: reqwest::Client,
}

impl Api {
    async fn start(config: SandboxConfig) -> Api {
        let sandbox = Sandbox::start(config).await.expect("sandbox starts");
        Api {
            sandbox,
            http: reqwest::Client::new(),
        }
    }

    async fn default() -> Api {
        Api::start(SandboxConfig::default()).await
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        keys: Option<(&str, &str)>,
        body: Option<Value>,
    ) -> Reply {
        let url = format!("{}{path}", self.sandbox.base_url());
        let mut request = self.http.request(method, url);
        if let Some((api, app)) = keys {
            request = request
                .header("DD-API-KEY", api)
                .header("dd-application-key", app);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches the sandbox");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body reads");
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(method, path, Some((DEMO_API_KEY, DEMO_ADMIN_APP_KEY)), body)
            .await
    }

    async fn readonly(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        self.send(
            method,
            path,
            Some((DEMO_API_KEY, DEMO_READONLY_APP_KEY)),
            body,
        )
        .await
    }

    async fn get(&self, path: &str) -> Reply {
        self.admin(Method::GET, path, None).await
    }

    async fn create(&self, email: &str) -> User {
        let reply = self
            .admin(
                Method::POST,
                "/api/v2/users",
                Some(json!({"data": {"type": "users", "attributes": {"email": email}}})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.typed::<UserResponse>().data
    }

    /// Every user, through pages of `size`, checking each non-final page is full.
    async fn all_users(&self, size: usize, extra: &str) -> (Vec<User>, i64, i64) {
        let mut users = Vec::new();
        let mut number = 0;
        loop {
            let reply = self
                .get(&format!(
                    "/api/v2/users?page%5Bsize%5D={size}&page%5Bnumber%5D={number}{extra}"
                ))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let page: UsersResponse = reply.typed();
            let (total, filtered) = (
                page.total_count().expect("total_count"),
                page.total_filtered_count().expect("total_filtered_count"),
            );
            let short = page.data.len() < size;
            users.extend(page.data);
            if short {
                assert_eq!(users.len() as i64, filtered);
                return (users, total, filtered);
            }
            number += 1;
        }
    }
}

fn ids(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.id.0.clone()).collect()
}

fn update_body(id: &str, attributes: Value) -> Value {
    json!({"data": {"type": "users", "id": id, "attributes": attributes}})
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_need_both_keys_and_the_operation_permission() {
    let api = Api::default().await;
    let path = "/api/v2/users";
    for keys in [
        None,
        Some(("wrong", DEMO_ADMIN_APP_KEY)),
        Some((DEMO_API_KEY, "wrong")),
        Some((DEMO_API_KEY, "")),
    ] {
        let reply = api.send(Method::GET, path, keys, None).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{keys:?}");
        assert_eq!(reply.error(), "Forbidden");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert!(reply.header("x-ratelimit-limit").is_some());
    }
    let reply = api.readonly(Method::GET, path, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let some_user = reply.typed::<UsersResponse>().data[0].id.0.clone();

    let create = json!({"data": {"type": "users", "attributes": {"email": "x@example.com"}}});
    let reply = api.readonly(Method::POST, path, Some(create)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.error().contains("user_access_invite"),
        "{}",
        reply.body
    );
    let user_path = format!("/api/v2/users/{some_user}");
    let patch = update_body(&some_user, json!({"name": "x"}));
    let reply = api.readonly(Method::PATCH, &user_path, Some(patch)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.error().contains("user_access_manage"));
    let reply = api.readonly(Method::DELETE, &user_path, None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    // Nothing was applied, but every write was counted.
    let stats = api.sandbox.stats();
    assert_eq!(stats.writes_applied, 0);
    assert_eq!(stats.write_requests, 3);
    assert!(stats.requests >= 8);
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_users_application_key_is_refused() {
    let api = Api::default().await;
    let rita = api
        .readonly(Method::GET, "/api/v2/current_user", None)
        .await
        .typed::<UserResponse>()
        .data;
    let reply = api
        .admin(Method::DELETE, &format!("/api/v2/users/{}", rita.id), None)
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let reply = api
        .readonly(Method::GET, "/api/v2/current_user", None)
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn paging_returns_every_user_exactly_once_with_full_pages() {
    let api = Api::default().await;
    for size in [100, 7] {
        let (users, total, filtered) = api.all_users(size, "").await;
        assert_eq!(total, 500);
        assert_eq!(filtered, 500);
        let unique: HashSet<_> = ids(&users).into_iter().collect();
        assert_eq!(unique.len(), 500, "page size {size}");
    }
    // Default sort is by name, ascending, case-insensitive, unnamed users last.
    let (users, _, _) = api.all_users(100, "&sort=name").await;
    let names: Vec<(bool, String)> = users
        .iter()
        .map(|u| {
            let name = &u.attributes.name;
            (
                name.is_none(),
                name.clone().unwrap_or_default().to_lowercase(),
            )
        })
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]));
    assert!(
        names.last().is_some_and(|(unnamed, _)| *unnamed),
        "the seed has unnamed users"
    );
    let (descending, _, _) = api.all_users(100, "&sort=-name").await;
    let mut reversed = ids(&users);
    reversed.reverse();
    assert_eq!(ids(&descending), reversed);
    let (by_dir, _, _) = api.all_users(100, "&sort=name&sort_dir=desc").await;
    assert_eq!(ids(&by_dir), reversed);
    // A page past the end is empty but still counts.
    let reply = api
        .get("/api/v2/users?page[size]=100&page[number]=99")
        .await;
    let page: UsersResponse = reply.typed();
    assert!(page.data.is_empty());
    assert_eq!(page.total_count(), Some(500));
    assert!(!reply
        .json()
        .as_object()
        .expect("object")
        .contains_key("included"));
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sorting_by_other_keys_is_ordered() {
    let api = Api::default().await;
    let (by_email, _, _) = api.all_users(100, "&sort=email").await;
    let emails: Vec<_> = by_email
        .iter()
        .map(|u| u.attributes.email.clone())
        .collect();
    assert!(emails.windows(2).all(|w| w[0] <= w[1]));
    let (by_created, _, _) = api.all_users(100, "&sort=-created_at").await;
    let created: Vec<_> = by_created.iter().map(|u| u.attributes.created_at).collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]));
    for sort in ["modified_at", "status", "user_count", "-email"] {
        let reply = api.get(&format!("/api/v2/users?sort={sort}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{sort}");
    }
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_list_parameters_are_400() {
    let api = Api::default().await;
    for query in [
        "page%5Bsize%5D=101",
        "page[size]=0",
        "page[size]=-3",
        "page[size]=ten",
        "page[number]=-1",
        "page[number]=1.5",
        "sort_dir=up",
        "sort=shoe_size",
        "filter%5Bstatus%5D=Sleeping",
    ] {
        let reply = api.get(&format!("/api/v2/users?{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(!reply.error().is_empty());
    }
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_match_name_email_handle_and_status() {
    let api = Api::default().await;
    let (ada, total, filtered) = api.all_users(100, "&filter=ADA%20ADMIN").await;
    assert_eq!(total, 500);
    assert_eq!(filtered, 1);
    assert_eq!(ada[0].attributes.name.as_deref(), Some("Ada Admin"));
    let (by_email, _, _) = api.all_users(100, "&filter=rita.readonly%40demo-org").await;
    assert_eq!(by_email.len(), 1);

    let mut per_status = 0;
    for status in ["Active", "Pending", "Disabled"] {
        let (users, _, _) = api
            .all_users(
                100,
                &format!("&filter%5Bstatus%5D={}", status.to_lowercase()),
            )
            .await;
        assert!(!users.is_empty(), "{status}");
        assert!(users
            .iter()
            .all(|u| u.attributes.status.as_ref().map(|s| s.as_str()) == Some(status)));
        per_status += users.len();
    }
    assert_eq!(per_status, 500);
    let (two, _, _) = api.all_users(7, "&filter[status]=Pending,Disabled").await;
    assert!(two
        .iter()
        .all(|u| u.attributes.status != Some(UserStatus::Active)));
    let pending: Vec<_> = two
        .iter()
        .filter(|u| u.attributes.status == Some(UserStatus::Pending))
        .collect();
    assert!(pending
        .iter()
        .all(|u| u.attributes.last_login_time.is_none()));
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn list_pages_include_each_role_and_its_permissions() {
    let api = Api::default().await;
    let reply = api.get("/api/v2/users?page[size]=50").await;
    let page: UsersResponse = reply.typed();
    let role_ids: HashSet<_> = page.data.iter().flat_map(|u| u.role_ids()).collect();
    let included_roles: Vec<_> = page
        .included
        .iter()
        .filter_map(|i| match i {
            Included::Role(r) => Some(r),
            _ => None,
        })
        .collect();
    let included_role_ids: HashSet<_> = included_roles.iter().map(|r| r.id.clone()).collect();
    assert_eq!(role_ids, included_role_ids);
    assert_eq!(
        included_roles.len(),
        included_role_ids.len(),
        "roles are distinct"
    );
    let permission_ids: Vec<_> = page
        .included
        .iter()
        .filter_map(|i| match i {
            Included::Permission(p) => Some(p.id.clone()),
            _ => None,
        })
        .collect();
    let unique: HashSet<_> = permission_ids.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        permission_ids.len(),
        "permissions are distinct"
    );
    for role in included_roles {
        assert!(role.permission_ids().all(|p| unique.contains(&p)));
        assert!(role.attributes.user_count.is_none());
    }
    // Roles come first, then permissions, like the recording.
    let first_permission = page
        .included
        .iter()
        .position(|i| matches!(i, Included::Permission(_)))
        .expect("some permissions");
    assert!(page.included[first_permission..]
        .iter()
        .all(|i| matches!(i, Included::Permission(_))));
    api.sandbox.shutdown().await;
}

/// The keys of our JSON match the recorded service's (ours may add the newer fields).
#[tokio::test(flavor = "multi_thread")]
async fn user_documents_have_the_recorded_shape() {
    let api = Api::default().await;
    let created = api
        .admin(
            Method::POST,
            "/api/v2/users",
            Some(json!({"data": {"type": "users", "attributes": {"email": "shape@example.com", "title": "user title"}}})),
        )
        .await
        .json();
    let recorded: Value = serde_json::from_str(
        r#"{"data":{"type":"users","id":"d3edd11c-6c32-11ee-9c79-aaef51702d10","attributes":{"name":null,"handle":"h","created_at":"2023-10-16T14:46:45.480711+00:00","modified_at":"2023-10-16T14:46:45.480711+00:00","email":"e","icon":"i","title":"user title","verified":false,"service_account":false,"disabled":false,"allowed_login_methods":[],"status":"Pending"},"relationships":{"roles":{"data":[]},"org":{"data":{"type":"orgs","id":"4dee724d-00cc-11ea-a77b-570c9d03c6c5"}}}}}"#,
    )
    .expect("recorded JSON");
    let keys = |v: &Value| -> HashSet<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(keys(&created), keys(&recorded));
    assert_eq!(keys(&created["data"]), keys(&recorded["data"]));
    assert_eq!(
        keys(&created["data"]["relationships"]),
        keys(&recorded["data"]["relationships"])
    );
    let ours = keys(&created["data"]["attributes"]);
    assert!(keys(&recorded["data"]["attributes"]).is_subset(&ours));
    assert_eq!(created["data"]["attributes"]["name"], Value::Null);
    assert_eq!(
        created["data"]["attributes"]["allowed_login_methods"],
        json!([])
    );
    assert_eq!(created["data"]["relationships"]["roles"]["data"], json!([]));
    let created_at = created["data"]["attributes"]["created_at"]
        .as_str()
        .expect("created_at");
    assert!(
        created_at.ends_with("+00:00") && created_at.len() == 32,
        "{created_at}"
    );
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_user_validates_and_stores_a_pending_user() {
    let api = Api::default().await;
    let user = api.create("New.Person@Example.COM").await;
    let a = &user.attributes;
    assert_eq!(a.email.as_deref(), Some("new.person@example.com"));
    assert_eq!(a.handle.as_deref(), Some("new.person@example.com"));
    assert_eq!(a.status, Some(UserStatus::Pending));
    assert_eq!((a.verified, a.disabled), (Some(false), Some(false)));
    assert!(a
        .icon
        .as_deref()
        .is_some_and(|i| i.ends_with("?s=48&d=retro")));

    let create = |attributes: Value| json!({"data": {"type": "users", "attributes": attributes}});
    let duplicate = api
        .admin(
            Method::POST,
            "/api/v2/users",
            Some(create(json!({"email": "NEW.person@example.com"}))),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert!(duplicate.error().contains("already exists"));

    let bad_bodies = [
        create(json!({"email": "not-an-email"})),
        create(json!({"name": "No Email"})),
        create(json!({"email": "long@example.com", "name": "x".repeat(56)})),
        create(json!({"email": "tag@example.com", "name": "<b>"})),
        json!({"data": {"type": "roles", "attributes": {"email": "t@example.com"}}}),
        json!({"data": {"attributes": {"email": "t@example.com"}}}),
        json!({"data": {"type": "users"}}),
        json!({}),
        json!({"data": {"type": "users", "attributes": {"email": "r@example.com"},
            "relationships": {"roles": {"data": [{"type": "roles", "id": "no-such-role"}]}}}}),
    ];
    for body in bad_bodies {
        let reply = api
            .admin(Method::POST, "/api/v2/users", Some(body.clone()))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
    }
    let url = format!("{}/api/v2/users", api.sandbox.base_url());
    let malformed = api
        .http
        .post(url)
        .header("DD-API-KEY", DEMO_API_KEY)
        .header("DD-APPLICATION-KEY", DEMO_ADMIN_APP_KEY)
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

    // With roles: they are set and included.
    let reply = api
        .admin(
            Method::POST,
            "/api/v2/users",
            Some(json!({"data": {"type": "users", "attributes": {"email": "roles@example.com", "name": "Zoë"},
                "relationships": {"roles": {"data": [{"type": "roles", "id": STANDARD_ROLE_ID}]}}}})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let created: UserResponse = reply.typed();
    assert_eq!(created.data.role_ids().count(), 1);
    assert!(matches!(created.included.first(), Some(Included::Role(_))));
    assert_eq!(api.sandbox.stats().writes_applied, 2);
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn get_update_disable_and_re_enable_a_user() {
    let clock = test_clock();
    let api = Api::start(SandboxConfig {
        clock: clock.clock(),
        ..SandboxConfig::default()
    })
    .await;
    let user = api.create("cycle@example.com").await;
    let path = format!("/api/v2/users/{}", user.id);
    assert_eq!(
        api.get(&path).await.typed::<UserResponse>().data.id,
        user.id
    );
    let unknown = "00000000-dead-beef-dead-ffffffffffff";
    let reply = api.get(&format!("/api/v2/users/{unknown}")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error(), format!("{unknown} not found"));

    clock.advance(Duration::from_secs(1));
    let reply = api
        .admin(
            Method::PATCH,
            &path,
            Some(update_body(
                &user.id.0,
                json!({"name": "Renamed", "title": null}),
            )),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let updated = reply.typed::<UserResponse>().data;
    assert_eq!(updated.attributes.name.as_deref(), Some("Renamed"));
    assert!(updated.attributes.modified_at > user.attributes.modified_at);
    assert_eq!(updated.attributes.modified_at, Some(clock.now()));

    let reply = api
        .admin(
            Method::PATCH,
            &path,
            Some(update_body(unknown, json!({"name": "x"}))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.error(),
        "UUID's in the URL and request body do not match"
    );
    let reply = api
        .admin(
            Method::PATCH,
            &format!("/api/v2/users/{unknown}"),
            Some(update_body(unknown, json!({"name": "x"}))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);

    let reply = api.admin(Method::DELETE, &path, None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.body.is_empty());
    assert!(reply.header("content-type").is_none());
    let reply = api.admin(Method::DELETE, &path, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error(), format!("{} not found", user.id));
    let disabled = api.get(&path).await.typed::<UserResponse>().data;
    assert_eq!(disabled.attributes.status, Some(UserStatus::Disabled));

    // Re-enabling: a never-joined user goes back to Pending, a joined one to Active.
    let reply = api
        .admin(
            Method::PATCH,
            &path,
            Some(update_body(&user.id.0, json!({"disabled": false}))),
        )
        .await;
    assert_eq!(
        reply.typed::<UserResponse>().data.attributes.status,
        Some(UserStatus::Pending)
    );
    let (active, _, _) = api.all_users(10, "&filter[status]=Active").await;
    let joined = &active.last().expect("an active user").id.0;
    let joined_path = format!("/api/v2/users/{joined}");
    let reply = api
        .admin(
            Method::PATCH,
            &joined_path,
            Some(update_body(joined, json!({"disabled": true}))),
        )
        .await;
    assert_eq!(
        reply.typed::<UserResponse>().data.attributes.status,
        Some(UserStatus::Disabled)
    );
    let reply = api
        .admin(
            Method::PATCH,
            &joined_path,
            Some(update_body(joined, json!({"disabled": false}))),
        )
        .await;
    assert_eq!(
        reply.typed::<UserResponse>().data.attributes.status,
        Some(UserStatus::Active)
    );
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invitations_are_sent_read_and_cancelled() {
    let clock = test_clock();
    let api = Api::start(SandboxConfig {
        clock: clock.clock(),
        ..SandboxConfig::default()
    })
    .await;
    let user = api.create("invitee@example.com").await;
    let body = json!({"data": [{"type": "user_invitations",
        "relationships": {"user": {"data": {"type": "users", "id": user.id}}}}]});
    let reply = api
        .admin(Method::POST, "/api/v2/user_invitations", Some(body.clone()))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let sent: InvitationsResponse = reply.typed();
    let invitation = &sent.data[0];
    let a = &invitation.attributes;
    assert_eq!(a.uuid.as_deref(), Some(invitation.id.as_str()));
    assert_eq!(a.invite_type.as_deref(), Some("openid_invite"));
    let (created, expires) = (
        a.created_at.expect("created"),
        a.expires_at.expect("expires"),
    );
    assert_eq!(expires - created, time::Duration::hours(48));
    assert_eq!(created, clock.now(), "sent by the sandbox clock");
    assert_eq!(invitation.user_id(), Some(user.id.clone()));
    assert!(reply.body.contains("\"login_method\":null"));

    let path = format!("/api/v2/user_invitations/{}", invitation.id);
    let got: InvitationResponse = api.get(&path).await.typed();
    assert_eq!(got.data, *invitation);
    let reply = api
        .admin(
            Method::DELETE,
            &format!("/api/v2/users/{}/invitations", user.id),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(api.get(&path).await.status, StatusCode::NOT_FOUND);

    let missing_user = json!({"data": [{"type": "user_invitations"}]});
    let reply = api
        .admin(Method::POST, "/api/v2/user_invitations", Some(missing_user))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let reply = api
        .readonly(Method::POST, "/api/v2/user_invitations", Some(body.clone()))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    api.admin(Method::DELETE, &format!("/api/v2/users/{}", user.id), None)
        .await;
    let reply = api
        .admin(Method::POST, "/api/v2/user_invitations", Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.error().contains("disabled"));
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_permissions_orgs_and_current_user() {
    let api = Api::default().await;
    let (users, _, _) = api.all_users(100, "").await;
    let multi = users
        .iter()
        .find(|u| u.role_ids().count() >= 2)
        .expect("a user with several roles");
    let reply = api
        .get(&format!("/api/v2/users/{}/permissions", multi.id))
        .await;
    let permissions: PermissionsResponse = reply.typed();
    let unique: HashSet<_> = permissions.data.iter().map(|p| p.id.clone()).collect();
    assert_eq!(unique.len(), permissions.data.len());
    let mut expected = HashSet::new();
    for role in multi.role_ids() {
        let reply = api.get(&format!("/api/v2/roles/{role}/permissions")).await;
        expected.extend(
            reply
                .typed::<PermissionsResponse>()
                .data
                .into_iter()
                .map(|p| p.id),
        );
    }
    assert_eq!(unique, expected);
    let none = users
        .iter()
        .find(|u| u.role_ids().count() == 0)
        .expect("a user without roles");
    let reply = api
        .get(&format!("/api/v2/users/{}/permissions", none.id))
        .await;
    assert_eq!(reply.json(), json!({"data": []}));

    let reply = api
        .readonly(
            Method::GET,
            &format!("/api/v2/users/{}/orgs", none.id),
            None,
        )
        .await;
    let orgs: UserResponse = reply.typed();
    assert!(
        matches!(&orgs.included[..], [Included::Org(org)] if org.attributes.name.as_deref() == Some("Demo Org"))
    );

    let me: UserResponse = api.get("/api/v2/current_user").await.typed();
    assert_eq!(me.data.attributes.name.as_deref(), Some("Ada Admin"));
    assert!(me.data.role_ids().any(|r| r.as_str() == ADMIN_ROLE_ID));
    let reply = api
        .admin(
            Method::PATCH,
            "/api/v2/current_user",
            Some(update_body(&none.id.0, json!({"name": "x"}))),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = api
        .admin(
            Method::PATCH,
            "/api/v2/current_user",
            Some(update_body(
                &me.data.id.0,
                json!({"title": "Chief Demo Officer"}),
            )),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let title = reply.typed::<UserResponse>().data.attributes.title;
    assert_eq!(title.as_deref(), Some("Chief Demo Officer"));
    let rita: UserResponse = api
        .readonly(Method::GET, "/api/v2/current_user", None)
        .await
        .typed();
    assert!(rita
        .data
        .role_ids()
        .any(|r| r.as_str() == READ_ONLY_ROLE_ID));
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymize_reports_per_user_outcomes() {
    let api = Api::default().await;
    let user = api.create("forget.me@example.com").await;
    let me = api
        .get("/api/v2/current_user")
        .await
        .typed::<UserResponse>()
        .data;
    let unknown = "00000000-0000-0000-0000-000000000000";
    let body = json!({"data": {"type": "anonymize_users_request",
        "attributes": {"user_ids": [user.id, unknown, me.id]}}});
    let reply = api
        .admin(Method::PUT, "/api/v2/anonymize_users", Some(body.clone()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let result: AnonymizeUsersResponse = reply.typed();
    assert_eq!(result.data.kind, "anonymize_users_response");
    assert_eq!(
        result.data.attributes.anonymized_user_ids,
        vec![user.id.clone()]
    );
    let errors: Vec<_> = result
        .data
        .attributes
        .anonymize_errors
        .iter()
        .map(|e| e.user_id.0.as_str())
        .collect();
    assert_eq!(errors, vec![unknown, me.id.as_str()]);
    let gone = api
        .get(&format!("/api/v2/users/{}", user.id))
        .await
        .typed::<UserResponse>()
        .data;
    assert_eq!(gone.attributes.status, Some(UserStatus::Disabled));
    assert!(gone.attributes.name.is_none());
    assert!(gone
        .attributes
        .email
        .as_deref()
        .is_some_and(|e| e.starts_with("anonymized-")));
    let again: AnonymizeUsersResponse = api
        .admin(Method::PUT, "/api/v2/anonymize_users", Some(body))
        .await
        .typed();
    assert!(again.data.attributes.anonymized_user_ids.is_empty());
    let reply = api
        .admin(
            Method::PUT,
            "/api/v2/anonymize_users",
            Some(json!({"data": {"type": "users"}})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn identity_provider_overrides_are_set_and_cleared() {
    let api = Api::default().await;
    let user = api.create("idp@example.com").await;
    let get_path = format!("/api/v2/users/{}/identity_providers", user.id);
    let set_path = format!("/api/v2/users/{}/relationships/identity_providers", user.id);
    assert_eq!(api.get(&get_path).await.json(), json!({"data": []}));
    let set = json!({"data": [{"type": "identity_providers", "id": IDP_SAML}]});
    let reply = api.admin(Method::PATCH, &set_path, Some(set)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let got: IdentityProvidersResponse = api.get(&get_path).await.typed();
    assert_eq!(got.data.len(), 1);
    assert_eq!(got.data[0].attributes.authentication_method, "SAML");
    let reply = api
        .admin(Method::PATCH, &set_path, Some(json!({"data": []})))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(api.get(&get_path).await.json(), json!({"data": []}));
    let unknown = json!({"data": [{"type": "identity_providers", "id": "nope"}]});
    let reply = api.admin(Method::PATCH, &set_path, Some(unknown)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_are_listed_filtered_and_read() {
    let api = Api::default().await;
    let all: RolesResponse = api.get("/api/v2/roles?page[size]=100").await.typed();
    assert_eq!(all.data.len(), 8);
    let names: Vec<_> = all
        .data
        .iter()
        .map(|r| r.display_name().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]));
    let counted: i64 = all
        .data
        .iter()
        .filter_map(|r| r.attributes.user_count)
        .sum();
    assert!(counted > 400);

    let filtered: RolesResponse = api.get("/api/v2/roles?filter=ADMIN").await.typed();
    let filtered_names: Vec<_> = filtered.data.iter().map(|r| r.display_name()).collect();
    assert!(filtered_names.contains(&"Datadog Admin Role"));
    assert!(filtered_names.contains(&"Billing Admin"));
    assert_eq!(
        filtered
            .meta
            .and_then(|m| m.page)
            .and_then(|p| p.total_count),
        Some(8)
    );
    let by_id: RolesResponse = api
        .get(&format!(
            "/api/v2/roles?filter%5Bid%5D={ADMIN_ROLE_ID},{STANDARD_ROLE_ID}"
        ))
        .await
        .typed();
    assert_eq!(by_id.data.len(), 2);
    let by_count: RolesResponse = api
        .get("/api/v2/roles?sort=-user_count&page[size]=2")
        .await
        .typed();
    assert_eq!(by_count.data[0].id.as_str(), STANDARD_ROLE_ID);
    assert_eq!(by_count.data.len(), 2);
    assert_eq!(
        api.get("/api/v2/roles?sort=color").await.status,
        StatusCode::BAD_REQUEST
    );

    let role: RoleResponse = api
        .get(&format!("/api/v2/roles/{ADMIN_ROLE_ID}"))
        .await
        .typed();
    assert_eq!(role.data.display_name(), "Datadog Admin Role");
    assert!(role.data.attributes.user_count.is_some_and(|c| c > 0));
    let reply = api
        .get("/api/v2/roles/00000000-dead-beef-dead-ffffffffffff")
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.error(),
        "00000000-dead-beef-dead-ffffffffffff not found"
    );
    let perms: PermissionsResponse = api
        .get(&format!("/api/v2/roles/{READ_ONLY_ROLE_ID}/permissions"))
        .await
        .typed();
    assert!(perms.data.iter().any(|p| p.name() == "user_access_read"));
    assert!(!perms.data.iter().any(|p| p.name() == "user_access_manage"));
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn role_membership_is_listed_added_and_removed() {
    let api = Api::default().await;
    let path = format!("/api/v2/roles/{READ_ONLY_ROLE_ID}/users");
    let reply = api.get(&format!("{path}?page[size]=5&sort=-email")).await;
    let members: UsersResponse = reply.typed();
    assert_eq!(members.data.len(), 5);
    assert!(
        matches!(&members.included[..], [Included::Role(r)] if r.id.as_str() == READ_ONLY_ROLE_ID)
    );
    let total = members.total_count().expect("total_count");
    assert_eq!(members.total_filtered_count(), Some(total));
    let emails: Vec<_> = members
        .data
        .iter()
        .map(|u| u.attributes.email.clone())
        .collect();
    assert!(emails.windows(2).all(|w| w[0] >= w[1]));
    assert!(members
        .data
        .iter()
        .all(|u| u.role_ids().any(|r| r.as_str() == READ_ONLY_ROLE_ID)));

    let user = api.create("member@example.com").await;
    let body = json!({"data": {"type": "users", "id": user.id}});
    let reply = api.admin(Method::POST, &path, Some(body.clone())).await;
    assert_eq!(reply.status, StatusCode::OK);
    let raw = reply.json();
    assert_eq!(raw["meta"], json!({"page": {"total_count": total + 1}}));
    assert!(raw.get("included").is_none());
    let added: UsersResponse = reply.typed();
    let me = added
        .data
        .iter()
        .find(|u| u.id == user.id)
        .expect("new member listed");
    assert!(me.role_ids().any(|r| r.as_str() == READ_ONLY_ROLE_ID));
    let filtered: UsersResponse = api
        .get(&format!("{path}?filter=member%40example"))
        .await
        .typed();
    assert_eq!(filtered.total_filtered_count(), Some(1));

    let reply = api.admin(Method::DELETE, &path, Some(body)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let removed: UsersResponse = reply.typed();
    assert_eq!(removed.total_count(), Some(total));
    assert!(removed.data.iter().all(|u| u.id != user.id));
    let reply = api
        .readonly(
            Method::POST,
            &path,
            Some(json!({"data": {"type": "users", "id": user.id}})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = api
        .admin(
            Method::POST,
            &path,
            Some(json!({"data": {"type": "users", "id": "nobody"}})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn permissions_are_granted_and_revoked_on_a_role() {
    let api = Api::default().await;
    let catalogue: PermissionsResponse = api.get("/api/v2/permissions").await.typed();
    assert_eq!(catalogue.data.len(), 300);
    assert!(!catalogue
        .data
        .iter()
        .any(|p| p.name() == "user_access_read"));
    let scoped: PermissionsResponse = api
        .get("/api/v2/permissions?include_scopes=true")
        .await
        .typed();
    assert!(scoped.data.len() > 300);
    for name in ["user_access_read", "user_self_profile_write"] {
        assert!(scoped.data.iter().any(|p| p.name() == name), "{name}");
    }
    assert_eq!(
        api.get("/api/v2/permissions?include_scopes=maybe")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let manage = catalogue
        .data
        .iter()
        .find(|p| p.name() == "user_access_manage")
        .expect("user_access_manage in the catalogue");
    let path = format!("/api/v2/roles/{READ_ONLY_ROLE_ID}/permissions");
    let before: PermissionsResponse = api.get(&path).await.typed();
    let body = json!({"data": {"type": "permissions", "id": manage.id}});
    let granted: PermissionsResponse = api
        .admin(Method::POST, &path, Some(body.clone()))
        .await
        .typed();
    assert_eq!(granted.data.len(), before.data.len() + 1);
    assert!(granted.data.iter().any(|p| p.id == manage.id));
    // The read-only user now holds the permission through the role.
    let rita = api
        .readonly(Method::GET, "/api/v2/current_user", None)
        .await
        .typed::<UserResponse>()
        .data;
    let rename = update_body(&rita.id.0, json!({"name": "Rita Manager"}));
    let reply = api
        .readonly(
            Method::PATCH,
            &format!("/api/v2/users/{}", rita.id),
            Some(rename.clone()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let revoked: PermissionsResponse = api.admin(Method::DELETE, &path, Some(body)).await.typed();
    assert_eq!(revoked.data, before.data);
    let reply = api
        .readonly(
            Method::PATCH,
            &format!("/api/v2/users/{}", rita.id),
            Some(rename),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let unknown = json!({"data": {"type": "permissions", "id": "nope"}});
    assert_eq!(
        api.admin(Method::POST, &path, Some(unknown)).await.status,
        StatusCode::BAD_REQUEST
    );
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limits_count_down_and_answer_429() {
    let clock = test_clock();
    let api = Api::start(SandboxConfig {
        rate_limit: Some("3/60".parse::<RateLimitSpec>().expect("spec")),
        clock: clock.clock(),
        ..SandboxConfig::default()
    })
    .await;
    let mut remaining = Vec::new();
    let mut limited = None;
    for _ in 0..4 {
        let reply = api.get("/api/v2/users").await;
        assert_eq!(reply.header("x-ratelimit-name"), Some("users_list"));
        assert_eq!(reply.header("x-ratelimit-limit"), Some("3"));
        assert_eq!(reply.header("x-ratelimit-period"), Some("60"));
        // Half a second into the minute: the window resets in 59.5 s, rounded up.
        assert_eq!(reply.header("x-ratelimit-reset"), Some("60"));
        remaining.push(reply.header("x-ratelimit-remaining").map(str::to_owned));
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(reply);
            break;
        }
    }
    let limited = limited.expect("a 429 on the fourth request");
    assert_eq!(limited.error(), "Too many requests");
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(
        remaining,
        [
            Some("2".into()),
            Some("1".into()),
            Some("0".into()),
            Some("0".into())
        ]
    );
    // Another group has its own budget.
    let other = api.get("/api/v2/roles").await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(other.header("x-ratelimit-name"), Some("roles_read"));
    api.sandbox.shutdown().await;

    // Waiting X-RateLimit-Reset seconds, as the Python and TypeScript clients do, is enough.
    let clock = test_clock();
    let api = Api::start(SandboxConfig {
        rate_limit: Some(RateLimitSpec {
            requests: 1,
            period_secs: 1,
        }),
        clock: clock.clock(),
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(api.get("/api/v2/roles").await.status, StatusCode::OK);
    let reply = api.get("/api/v2/roles").await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    let reset: u64 = reply
        .header("x-ratelimit-reset")
        .and_then(|r| r.parse().ok())
        .expect("reset");
    assert_eq!(reset, 1);
    clock.advance(Duration::from_secs(reset));
    assert_eq!(api.get("/api/v2/roles").await.status, StatusCode::OK);
    api.sandbox.shutdown().await;

    // The default limit counts down too.
    let api = Api::start(SandboxConfig {
        clock: test_clock().clock(),
        ..SandboxConfig::default()
    })
    .await;
    let first = api.get("/api/v2/permissions").await;
    let second = api.get("/api/v2/permissions").await;
    assert_eq!(first.header("x-ratelimit-remaining"), Some("9999"));
    assert_eq!(second.header("x-ratelimit-remaining"), Some("9998"));
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_failures_answer_5xx_and_apply_nothing() {
    let api = Api::start(SandboxConfig {
        fail_rate: 1.0,
        ..SandboxConfig::default()
    })
    .await;
    for _ in 0..4 {
        let reply = api
            .admin(
                Method::POST,
                "/api/v2/users",
                Some(json!({"data": {"type": "users", "attributes": {"email": "never@example.com"}}})),
            )
            .await;
        assert!(
            [
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::SERVICE_UNAVAILABLE
            ]
            .contains(&reply.status),
            "{}",
            reply.status
        );
        assert_eq!(reply.error(), "Internal Server Error");
        assert!(reply.header("x-ratelimit-remaining").is_some());
    }
    let stats = api.sandbox.stats();
    assert_eq!(
        (stats.requests, stats.write_requests, stats.writes_applied),
        (4, 4, 0)
    );
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_connections_cut_the_body() {
    let api = Api::start(SandboxConfig {
        drop_rate: 1.0,
        ..SandboxConfig::default()
    })
    .await;
    let url = format!("{}/api/v2/users?page[size]=50", api.sandbox.base_url());
    let result = async {
        let response = api
            .http
            .get(url)
            .header("DD-API-KEY", DEMO_API_KEY)
            .header("DD-APPLICATION-KEY", DEMO_ADMIN_APP_KEY)
            .send()
            .await?;
        response.text().await
    }
    .await;
    assert!(result.is_err(), "the body should be cut: {result:?}");
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_gives_the_same_org() {
    // One clock for all three, so seeded times count back from the same day.
    let clock = test_clock();
    let config = SandboxConfig {
        users: 300,
        seed: 5,
        clock: clock.clock(),
        ..SandboxConfig::default()
    };
    let a = Api::start(config.clone()).await;
    let b = Api::start(config).await;
    let c = Api::start(SandboxConfig {
        users: 300,
        seed: 6,
        clock: clock.clock(),
        ..SandboxConfig::default()
    })
    .await;
    let path = "/api/v2/users?page[size]=100&sort=-created_at";
    let (first, second, third) = (
        a.get(path).await.body,
        b.get(path).await.body,
        c.get(path).await.body,
    );
    assert_eq!(first, second);
    assert_ne!(first, third);
    for api in [a, b, c] {
        api.sandbox.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_state_file_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("org.json");
    let config = SandboxConfig {
        users: 50,
        state_file: Some(state.clone()),
        ..SandboxConfig::default()
    };
    let api = Api::start(config.clone()).await;
    assert!(state.exists(), "seeding writes the file");
    let user = api.create("persisted@example.com").await;
    // The background writer saves the change without waiting for shutdown.
    let mut saved = false;
    for _ in 0..100 {
        let text = std::fs::read_to_string(&state).unwrap_or_default();
        if text.contains("persisted@example.com") {
            saved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(saved, "the state file was not updated in the background");
    let role_path = format!("/api/v2/roles/{ADMIN_ROLE_ID}/users");
    api.admin(
        Method::POST,
        &role_path,
        Some(json!({"data": {"type": "users", "id": user.id}})),
    )
    .await;
    api.sandbox.shutdown().await;

    // A different seed and size: the file wins.
    let api = Api::start(SandboxConfig {
        users: 10,
        seed: 99,
        ..config
    })
    .await;
    let reply = api.get(&format!("/api/v2/users/{}", user.id)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let back = reply.typed::<UserResponse>().data;
    assert!(back.role_ids().any(|r| r.as_str() == ADMIN_ROLE_ID));
    let page: UsersResponse = api.get("/api/v2/users").await.typed();
    assert_eq!(page.total_count(), Some(51));
    api.sandbox.shutdown().await;

    std::fs::write(&state, b"{ broken").expect("write");
    let error = Sandbox::start(SandboxConfig {
        state_file: Some(state),
        ..SandboxConfig::default()
    })
    .await
    .err()
    .expect("a broken state file is refused");
    assert!(error.to_string().contains("delete it"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_routes_answer_json_404() {
    let api = Api::default().await;
    let reply = api.get("/api/v2/nothing").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error(), "Not found");
    assert!(api.sandbox.base_url().starts_with("http://127.0.0.1:"));
    assert!(api.sandbox.local_addr().ip().is_loopback());
    api.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn latency_delays_but_still_answers() {
    let api = Api::start(SandboxConfig {
        latency: Duration::from_millis(30),
        users: 20,
        ..SandboxConfig::default()
    })
    .await;
    let page: UsersResponse = api.get("/api/v2/users?page[size]=100").await.typed();
    assert_eq!(page.data.len(), 20);
    api.sandbox.shutdown().await;
}
