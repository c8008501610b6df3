//! The typed client against the built-in sandbox over loopback: every operation's success
//! path and documented errors, paging, auth, rate limits and retries. No mocks.

mod common;

use common::run_change;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ddusers::api::models::*;
use ddusers::api::{
    ApiError, Client, ClientOptions, ErrorKind, ListRoleUsersQuery, ListRolesQuery, ListUsersQuery,
    RetryPolicy, SortDir,
};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::runs::{Change, ItemResult};
use ddusers::sandbox::{
    RateLimitSpec, Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY, DEMO_READONLY_APP_KEY,
};
use futures::StreamExt;

const ADMIN_ROLE: &str = "94172442-be03-11e9-a77a-3b7612558ac1";
/// The sandbox org's SAML identity provider.
const SAML_IDP: &str = "0c6a1f0e-5d2b-11ee-8c99-0242ac120002";

async fn sandbox(users: usize) -> Sandbox {
    sandbox_with(SandboxConfig {
        users,
        ..SandboxConfig::default()
    })
    .await
}

async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(SandboxConfig { port: 0, ..config })
        .await
        .expect("sandbox starts on loopback")
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_rate_limit_wait: Duration::from_secs(3),
    }
}

fn client_for(sandbox: &Sandbox, app_key: &str) -> Client {
    let mut options = ClientOptions::new(
        parse_base_url(&sandbox.base_url(), false).unwrap(),
        Credentials::new(DEMO_API_KEY, app_key),
    );
    options.retry = fast_retries();
    Client::new(options).unwrap()
}

fn admin(sandbox: &Sandbox) -> Client {
    client_for(sandbox, DEMO_ADMIN_APP_KEY)
}

fn expect_status<T>(result: Result<T, ApiError>, status: u16) -> ApiError {
    let Err(error) = result else {
        panic!("the call should fail with {status}");
    };
    assert_eq!(error.status(), Some(status), "{error}");
    error
}

/// A person (not a service account, not the caller) with this status.
async fn some_user(client: &Client, status: UserStatus) -> User {
    let me = client.get_current_user().await.unwrap().data.id;
    let page = client
        .list_users(&ListUsersQuery {
            status: vec![status.clone()],
            page_size: Some(50),
            ..Default::default()
        })
        .await
        .unwrap();
    page.data
        .into_iter()
        .find(|u| u.attributes.service_account != Some(true) && u.id != me)
        .unwrap_or_else(|| panic!("seed has a {status} user"))
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_pager_returns_every_user_exactly_once() {
    let sandbox = sandbox(1_234).await;
    let client = admin(&sandbox);
    let mut pages = client.user_pages(
        ListUsersQuery {
            page_size: Some(100),
            ..Default::default()
        },
        6,
    );
    let mut seen = HashSet::new();
    let mut numbers = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.unwrap();
        assert_eq!(page.total_pages, Some(13));
        numbers.push(page.number);
        for user in page.response.data {
            assert!(seen.insert(user.id.clone()), "{} listed twice", user.id);
        }
    }
    assert_eq!(seen.len(), 1_234);
    numbers.sort();
    assert_eq!(numbers, (0..13).collect::<Vec<_>>());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn filtered_and_status_listings_page_completely() {
    let sandbox = sandbox(600).await;
    let client = admin(&sandbox);
    let disabled = client
        .list_all_users(ListUsersQuery {
            status: vec![UserStatus::Disabled],
            page_size: Some(7),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(disabled.len() > 7, "several pages of disabled users");
    assert!(disabled
        .iter()
        .all(|u| u.attributes.status == Some(UserStatus::Disabled)));
    let first = client
        .list_users(&ListUsersQuery {
            status: vec![UserStatus::Disabled],
            page_size: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.total_filtered_count(), Some(disabled.len() as i64));
    assert_eq!(first.total_count(), Some(600));

    let needle = "example";
    let matching = client
        .list_all_users(ListUsersQuery {
            filter: Some(needle.to_uppercase()),
            page_size: Some(25),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!matching.is_empty());
    for user in &matching {
        let a = &user.attributes;
        let hay = format!(
            "{} {} {}",
            a.name.as_deref().unwrap_or(""),
            a.email.as_deref().unwrap_or(""),
            a.handle.as_deref().unwrap_or("")
        )
        .to_lowercase();
        assert!(hay.contains(needle), "{hay}");
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn list_sorts_both_ways_and_includes_roles_with_permissions() {
    let sandbox = sandbox(120).await;
    let client = admin(&sandbox);
    let query = |sort: &str, dir: Option<SortDir>| ListUsersQuery {
        sort: Some(sort.into()),
        sort_dir: dir,
        page_size: Some(100),
        ..Default::default()
    };
    let asc = client
        .list_users(&query("email", Some(SortDir::Asc)))
        .await
        .unwrap();
    let emails: Vec<String> = asc
        .data
        .iter()
        .map(|u| u.attributes.email.clone().unwrap())
        .collect();
    let mut sorted = emails.clone();
    sorted.sort();
    assert_eq!(emails, sorted);
    let desc = client.list_users(&query("-email", None)).await.unwrap();
    let first_desc = desc.data[0].attributes.email.clone().unwrap();
    assert!(first_desc >= *emails.last().unwrap());

    let role_ids: HashSet<RoleId> = asc.data.iter().flat_map(|u| u.role_ids()).collect();
    let included_roles: HashSet<RoleId> = asc
        .included
        .iter()
        .filter_map(|i| match i {
            Included::Role(r) => Some(r.id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(role_ids, included_roles);
    assert!(asc
        .included
        .iter()
        .any(|i| matches!(i, Included::Permission(_))));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_list_parameters_are_400() {
    let sandbox = sandbox(20).await;
    let client = admin(&sandbox);
    let too_big = client
        .list_users(&ListUsersQuery {
            page_size: Some(101),
            ..Default::default()
        })
        .await;
    let error = expect_status(too_big, 400);
    assert_eq!(error.kind(), ErrorKind::BadRequest);
    assert!(!error.messages().is_empty());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn user_lifecycle_create_get_update_disable_enable() {
    let sandbox = sandbox(30).await;
    let client = admin(&sandbox);
    let new = NewUser {
        email: "New.Person@Example.com".into(),
        name: Some("New Person".into()),
        title: Some("SRE".into()),
        roles: vec![RoleId::from(ADMIN_ROLE)],
    };
    let created = client.create_user(&new).await.unwrap().data;
    assert_eq!(created.attributes.status, Some(UserStatus::Pending));
    assert_eq!(
        created.attributes.email.as_deref(),
        Some("new.person@example.com")
    );
    assert_eq!(
        created.role_ids().collect::<Vec<_>>(),
        vec![RoleId::from(ADMIN_ROLE)]
    );

    expect_status(client.create_user(&new).await, 409);
    let create = Change::Create {
        email: new.email.clone(),
        name: None,
        title: None,
        roles: vec![],
    };
    let existing = run_change(&client, create).await;
    assert!(
        matches!(&existing, ItemResult::Skipped { detail, .. } if detail.contains(created.id.as_str())),
        "{existing:?}"
    );

    let fetched = client.get_user(&created.id).await.unwrap().data;
    assert_eq!(fetched.id, created.id);

    let updated = client
        .update_user(
            &created.id,
            &UserUpdate {
                name: Some("Renamed".into()),
                title: Patch::Clear,
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .data;
    assert_eq!(updated.attributes.name.as_deref(), Some("Renamed"));
    assert_eq!(updated.attributes.title, None);

    client.disable_user(&created.id).await.unwrap();
    expect_status(client.disable_user(&created.id).await, 404);
    let id = created.id.clone();
    let disable = run_change(&client, Change::Disable { user: id.clone() }).await;
    assert!(matches!(&disable, ItemResult::Skipped { detail, .. } if detail == "already disabled"));
    let enable = run_change(&client, Change::Enable { user: id.clone() }).await;
    assert!(
        matches!(
            &enable,
            ItemResult::Done {
                undo: Some(Change::Disable { .. }),
                ..
            }
        ),
        "{enable:?}"
    );
    let again = run_change(&client, Change::Enable { user: id }).await;
    assert!(matches!(again, ItemResult::Skipped { .. }), "{again:?}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn documented_user_errors() {
    let sandbox = sandbox(30).await;
    let client = admin(&sandbox);
    let unknown = UserId::from("00000000-dead-beef-dead-ffffffffffff");
    let error = expect_status(client.get_user(&unknown).await, 404);
    assert!(error.is_not_found());
    let error = expect_status(
        client
            .update_user(
                &unknown,
                &UserUpdate {
                    name: Some("x".into()),
                    ..Default::default()
                },
            )
            .await,
        404,
    );
    assert!(error.to_string().contains("not found"), "{error}");
    expect_status(client.disable_user(&unknown).await, 404);
    let result = run_change(
        &client,
        Change::Disable {
            user: unknown.clone(),
        },
    )
    .await;
    assert!(
        matches!(&result, ItemResult::Failed { reason } if reason.contains("not found")),
        "{result:?}"
    );

    let invalid = NewUser {
        email: "not-an-email".into(),
        ..Default::default()
    };
    expect_status(client.create_user(&invalid).await, 400);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn invitations_are_sent_fetched_and_cancelled() {
    let sandbox = sandbox(30).await;
    let client = admin(&sandbox);
    let created = client
        .create_user(&NewUser {
            email: "invitee@example.com".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .data;
    let sent = client
        .send_invitations(std::slice::from_ref(&created.id))
        .await
        .unwrap()
        .data;
    let fetched = client.get_invitation(&sent[0].id).await.unwrap().data;
    assert_eq!(fetched.user_id().as_ref(), Some(&created.id));
    let a = &fetched.attributes;
    assert_eq!(
        (a.expires_at.unwrap() - a.created_at.unwrap()).whole_hours(),
        48
    );
    client.cancel_user_invitations(&created.id).await.unwrap();
    expect_status(
        client
            .get_invitation(&InvitationId::from("00000000-0000-0000-0000-000000000000"))
            .await,
        404,
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_invite_change_creates_invites_reinvites_and_spares_active_users() {
    let sandbox = sandbox(30).await;
    let client = admin(&sandbox);
    let invite = |email: &str| Change::Invite {
        email: email.into(),
        name: None,
        title: None,
        roles: vec![RoleId::from(ADMIN_ROLE)],
    };
    let first = run_change(&client, invite("fresh@example.com")).await;
    let ItemResult::Done {
        detail,
        user: Some(user),
        invitation_expires_at: Some(_),
        ..
    } = &first
    else {
        panic!("expected a created and invited user, got {first:?}");
    };
    assert_eq!(detail, "created and invited");
    assert_eq!(
        user.role_ids().collect::<Vec<_>>(),
        vec![RoleId::from(ADMIN_ROLE)]
    );

    let again = run_change(&client, invite("fresh@example.com")).await;
    assert!(
        again.detail().starts_with("invitation sent again"),
        "{again:?}"
    );

    let active = some_user(&client, UserStatus::Active).await;
    let email = active.attributes.email.clone().unwrap();
    let spared = run_change(&client, invite(&email)).await;
    assert!(matches!(spared, ItemResult::Skipped { .. }), "{spared:?}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn current_user_orgs_permissions_and_identity_providers() {
    let sandbox = sandbox(30).await;
    let client = admin(&sandbox);
    let me = client.get_current_user().await.unwrap().data;
    let updated = client
        .update_current_user(
            &me.id,
            &UserUpdate {
                title: Patch::Set("Org owner".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .data;
    assert_eq!(updated.attributes.title.as_deref(), Some("Org owner"));
    let someone_else = some_user(&client, UserStatus::Active).await;
    expect_status(
        client
            .update_current_user(
                &someone_else.id,
                &UserUpdate {
                    name: Some("x".into()),
                    ..Default::default()
                },
            )
            .await,
        422,
    );

    let orgs = client.list_user_organizations(&me.id).await.unwrap();
    assert!(orgs.included.iter().any(|i| matches!(i, Included::Org(_))));

    let permissions = client.list_user_permissions(&me.id).await.unwrap().data;
    let names: HashSet<&str> = permissions.iter().map(Permission::name).collect();
    assert!(names.contains("user_access_manage"));
    assert_eq!(
        names.len(),
        permissions.len(),
        "permissions are listed once each"
    );

    let unknown_idp = IdentityProviderId::from("00000000-0000-0000-0000-000000000001");
    expect_status(
        client
            .update_user_identity_providers(&someone_else.id, &[unknown_idp])
            .await,
        400,
    );
    client
        .update_user_identity_providers(&someone_else.id, &[IdentityProviderId::from(SAML_IDP)])
        .await
        .unwrap();
    let providers = client
        .get_user_identity_providers(&someone_else.id)
        .await
        .unwrap();
    assert_eq!(providers.data.len(), 1);
    client
        .update_user_identity_providers(&someone_else.id, &[])
        .await
        .unwrap();
    assert!(client
        .get_user_identity_providers(&someone_else.id)
        .await
        .unwrap()
        .data
        .is_empty());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn anonymize_reports_each_user() {
    let sandbox = sandbox(30).await;
    let client = admin(&sandbox);
    let victim = some_user(&client, UserStatus::Active).await;
    let unknown = UserId::from("00000000-dead-beef-dead-ffffffffffff");
    let result = client
        .anonymize_users(&[victim.id.clone(), unknown.clone()])
        .await
        .unwrap()
        .data
        .attributes;
    assert_eq!(result.anonymized_user_ids, vec![victim.id.clone()]);
    assert_eq!(result.anonymize_errors.len(), 1);
    assert_eq!(result.anonymize_errors[0].user_id, unknown);
    let after = client.get_user(&victim.id).await.unwrap().data;
    assert_ne!(after.attributes.email, victim.attributes.email);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_operations() {
    let sandbox = sandbox(60).await;
    let client = admin(&sandbox);
    let roles = client.list_all_roles().await.unwrap();
    let names: Vec<&str> = roles.iter().map(Role::display_name).collect();
    for managed in [
        "Datadog Admin Role",
        "Datadog Standard Role",
        "Datadog Read Only Role",
    ] {
        assert!(names.contains(&managed), "{names:?}");
    }
    let filtered = client
        .list_roles(&ListRolesQuery {
            filter: Some("read only".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(filtered
        .data
        .iter()
        .all(|r| r.display_name().to_lowercase().contains("read only")));

    let admin_role = RoleId::from(ADMIN_ROLE);
    let role = client.get_role(&admin_role).await.unwrap().data;
    assert_eq!(role.display_name(), "Datadog Admin Role");
    let permissions = client
        .list_role_permissions(&admin_role)
        .await
        .unwrap()
        .data;
    assert!(permissions.iter().any(|p| p.name() == "user_access_manage"));

    let catalogue = client.list_permissions(false).await.unwrap().data;
    let with_scopes = client.list_permissions(true).await.unwrap().data;
    assert!(catalogue.len() >= 100, "a realistic catalogue");
    assert!(with_scopes.len() > catalogue.len());
    assert!(!catalogue.iter().any(|p| p.name() == "user_access_read"));
    assert!(with_scopes.iter().any(|p| p.name() == "user_access_read"));

    let user = some_user(&client, UserStatus::Active).await;
    let target = roles
        .iter()
        .find(|r| !user.role_ids().any(|id| id == r.id))
        .expect("a role the user lacks")
        .id
        .clone();
    let after_add = client.add_user_to_role(&target, &user.id).await.unwrap();
    assert!(after_add.data.iter().any(|u| u.id == user.id));
    let members = client
        .list_role_users(
            &target,
            &ListRoleUsersQuery {
                page_size: Some(100),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(members.data.iter().any(|u| u.id == user.id));
    let after_remove = client
        .remove_user_from_role(&target, &user.id)
        .await
        .unwrap();
    assert!(!after_remove.data.iter().any(|u| u.id == user.id));
    expect_status(
        client
            .get_role(&RoleId::from("00000000-dead-beef-dead-ffffffffffff"))
            .await,
        404,
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_keys_and_missing_permissions_are_refused() {
    let sandbox = sandbox(30).await;
    let wrong = client_for(&sandbox, "not-a-real-app-key");
    let error = expect_status(wrong.list_users(&ListUsersQuery::default()).await, 403);
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(!error.to_string().contains("not-a-real-app-key"));

    let reader = client_for(&sandbox, DEMO_READONLY_APP_KEY);
    let page = reader.list_users(&ListUsersQuery::default()).await.unwrap();
    let victim = page.data[0].id.clone();
    expect_status(reader.disable_user(&victim).await, 403);
    expect_status(
        reader
            .create_user(&NewUser {
                email: "x@example.com".into(),
                ..Default::default()
            })
            .await,
        403,
    );
    expect_status(
        reader
            .update_user(
                &victim,
                &UserUpdate {
                    name: Some("x".into()),
                    ..Default::default()
                },
            )
            .await,
        403,
    );
    assert_eq!(sandbox.stats().writes_applied, 0);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_over_the_limit_gets_429_with_its_headers() {
    let sandbox = sandbox_with(SandboxConfig {
        users: 30,
        rate_limit: Some(RateLimitSpec {
            requests: 3,
            period_secs: 1,
        }),
        ..SandboxConfig::default()
    })
    .await;
    let no_retry = {
        let mut options = ClientOptions::new(
            parse_base_url(&sandbox.base_url(), false).unwrap(),
            Credentials::new(DEMO_API_KEY, DEMO_ADMIN_APP_KEY),
        );
        options.retry = RetryPolicy::none();
        Client::new(options).unwrap()
    };
    // Sent at once, before any answer has announced the limit: the pacer cannot hold them.
    let query = ListUsersQuery::default();
    let burst = futures::future::join_all((0..8).map(|_| no_retry.list_users(&query))).await;
    let error = burst
        .into_iter()
        .find_map(Result::err)
        .expect("the limit is reached");
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.kind(), ErrorKind::RateLimited);
    let headers = error.rate_limit().expect("429 carries the headers");
    assert_eq!(headers.limit, Some(3));
    assert_eq!(headers.period, Some(1));
    assert_eq!(headers.remaining, Some(0));
    assert!(headers.reset.is_some() && headers.name.is_some());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pacer_waits_for_the_window_instead_of_spending_requests_on_429s() {
    let sandbox = sandbox_with(SandboxConfig {
        users: 30,
        rate_limit: Some(RateLimitSpec {
            requests: 3,
            period_secs: 1,
        }),
        ..SandboxConfig::default()
    })
    .await;
    let held = Arc::new(AtomicUsize::new(0));
    let retried = Arc::new(AtomicUsize::new(0));
    let (h, r) = (held.clone(), retried.clone());
    let client = admin(&sandbox).with_retry_observer(Arc::new(move |notice| {
        assert!(notice.rate_limited, "{notice:?}");
        if notice.attempt == 0 { &h } else { &r }.fetch_add(1, Ordering::SeqCst);
    }));
    for _ in 0..7 {
        client.list_users(&ListUsersQuery::default()).await.unwrap();
    }
    assert!(
        held.load(Ordering::SeqCst) >= 1,
        "some reads waited for the window"
    );
    assert_eq!(
        retried.load(Ordering::SeqCst),
        0,
        "no request was answered 429"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_failures_are_retried_on_reads_only() {
    let sandbox = sandbox_with(SandboxConfig {
        users: 30,
        fail_rate: 1.0,
        ..SandboxConfig::default()
    })
    .await;
    let retries = Arc::new(AtomicUsize::new(0));
    let counter = retries.clone();
    let client = admin(&sandbox).with_retry_observer(Arc::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    let error = client
        .list_users(&ListUsersQuery::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(
        retries.load(Ordering::SeqCst),
        4,
        "a read is retried up to the policy"
    );

    retries.store(0, Ordering::SeqCst);
    let before = sandbox.stats().requests;
    let error = client
        .create_user(&NewUser {
            email: "once@example.com".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(
        retries.load(Ordering::SeqCst),
        0,
        "a write is not retried blindly"
    );
    assert_eq!(sandbox.stats().requests - before, 1);
    assert_eq!(sandbox.stats().writes_applied, 0);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_server_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut options = ClientOptions::new(
        parse_base_url(&format!("http://127.0.0.1:{port}"), false).unwrap(),
        Credentials::new("k", "k"),
    );
    options.retry = RetryPolicy {
        max_retries: 1,
        ..fast_retries()
    };
    let client = Client::new(options).unwrap();
    let error = client
        .list_users(&ListUsersQuery::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Network);
    assert!(error.to_string().contains("could not connect"), "{error}");
}
