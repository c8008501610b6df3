//! Decisions on a review's rows: what a decision may be, which rows one reaches, the rule
//! that keeping a privileged account needs a justification, progress, and the signature
//! that makes the decisions final. The command line and the console both decide through
//! [`Review::decide`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::models::{timestamp, RoleId, UserId};
use crate::audit::meta::TakenBy;

use super::{Item, Review, ReviewError, RoleRef};

/// What the reviewer decided for a row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Decision {
    /// The access stays as it is.
    Keep,
    /// Remove this role from the user.
    RevokeRole { role: RoleRef },
    /// Disable the account.
    Disable,
    /// Replace one role with another.
    ChangeRole { from: RoleRef, to: RoleRef },
}

impl Decision {
    /// Every decision's name, as [`Decision::name`] gives them.
    pub const NAMES: [&'static str; 4] = ["keep", "revoke-role", "disable", "change-role"];

    /// The decision's name in files and filters: keep, revoke-role, disable, change-role.
    pub fn name(&self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::RevokeRole { .. } => "revoke-role",
            Decision::Disable => "disable",
            Decision::ChangeRole { .. } => "change-role",
        }
    }

    /// "revoke Datadog Admin Role", "change Admin → Standard": how a table shows it.
    pub fn describe(&self) -> String {
        match self {
            Decision::Keep => "keep".to_owned(),
            Decision::RevokeRole { role } => format!("revoke {}", role.name),
            Decision::Disable => "disable".to_owned(),
            Decision::ChangeRole { from, to } => format!("change {} → {}", from.name, to.name),
        }
    }

    /// True when carrying it out changes the org.
    pub fn changes_something(&self) -> bool {
        !matches!(self, Decision::Keep)
    }

    /// The role the decision names, which picks the row it applies to.
    fn role(&self) -> Option<&RoleRef> {
        match self {
            Decision::RevokeRole { role } => Some(role),
            Decision::ChangeRole { from, .. } => Some(from),
            Decision::Keep | Decision::Disable => None,
        }
    }
}

/// A decision as recorded: what, why, by whom, when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decided {
    #[serde(flatten)]
    pub decision: Decision,
    /// The justification ("" when none was given).
    #[serde(default)]
    pub why: String,
    pub by: String,
    #[serde(with = "timestamp")]
    pub at: OffsetDateTime,
}

/// Which rows a decision is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowSelector {
    /// Rows by position (the console's cursor and marks).
    Rows(Vec<usize>),
    /// A user's rows, by id or email (case-insensitive), narrowed to the row of one role
    /// when one is named (by the decision, or `--role`).
    User { user: String, role: Option<String> },
}

/// A row's decision as another copy of the review recorded it (the console's), to carry
/// into the file: the row by position, with the user and role it must still be about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowDecision {
    pub row: usize,
    pub user: UserId,
    pub role: Option<RoleId>,
    /// `None`: the decision was cleared.
    pub decided: Option<Decided>,
}

impl RowDecision {
    /// Row `row` of `review` with its decision as it stands.
    pub fn of(review: &Review, row: usize) -> Option<RowDecision> {
        let item = review.items.get(row)?;
        Some(RowDecision {
            row,
            user: item.user.id.clone(),
            role: item.role.as_ref().map(|r| r.id.clone()),
            decided: item.decision.clone(),
        })
    }
}

/// The reviewer signing, and what they signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub reviewer: TakenBy,
    #[serde(with = "timestamp")]
    pub signed_at: OffsetDateTime,
    /// sha256 of the rows with their decisions as canonical JSON (`jq -cSj .items`).
    pub items_sha256: String,
}

impl Signature {
    /// True when the review's rows are still what was signed.
    pub fn matches(&self, review: &Review) -> bool {
        items_sha256(&review.items).as_deref() == Some(self.items_sha256.as_str())
    }

    /// "Ada Lovelace <ada@example.com>", as sign-offs name the reviewer.
    pub fn reviewer_label(&self) -> String {
        person_label(&self.reviewer)
    }
}

/// "Name <email>", or what is known of the person.
pub fn person_label(person: &TakenBy) -> String {
    match (&person.name, &person.email) {
        (Some(name), Some(email)) if !name.is_empty() => format!("{name} <{email}>"),
        (_, Some(email)) => email.clone(),
        (Some(name), None) => name.clone(),
        (None, None) => person.id.to_string(),
    }
}

fn items_sha256(items: &[Item]) -> Option<String> {
    crate::digest::canonical_sha256(&items).ok()
}

/// How far a review is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub rows: usize,
    pub users: usize,
    pub decided: usize,
    pub undecided: usize,
    pub keep: usize,
    pub revoke_role: usize,
    pub disable: usize,
    pub change_role: usize,
    /// Privileged rows kept (each with its justification).
    pub privileged_kept: usize,
}

impl Review {
    /// Counts of rows by decision.
    pub fn progress(&self) -> Progress {
        let mut progress = Progress {
            rows: self.items.len(),
            users: self.users().len(),
            ..Progress::default()
        };
        for item in &self.items {
            let Some(decided) = &item.decision else {
                progress.undecided += 1;
                continue;
            };
            progress.decided += 1;
            match decided.decision {
                Decision::Keep if item.privileged => {
                    progress.keep += 1;
                    progress.privileged_kept += 1;
                }
                Decision::Keep => progress.keep += 1,
                Decision::RevokeRole { .. } => progress.revoke_role += 1,
                Decision::Disable => progress.disable += 1,
                Decision::ChangeRole { .. } => progress.change_role += 1,
            }
        }
        progress
    }

    /// The positions of the rows still undecided.
    pub fn undecided_rows(&self) -> Vec<usize> {
        (0..self.items.len())
            .filter(|&i| self.items[i].decision.is_none())
            .collect()
    }

    /// The rows `selector` picks for `decision`; refused when it picks none.
    pub fn rows_for(
        &self,
        selector: &RowSelector,
        decision: &Decision,
    ) -> Result<Vec<usize>, ReviewError> {
        match selector {
            RowSelector::Rows(rows) => {
                let rows: Vec<usize> = rows
                    .iter()
                    .copied()
                    .filter(|&i| i < self.items.len())
                    .collect();
                if rows.is_empty() {
                    return Err(ReviewError::Invalid("no row to decide".to_owned()));
                }
                Ok(rows)
            }
            RowSelector::User { user, role } => self.user_rows(user, role.as_deref(), decision),
        }
    }

    fn user_rows(
        &self,
        wanted: &str,
        role: Option<&str>,
        decision: &Decision,
    ) -> Result<Vec<usize>, ReviewError> {
        let wanted = wanted.trim();
        let rows: Vec<usize> = (0..self.items.len())
            .filter(|&i| {
                let user = &self.items[i].user;
                user.id.as_str() == wanted || user.email.eq_ignore_ascii_case(wanted)
            })
            .collect();
        if rows.is_empty() {
            return Err(ReviewError::Invalid(format!(
                "no user of the review has the id or email {wanted:?}"
            )));
        }
        let role = match (role, decision.role()) {
            (Some(name), _) => Some(self.find_role(name)?.clone()),
            (None, Some(role)) => Some(role.clone()),
            (None, None) => None,
        };
        let Some(role) = role else {
            return Ok(rows);
        };
        let of_role: Vec<usize> = rows
            .iter()
            .copied()
            .filter(|&i| self.items[i].role.as_ref().is_some_and(|r| r.id == role.id))
            .collect();
        if !of_role.is_empty() {
            return Ok(of_role);
        }
        // The role has no row of its own: the user's account row.
        let account: Vec<usize> = rows
            .into_iter()
            .filter(|&i| self.items[i].role.is_none())
            .collect();
        if account.is_empty() {
            return Err(ReviewError::Invalid(format!(
                "{wanted} has no row for {} in this review",
                role.name
            )));
        }
        Ok(account)
    }

    /// Records `decision` on the rows `selector` picks, by `by` at `at`, after checking it
    /// fits every one of them; nothing is recorded when one does not. Returns the rows.
    pub fn decide(
        &mut self,
        selector: &RowSelector,
        decision: Decision,
        why: &str,
        by: &str,
        at: OffsetDateTime,
    ) -> Result<Vec<usize>, ReviewError> {
        self.check_unsigned()?;
        let rows = self.rows_for(selector, &decision)?;
        let why = why.trim();
        for &row in &rows {
            check_fits(&self.items[row], &decision, why)?;
        }
        for &row in &rows {
            let item = &mut self.items[row];
            // A row's own role is what "revoke" means on it when the decision came without
            // one (the console's key on a privileged row).
            let decision = match (&decision, &item.role) {
                (Decision::RevokeRole { role }, Some(own)) if role.id != own.id => {
                    Decision::RevokeRole { role: own.clone() }
                }
                _ => decision.clone(),
            };
            item.decision = Some(Decided {
                decision,
                why: why.to_owned(),
                by: by.trim().to_owned(),
                at,
            });
        }
        Ok(rows)
    }

    /// Carries decisions recorded on another copy of this review (each checked there by
    /// [`Review::decide`]) into this one — the console writes its decisions into the file
    /// as it is then, keeping whatever else was decided in it. Refused, with nothing
    /// carried, when this one is signed or a row is not the same user and role any more.
    pub fn carry(&mut self, decisions: &[RowDecision]) -> Result<(), ReviewError> {
        self.check_unsigned()?;
        for wanted in decisions {
            let same = self.items.get(wanted.row).is_some_and(|item| {
                item.user.id == wanted.user
                    && item.role.as_ref().map(|r| &r.id) == wanted.role.as_ref()
            });
            if !same {
                return Err(ReviewError::Invalid(format!(
                    "row {} of the file is no longer {}'s: the file is another review now",
                    wanted.row + 1,
                    wanted.user
                )));
            }
        }
        for wanted in decisions {
            self.items[wanted.row].decision = wanted.decided.clone();
        }
        Ok(())
    }

    /// Clears the decision of the rows picked (until signed).
    pub fn undecide(&mut self, rows: &[usize]) -> Result<usize, ReviewError> {
        self.check_unsigned()?;
        let mut cleared = 0;
        for &row in rows {
            if let Some(item) = self.items.get_mut(row) {
                cleared += usize::from(item.decision.take().is_some());
            }
        }
        Ok(cleared)
    }

    /// Signs the review as `reviewer` at `at`: refused while rows are undecided, or when
    /// already signed.
    pub fn sign(&mut self, reviewer: TakenBy, at: OffsetDateTime) -> Result<(), ReviewError> {
        self.check_unsigned()?;
        let undecided = self.progress().undecided;
        if undecided > 0 {
            return Err(ReviewError::Invalid(format!(
                "{} still undecided; decide every row before signing (`ddusers review status` lists them)",
                crate::words::count(undecided, "row")
            )));
        }
        let items_sha256 = items_sha256(&self.items)
            .ok_or_else(|| ReviewError::Invalid("the rows could not be hashed".to_owned()))?;
        self.signature = Some(Signature {
            reviewer,
            signed_at: at,
            items_sha256,
        });
        Ok(())
    }
}

/// True when recording `decision` on `item` needs a justification: keeping a privileged
/// row, or changing it to the admin role, keeps admin access.
pub fn needs_justification(item: &Item, decision: &Decision) -> bool {
    match decision {
        Decision::Keep => item.privileged,
        Decision::ChangeRole { to, .. } => item.privileged && privileged_name(to),
        Decision::RevokeRole { .. } | Decision::Disable => false,
    }
}

/// Whether `decision` can be recorded on `item` with justification `why`.
fn check_fits(item: &Item, decision: &Decision, why: &str) -> Result<(), ReviewError> {
    let user = item.user.label();
    let invalid = |text: String| Err(ReviewError::Invalid(text));
    let unjustified = why.is_empty() && needs_justification(item, decision);
    match decision {
        Decision::Keep if unjustified => invalid(format!(
            "keeping {user}'s {} needs a justification (--why): it is a privileged role",
            item.role_label()
        )),
        Decision::RevokeRole { role } if item.role.is_none() && !item.user.holds(role) => {
            invalid(format!("{user} does not hold {}", role.name))
        }
        Decision::RevokeRole { .. } if item.role.is_none() && item.user.roles.is_empty() => {
            invalid(format!("{user} holds no role to revoke"))
        }
        Decision::ChangeRole { from, .. } if !item.user.holds(from) => {
            invalid(format!("{user} does not hold {}", from.name))
        }
        Decision::ChangeRole { from, to } if from.id == to.id => {
            invalid(format!("changing {} to itself changes nothing", from.name))
        }
        Decision::ChangeRole { to, .. } if unjustified => invalid(format!(
            "changing {user} to {} keeps admin access and needs a justification (--why)",
            to.name
        )),
        _ => Ok(()),
    }
}

/// The admin role by name: changing to it keeps (or grants) admin access.
fn privileged_name(role: &RoleRef) -> bool {
    role.name == crate::domain::ADMIN_ROLE_NAME
}

/// Who is deciding, for the `by` of each decision: `DDUSERS_REVIEWER`, else the login name
/// (`USER`, `USERNAME`), else "unknown". Deciding works offline, so the keys' user cannot
/// be asked; the signature records the keys' user.
pub fn decider_name(env: &dyn Fn(&str) -> Option<String>) -> String {
    ["DDUSERS_REVIEWER", "USER", "USERNAME"]
        .into_iter()
        .filter_map(env)
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}
