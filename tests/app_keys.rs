//! Application keys over loopback: the sandbox's Key Management reads (paging, sorts,
//! filters, `include=owned_by`, the current user's keys, 403s and 404s), the revocation of
//! a user's keys when they are disabled, the seeded keys, the state file, and the typed
//! client's listings and `application_keys_by_owner` against it (plus a hostile server for
//! the page cap). No mocks of the sandbox.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ddusers::api::keys::{
    application_keys_by_owner, ApplicationKey, ApplicationKeyId, ApplicationKeyIncluded,
    ApplicationKeySort, ApplicationKeysResponse, ListApplicationKeysQuery, PER_OWNER_QUERY_LIMIT,
};
use ddusers::api::models::{User, UserId, UserStatus, UserUpdate};
use ddusers::api::{ApiError, Client, ClientOptions, ErrorKind, ListUsersQuery, RetryPolicy};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::sandbox::{
    Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY, DEMO_READONLY_APP_KEY,
    READ_ONLY_ROLE_ID, STANDARD_ROLE_ID,
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

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

fn client_at(url: &str, app_key: &str) -> Client {
    let mut options = ClientOptions::new(
        parse_base_url(url, false).expect("loopback URL"),
        Credentials::new(DEMO_API_KEY, app_key),
    );
    options.retry = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
        max_rate_limit_wait: Duration::from_secs(2),
    };
    Client::new(options).expect("client builds")
}

fn client_for(sandbox: &Sandbox, app_key: &str) -> Client {
    client_at(&sandbox.base_url(), app_key)
}

fn admin(sandbox: &Sandbox) -> Client {
    client_for(sandbox, DEMO_ADMIN_APP_KEY)
}

/// A raw GET, for status codes, headers and exact bodies.
async fn raw_get(sandbox: &Sandbox, path: &str, app_key: &str) -> (u16, Value, String) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", sandbox.base_url()))
        .header("DD-API-KEY", DEMO_API_KEY)
        .header("DD-APPLICATION-KEY", app_key)
        .send()
        .await
        .expect("request reaches the sandbox");
    let status = response.status().as_u16();
    let limit_name = response
        .headers()
        .get("x-ratelimit-name")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body: Value = response.json().await.expect("JSON body");
    (status, body, limit_name)
}

fn expect_error<T: std::fmt::Debug>(result: Result<T, ApiError>, status: u16) -> ApiError {
    let error = result.expect_err("the call should fail");
    assert_eq!(error.status(), Some(status), "{error}");
    error
}

async fn every_key(client: &Client) -> Vec<ApplicationKey> {
    client
        .list_all_application_keys(&ListApplicationKeysQuery::default())
        .await
        .expect("every key lists")
        .data
}

async fn every_user(client: &Client) -> Vec<User> {
    client
        .list_all_users(ListUsersQuery::default())
        .await
        .expect("every user lists")
}

fn owner(key: &ApplicationKey) -> UserId {
    key.owner_id().expect("org listings name each key's owner")
}

fn names(keys: &[ApplicationKey]) -> Vec<String> {
    keys.iter().map(|k| k.display_name().to_owned()).collect()
}

/// An active person holding exactly this one role, who is not a demo user.
async fn person_with_role(client: &Client, role: &str, skip: usize) -> User {
    every_user(client)
        .await
        .into_iter()
        .filter(|u| {
            u.attributes.status == Some(UserStatus::Active)
                && u.attributes.service_account != Some(true)
                && u.attributes.title.as_deref() != Some("Demo account")
                && u.role_ids().map(|r| r.0).collect::<Vec<_>>() == [role]
        })
        .nth(skip)
        .unwrap_or_else(|| panic!("the seed has an active person with only {role}"))
}

// ---------------------------------------------------------------------------------------
// Listing

#[tokio::test(flavor = "multi_thread")]
async fn listing_pages_cover_every_key_once_and_give_the_filtered_total() {
    let sandbox = sandbox(600).await;
    let client = admin(&sandbox);
    let first = client
        .list_application_keys(&ListApplicationKeysQuery::default())
        .await
        .expect("first page");
    let total = first.total_filtered_count().expect("a total") as usize;
    assert!(total > 100, "600 users own {total} keys");
    assert_eq!(first.data.len(), 100, "the default page holds 100 keys");
    assert_eq!(
        first.meta.as_ref().and_then(|m| m.max_allowed_per_user),
        Some(1000)
    );

    let mut seen = HashSet::new();
    for number in 0.. {
        let page = client
            .list_application_keys(&ListApplicationKeysQuery {
                page_size: Some(17),
                page_number: Some(number),
                ..Default::default()
            })
            .await
            .expect("page");
        assert_eq!(page.total_filtered_count(), Some(total as i64));
        for key in &page.data {
            assert!(seen.insert(key.id.clone()), "{} listed twice", key.id);
            assert_eq!(key.kind, "application_keys");
        }
        if page.data.len() < 17 {
            break;
        }
    }
    assert_eq!(seen.len(), total);
    let all = every_key(&client).await;
    assert_eq!(all.len(), total);
    let beyond = client
        .list_application_keys(&ListApplicationKeysQuery {
            page_number: Some(1_000),
            ..Default::default()
        })
        .await
        .expect("a page past the end is empty, not an error");
    assert!(beyond.data.is_empty());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sorts_order_by_name_creation_and_last4_both_ways() {
    let sandbox = sandbox(400).await;
    let client = admin(&sandbox);
    let listed = |sort| {
        let client = client.clone();
        async move {
            client
                .list_all_application_keys(&ListApplicationKeysQuery {
                    sort: Some(sort),
                    page_size: Some(40),
                    ..Default::default()
                })
                .await
                .expect("sorted listing")
                .data
        }
    };
    let by_default = every_key(&client).await;
    let by_name = listed(ApplicationKeySort::NameAsc).await;
    assert_eq!(names(&by_default), names(&by_name), "name is the default");
    let lowered: Vec<String> = names(&by_name)
        .iter()
        .map(|n| {
            n.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        })
        .collect();
    assert!(lowered.windows(2).all(|w| w[0] <= w[1]), "{lowered:?}");

    let created = listed(ApplicationKeySort::CreatedAtAsc).await;
    let times: Vec<_> = created
        .iter()
        .map(|k| k.attributes.created_at.expect("created_at"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let last4 = listed(ApplicationKeySort::Last4Asc).await;
    let ends: Vec<String> = last4
        .iter()
        .map(|k| k.attributes.last4.clone().expect("last4"))
        .collect();
    assert!(ends.windows(2).all(|w| w[0] <= w[1]));

    for (asc, desc) in [
        (ApplicationKeySort::NameAsc, ApplicationKeySort::NameDesc),
        (
            ApplicationKeySort::CreatedAtAsc,
            ApplicationKeySort::CreatedAtDesc,
        ),
        (ApplicationKeySort::Last4Asc, ApplicationKeySort::Last4Desc),
    ] {
        let mut reversed = listed(asc).await;
        reversed.reverse();
        assert_eq!(listed(desc).await, reversed, "{desc} is {asc} reversed");
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_listing_parameters_are_400_with_a_message() {
    let sandbox = sandbox(50).await;
    for query in [
        "sort=owner",
        "sort=-last_used_at",
        "page[size]=0",
        "page%5Bsize%5D=101",
        "page[number]=-1",
        "page[number]=x",
        "include=roles",
        "filter[created_at][start]=last-week",
    ] {
        let (status, body, _) = raw_get(
            &sandbox,
            &format!("/api/v2/application_keys?{query}"),
            DEMO_ADMIN_APP_KEY,
        )
        .await;
        assert_eq!(status, 400, "{query}: {body}");
        let message = body["errors"][0].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{query}: {body}");
    }
    let (status, _, _) = raw_get(
        &sandbox,
        "/api/v2/current_user/application_keys?sort=bogus",
        DEMO_ADMIN_APP_KEY,
    )
    .await;
    assert_eq!(status, 400);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_filter_matches_names_case_insensitively() {
    let sandbox = sandbox(600).await;
    let client = admin(&sandbox);
    let all = every_key(&client).await;
    for text in ["TERRAFORM", "sync", "Laptop"] {
        let filtered = client
            .list_all_application_keys(&ListApplicationKeysQuery {
                filter: Some(text.to_owned()),
                ..Default::default()
            })
            .await
            .expect("filtered listing");
        let expected: Vec<&ApplicationKey> = all
            .iter()
            .filter(|k| {
                k.display_name()
                    .to_lowercase()
                    .contains(&text.to_lowercase())
            })
            .collect();
        assert!(!expected.is_empty(), "the seed has {text} keys");
        assert_eq!(filtered.data.len(), expected.len(), "{text}");
        assert_eq!(filtered.total_filtered_count(), Some(expected.len() as i64));
    }
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_owned_by_lists_one_users_keys_and_unknown_users_have_none() {
    let sandbox = sandbox(600).await;
    let client = admin(&sandbox);
    let all = every_key(&client).await;
    let mut per_owner: HashMap<UserId, usize> = HashMap::new();
    for key in &all {
        *per_owner.entry(owner(key)).or_default() += 1;
    }
    let (busiest, count) = per_owner
        .iter()
        .max_by_key(|(id, n)| (**n, (*id).clone()))
        .expect("someone owns keys");
    let owned = client
        .list_all_application_keys(&ListApplicationKeysQuery {
            owned_by: Some(busiest.clone()),
            page_size: Some(1),
            ..Default::default()
        })
        .await
        .expect("owner's keys");
    assert_eq!(owned.data.len(), *count);
    assert!(owned.data.iter().all(|k| owner(k) == *busiest));
    let nobody = client
        .list_application_keys(&ListApplicationKeysQuery {
            owned_by: Some(UserId::from("00000000-dead-beef-dead-ffffffffffff")),
            ..Default::default()
        })
        .await
        .expect("an unknown owner is not an error");
    assert!(nobody.data.is_empty());
    assert_eq!(nobody.total_filtered_count(), Some(0));
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn created_at_bounds_select_keys_made_in_a_window() {
    let sandbox = sandbox(400).await;
    let client = admin(&sandbox);
    let all = every_key(&client).await;
    let mut times: Vec<_> = all.iter().filter_map(|k| k.attributes.created_at).collect();
    times.sort();
    let middle = times[times.len() / 2];
    let list = |after, before| {
        let client = client.clone();
        async move {
            client
                .list_all_application_keys(&ListApplicationKeysQuery {
                    created_after: after,
                    created_before: before,
                    ..Default::default()
                })
                .await
                .expect("bounded listing")
                .data
        }
    };
    let newer = list(Some(middle), None).await;
    let older = list(None, Some(middle)).await;
    assert!(newer
        .iter()
        .all(|k| k.attributes.created_at >= Some(middle)));
    assert!(older
        .iter()
        .all(|k| k.attributes.created_at <= Some(middle)));
    // The key made exactly at `middle` is in both.
    assert_eq!(newer.len() + older.len(), all.len() + 1);
    assert_eq!(list(Some(middle), Some(middle)).await.len(), 1);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn include_owned_by_puts_each_owner_once_in_included() {
    let sandbox = sandbox(600).await;
    let client = admin(&sandbox);
    let page = client
        .list_application_keys(&ListApplicationKeysQuery {
            include_owned_by: true,
            ..Default::default()
        })
        .await
        .expect("page with owners");
    let owners: HashSet<UserId> = page.data.iter().map(owner).collect();
    let included: Vec<&User> = page.included_users().collect();
    assert_eq!(included.len(), owners.len(), "each owner once");
    assert_eq!(
        included
            .iter()
            .map(|u| u.id.clone())
            .collect::<HashSet<_>>(),
        owners
    );
    assert!(included.iter().all(|u| u.attributes.email.is_some()));
    let plain = client
        .list_application_keys(&ListApplicationKeysQuery::default())
        .await
        .expect("page without owners");
    assert!(plain.included.is_empty());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn listings_have_the_recorded_shape_and_never_show_a_secret() {
    let sandbox = sandbox(100).await;
    let (status, body, limit) = raw_get(
        &sandbox,
        "/api/v2/application_keys?page[size]=100",
        DEMO_ADMIN_APP_KEY,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(limit, "keys_read");
    let total = body["data"].as_array().map_or(0, Vec::len);
    assert_eq!(
        body["meta"],
        serde_json::json!({"page": {"total_filtered_count": total}, "max_allowed_per_user": 1000})
    );
    let text = body.to_string();
    assert!(!text.contains(DEMO_ADMIN_APP_KEY), "a secret was listed");
    assert!(!text.contains(DEMO_READONLY_APP_KEY), "a secret was listed");
    let is_timestamp = |v: &Value| {
        let t = v.as_str().unwrap_or_default();
        t.len() == 32 && t.ends_with("+00:00") && t.as_bytes()[19] == b'.' && t.contains('T')
    };
    for key in body["data"].as_array().into_iter().flatten() {
        let attributes = key["attributes"].as_object().expect("attributes");
        let mut fields: Vec<&str> = attributes.keys().map(String::as_str).collect();
        fields.sort();
        assert_eq!(
            fields,
            ["created_at", "last4", "last_used_at", "name", "scopes"]
        );
        assert!(is_timestamp(&key["attributes"]["created_at"]), "{key}");
        let used = &key["attributes"]["last_used_at"];
        assert!(used.is_null() || is_timestamp(used), "{key}");
        let scopes = &key["attributes"]["scopes"];
        assert!(scopes.is_null() || scopes.is_array(), "{key}");
        assert_eq!(key["relationships"]["owned_by"]["data"]["type"], "users");
        assert!(key["relationships"]["leak_information"]["data"].is_null());
    }
    // The org mixes never-used, recent and old keys, and some scoped ones.
    let all: ApplicationKeysResponse = serde_json::from_value(body).expect("parses");
    assert!(all.data.iter().any(|k| k.attributes.last_used_at.is_none()));
    assert!(all.data.iter().any(|k| k.attributes.last_used_at.is_some()));
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Single keys and the current user's keys

#[tokio::test(flavor = "multi_thread")]
async fn a_key_is_read_by_id_and_unknown_ids_are_404() {
    let sandbox = sandbox(200).await;
    let client = admin(&sandbox);
    let listed = every_key(&client).await;
    let wanted = &listed[listed.len() / 2];
    let got = client
        .get_application_key(&wanted.id, false)
        .await
        .expect("get by id");
    assert_eq!(&got.data, wanted);
    assert!(got.included.is_empty());
    let with_owner = client
        .get_application_key(&wanted.id, true)
        .await
        .expect("get with owner");
    let user = with_owner
        .included
        .iter()
        .find_map(|i| match i {
            ApplicationKeyIncluded::User(user) => Some(user),
            _ => None,
        })
        .expect("the owner is included");
    assert_eq!(user.id, owner(wanted));
    let roles = with_owner
        .included
        .iter()
        .filter(|i| matches!(i, ApplicationKeyIncluded::Role(_)))
        .count();
    assert_eq!(roles, user.role_ids().count());

    let error = expect_error(
        client
            .get_application_key(&ApplicationKeyId::from("invalidId"), false)
            .await,
        404,
    );
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.messages(), ["Application key not found"]);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_admin_key_is_listed_as_adas_and_is_her_only_key() {
    let sandbox = sandbox(100).await;
    let client = admin(&sandbox);
    let ada = client.get_current_user().await.expect("me").data;
    assert_eq!(ada.attributes.name.as_deref(), Some("Ada Admin"));
    let hers = client
        .list_application_keys(&ListApplicationKeysQuery {
            owned_by: Some(ada.id.clone()),
            ..Default::default()
        })
        .await
        .expect("Ada's keys");
    assert_eq!(hers.data.len(), 1);
    let key = &hers.data[0];
    assert_eq!(key.attributes.last4.as_deref(), Some("-key"));
    assert_eq!(key.attributes.name.as_deref(), Some("ddusers demo (admin)"));
    assert!(key.attributes.last_used_at.is_some());

    let mine = client
        .list_current_user_application_keys(&ListApplicationKeysQuery::default())
        .await
        .expect("my keys");
    assert_eq!(mine.data.len(), 1);
    assert_eq!(mine.data[0].id, key.id);
    assert_eq!(mine.total_filtered_count(), Some(1));
    assert!(
        mine.data[0].relationships.owned_by.is_none(),
        "the current user's listing names no owner, as recorded"
    );
    let with_me = client
        .list_current_user_application_keys(&ListApplicationKeysQuery {
            include_owned_by: true,
            ..Default::default()
        })
        .await
        .expect("my keys with me");
    assert_eq!(
        with_me.included_users().next().map(|u| &u.id),
        Some(&ada.id)
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_current_users_key_is_read_and_another_users_key_is_404() {
    let sandbox = sandbox(200).await;
    let client = admin(&sandbox);
    let ada = client.get_current_user().await.expect("me").data.id;
    let all = every_key(&client).await;
    let mine = all.iter().find(|k| owner(k) == ada).expect("Ada's key");
    let theirs = all.iter().find(|k| owner(k) != ada).expect("another key");
    let got = client
        .get_current_user_application_key(&mine.id)
        .await
        .expect("my key");
    assert_eq!(got.data.id, mine.id);
    assert_eq!(got.data.owner_id(), Some(ada.clone()));
    assert!(
        got.included
            .iter()
            .any(|i| matches!(i, ApplicationKeyIncluded::User(u) if u.id == ada)),
        "the caller is included, as recorded"
    );
    for id in [theirs.id.clone(), ApplicationKeyId::from("incorrectId")] {
        let error = expect_error(client.get_current_user_application_key(&id).await, 404);
        assert_eq!(error.messages(), ["Application key not found"]);
    }
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Permissions

#[tokio::test(flavor = "multi_thread")]
async fn a_user_without_org_app_keys_read_is_refused_403() {
    let sandbox = sandbox(600).await;
    let admin = admin(&sandbox);
    // A member of no role holds no permission at all.
    let roleless = every_user(&admin)
        .await
        .into_iter()
        .find(|u| {
            u.attributes.status == Some(UserStatus::Active)
                && u.attributes.service_account != Some(true)
                && u.role_ids().next().is_none()
        })
        .expect("the seed has an active user without roles");
    let issued = sandbox
        .create_application_key(roleless.id.as_str(), "no-permissions")
        .expect("an active user can be given a key");
    assert!(!format!("{issued:?}").contains(&issued.secret));
    let client = client_for(&sandbox, &issued.secret);

    let error = expect_error(
        client
            .list_application_keys(&ListApplicationKeysQuery::default())
            .await,
        403,
    );
    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(error.messages()[0].contains("org_app_keys_read"), "{error}");
    let error = expect_error(client.get_application_key(&issued.id, false).await, 403);
    assert!(error.to_string().contains("org_app_keys_read"), "{error}");
    let error = application_keys_by_owner(&client, std::slice::from_ref(&roleless.id))
        .await
        .expect_err("keys per owner need org_app_keys_read");
    assert_eq!(error.kind(), ErrorKind::Auth, "callers can say 'unknown'");
    let error = expect_error(
        client
            .list_current_user_application_keys(&ListApplicationKeysQuery::default())
            .await,
        403,
    );
    assert!(error.messages()[0].contains("user_app_keys"), "{error}");

    // The key still authenticates: the user may read their own profile.
    assert_eq!(
        client.get_current_user().await.expect("me").data.id,
        roleless.id
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_read_only_role_reads_the_orgs_keys_but_not_its_own() {
    let sandbox = sandbox(100).await;
    let rita = client_for(&sandbox, DEMO_READONLY_APP_KEY);
    let org = rita
        .list_application_keys(&ListApplicationKeysQuery::default())
        .await
        .expect("org_app_keys_read is a read permission of the Read Only Role");
    assert!(!org.data.is_empty());
    // user_app_keys is a write permission, which the Read Only Role lacks.
    let error = expect_error(
        rita.list_current_user_application_keys(&ListApplicationKeysQuery::default())
            .await,
        403,
    );
    assert!(error.messages()[0].contains("user_app_keys"), "{error}");
    let (status, body, _) = raw_get(
        &sandbox,
        "/api/v2/application_keys",
        "not-a-key-of-this-org",
    )
    .await;
    assert_eq!(
        (status, body["errors"][0].as_str()),
        (403, Some("Forbidden"))
    );
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Revocation

/// Gives `user` a key and checks it works; returns a client using it and the key's id.
async fn keyed_client(sandbox: &Sandbox, user: &User) -> (Client, ApplicationKeyId) {
    let issued = sandbox
        .create_application_key(user.id.as_str(), "revocation-check")
        .expect("the user is enabled");
    let client = client_for(sandbox, &issued.secret);
    assert_eq!(
        client
            .get_current_user()
            .await
            .expect("the key works")
            .data
            .id,
        user.id
    );
    (client, issued.id)
}

async fn assert_revoked(admin: &Client, client: &Client, user: &User, key: &ApplicationKeyId) {
    let error = expect_error(client.get_current_user().await, 403);
    assert_eq!(error.messages(), ["Forbidden"]);
    let theirs = admin
        .list_application_keys(&ListApplicationKeysQuery {
            owned_by: Some(user.id.clone()),
            ..Default::default()
        })
        .await
        .expect("listing");
    assert!(theirs.data.is_empty(), "{:?}", names(&theirs.data));
    expect_error(admin.get_application_key(key, false).await, 404);
    assert!(every_key(admin).await.iter().all(|k| owner(k) != user.id));
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_a_user_revokes_their_keys_for_good() {
    let sandbox = sandbox(300).await;
    let admin = admin(&sandbox);
    let user = person_with_role(&admin, STANDARD_ROLE_ID, 0).await;
    let seeded_before = admin
        .list_application_keys(&ListApplicationKeysQuery {
            owned_by: Some(user.id.clone()),
            ..Default::default()
        })
        .await
        .expect("listing")
        .data
        .len();
    let (client, key) = keyed_client(&sandbox, &user).await;
    let mine = client
        .list_current_user_application_keys(&ListApplicationKeysQuery::default())
        .await
        .expect("a Standard user reads their keys");
    assert_eq!(mine.data.len(), seeded_before + 1);

    admin.disable_user(&user.id).await.expect("disable");
    assert_revoked(&admin, &client, &user, &key).await;

    // Re-enabling gives the user back their access, not their keys.
    admin
        .update_user(
            &user.id,
            &UserUpdate {
                disabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .expect("re-enable");
    assert_revoked(&admin, &client, &user, &key).await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn disabling_through_an_update_or_anonymizing_revokes_keys_too() {
    let sandbox = sandbox(300).await;
    let admin = admin(&sandbox);
    let updated = person_with_role(&admin, STANDARD_ROLE_ID, 1).await;
    let anonymized = person_with_role(&admin, READ_ONLY_ROLE_ID, 0).await;
    let (updated_client, updated_key) = keyed_client(&sandbox, &updated).await;
    let (anonymized_client, anonymized_key) = keyed_client(&sandbox, &anonymized).await;
    let untouched = every_key(&admin).await.len() - 2;

    admin
        .update_user(
            &updated.id,
            &UserUpdate {
                disabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("disable through an update");
    assert_revoked(&admin, &updated_client, &updated, &updated_key).await;
    let result = admin
        .anonymize_users(std::slice::from_ref(&anonymized.id))
        .await
        .expect("anonymize");
    assert_eq!(
        result.data.attributes.anonymized_user_ids,
        std::slice::from_ref(&anonymized.id)
    );
    assert_revoked(&admin, &anonymized_client, &anonymized, &anonymized_key).await;

    // Only their keys went; the seeded keys of these two went with them.
    let left = every_key(&admin).await;
    assert!(left.len() <= untouched);
    assert!(left
        .iter()
        .all(|k| owner(k) != updated.id && owner(k) != anonymized.id));
    // A disabled user cannot be given a key.
    assert!(sandbox
        .create_application_key(updated.id.as_str(), "again")
        .is_none());
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The seeded org and keys per owner

#[tokio::test(flavor = "multi_thread")]
async fn every_service_account_owns_a_key_and_only_active_users_own_any() {
    let sandbox = sandbox(800).await;
    let client = admin(&sandbox);
    let users = every_user(&client).await;
    let service_accounts: Vec<UserId> = users
        .iter()
        .filter(|u| u.attributes.service_account == Some(true))
        .map(|u| u.id.clone())
        .collect();
    assert!(
        service_accounts.len() > PER_OWNER_QUERY_LIMIT,
        "{} service accounts",
        service_accounts.len()
    );
    let keys = application_keys_by_owner(&client, &service_accounts)
        .await
        .expect("keys per service account");
    for account in &service_accounts {
        assert!(
            (1..=3).contains(&keys.count_of(account)),
            "{account} owns {}",
            keys.count_of(account)
        );
    }
    let status: HashMap<&UserId, Option<&UserStatus>> = users
        .iter()
        .map(|u| (&u.id, u.attributes.status.as_ref()))
        .collect();
    let all = every_key(&client).await;
    for key in &all {
        assert_eq!(
            status.get(&owner(key)).copied().flatten(),
            Some(&UserStatus::Active),
            "{} belongs to {}",
            key.id,
            owner(key)
        );
    }
    let owners: HashSet<UserId> = all.iter().map(owner).collect();
    let share = owners.len() as f64 / users.len() as f64;
    assert!((0.1..0.25).contains(&share), "{share} of users own keys");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_by_owner_agree_whether_queried_per_owner_or_org_wide() {
    let sandbox = sandbox(600).await;
    let client = admin(&sandbox);
    let all = every_key(&client).await;
    let mut expected: HashMap<UserId, Vec<ApplicationKeyId>> = HashMap::new();
    for key in &all {
        expected.entry(owner(key)).or_default().push(key.id.clone());
    }
    let mut owners: Vec<UserId> = expected.keys().cloned().collect();
    owners.sort();
    let keyless = every_user(&client)
        .await
        .into_iter()
        .map(|u| u.id)
        .find(|id| !expected.contains_key(id))
        .expect("someone owns no key");

    let mut few: Vec<UserId> = owners.iter().take(5).cloned().collect();
    few.push(keyless.clone());
    few.push(few[0].clone());
    let mut many: Vec<UserId> = owners
        .iter()
        .take(PER_OWNER_QUERY_LIMIT + 5)
        .cloned()
        .collect();
    many.push(keyless.clone());
    for asked in [few, many] {
        let found = application_keys_by_owner(&client, &asked)
            .await
            .expect("keys per owner");
        assert_eq!(found.count_of(&keyless), 0);
        let distinct: HashSet<&UserId> = asked.iter().collect();
        assert_eq!(
            found.iter().count(),
            distinct.len(),
            "every owner asked is present"
        );
        for owner in &asked {
            let mut got: Vec<ApplicationKeyId> =
                found.keys_of(owner).iter().map(|k| k.id.clone()).collect();
            let mut want = expected.get(owner).cloned().unwrap_or_default();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{owner}");
        }
        let total: usize = distinct
            .iter()
            .map(|o| expected.get(*o).map_or(0, Vec::len))
            .sum();
        assert_eq!(found.total(), total);
    }
    let none = application_keys_by_owner(&client, &[])
        .await
        .expect("nobody");
    assert_eq!(none.total(), 0);
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Extra keys and the state file

#[tokio::test(flavor = "multi_thread")]
async fn extra_keys_are_listed_as_adas_and_never_written_to_the_state_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("org.json");
    let extra_app_key = format!("extra{:032x}", fastrand::u128(..));
    let sandbox = sandbox_with(SandboxConfig {
        users: 60,
        state_file: Some(state.clone()),
        extra_keys: Some(("extra-api-key".to_owned(), extra_app_key.clone())),
        ..SandboxConfig::default()
    })
    .await;
    let extra = client_for(&sandbox, &extra_app_key);
    let me = extra
        .get_current_user()
        .await
        .expect("the extra key works")
        .data;
    assert_eq!(me.attributes.name.as_deref(), Some("Ada Admin"));
    let hers = extra
        .list_current_user_application_keys(&ListApplicationKeysQuery::default())
        .await
        .expect("Ada's keys");
    assert_eq!(hers.data.len(), 2, "{:?}", names(&hers.data));
    let tail = &extra_app_key[extra_app_key.len() - 4..];
    assert!(hers
        .data
        .iter()
        .any(|k| k.attributes.last4.as_deref() == Some(tail)));
    sandbox.shutdown().await;
    let written = std::fs::read_to_string(&state).expect("state file");
    assert!(written.contains(DEMO_ADMIN_APP_KEY));
    assert!(
        !written.contains(&extra_app_key),
        "the extra key was persisted"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_and_revocations_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("org.json");
    let config = SandboxConfig {
        users: 120,
        state_file: Some(state.clone()),
        ..SandboxConfig::default()
    };
    let sandbox = sandbox_with(config.clone()).await;
    let admin_client = admin(&sandbox);
    let kept = person_with_role(&admin_client, STANDARD_ROLE_ID, 0).await;
    let gone = person_with_role(&admin_client, STANDARD_ROLE_ID, 1).await;
    let issued = sandbox
        .create_application_key(kept.id.as_str(), "persisted")
        .expect("key");
    let (_, gone_key) = keyed_client(&sandbox, &gone).await;
    admin_client.disable_user(&gone.id).await.expect("disable");
    let before = every_key(&admin_client).await;
    sandbox.shutdown().await;

    let sandbox = sandbox_with(config).await;
    let admin_client = admin(&sandbox);
    assert_eq!(every_key(&admin_client).await, before);
    let client = client_for(&sandbox, &issued.secret);
    assert_eq!(
        client
            .get_current_user()
            .await
            .expect("still works")
            .data
            .id,
        kept.id
    );
    expect_error(
        admin_client.get_application_key(&gone_key, false).await,
        404,
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_state_file_from_before_key_records_still_loads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("org.json");
    let config = SandboxConfig {
        users: 80,
        state_file: Some(state.clone()),
        ..SandboxConfig::default()
    };
    let sandbox = sandbox_with(config.clone()).await;
    let rita = client_for(&sandbox, DEMO_READONLY_APP_KEY)
        .get_current_user()
        .await
        .expect("Rita")
        .data;
    sandbox.shutdown().await;

    // What an older ddusers wrote: no key records, only (secret, owner) pairs.
    let mut file: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("read")).expect("JSON");
    let object = file.as_object_mut().expect("an object");
    object.remove("application_keys");
    let ada_id = object["users"][0]["id"].clone();
    object.insert(
        "app_keys".to_owned(),
        serde_json::json!([
            [DEMO_ADMIN_APP_KEY, ada_id],
            [DEMO_READONLY_APP_KEY, rita.id.as_str()],
            [
                "key-of-a-vanished-user",
                "00000000-dead-beef-dead-ffffffffffff"
            ],
        ]),
    );
    std::fs::write(&state, file.to_string()).expect("write");

    let sandbox = sandbox_with(config).await;
    let admin_client = admin(&sandbox);
    let keys = every_key(&admin_client).await;
    assert_eq!(
        names(&keys),
        ["ddusers demo (admin)", "ddusers demo (read-only)"]
    );
    assert_eq!(owner(&keys[1]), rita.id);
    assert!(client_for(&sandbox, DEMO_READONLY_APP_KEY)
        .get_current_user()
        .await
        .is_ok());
    sandbox.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The page cap, against a server whose listing never ends

/// Serves a full page of `size` keys to every request, with `total` as the announced
/// count (or none); counts the requests. Each answer's keys are new (a page that only
/// repeated earlier ones would be stopped sooner, as a repeat).
async fn endless_listing(size: usize, total: Option<usize>) -> (String, Arc<AtomicUsize>) {
    let response = move |stamp: usize| {
        let keys: Vec<Value> = (0..size)
            .map(|i| {
                serde_json::json!({
                    "type": "application_keys",
                    "id": format!("key-{stamp}-{i}"),
                    "attributes": {"name": format!("k{i}"), "last4": "abcd", "scopes": null},
                    "relationships": {"owned_by": {"data": {"type": "users", "id": "u"}}},
                })
            })
            .collect();
        let mut page = serde_json::json!({"data": keys});
        if let Some(total) = total {
            page["meta"] = serde_json::json!({"page": {"total_filtered_count": total}});
        }
        let body = page.to_string();
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&requests);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let response = response(counter.fetch_add(1, Ordering::SeqCst));
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 16 * 1024];
                let _ = socket.read(&mut buffer).await;
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (url, requests)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_all_pages_listing_gives_up_after_its_page_cap() {
    let (url, requests) = endless_listing(100, None).await;
    let client = client_at(&url, "any");
    let error = client
        .list_all_application_keys_within(&ListApplicationKeysQuery::default(), 5)
        .await
        .expect_err("a listing that never ends is an error");
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("5 pages"), "{error}");
    assert_eq!(requests.load(Ordering::SeqCst), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_all_pages_listing_stops_at_the_announced_total() {
    let (url, requests) = endless_listing(10, Some(30)).await;
    let client = client_at(&url, "any");
    let all = client
        .list_all_application_keys(&ListApplicationKeysQuery {
            page_size: Some(10),
            ..Default::default()
        })
        .await
        .expect("three pages");
    assert_eq!(all.data.len(), 30);
    assert_eq!(requests.load(Ordering::SeqCst), 3);
    // Keys a per-owner query finds are grouped by the owner each names: a server that
    // ignored filter[owned_by] misattributes nothing.
    let found = application_keys_by_owner(&client, &[UserId::from("someone-else")])
        .await
        .expect("listing");
    assert_eq!(found.total(), 0);
}
