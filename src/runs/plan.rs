//! Plans, before anything is sent: a [`Draft`] is what someone asks for (new changes, the
//! rest of an interrupted run, the undo of a run); [`Facts`] are what was read of the org
//! to check it (the caller, the users it touches, who else can manage users, the keys a
//! disable revokes); a [`PlanItem`] is one change with what it expects. Pure data; the
//! gate (`gate`) turns a draft and its facts into a runnable plan or refusals.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use time::OffsetDateTime;

use super::change::{Change, ItemResult};
use super::journal::{RunId, RunState};
use super::observe::{Observed, Profile};
use crate::api::models::{OrgId, RoleId, UserId, UserStatus};

/// One change of a plan, with what it expects.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanItem {
    /// Its number in the run (the journal's item index).
    pub index: usize,
    pub change: Change,
    /// For an undo: the state the undone run left; the item is skipped when the user
    /// changed since.
    pub expect: Option<Observed>,
    /// For a resume: the state an earlier attempt read before writing.
    pub before: Option<Observed>,
    /// Items run stage by stage: additions before removals, and the caller's own items
    /// last.
    pub stage: u8,
}

/// What someone asks for, before anything is read.
#[derive(Clone, Debug, PartialEq)]
pub enum Draft {
    /// A new run of these changes.
    New { title: String, changes: Vec<Change> },
    /// What an interrupted (or partly failed) run left.
    Resume { run: Box<RunState> },
    /// The inverse of what a run did; `undone_by` lists earlier undo runs of it that did
    /// something.
    Undo {
        run: Box<RunState>,
        undone_by: Vec<RunId>,
    },
}

impl Draft {
    /// A new run.
    pub fn new(title: impl Into<String>, changes: Vec<Change>) -> Draft {
        Draft::New {
            title: title.into(),
            changes,
        }
    }

    /// The undo of `run`, knowing every run of the journal (to find earlier undos).
    pub fn undo(run: RunState, journal: &[RunState]) -> Draft {
        let undone_by = journal
            .iter()
            .filter(|r| r.of.as_ref() == Some(&run.run) && r.tally().done > 0)
            .map(|r| r.run.clone())
            .collect();
        Draft::Undo {
            run: Box::new(run),
            undone_by,
        }
    }

    /// The run's title.
    pub fn title(&self) -> String {
        match self {
            Draft::New { title, .. } => title.clone(),
            Draft::Resume { run } => format!("resume of {}: {}", run.run, run.title),
            Draft::Undo { run, .. } => format!("undo of {}: {}", run.run, run.title),
        }
    }

    /// The items to carry out, in run order (stages are set by the gate).
    pub fn items(&self) -> Vec<PlanItem> {
        match self {
            Draft::New { changes, .. } => changes
                .iter()
                .enumerate()
                .map(|(index, change)| PlanItem {
                    index,
                    change: change.clone(),
                    expect: None,
                    before: None,
                    stage: 0,
                })
                .collect(),
            Draft::Resume { run } => run
                .changes
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    !run.outcomes[*i]
                        .as_ref()
                        .is_some_and(ItemResult::is_settled)
                })
                .map(|(index, change)| PlanItem {
                    index,
                    change: change.clone(),
                    expect: run.expectation(index).cloned(),
                    before: run.before.get(index).cloned().flatten(),
                    stage: 0,
                })
                .collect(),
            Draft::Undo { run, .. } => undo_changes(run)
                .into_iter()
                .enumerate()
                .map(|(index, (change, expect))| PlanItem {
                    index,
                    change,
                    expect,
                    before: None,
                    stage: 0,
                })
                .collect(),
        }
    }

    /// The journal run this draft continues or undoes.
    pub fn source(&self) -> Option<&RunState> {
        match self {
            Draft::New { .. } => None,
            Draft::Resume { run } | Draft::Undo { run, .. } => Some(run),
        }
    }
}

/// The changes that undo what `state` did, newest first, each with the state the run left
/// (what the undo expects to find).
pub fn undo_changes(state: &RunState) -> Vec<(Change, Option<Observed>)> {
    state
        .outcomes
        .iter()
        .rev()
        .filter_map(|o| match o {
            Some(ItemResult::Done {
                undo: Some(undo),
                left,
                ..
            }) => Some((undo.clone(), left.as_deref().cloned())),
            _ => None,
        })
        .collect()
}

/// The user whose keys make the change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Caller {
    pub id: UserId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub org: Option<OrgId>,
    /// Names of the permissions the caller holds.
    pub permissions: BTreeSet<String>,
}

impl Caller {
    /// True when the caller holds `permission`.
    pub fn has(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }
}

/// A user a plan touches, as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub id: UserId,
    pub name: Option<String>,
    pub email: Option<String>,
    pub title: Option<String>,
    pub status: UserStatus,
    pub service_account: bool,
    pub roles: Vec<RoleId>,
}

impl Subject {
    /// The subject as `change` would observe it.
    pub fn observed(&self, change: &Change) -> Observed {
        let mut observed = Observed {
            user: Some(self.id.clone()),
            status: Some(self.status.clone()),
            ..Observed::default()
        };
        match change {
            Change::Update { .. } => {
                observed.profile = Some(Profile {
                    name: self.name.clone(),
                    email: self.email.clone(),
                    title: self.title.clone(),
                })
            }
            Change::AddRole { role, .. } | Change::RemoveRole { role, .. } => {
                observed.has_role = Some(self.roles.contains(role))
            }
            _ => {}
        }
        observed
    }

    /// "Ada Admin <ada@example.com>", or the id.
    pub fn label(&self) -> String {
        label(&self.id, self.name.as_deref(), self.email.as_deref())
    }
}

/// A user in words: "Ada Admin <ada@example.com>", the email, the name, or the id.
pub fn label(id: &UserId, name: Option<&str>, email: Option<&str>) -> String {
    match (name, email) {
        (Some(name), Some(email)) if !name.is_empty() => format!("{name} <{email}>"),
        (_, Some(email)) => email.to_owned(),
        (Some(name), None) if !name.is_empty() => name.to_owned(),
        _ => id.to_string(),
    }
}

/// A role, as the guard rails need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleFacts {
    pub name: String,
    /// Grants `user_access_manage`.
    pub grants_manage: bool,
}

/// One application key, as a consequence of a disable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyFact {
    pub name: String,
    #[serde(with = "crate::api::models::timestamp::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// The application keys of the users a plan disables or anonymizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keys {
    /// The plan revokes no key (it disables nobody).
    NotNeeded,
    /// They could not be read, and why (a key without `org_app_keys_read`).
    Unknown(String),
    /// Per owner.
    Known(BTreeMap<UserId, Vec<KeyFact>>),
}

/// What was read of the org to check a draft against it, at `read_at`.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// `--read-only`: refused before anything was read.
    pub read_only: bool,
    /// The org address the keys talk to (site or base URL).
    pub origin: String,
    pub caller: Caller,
    pub subjects: BTreeMap<UserId, Subject>,
    /// Targets the service does not know, with its words.
    pub missing: BTreeMap<UserId, String>,
    pub roles: BTreeMap<RoleId, RoleFacts>,
    /// Some active user outside the plan's subjects holds `user_access_manage`.
    pub other_managers: bool,
    /// Some active user outside the plan's subjects is in the Datadog Admin Role.
    pub other_admin_members: bool,
    pub keys: Keys,
    pub read_at: OffsetDateTime,
}

impl Facts {
    /// Facts for `--read-only`: nothing is read, the gate refuses.
    pub fn read_only(origin: impl Into<String>) -> Facts {
        Facts {
            read_only: true,
            origin: origin.into(),
            caller: Caller::default(),
            subjects: BTreeMap::new(),
            missing: BTreeMap::new(),
            roles: BTreeMap::new(),
            other_managers: true,
            other_admin_members: true,
            keys: Keys::NotNeeded,
            read_at: OffsetDateTime::now_utc(),
        }
    }

    /// True when `roles` include one granting `user_access_manage`.
    pub fn grants_manage(&self, roles: &[RoleId]) -> bool {
        roles
            .iter()
            .any(|r| self.roles.get(r).is_some_and(|f| f.grants_manage))
    }

    /// The Datadog Admin Role's id, when the org has it.
    pub fn admin_role(&self) -> Option<&RoleId> {
        self.roles
            .iter()
            .find(|(_, r)| r.name == crate::domain::ADMIN_ROLE_NAME)
            .map(|(id, _)| id)
    }
}
