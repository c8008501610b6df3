//! The one change gate. Every change, from the console or the command line, is checked
//! here against the org as it was just read, and only a plan this module approved can be
//! run (a [`CheckedPlan`] has no other constructor). Pure: a draft and its facts in, a
//! [`Verdict`] out — the consequences to show before confirming, the refusals with how to
//! override them, and the plan ordered so that additions run before removals and the
//! caller's own items run last.
//!
//! Refused:
//! - everything under `--read-only`, and whatever the caller's permissions do not allow
//!   (the facts were read with the caller's keys; when they could not be read, there is no
//!   verdict at all: writes fail closed);
//! - disabling or anonymizing the caller, or taking away the role(s) that give them
//!   `user_access_manage` — unless allowed (`--allow-self`; in the console, typing one's
//!   own email);
//! - leaving the org with no active user who holds `user_access_manage`, or no active
//!   member of the Datadog Admin Role — never overridable here;
//! - resuming or undoing a run made against another org, or undoing a run again — unless
//!   forced (`--force`).

mod rules;
mod summary;

use serde::Serialize;

use super::change::Change;
use super::journal::RunId;
use super::plan::{Draft, Facts, PlanItem};
use crate::api::models::{OrgId, UserId};
use summary::summarize;
pub use summary::{ItemPreview, KeyRef, KeySummary, Summary, UserKeys, UserRef};

/// How the gate may be told to let more through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GateOptions {
    /// The caller may change themselves (their items run last).
    pub allow_self: bool,
    /// Resume or undo a run of another org, undo a run again, undo items changed since.
    pub force: bool,
}

/// Which guard rail refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    ReadOnly,
    Permission,
    SelfLockout,
    LastAdmin,
    OtherOrg,
    AlreadyUndone,
}

/// One refusal: why, and how to get past it when one may.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub rule: Rule,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how_to_override: Option<String>,
}

impl Refusal {
    /// The refusal as one line: what and how to override.
    pub fn line(&self) -> String {
        match &self.how_to_override {
            Some(how) => format!("{} — {how}", self.message),
            None => self.message.clone(),
        }
    }
}

/// How a checked plan is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunKind {
    /// A new run (`of`: the run it undoes).
    Fresh { of: Option<RunId> },
    /// More of an existing run.
    Resume(RunId),
}

/// A plan the gate approved: the only thing a `Runner` runs.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedPlan {
    title: String,
    kind: RunKind,
    org: Option<OrgId>,
    by: Option<UserId>,
    items: Vec<PlanItem>,
    force: bool,
}

impl CheckedPlan {
    /// The run's title.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// New run or resume.
    pub fn kind(&self) -> &RunKind {
        &self.kind
    }
    /// The caller's org.
    pub fn org(&self) -> Option<&OrgId> {
        self.org.as_ref()
    }
    /// The caller.
    pub fn by(&self) -> Option<&UserId> {
        self.by.as_ref()
    }
    /// The items, ordered by stage.
    pub fn items(&self) -> &[PlanItem] {
        &self.items
    }
    /// Undo items changed since the run anyway.
    pub fn force(&self) -> bool {
        self.force
    }
}

/// The gate's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub summary: Summary,
    plan: Option<CheckedPlan>,
}

impl Verdict {
    /// The approved plan, when nothing was refused.
    pub fn plan(&self) -> Option<&CheckedPlan> {
        self.plan.as_ref()
    }

    /// The plan, or every refusal.
    pub fn into_plan(self) -> Result<CheckedPlan, Vec<Refusal>> {
        self.plan.ok_or(self.summary.refusals)
    }

    /// True when a refusal could be overridden by allowing self-changes (and only that).
    pub fn only_self_refused(&self) -> bool {
        !self.summary.refusals.is_empty()
            && self
                .summary
                .refusals
                .iter()
                .all(|r| r.rule == Rule::SelfLockout)
    }
}

/// Checks `draft` against `facts`.
pub fn check(draft: &Draft, facts: &Facts, options: GateOptions) -> Verdict {
    let mut items = draft.items();
    let all: Vec<Change> = items.iter().map(|i| i.change.clone()).collect();
    let changes: Vec<&Change> = all.iter().collect();
    let user_ids: Vec<Option<UserId>> = changes.iter().map(|c| c.user()).collect();
    let by_user = rules::by_user(&changes, &user_ids);

    // In the order they are shown: the first says the most.
    let mut refusals: Vec<Refusal> = rules::access(&changes, facts).into_iter().collect();
    let (includes_you, lockout) = rules::self_lockout(facts, &by_user, options);
    refusals.extend(lockout);
    refusals.extend(rules::last_admin(facts, &by_user));
    refusals.extend(rules::source_run(draft, facts, options));

    order_stages(&mut items, includes_you.then_some(&facts.caller.id));
    let summary = summarize(draft, facts, &items, &by_user, includes_you, refusals);
    let plan = summary.refusals.is_empty().then(|| CheckedPlan {
        title: draft.title(),
        kind: run_kind(draft),
        org: facts.caller.org.clone(),
        by: Some(facts.caller.id.clone()),
        items,
        force: options.force,
    });
    Verdict { summary, plan }
}

/// Stages: additions before removals, so a replaced role is never missing in between; the
/// caller's own items (`me`, when the plan may lock them out) last, so a lockout cannot cut
/// the run short.
fn order_stages(items: &mut [PlanItem], me: Option<&UserId>) {
    for item in items.iter_mut() {
        let mine = me.is_some() && item.change.user().as_ref() == me;
        let removal = matches!(item.change, Change::RemoveRole { .. });
        item.stage = u8::from(mine) * 2 + u8::from(removal);
    }
    items.sort_by_key(|i| i.stage);
}

/// How the approved plan is recorded: a resume continues its run, an undo is a new run of
/// the one it undoes.
fn run_kind(draft: &Draft) -> RunKind {
    match draft {
        Draft::Resume { run } => RunKind::Resume(run.run.clone()),
        Draft::Undo { run, .. } => RunKind::Fresh {
            of: Some(run.run.clone()),
        },
        Draft::New { .. } => RunKind::Fresh { of: None },
    }
}

#[cfg(test)]
mod tests;
