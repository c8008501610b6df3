//! Reading a whole org from the live API into an exact [`Org`], with reads only: the
//! current user and their org, every page of users (whose `included` roles carry
//! permission ids), every role, the permissions of roles seen nowhere else, and the
//! catalogue with scopes.

use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt};
use time::OffsetDateTime;

use crate::api::models::{RoleId, User, UsersResponse};
use crate::api::{ApiError, Client, ErrorKind, ListUsersQuery};

use super::{Org, OrgInfo, Reading};

/// How many role-permission lists are fetched at once.
const ROLE_CONCURRENCY: usize = 4;

/// Reads the whole org behind `client`. `origin` says where it was read from (shown by
/// the views and kept in snapshots). Every request is a GET.
pub async fn load_org(client: &Client, origin: &str) -> Result<Org, ApiError> {
    // Whole microseconds, as timestamps are written, so a snapshot reads back equal.
    let now = OffsetDateTime::now_utc();
    let taken_at = now
        .replace_nanosecond(now.microsecond() * 1_000)
        .unwrap_or(now);
    let me = client.get_current_user().await?;
    let info = org_info(client, &me.data).await?;
    let mut org = Org::exact();
    ingest_users(client, &mut org).await?;
    ingest_roles(client, &mut org).await?;
    org.ingest_catalogue(&client.list_permissions(true).await?.data);
    org.set_reading(Reading {
        taken_at,
        origin: origin.to_owned(),
        taken_by: Some(me.data.id.clone()),
        info,
    });
    Ok(org)
}

/// Every page of users, ingested in page order whatever order they arrive in, so the org
/// (and a snapshot of it) lists users as the service does.
async fn ingest_users(client: &Client, org: &mut Org) -> Result<(), ApiError> {
    let mut stream = client.user_pages(ListUsersQuery::default(), client.page_concurrency());
    let mut waiting: BTreeMap<u64, UsersResponse> = BTreeMap::new();
    // Page numbers start at zero.
    let mut next = 0;
    while let Some(page) = stream.next().await {
        let page = page?;
        waiting.insert(page.number, page.response);
        while let Some(response) = waiting.remove(&next) {
            org.ingest_page(&response);
            next += 1;
        }
    }
    // Pages after a gap (none when the listing is whole) still count.
    for response in waiting.into_values() {
        org.ingest_page(&response);
    }
    Ok(())
}

/// Every role, and the permissions of the roles neither the list nor the users' pages
/// said anything about.
async fn ingest_roles(client: &Client, org: &mut Org) -> Result<(), ApiError> {
    for role in client.list_all_roles().await? {
        org.intern_role(&role);
    }
    let missing: Vec<RoleId> = org
        .roles()
        .iter()
        .filter(|r| r.permissions.is_none())
        .map(|r| r.id.clone())
        .collect();
    let fetched: Vec<(RoleId, Vec<_>)> = futures::stream::iter(missing)
        .map(|id| async move {
            let list = client.list_role_permissions(&id).await?;
            Ok::<_, ApiError>((id, list.data))
        })
        .buffer_unordered(ROLE_CONCURRENCY)
        .try_collect()
        .await?;
    for (role, permissions) in fetched {
        for permission in &permissions {
            org.intern_permission(permission);
        }
        let ids: Vec<_> = permissions.into_iter().map(|p| p.id).collect();
        org.set_role_permissions(&role, &ids);
    }
    Ok(())
}

/// The org of the current user. A key that may not list organizations still audits: the
/// org is then known by id only.
async fn org_info(client: &Client, me: &User) -> Result<OrgInfo, ApiError> {
    let org_id = me.org_id();
    let answer = match client.list_user_organizations(&me.id).await {
        Ok(answer) => answer,
        Err(error) if matches!(error.kind(), ErrorKind::Auth | ErrorKind::NotFound) => {
            return Ok(OrgInfo {
                id: org_id,
                ..OrgInfo::default()
            })
        }
        Err(error) => return Err(error),
    };
    let orgs: Vec<_> = answer.orgs().collect();
    let org = orgs
        .iter()
        .find(|o| Some(&o.id) == org_id.as_ref())
        .or(orgs.first());
    Ok(match org {
        Some(org) => OrgInfo {
            id: Some(org.id.clone()),
            name: org.attributes.name.clone(),
            public_id: org.attributes.public_id.clone(),
        },
        None => OrgInfo {
            id: org_id,
            ..OrgInfo::default()
        },
    })
}
