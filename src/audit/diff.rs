//! What changed between two snapshots: users added, removed, enabled, disabled (and other
//! status changes), roles created or deleted, permissions granted to or revoked from each
//! role, and per user the roles granted and removed and the permissions gained and lost,
//! whether through their own roles or through a change to a role's permissions. Readable
//! text and JSON (the [`SnapshotDiff`] serialised). Pure.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::api::models::{timestamp, RoleId, UserId};
use crate::org::{Org, RoleInfo, Status, UserRecord};

/// A user as a diff names them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserRef {
    pub email: String,
    pub id: UserId,
    pub name: Option<String>,
}

impl UserRef {
    fn of(user: &UserRecord) -> UserRef {
        UserRef {
            email: user.email.to_lowercase(),
            id: user.id.clone(),
            name: (!user.name.is_empty()).then(|| user.name.to_string()),
        }
    }

    fn label(&self) -> String {
        match &self.name {
            Some(name) if !name.is_empty() => format!("{} ({name})", self.email),
            _ if self.email.is_empty() => self.id.to_string(),
            _ => self.email.clone(),
        }
    }
}

/// A status change other than enabling or disabling (e.g. Pending → Active).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub user: UserRef,
    pub from: String,
    pub to: String,
}

/// A role as a diff names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoleRef {
    pub name: String,
    pub id: RoleId,
}

/// Permissions granted to and revoked from one role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolePermissionChange {
    pub role: RoleRef,
    pub granted: Vec<String>,
    pub revoked: Vec<String>,
}

/// A permission gained or lost, with the roles that grant (or granted) it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionChange {
    pub permission: String,
    pub via: Vec<String>,
}

/// How one user's access changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccessChange {
    pub user: UserRef,
    pub roles_granted: Vec<String>,
    pub roles_removed: Vec<String>,
    pub permissions_gained: Vec<PermissionChange>,
    pub permissions_lost: Vec<PermissionChange>,
}

/// Everything that changed from `old` to `new`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotDiff {
    pub old_taken_at: String,
    pub new_taken_at: String,
    pub users_added: Vec<UserRef>,
    pub users_removed: Vec<UserRef>,
    pub users_enabled: Vec<UserRef>,
    pub users_disabled: Vec<UserRef>,
    pub status_changes: Vec<StatusChange>,
    pub roles_added: Vec<RoleRef>,
    pub roles_removed: Vec<RoleRef>,
    pub role_permission_changes: Vec<RolePermissionChange>,
    pub user_changes: Vec<UserAccessChange>,
}

impl SnapshotDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.users_added.is_empty()
            && self.users_removed.is_empty()
            && self.users_enabled.is_empty()
            && self.users_disabled.is_empty()
            && self.status_changes.is_empty()
            && self.roles_added.is_empty()
            && self.roles_removed.is_empty()
            && self.role_permission_changes.is_empty()
            && self.user_changes.is_empty()
    }

    /// The diff as text for people: a section per kind of change, each titled with its
    /// count, empty sections left out.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "Changes from {} to {}\n",
            self.old_taken_at, self.new_taken_at
        );
        if self.is_empty() {
            out.push_str("No changes.\n");
            return out;
        }
        let label = |u: &UserRef| u.label();
        section(&mut out, "Users added", &self.users_added, |u| {
            vec![format!("+ {}", label(u))]
        });
        section(&mut out, "Users removed", &self.users_removed, |u| {
            vec![format!("- {}", label(u))]
        });
        section(&mut out, "Users enabled", &self.users_enabled, |u| {
            vec![format!("+ {}", label(u))]
        });
        section(&mut out, "Users disabled", &self.users_disabled, |u| {
            vec![format!("- {}", label(u))]
        });
        section(
            &mut out,
            "Other status changes",
            &self.status_changes,
            |c| vec![format!("~ {}: {} → {}", c.user.label(), c.from, c.to)],
        );
        section(&mut out, "Roles added", &self.roles_added, |r| {
            vec![format!("+ {}", r.name)]
        });
        section(&mut out, "Roles removed", &self.roles_removed, |r| {
            vec![format!("- {}", r.name)]
        });
        section(
            &mut out,
            "Role permission changes",
            &self.role_permission_changes,
            |c| {
                let mut lines = vec![c.role.name.clone()];
                lines.extend(c.granted.iter().map(|p| format!("  + {p}")));
                lines.extend(c.revoked.iter().map(|p| format!("  - {p}")));
                lines
            },
        );
        section(
            &mut out,
            "Users whose access changed",
            &self.user_changes,
            access_lines,
        );
        out
    }
}

/// How a user changed between two snapshots, in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 3] = [ChangeKind::Added, ChangeKind::Removed, ChangeKind::Changed];

    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }

    pub fn parse(word: &str) -> Option<ChangeKind> {
        ChangeKind::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(word))
    }
}

/// One user's change, for a list: its kind and a short account ("disabled; + Admin").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserChange {
    pub kind: ChangeKind,
    pub text: String,
}

impl SnapshotDiff {
    /// Every user the diff names, with how they changed: the diff's sections folded per
    /// user (a user disabled and given a role is one "changed" entry saying both).
    pub fn per_user(&self) -> BTreeMap<UserId, UserChange> {
        let mut out: BTreeMap<UserId, UserChange> = BTreeMap::new();
        let mut note = |user: &UserRef, kind: ChangeKind, text: String| {
            let entry = out.entry(user.id.clone()).or_insert(UserChange {
                kind,
                text: String::new(),
            });
            if !entry.text.is_empty() {
                entry.text.push_str("; ");
            }
            entry.text.push_str(&text);
        };
        for user in &self.users_added {
            note(user, ChangeKind::Added, "added".to_owned());
        }
        for user in &self.users_removed {
            note(user, ChangeKind::Removed, "removed".to_owned());
        }
        for user in &self.users_enabled {
            note(user, ChangeKind::Changed, "enabled".to_owned());
        }
        for user in &self.users_disabled {
            note(user, ChangeKind::Changed, "disabled".to_owned());
        }
        for change in &self.status_changes {
            let text = format!("{} → {}", change.from, change.to);
            note(&change.user, ChangeKind::Changed, text);
        }
        for change in &self.user_changes {
            note(&change.user, ChangeKind::Changed, access_summary(change));
        }
        out
    }
}

/// "+ Admin, − Standard, +3 permissions": roles by name, permissions counted.
fn access_summary(change: &UserAccessChange) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(change.roles_granted.iter().map(|r| format!("+ {r}")));
    parts.extend(change.roles_removed.iter().map(|r| format!("− {r}")));
    let gained = change.permissions_gained.len();
    let lost = change.permissions_lost.len();
    if gained > 0 {
        parts.push(format!("+{}", crate::words::count(gained, "permission")));
    }
    if lost > 0 {
        parts.push(format!("−{}", crate::words::count(lost, "permission")));
    }
    parts.join(", ")
}

/// Writes a titled section of `items` (nothing when there are none), each item as the lines
/// `lines` gives, indented.
fn section<T>(out: &mut String, title: &str, items: &[T], lines: impl Fn(&T) -> Vec<String>) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title} ({})", items.len());
    for item in items {
        for line in lines(item) {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// One user's access change: who, then each role and permission gained or lost.
fn access_lines(change: &UserAccessChange) -> Vec<String> {
    let mut lines = vec![change.user.label()];
    lines.extend(change.roles_granted.iter().map(|r| format!("  + role {r}")));
    lines.extend(change.roles_removed.iter().map(|r| format!("  - role {r}")));
    lines.extend(
        change
            .permissions_gained
            .iter()
            .map(|p| format!("  + {} (via {})", p.permission, p.via.join(", "))),
    );
    lines.extend(
        change
            .permissions_lost
            .iter()
            .map(|p| format!("  - {} (was via {})", p.permission, p.via.join(", "))),
    );
    lines
}

/// When an org was read (now, for one read as it went).
fn taken_at(org: &Org) -> String {
    timestamp::format(&org.as_of(time::OffsetDateTime::now_utc()))
}

/// Compares two orgs.
pub fn diff(old: &Org, new: &Org) -> SnapshotDiff {
    let mut d = SnapshotDiff {
        old_taken_at: taken_at(old),
        new_taken_at: taken_at(new),
        ..SnapshotDiff::default()
    };
    diff_users(&mut d, old, new);
    diff_roles(&mut d, old, new);
    d.users_added.sort();
    d.users_removed.sort();
    d.users_enabled.sort();
    d.users_disabled.sort();
    d.status_changes.sort_by(|a, b| a.user.cmp(&b.user));
    d.roles_added.sort();
    d.roles_removed.sort();
    d.role_permission_changes
        .sort_by(|a, b| a.role.cmp(&b.role));
    d.user_changes.sort_by(|a, b| a.user.cmp(&b.user));
    d
}

fn diff_users(d: &mut SnapshotDiff, old: &Org, new: &Org) {
    for user in new.users() {
        let Some(before) = old.by_id(&user.id) else {
            d.users_added.push(UserRef::of(user));
            continue;
        };
        match (before.status, user.status) {
            (a, b) if a == b && before.status_text() == user.status_text() => {}
            (Status::Disabled, _) => d.users_enabled.push(UserRef::of(user)),
            (_, Status::Disabled) => d.users_disabled.push(UserRef::of(user)),
            _ => d.status_changes.push(StatusChange {
                user: UserRef::of(user),
                from: before.status_text().to_owned(),
                to: user.status_text().to_owned(),
            }),
        }
        if let Some(change) = access_change(old, before, new, user) {
            d.user_changes.push(change);
        }
    }
    d.users_removed = old
        .users()
        .iter()
        .filter(|u| new.by_id(&u.id).is_none())
        .map(UserRef::of)
        .collect();
}

/// The roles an org read as objects (not only users' references to them).
fn listed(org: &Org) -> impl Iterator<Item = &RoleInfo> {
    org.roles().iter().filter(|r| r.seen)
}

fn diff_roles(d: &mut SnapshotDiff, old: &Org, new: &Org) {
    let role_ref = |role: &RoleInfo| RoleRef {
        name: role.name.clone(),
        id: role.id.clone(),
    };
    for role in listed(new) {
        let Some(before) = listed_in(old, &role.id) else {
            d.roles_added.push(role_ref(role));
            continue;
        };
        let before = names(old, before);
        let after = names(new, role);
        if before != after {
            d.role_permission_changes.push(RolePermissionChange {
                role: role_ref(role),
                granted: after.difference(&before).cloned().collect(),
                revoked: before.difference(&after).cloned().collect(),
            });
        }
    }
    d.roles_removed = listed(old)
        .filter(|r| listed_in(new, &r.id).is_none())
        .map(role_ref)
        .collect();
}

/// The role `id` when the org read it as an object.
fn listed_in<'a>(org: &'a Org, id: &RoleId) -> Option<&'a RoleInfo> {
    org.role_index(id)
        .and_then(|ix| org.role(ix))
        .filter(|r| r.seen)
}

/// The names of the permissions a role grants.
fn names(org: &Org, role: &RoleInfo) -> BTreeSet<String> {
    role.permissions
        .iter()
        .flatten()
        .filter_map(|p| org.perm(*p).map(|p| p.name.clone()))
        .collect()
}

/// Effective permissions by name, with the granting roles.
fn permission_map(org: &Org, user: &UserRecord) -> BTreeMap<String, Vec<String>> {
    org.effective_permissions(user)
        .into_iter()
        .map(|p| (p.name, p.granted_by))
        .collect()
}

fn access_change(
    old: &Org,
    before: &UserRecord,
    new: &Org,
    after: &UserRecord,
) -> Option<UserAccessChange> {
    let roles_before: BTreeSet<String> = old.sorted_role_names(before).into_iter().collect();
    let roles_after: BTreeSet<String> = new.sorted_role_names(after).into_iter().collect();
    let perms_before = permission_map(old, before);
    let perms_after = permission_map(new, after);
    let only_in = |a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>| {
        a.iter()
            .filter(|(name, _)| !b.contains_key(*name))
            .map(|(name, via)| PermissionChange {
                permission: name.clone(),
                via: via.clone(),
            })
            .collect::<Vec<_>>()
    };
    let change = UserAccessChange {
        user: UserRef::of(after),
        roles_granted: roles_after.difference(&roles_before).cloned().collect(),
        roles_removed: roles_before.difference(&roles_after).cloned().collect(),
        permissions_gained: only_in(&perms_after, &perms_before),
        permissions_lost: only_in(&perms_before, &perms_after),
    };
    let changed = !(change.roles_granted.is_empty()
        && change.roles_removed.is_empty()
        && change.permissions_gained.is_empty()
        && change.permissions_lost.is_empty());
    changed.then_some(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(email: &str) -> UserRef {
        UserRef {
            email: email.to_owned(),
            id: UserId::from(email),
            name: None,
        }
    }

    #[test]
    fn the_text_titles_each_section_with_its_count_and_leaves_empty_ones_out() {
        let diff = SnapshotDiff {
            old_taken_at: "A".into(),
            new_taken_at: "B".into(),
            users_disabled: vec![user("a@x.io"), user("b@x.io")],
            status_changes: vec![StatusChange {
                user: user("c@x.io"),
                from: "Pending".into(),
                to: "Active".into(),
            }],
            role_permission_changes: vec![RolePermissionChange {
                role: RoleRef {
                    name: "Auditor".into(),
                    id: RoleId::from("r1"),
                },
                granted: vec!["logs_read".into()],
                revoked: vec!["logs_write".into()],
            }],
            user_changes: vec![UserAccessChange {
                user: user("d@x.io"),
                roles_granted: vec!["Auditor".into()],
                roles_removed: vec![],
                permissions_gained: vec![PermissionChange {
                    permission: "logs_read".into(),
                    via: vec!["Auditor".into()],
                }],
                permissions_lost: vec![],
            }],
            ..SnapshotDiff::default()
        };
        assert_eq!(
            diff.to_text(),
            "Changes from A to B\n\
             \nUsers disabled (2)\n  - a@x.io\n  - b@x.io\n\
             \nOther status changes (1)\n  ~ c@x.io: Pending → Active\n\
             \nRole permission changes (1)\n  Auditor\n    + logs_read\n    - logs_write\n\
             \nUsers whose access changed (1)\n  d@x.io\n    + role Auditor\n    + logs_read (via Auditor)\n"
        );
        assert_eq!(
            SnapshotDiff::default().to_text(),
            "Changes from  to \nNo changes.\n"
        );
    }
}
