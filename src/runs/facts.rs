//! Reading what the gate needs, with GETs only, against the org as it is now: the caller
//! and their permissions, the org's roles (which grant `user_access_manage`), the users a
//! plan touches, whether someone else can still manage users, and the application keys a
//! disable would revoke. A few users are read one by one; many, by listing the org once.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use futures::stream::{self, StreamExt, TryStreamExt};
use time::OffsetDateTime;

use super::change::Change;
use super::plan::{Caller, Draft, Facts, KeyFact, Keys, RoleFacts, Subject};
use crate::api::keys::application_keys_by_owner;
use crate::api::models::{PermissionId, Role, RoleId, User, UserId, UserStatus};
use crate::api::{ApiError, Client, ErrorKind, ListUsersQuery};
use crate::domain::{ADMIN_ROLE_NAME, MANAGE, ORG_APP_KEYS_READ};

/// Up to this many users are read one by one; more, by listing the whole org.
const READ_ONE_BY_ONE: usize = 100;
/// Reads in flight at once.
const CONCURRENCY: usize = 8;

/// Where the facts are read, and whether to read at all.
#[derive(Clone, Debug, Default)]
pub struct FactsOptions {
    /// `--read-only`: read nothing; the gate refuses.
    pub read_only: bool,
    /// The org address (site or base URL) the client talks to.
    pub origin: String,
}

/// Reads the facts `draft` is checked against. Any failure is an error: without the
/// caller's permissions, nothing may be written (the gate fails closed).
pub async fn gather(
    client: &Client,
    draft: &Draft,
    options: &FactsOptions,
) -> Result<Facts, ApiError> {
    if options.read_only {
        return Ok(Facts::read_only(options.origin.clone()));
    }
    let read_at = OffsetDateTime::now_utc();
    let items = draft.items();
    let changes: Vec<&Change> = items.iter().map(|i| &i.change).collect();
    let targets: BTreeSet<UserId> = changes.iter().filter_map(|c| c.user()).collect();

    let (caller, roles) = tokio::try_join!(read_caller(client), read_roles(client))?;
    let mut facts = Facts {
        read_only: false,
        origin: options.origin.clone(),
        caller,
        subjects: BTreeMap::new(),
        missing: BTreeMap::new(),
        roles,
        other_managers: false,
        other_admin_members: false,
        keys: Keys::NotNeeded,
        read_at,
    };
    if targets.len() <= READ_ONE_BY_ONE {
        read_targets(client, &targets, &mut facts).await?;
        find_other_admins(client, &targets, &mut facts).await?;
    } else {
        list_org(client, &targets, &mut facts).await?;
    }
    let revoking: Vec<UserId> = changes
        .iter()
        .filter(|c| matches!(c, Change::Disable { .. } | Change::Anonymize { .. }))
        .filter_map(|c| c.user())
        .filter(|id| facts.subjects.contains_key(id))
        .collect();
    if !revoking.is_empty() {
        facts.keys = read_keys(client, &revoking).await;
    }
    Ok(facts)
}

async fn read_caller(client: &Client) -> Result<Caller, ApiError> {
    let me = client.get_current_user().await?.data;
    let permissions = client.list_user_permissions(&me.id).await?;
    Ok(Caller {
        org: me.org_id(),
        name: me.attributes.name.clone(),
        email: me.attributes.email.clone(),
        permissions: permissions
            .data
            .iter()
            .map(|p| p.name().to_owned())
            .collect(),
        id: me.id,
    })
}

/// Every role, with whether it grants `user_access_manage`.
async fn read_roles(client: &Client) -> Result<BTreeMap<RoleId, RoleFacts>, ApiError> {
    let (roles, catalogue) =
        tokio::try_join!(client.list_all_roles(), client.list_permissions(false))?;
    let manage: HashSet<PermissionId> = catalogue
        .data
        .iter()
        .filter(|p| p.name() == MANAGE)
        .map(|p| p.id.clone())
        .collect();
    let lists_permissions = |role: &Role| {
        role.relationships
            .as_ref()
            .is_some_and(|r| r.permissions.is_some())
    };
    let unknown: Vec<RoleId> = roles
        .iter()
        .filter(|r| !lists_permissions(r))
        .map(|r| r.id.clone())
        .collect();
    // Roles whose answer did not list their permissions are asked one by one.
    let fetched: BTreeMap<RoleId, bool> = stream::iter(unknown)
        .map(|id| async move {
            let list = client.list_role_permissions(&id).await?;
            let grants = list.data.iter().any(|p| p.name() == MANAGE);
            Ok::<_, ApiError>((id, grants))
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok(roles
        .iter()
        .map(|role| {
            let grants_manage = fetched
                .get(&role.id)
                .copied()
                .unwrap_or_else(|| role.permission_ids().any(|p| manage.contains(&p)));
            let name = role
                .attributes
                .name
                .clone()
                .unwrap_or_else(|| role.id.to_string());
            (
                role.id.clone(),
                RoleFacts {
                    name,
                    grants_manage,
                },
            )
        })
        .collect())
}

fn subject_of(user: &User) -> Subject {
    let a = &user.attributes;
    Subject {
        id: user.id.clone(),
        name: a.name.clone(),
        email: a.email.clone(),
        title: a.title.clone(),
        status: user.status(),
        service_account: user.is_service_account(),
        roles: user.role_ids().collect(),
    }
}

async fn read_targets(
    client: &Client,
    targets: &BTreeSet<UserId>,
    facts: &mut Facts,
) -> Result<(), ApiError> {
    let answers: Vec<(UserId, Result<User, ApiError>)> = stream::iter(targets.iter().cloned())
        .map(|id| async move {
            let answer = client.get_user(&id).await.map(|u| u.data);
            (id, answer)
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for (id, answer) in answers {
        match answer {
            Ok(user) => {
                facts.subjects.insert(id, subject_of(&user));
            }
            Err(error) if error.kind() == ErrorKind::NotFound => {
                facts.missing.insert(id, error.to_string());
            }
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Whether an active user outside `targets` holds manage, or is in the Admin Role: pages
/// through the members of each role that grants manage (the Admin Role first), stopping
/// at the first one found.
async fn find_other_admins(
    client: &Client,
    targets: &BTreeSet<UserId>,
    facts: &mut Facts,
) -> Result<(), ApiError> {
    let admin_role = facts
        .roles
        .iter()
        .find(|(_, r)| r.name == ADMIN_ROLE_NAME)
        .map(|(id, _)| id.clone());
    let mut roles: Vec<RoleId> = facts
        .roles
        .iter()
        .filter(|(_, r)| r.grants_manage)
        .map(|(id, _)| id.clone())
        .collect();
    if let Some(admin) = &admin_role {
        roles.retain(|r| r != admin);
        roles.insert(0, admin.clone());
    }
    for role in roles {
        let is_admin_role = Some(&role) == admin_role.as_ref();
        let grants = facts.roles.get(&role).is_some_and(|r| r.grants_manage);
        if facts.other_managers && (facts.other_admin_members || !is_admin_role) {
            continue;
        }
        // Bounded by the client: a members listing that does not end is an error, and the
        // gate then fails closed.
        let mut pages = client.role_user_pages(&role);
        while let Some(page) = pages.next().await {
            let found = page?
                .data
                .iter()
                .any(|u| u.status() == UserStatus::Active && !targets.contains(&u.id));
            if found {
                facts.other_managers |= grants;
                facts.other_admin_members |= is_admin_role;
                break;
            }
        }
    }
    Ok(())
}

/// Many targets: one listing of the org reads them and tells who else is an admin.
async fn list_org(
    client: &Client,
    targets: &BTreeSet<UserId>,
    facts: &mut Facts,
) -> Result<(), ApiError> {
    let admin_role = facts.admin_role().cloned();
    let mut pages = client.user_pages(ListUsersQuery::default(), client.page_concurrency());
    let mut seen: HashSet<UserId> = HashSet::new();
    while let Some(page) = pages.next().await {
        for user in page?.response.data {
            if !seen.insert(user.id.clone()) {
                continue;
            }
            if targets.contains(&user.id) {
                facts.subjects.insert(user.id.clone(), subject_of(&user));
            } else if user.status() == UserStatus::Active {
                let roles: Vec<RoleId> = user.role_ids().collect();
                facts.other_managers |= facts.grants_manage(&roles);
                facts.other_admin_members |= admin_role.as_ref().is_some_and(|a| roles.contains(a));
            }
        }
    }
    for id in targets {
        if !facts.subjects.contains_key(id) {
            facts
                .missing
                .insert(id.clone(), format!("{id} is not in the org's user list"));
        }
    }
    Ok(())
}

/// The keys `owners` own (what disabling them revokes); unknown, with why, when they
/// cannot be read: they inform the confirmation and never block it.
async fn read_keys(client: &Client, owners: &[UserId]) -> Keys {
    match application_keys_by_owner(client, owners).await {
        Ok(by_owner) => Keys::Known(
            by_owner
                .iter()
                .map(|(owner, keys)| {
                    let keys = keys
                        .iter()
                        .map(|k| KeyFact {
                            name: k.name.clone().unwrap_or_else(|| k.id.to_string()),
                            last_used_at: k.last_used_at,
                        })
                        .collect();
                    (owner.clone(), keys)
                })
                .collect(),
        ),
        Err(error) if error.kind() == ErrorKind::Auth => Keys::Unknown(format!(
            "your user lacks {ORG_APP_KEYS_READ}: the application keys these users own (which a disable revokes) are unknown"
        )),
        Err(error) => Keys::Unknown(format!("they could not be read ({})", super::plain_error(&error))),
    }
}
