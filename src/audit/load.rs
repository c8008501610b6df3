//! Reading an org from the live API into a [`Snapshot`], with reads only: the current user
//! and their org, every page of users (whose `included` roles carry permission ids), every
//! role, the permissions of roles seen nowhere else, and the catalogue with scopes.

use std::collections::{BTreeMap, HashMap, HashSet};

use futures::{StreamExt, TryStreamExt};
use time::OffsetDateTime;

use crate::api::models::{Included, PermissionId, Role, RoleId};
use crate::api::{ApiError, Client, ErrorKind, ListUsersQuery};

use super::org::{OrgInfo, Snapshot, FORMAT_VERSION};

/// How many role-permission lists are fetched at once.
const ROLE_CONCURRENCY: usize = 4;

/// Reads the whole org behind `client`. `origin` says where it was read from (shown by
/// the views and kept in snapshots). Every request is a GET.
pub async fn load_snapshot(client: &Client, origin: &str) -> Result<Snapshot, ApiError> {
    // Whole microseconds, as timestamps are written, so a snapshot reads back equal.
    let now = OffsetDateTime::now_utc();
    let taken_at = now
        .replace_nanosecond(now.microsecond() * 1_000)
        .unwrap_or(now);
    let me = client.get_current_user().await?;
    let org = org_info(client, &me.data).await?;

    let mut pages = Vec::new();
    let mut stream = client.user_pages(ListUsersQuery::default(), client.page_concurrency());
    while let Some(page) = stream.next().await {
        pages.push(page?);
    }
    pages.sort_by_key(|p| p.number);
    let mut seen = HashSet::new();
    let mut users = Vec::new();
    let mut included_permissions: HashMap<RoleId, Vec<PermissionId>> = HashMap::new();
    for page in pages {
        for item in page.response.included {
            if let Included::Role(role) = item {
                if role_lists_permissions(&role) {
                    included_permissions
                        .entry(role.id.clone())
                        .or_insert_with(|| role.permission_ids().collect());
                }
            }
        }
        users.extend(
            page.response
                .data
                .into_iter()
                .filter(|u| seen.insert(u.id.clone())),
        );
    }

    let roles = client.list_all_roles().await?;
    let mut role_permissions: BTreeMap<RoleId, Vec<PermissionId>> = BTreeMap::new();
    let mut missing = Vec::new();
    for role in &roles {
        if role_lists_permissions(role) {
            role_permissions.insert(role.id.clone(), role.permission_ids().collect());
        } else if let Some(ids) = included_permissions.get(&role.id) {
            role_permissions.insert(role.id.clone(), ids.clone());
        } else {
            missing.push(role.id.clone());
        }
    }
    let fetched: Vec<(RoleId, Vec<PermissionId>)> = futures::stream::iter(missing)
        .map(|id| async move {
            let list = client.list_role_permissions(&id).await?;
            Ok::<_, ApiError>((id, list.data.into_iter().map(|p| p.id).collect()))
        })
        .buffer_unordered(ROLE_CONCURRENCY)
        .try_collect()
        .await?;
    role_permissions.extend(fetched);
    for ids in role_permissions.values_mut() {
        ids.sort();
        ids.dedup();
    }

    let permissions = client.list_permissions(true).await?.data;
    let roles = roles
        .into_iter()
        .map(|role| Role {
            relationships: None,
            ..role
        })
        .collect();
    Ok(Snapshot {
        format_version: FORMAT_VERSION,
        taken_at,
        origin: origin.to_owned(),
        taken_by: Some(me.data.id.clone()),
        org,
        users,
        roles,
        role_permissions,
        permissions,
    })
}

/// Whether a role object says which permissions it grants (list and get answers do; a
/// role without `relationships.permissions` says nothing, which is not "none").
fn role_lists_permissions(role: &Role) -> bool {
    role.relationships
        .as_ref()
        .is_some_and(|r| r.permissions.is_some())
}

/// The org of the current user. A key that may not list organizations still audits: the
/// org is then known by id only.
async fn org_info(client: &Client, me: &crate::api::models::User) -> Result<OrgInfo, ApiError> {
    let org_id = me
        .relationships
        .org
        .as_ref()
        .and_then(|o| o.data.as_ref())
        .map(|r| crate::api::models::OrgId(r.id.clone()));
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
    let orgs: Vec<_> = answer
        .included
        .iter()
        .filter_map(|i| match i {
            Included::Org(org) => Some(org),
            _ => None,
        })
        .collect();
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
