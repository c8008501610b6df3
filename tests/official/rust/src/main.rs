//! Datadog's official Rust client (crate datadog-api-client), unchanged, against a running
//! ddusers sandbox. Usage: DD_API_KEY=sandbox-api-key DD_APP_KEY=sandbox-admin-app-key
//! ddusers-official-rust-check HOST:PORT USERS_IN_ORG
use datadog_api_client::datadog::Configuration;
use datadog_api_client::datadogV2::api_roles::{ListRolesOptionalParams, RolesAPI};
use datadog_api_client::datadogV2::api_users::{ListUsersOptionalParams, UsersAPI};
use datadog_api_client::datadogV2::model::*;
use futures_util::{pin_mut, StreamExt};

#[tokio::main]
async fn main() {
    let name = std::env::args().nth(1).expect("host:port");
    let expected: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let mut config = Configuration::new();
    config.server_index = 1;
    config
        .server_variables
        .insert("protocol".into(), "http".into());
    config.server_variables.insert("name".into(), name);
    config.set_unstable_operation_enabled("v2.anonymize_users", true);
    let api = UsersAPI::with_config(config.clone());
    let stream = api.list_users_with_pagination(ListUsersOptionalParams::default().page_size(100));
    pin_mut!(stream);
    let mut n = 0;
    while let Some(user) = stream.next().await {
        user.expect("every user parses into the official model");
        n += 1;
    }
    assert_eq!(n, expected, "pagination");
    let page = api
        .list_users(
            ListUsersOptionalParams::default()
                .page_size(3)
                .filter_status("Disabled".into()),
        )
        .await
        .expect("list");
    assert!(page
        .data
        .unwrap()
        .iter()
        .all(|u| u.attributes.as_ref().unwrap().status.as_deref() == Some("Disabled")));
    let body = UserCreateRequest::new(UserCreateData::new(
        UserCreateAttributes::new("Rust.Client@Example.com".into()),
        UsersType::USERS,
    ));
    let created = api.create_user(body).await.expect("create");
    let id = created.data.unwrap().id.unwrap();
    let got = api.get_user(id.clone()).await.expect("get");
    assert_eq!(
        got.data.unwrap().attributes.unwrap().status.unwrap(),
        "Pending"
    );
    let inv = api
        .send_invitations(UserInvitationsRequest::new(vec![UserInvitationData::new(
            UserInvitationRelationships::new(RelationshipToUser::new(RelationshipToUserData::new(
                id.clone(),
                UsersType::USERS,
            ))),
            UserInvitationsType::USER_INVITATIONS,
        )]))
        .await
        .expect("invite");
    let inv_id = inv.data.unwrap()[0].id.clone().unwrap();
    api.get_invitation(inv_id).await.expect("get invitation");
    api.get_current_user().await.expect("me");
    api.list_user_permissions(id.clone()).await.expect("perms");
    api.list_user_organizations(id.clone()).await.expect("orgs");
    let roles = RolesAPI::with_config(config.clone());
    let r = roles
        .list_roles(ListRolesOptionalParams::default().page_size(100))
        .await
        .expect("roles");
    assert!(r.data.unwrap().len() >= 3);
    roles
        .list_permissions(Default::default())
        .await
        .expect("permissions");
    api.disable_user(id.clone()).await.expect("disable");
    let err = api
        .disable_user(id.clone())
        .await
        .expect_err("second disable");
    println!(
        "second disable: {}",
        format!("{err:?}").chars().take(200).collect::<String>()
    );
    let anon = api
        .anonymize_users(AnonymizeUsersRequest::new(AnonymizeUsersRequestData::new(
            AnonymizeUsersRequestAttributes::new(vec![id.clone()]),
            AnonymizeUsersRequestType::ANONYMIZE_USERS_REQUEST,
        )))
        .await
        .expect("anonymize");
    println!(
        "official Rust client OK: {n} users, anonymize {:?}",
        anon.data
            .and_then(|d| d.attributes)
            .map(|a| a.anonymized_user_ids)
    );
}
