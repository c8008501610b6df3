//! The org a review is opened on in the console (`ddusers review open`): the snapshot the
//! population was frozen from, when that file is still where the review says and its bytes
//! are unchanged (the review's `source.sha256`); else a stand-in snapshot built from the
//! review's own rows — its users and their roles as the review froze them.
//!
//! A stand-in knows no permission but one: the review records which roles were
//! privileged, not what each role granted. Every role of a stand-in grants
//! `user_access_read`, which the offline sandbox needs its key's user to hold to list the
//! users; nothing else is claimed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::api::models::{
    timestamp, Permission, PermissionAttributes, PermissionId, ResourceRef, Role, RoleAttributes,
    RoleId, ToMany, User, UserAttributes, UserRelationships, UserStatus,
};
use crate::org::snapshot::{Snapshot, FORMAT_VERSION};
use crate::org::OrgInfo;

use super::{Member, Review, ReviewError, RoleRef};

/// The one permission of a stand-in (see the module notes).
const READ: &str = "user_access_read";
const READ_ID: &str = "stand-in-user-access-read";

/// What a review opens on.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// The snapshot the review was started from, found at `path`.
    Snapshot { path: PathBuf, snapshot: Snapshot },
    /// A stand-in from the review's rows; `why` says why the snapshot was not used ("the
    /// review's snapshot q4.snapshot.json is missing").
    StandIn { snapshot: Snapshot, why: String },
}

/// The snapshot `review` (read from `review_path`) was started from, or a stand-in when
/// it is missing, changed or unreadable; an error only when no stand-in can be made either,
/// saying why and what to do.
pub fn source(review: &Review, review_path: &Path) -> Result<Source, ReviewError> {
    let mut why = format!("the review's snapshot {} is missing", review.source.file);
    for path in candidates(review, review_path) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if crate::digest::sha256_hex(&bytes) != review.source.sha256 {
            why = format!(
                "the review's snapshot {} changed since the review was started",
                path.display()
            );
            continue;
        }
        match Snapshot::read(&path) {
            Ok(snapshot) => return Ok(Source::Snapshot { path, snapshot }),
            Err(error) => why = error.to_string(),
        }
    }
    let snapshot = stand_in(review, &why)?;
    Ok(Source::StandIn { snapshot, why })
}

/// Where the snapshot may be: the review records the file as it was given to `review
/// start` (or its name, when it was written beside the review), so beside the review
/// first, then as given.
fn candidates(review: &Review, review_path: &Path) -> Vec<PathBuf> {
    let file = crate::files::expand_home(Path::new(&review.source.file));
    if file.is_absolute() {
        return vec![file];
    }
    let beside = review_path
        .parent()
        .map_or_else(|| file.clone(), |folder| folder.join(&file));
    if beside == file {
        vec![file]
    } else {
        vec![beside, file]
    }
}

/// A snapshot of the review's users and roles as it froze them, standing in for its own
/// snapshot (which is not usable: `why`).
pub fn stand_in(review: &Review, why: &str) -> Result<Snapshot, ReviewError> {
    let cannot = |reason: &str| {
        ReviewError::Invalid(format!(
            "{why}, and its own rows cannot stand in for it: {reason}. Put the snapshot the \
             review was started from back beside it (sha256 {}) to open it",
            review.source.sha256
        ))
    };
    let members = review.users();
    if members.is_empty() {
        return Err(cannot("the review has no rows"));
    }
    let readers = members
        .iter()
        .filter(|m| status_of(m) != UserStatus::Disabled && !m.roles.is_empty());
    if readers.count() == 0 {
        return Err(cannot(
            "no user of it is enabled and holds a role, which the console needs to list them",
        ));
    }
    let roles = roles_of(review);
    let taken_by = review
        .source
        .taken_by
        .as_ref()
        .map(|t| t.id.clone())
        .filter(|id| members.iter().any(|m| &m.id == id));
    Ok(Snapshot {
        format_version: FORMAT_VERSION,
        taken_at: review.source.taken_at,
        origin: review.source.origin.clone(),
        taken_by,
        ddusers_version: None,
        org: OrgInfo {
            id: review.source.org_id.as_deref().map(Into::into),
            name: review.source.org_name.clone(),
            public_id: None,
        },
        users: members.into_iter().map(user_of).collect(),
        role_permissions: roles
            .iter()
            .map(|r| (r.id.clone(), vec![PermissionId::from(READ_ID)]))
            .collect(),
        roles,
        permissions: vec![Permission {
            kind: "permissions".to_owned(),
            id: READ_ID.into(),
            attributes: PermissionAttributes {
                name: Some(READ.to_owned()),
                display_name: Some("User Access Read".to_owned()),
                ..PermissionAttributes::default()
            },
        }],
        content_sha256: None,
    })
}

/// The org's roles as the review lists them, and any role a user held that it does not.
fn roles_of(review: &Review) -> Vec<Role> {
    let mut roles: BTreeMap<&RoleId, &str> = BTreeMap::new();
    let held = review.items.iter().flat_map(|i| i.user.roles.iter());
    for RoleRef { id, name } in review.roles.iter().chain(held) {
        roles.entry(id).or_insert(name);
    }
    roles
        .into_iter()
        .map(|(id, name)| Role {
            kind: "roles".to_owned(),
            id: id.clone(),
            attributes: RoleAttributes {
                name: Some(name.to_owned()),
                ..RoleAttributes::default()
            },
            relationships: None,
        })
        .collect()
}

fn status_of(member: &Member) -> UserStatus {
    UserStatus::parse(&member.status)
}

/// A member as the API would have listed them.
fn user_of(member: &Member) -> User {
    let status = status_of(member);
    let time = |text: &Option<String>| text.as_deref().and_then(|t| timestamp::parse(t).ok());
    let text = |t: &str| (!t.is_empty()).then(|| t.to_owned());
    User {
        kind: "users".to_owned(),
        id: member.id.clone(),
        attributes: UserAttributes {
            name: text(&member.name),
            handle: text(&member.email),
            email: text(&member.email),
            created_at: time(&member.created_at),
            last_login_time: time(&member.last_login),
            verified: Some(status != UserStatus::Pending),
            service_account: Some(member.service_account),
            disabled: Some(status == UserStatus::Disabled),
            mfa_enabled: member.mfa,
            allowed_login_methods: member.login_methods.as_deref().map(|methods| {
                methods
                    .split(", ")
                    .filter(|m| !m.is_empty())
                    .map(str::to_owned)
                    .collect()
            }),
            status: Some(status),
            ..UserAttributes::default()
        },
        relationships: UserRelationships {
            roles: Some(ToMany {
                data: member
                    .roles
                    .iter()
                    .map(|r| ResourceRef::new("roles", r.id.as_str()))
                    .collect(),
            }),
            ..UserRelationships::default()
        },
    }
}
