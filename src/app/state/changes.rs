//! The state of changes in the console: the plan being checked and confirmed, and the run
//! in progress with each user's latest result.

use tui_input::Input;

use crate::api::models::UserId;
use crate::domain::Confirmation;
use crate::runs::{Change, Draft, Facts, ItemResult, RunId, Tally, Verdict};

use super::journal::RunAction;
use super::Context;
use crate::app::cursor::ListCursor;
use crate::app::effect::{BulkKind, PlanId, Ticket};

/// What a plan is for: decides what its dialog says and what its results update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Bulk(BulkKind),
    Anonymize,
    Invite,
    Edit,
    /// One user's roles, from the role picker.
    Roles,
    /// The marked users' roles: a bulk run with a per-user summary.
    BulkRoles,
    /// The marked users' title.
    BulkEdit,
    Journal(RunAction),
    /// The items of a finished run that did not settle, sent again as a new run.
    Retry,
}

impl Purpose {
    /// Forms apply at once when the gate has nothing to ask or warn about.
    pub fn is_form(self) -> bool {
        matches!(self, Purpose::Invite | Purpose::Edit | Purpose::Roles)
    }

    /// The dialog's word for no: "cancel", but not where the change itself cancels
    /// ("[y] cancel the invitations  [n] cancel" would say the same thing twice).
    pub fn no_word(self) -> &'static str {
        match self {
            Purpose::Bulk(BulkKind::CancelInvitations) => "keep them",
            _ => "cancel",
        }
    }

    /// "disable", for the dialog's instruction.
    pub fn verb(self) -> &'static str {
        match self {
            Purpose::Bulk(BulkKind::Disable) => "disable",
            Purpose::Bulk(BulkKind::Enable) => "enable",
            Purpose::Bulk(BulkKind::ResendInvitation) => "resend",
            Purpose::Bulk(BulkKind::CancelInvitations) => "cancel the invitations",
            Purpose::Anonymize => "anonymize",
            Purpose::Invite => "invite",
            Purpose::Edit | Purpose::BulkEdit => "save",
            Purpose::Roles | Purpose::BulkRoles => "change the roles",
            Purpose::Journal(RunAction::Resume) => "resume",
            Purpose::Journal(RunAction::Undo) => "undo",
            Purpose::Retry => "retry",
        }
    }
}

/// Where a plan's check stands.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanStage {
    /// Reading the org.
    Preparing,
    /// The org could not be read: nothing may be written (the gate fails closed).
    Failed(String),
    /// Checked.
    Ready {
        facts: Box<Facts>,
        verdict: Box<Verdict>,
        allow_self: bool,
    },
}

/// A change being checked and confirmed.
#[derive(Clone, Debug)]
pub struct PlanDialog {
    pub id: PlanId,
    pub purpose: Purpose,
    pub draft: Draft,
    /// Of the users, how many the filter or tab hides.
    pub hidden: usize,
    /// Users left out before planning (already so), and why.
    pub left_out: Option<(usize, &'static str)>,
    pub stage: PlanStage,
    /// What the person typed (a count, a word, their email).
    pub typed: Input,
    /// A hint after a wrong answer.
    pub hint: Option<String>,
    /// Applied at once, without a dialog, when the gate has nothing to ask or warn about
    /// (forms, and one invitation resent).
    pub quiet: bool,
}

impl PlanDialog {
    /// The verdict, once checked.
    pub fn verdict(&self) -> Option<&Verdict> {
        match &self.stage {
            PlanStage::Ready { verdict, .. } => Some(verdict),
            _ => None,
        }
    }

    /// True while the org is read.
    pub fn is_preparing(&self) -> bool {
        self.stage == PlanStage::Preparing
    }

    /// Whether the dialog is drawn (a form's plan is not, while it is being checked).
    pub fn is_shown(&self) -> bool {
        !(self.quiet && self.is_preparing())
    }

    /// True when the only refusal is the caller's own lockout: typing their email allows it.
    pub fn asks_for_email(&self) -> bool {
        self.verdict().is_some_and(Verdict::only_self_refused)
    }

    /// The caller's email, for the self override.
    pub fn caller_email(&self) -> Option<&str> {
        match &self.stage {
            PlanStage::Ready { facts, .. } => facts.caller.email.as_deref(),
            _ => None,
        }
    }

    /// The keymap context of the dialog.
    pub fn context(&self) -> Context {
        match self.verdict() {
            None => Context::Summary,
            Some(_) if self.asks_for_email() => Context::TypedConfirm,
            Some(verdict) if verdict.plan().is_none() => Context::Summary,
            Some(verdict) => match verdict.summary.confirmation {
                Confirmation::Type(_) => Context::TypedConfirm,
                Confirmation::Yes | Confirmation::Enter => Context::Confirm,
            },
        }
    }
}

/// A run the console started.
#[derive(Clone, Debug)]
pub struct RunProgress {
    pub ticket: Ticket,
    pub purpose: Purpose,
    pub title: String,
    /// The journal's id, once started.
    pub run: Option<RunId>,
    pub total: usize,
    /// Each item's result as it came: (item, change, result).
    pub results: Vec<(usize, Change, ItemResult)>,
    /// Per user of the run, the position in `results` of their latest result (none yet:
    /// in flight), so the list can mark their rows.
    pub users: std::collections::HashMap<UserId, Option<usize>>,
    pub finished: bool,
    /// Why the run stopped early (its keys stopped working, or it could not start).
    pub stopped: Option<String>,
}

impl RunProgress {
    /// A run of `total` items just started, nothing back yet.
    pub fn new(ticket: Ticket, purpose: Purpose, title: String, total: usize) -> RunProgress {
        RunProgress {
            ticket,
            purpose,
            title,
            run: None,
            total,
            results: Vec::new(),
            users: Default::default(),
            finished: false,
            stopped: None,
        }
    }

    /// A user's latest result: `None` when the user is not in the run, `Some(None)` while
    /// their item is in flight.
    pub fn result_of(&self, user: &UserId) -> Option<Option<&ItemResult>> {
        self.users
            .get(user)
            .map(|slot| slot.and_then(|i| self.results.get(i).map(|(_, _, r)| r)))
    }

    /// Items finished.
    pub fn done_count(&self) -> usize {
        self.results.len()
    }

    /// The tally of the results so far.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for (_, _, result) in &self.results {
            tally.count(Some(result));
        }
        tally.unfinished += self.total.saturating_sub(self.results.len());
        tally
    }
}

/// One item of a finished run, as the result dialog lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultRow {
    /// The user in words, or the email an invitation was for.
    pub who: String,
    /// The user, when the item had one (an invitation to a new email has none).
    pub user: Option<UserId>,
    /// "done", "failed", ... (`ItemResult::label`).
    pub outcome: &'static str,
    pub detail: String,
    /// Failed, partly done or unfinished: what a retry sends again.
    pub needs_attention: bool,
}

/// A finished run's report: counts per outcome, every item (those needing attention
/// first), and what a retry would send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub title: String,
    pub counts: Vec<(String, usize)>,
    /// Every item: those needing attention first, then the rest, each in run order.
    pub rows: Vec<ResultRow>,
    /// The changes of the items that did not settle, in run order: `r` sends them again.
    pub retry: Vec<Change>,
    /// Items the run never reported (it was cut short), counted but not listed by user.
    pub not_attempted: Option<(usize, String)>,
    pub cursor: ListCursor,
}

impl Summary {
    /// The rows that need attention (they come first).
    pub fn attention(&self) -> usize {
        self.rows.iter().filter(|r| r.needs_attention).count()
    }

    /// The user ids `y` copies: of the items needing attention when there are any,
    /// otherwise of every item.
    pub fn ids_to_copy(&self) -> Vec<UserId> {
        let failed_only = self.attention() > 0;
        self.rows
            .iter()
            .filter(|r| r.needs_attention || !failed_only)
            .filter_map(|r| r.user.clone())
            .collect()
    }
}
