//! Audit Trail over loopback: the sandbox records an event for each change it applies and
//! serves them, cursor-paged, to the typed client. No mocks.

use ddusers::api::models::*;
use ddusers::api::{Client, ClientOptions, ListUsersQuery};
use ddusers::config::{parse_base_url, Credentials};
use ddusers::sandbox::{
    Sandbox, SandboxConfig, DEMO_ADMIN_APP_KEY, DEMO_API_KEY, DEMO_READONLY_APP_KEY,
    READ_ONLY_ROLE_ID, STANDARD_ROLE_ID,
};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig {
        port: 0,
        users: 60,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts on loopback")
}

fn client_for(sandbox: &Sandbox, app_key: &str) -> Client {
    let options = ClientOptions::new(
        parse_base_url(&sandbox.base_url(), false).expect("sandbox URL"),
        Credentials::new(DEMO_API_KEY, app_key),
    );
    Client::new(options).expect("client")
}

/// An active person other than the demo users.
async fn active_person(client: &Client) -> User {
    let page = client
        .list_users(&ListUsersQuery {
            page_size: Some(100),
            status: vec![UserStatus::Active],
            ..ListUsersQuery::default()
        })
        .await
        .expect("list users");
    page.data
        .into_iter()
        .find(|u| {
            let email = u.attributes.email.clone().unwrap_or_default();
            !email.starts_with("ada.")
                && !email.starts_with("rita.")
                && u.attributes.service_account != Some(true)
        })
        .expect("an active person")
}

fn details(event: &AuditEvent) -> &AuditDetails {
    &event.attributes.attributes
}

#[tokio::test]
async fn changes_by_the_admin_are_read_back_by_another_user_with_the_admin_as_actor() {
    let sandbox = sandbox().await;
    let (admin, reader) = (
        client_for(&sandbox, DEMO_ADMIN_APP_KEY),
        client_for(&sandbox, DEMO_READONLY_APP_KEY),
    );
    let admin_id = admin.get_current_user().await.expect("me").data.id;
    let user = active_person(&admin).await;
    admin
        .add_user_to_role(&RoleId(STANDARD_ROLE_ID.into()), &user.id)
        .await
        .ok();
    admin
        .add_user_to_role(&RoleId(READ_ONLY_ROLE_ID.into()), &user.id)
        .await
        .expect("grant read-only");
    admin.disable_user(&user.id).await.expect("disable");

    let query = format!(
        "@evt.name:\"Access Management\" @asset.type:user @asset.id:{} something-unknown",
        user.id
    );
    let events = reader
        .search_audit_events(&query, "now-90d", "now")
        .await
        .expect("the read-only role grants audit_logs_read");
    assert!(events.len() >= 2, "{events:#?}");
    let newest = details(&events[0]);
    assert_eq!(newest.action.as_deref(), Some("modified"));
    let actor = newest.usr.as_ref().expect("usr");
    assert_eq!(actor.uuid.as_deref(), Some(admin_id.as_str()));
    assert_eq!(actor.email.as_deref(), Some("ada.admin@demo-org.example"));
    let asset = newest.asset.as_ref().expect("asset");
    assert_eq!(asset.kind.as_deref(), Some("user"));
    assert_eq!(asset.id.as_deref(), Some(user.id.as_str()));
    assert_eq!(
        asset.prev_value,
        Some(serde_json::json!({"status": "enabled"}))
    );
    assert_eq!(
        asset.new_value,
        Some(serde_json::json!({"status": "disabled"}))
    );
    let granted = details(&events[1])
        .asset
        .as_ref()
        .and_then(|a| a.new_value.clone());
    let roles = granted
        .and_then(|v| v.get("roles").cloned())
        .expect("roles after");
    assert!(
        roles.to_string().contains("Datadog Read Only Role"),
        "{roles}"
    );
    assert!(
        events
            .iter()
            .all(|e| details(e).asset.as_ref().and_then(|a| a.id.as_deref())
                == Some(user.id.as_str()))
    );
}

#[tokio::test]
async fn the_seeded_history_pages_by_cursor_without_gaps_or_repeats() {
    let sandbox = sandbox().await;
    let admin = client_for(&sandbox, DEMO_ADMIN_APP_KEY);
    let query = "@asset.type:user";
    let all = admin
        .search_audit_events(query, "now-90d", "now")
        .await
        .expect("search");
    assert!(all.len() >= 4, "a seeded history: {all:#?}");
    let mut request = AuditSearchRequest {
        filter: AuditSearchFilter {
            query: Some(query.into()),
            from: Some("now-90d".into()),
            to: Some("now".into()),
        },
        page: AuditSearchPage {
            limit: Some(2),
            cursor: None,
        },
        sort: None,
    };
    let mut paged = Vec::new();
    loop {
        let page = admin.search_audit_page(&request).await.expect("page");
        assert!(page.data.len() <= 2);
        paged.extend(page.data);
        let Some(after) = page.meta.and_then(|m| m.page).and_then(|p| p.after) else {
            assert!(page.links.is_none(), "no next link on the last page");
            break;
        };
        request.page.cursor = Some(after);
    }
    assert_eq!(paged, all);
    let times: Vec<&str> = all
        .iter()
        .map(|e| e.attributes.timestamp.as_str())
        .collect();
    let mut newest_first = times.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, newest_first);
    // Outside the range: nothing.
    let recent = admin
        .search_audit_events(query, "now-1d", "now")
        .await
        .expect("search");
    assert!(recent.is_empty(), "{recent:#?}");
}

#[tokio::test]
async fn a_role_without_audit_logs_read_is_refused_with_403() {
    let sandbox = sandbox().await;
    let admin = client_for(&sandbox, DEMO_ADMIN_APP_KEY);
    let reader = client_for(&sandbox, DEMO_READONLY_APP_KEY);
    let permissions = admin.list_permissions(false).await.expect("permissions");
    let audit_read = permissions
        .data
        .iter()
        .find(|p| p.attributes.name.as_deref() == Some("audit_logs_read"))
        .expect("audit_logs_read in the catalogue");
    admin
        .revoke_permission(&RoleId(READ_ONLY_ROLE_ID.into()), &audit_read.id)
        .await
        .expect("revoke");
    let error = reader
        .search_audit_events("@asset.type:user", "now-90d", "now")
        .await
        .expect_err("refused");
    assert_eq!(error.status(), Some(403), "{error}");
}
