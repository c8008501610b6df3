//! Deciding a review's rows from the console: a decision key (`y` keep, `x` revoke the
//! row's role, `d` disable, `R` change role) acts on the marked rows, else the cursor's;
//! asks which role where the rows do not say it (the role picker), then for a one-line
//! justification — optional, but refused empty when the decision keeps admin access (the
//! review's own rule, `review::decide::needs_justification`). `Delete` clears decisions.
//! Recorded through `Review::decide`, as the command line records them; a signed review
//! refuses. Pure.

use std::collections::BTreeMap;

use time::OffsetDateTime;
use tui_input::Input;

use crate::app::action::{Action, DecisionKey};
use crate::app::cursor::{ListCursor, POPUP_PAGE};
use crate::app::effect::Effect;
use crate::app::state::{
    DecisionDialog, DecisionStep, Justification, Level, Overlay, PickFor, RolePick, State,
};
use crate::review::decide::needs_justification;
use crate::review::{Decision, Item, Review, RoleRef, RowSelector};
use crate::words;

/// A decision key: opens its dialog over the rows it acts on, or says why it cannot.
pub(super) fn start(state: &mut State, key: DecisionKey) -> Vec<Effect> {
    let Some(lens) = state.review.active.as_ref() else {
        return Vec::new();
    };
    if let Err(signed) = lens.review.check_unsigned() {
        state.notify(Level::Warn, signed.to_string());
        return Vec::new();
    }
    let rows = lens.targets();
    if rows.is_empty() {
        return Vec::new();
    }
    match first_step(&lens.review, &rows, key) {
        Ok(step) => {
            state.overlay = Some(Overlay::ReviewDecision(Box::new(DecisionDialog {
                lens: lens.id,
                rows,
                key,
                step,
            })));
        }
        Err(why) => state.notify(Level::Warn, why),
    }
    Vec::new()
}

fn first_step(review: &Review, rows: &[usize], key: DecisionKey) -> Result<DecisionStep, String> {
    match key {
        DecisionKey::Keep => Ok(justify(review, rows, Decision::Keep)),
        DecisionKey::Disable => Ok(justify(review, rows, Decision::Disable)),
        DecisionKey::RevokeRole => revoke_step(review, rows),
        DecisionKey::ChangeRole => change_step(review, rows),
    }
}

/// A privileged row revokes its own role; an account row the role picked among those its
/// user holds (no question when they hold one).
fn revoke_step(review: &Review, rows: &[usize]) -> Result<DecisionStep, String> {
    let items: Vec<&Item> = rows.iter().filter_map(|r| review.items.get(*r)).collect();
    let accounts: Vec<&Item> = items.iter().copied().filter(|i| i.role.is_none()).collect();
    if accounts.is_empty() {
        let Some(own) = items.first().and_then(|i| i.role.clone()) else {
            return Err("No row to decide".to_owned());
        };
        // `Review::decide` revokes each privileged row's own role.
        return Ok(justify(review, rows, Decision::RevokeRole { role: own }));
    }
    let roles = roles_held(&accounts, Held::ByAny);
    match roles.as_slice() {
        [] => Err(format!(
            "{} no role to revoke: d disables the account instead",
            who_holds(&accounts)
        )),
        [only] => Ok(justify(
            review,
            rows,
            Decision::RevokeRole { role: only.clone() },
        )),
        _ => Ok(pick(PickFor::Revoke, roles)),
    }
}

/// The role changed is the rows' own (they must share it), or for account rows one their
/// users all hold; then the role it becomes is picked.
fn change_step(review: &Review, rows: &[usize]) -> Result<DecisionStep, String> {
    let items: Vec<&Item> = rows.iter().filter_map(|r| review.items.get(*r)).collect();
    let Some(first) = items.first() else {
        return Err("No row to decide".to_owned());
    };
    if items.iter().any(|i| i.role != first.role) {
        return Err(
            "The rows marked are about different roles: mark the rows of one role to change it"
                .to_owned(),
        );
    }
    if let Some(own) = &first.role {
        return to_step(review, own.clone());
    }
    let common = roles_held(&items, Held::ByAll);
    match common.as_slice() {
        [] => Err(format!(
            "{} no role in common to change: x revokes one, d disables",
            who_holds(&items)
        )),
        [only] => to_step(review, only.clone()),
        _ => Ok(pick(PickFor::ChangeFrom, common)),
    }
}

/// Picking the role `from` becomes: any other role of the org as the review froze it.
fn to_step(review: &Review, from: RoleRef) -> Result<DecisionStep, String> {
    let roles: Vec<RoleRef> = review
        .roles
        .iter()
        .filter(|r| r.id != from.id)
        .cloned()
        .collect();
    if roles.is_empty() {
        return Err(format!(
            "The review lists no other role to change {} to",
            from.name
        ));
    }
    Ok(pick(PickFor::ChangeTo { from }, roles))
}

fn pick(purpose: PickFor, roles: Vec<RoleRef>) -> DecisionStep {
    DecisionStep::PickRole(RolePick {
        purpose,
        roles,
        cursor: ListCursor::default(),
    })
}

/// The justification line for `decision` on `rows`: required when it keeps admin access
/// on one of them.
fn justify(review: &Review, rows: &[usize], decision: Decision) -> DecisionStep {
    let required = rows
        .iter()
        .filter_map(|r| review.items.get(*r))
        .any(|item| needs_justification(item, &decision));
    DecisionStep::Justify(Justification {
        decision,
        why: Input::default(),
        required,
        error: None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Held {
    ByAny,
    ByAll,
}

/// The roles the items' users hold (by any of them, or by all), sorted by name.
fn roles_held(items: &[&Item], held: Held) -> Vec<RoleRef> {
    let mut counts: BTreeMap<(&str, &str), (usize, &RoleRef)> = BTreeMap::new();
    let mut users = std::collections::HashSet::new();
    // A user with several rows counts once.
    for item in items.iter().filter(|i| users.insert(i.user.id.as_str())) {
        for role in &item.user.roles {
            counts
                .entry((role.name.as_str(), role.id.as_str()))
                .or_insert((0, role))
                .0 += 1;
        }
    }
    counts
        .into_values()
        .filter(|(n, _)| held == Held::ByAny || *n == users.len())
        .map(|(_, role)| role.clone())
        .collect()
}

/// "ada@example.com holds", "The 3 accounts marked hold".
fn who_holds(items: &[&Item]) -> String {
    match items {
        [one] => format!("{} holds", one.user.label()),
        _ => format!("The {} marked hold", words::count(items.len(), "account")),
    }
}

/// A key of the open decision dialog.
pub(super) fn on_dialog(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::ReviewDecision(dialog)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    if action == Action::Cancel {
        state.overlay = None;
        state.notify(Level::Info, "Nothing recorded");
        return Vec::new();
    }
    match &mut dialog.step {
        DecisionStep::PickRole(pick) => match action {
            Action::Submit | Action::ToggleItem => picked(state),
            other => {
                pick.cursor.navigate(&other, pick.roles.len(), POPUP_PAGE);
            }
        },
        DecisionStep::Justify(line) => match action {
            Action::TextEdit(request) => {
                line.why.handle(request);
                line.error = None;
            }
            Action::Submit => return submit(state),
            _ => {}
        },
    }
    Vec::new()
}

/// The role under the picker's cursor was chosen: on to the next step.
fn picked(state: &mut State) {
    let (Some(Overlay::ReviewDecision(dialog)), Some(lens)) =
        (state.overlay.as_mut(), state.review.active.as_ref())
    else {
        return;
    };
    let DecisionStep::PickRole(pick) = &dialog.step else {
        return;
    };
    let Some(role) = pick.roles.get(pick.cursor.pos).cloned() else {
        return;
    };
    let next = match &pick.purpose {
        PickFor::Revoke => Ok(justify(
            &lens.review,
            &dialog.rows,
            Decision::RevokeRole { role },
        )),
        PickFor::ChangeFrom => to_step(&lens.review, role),
        PickFor::ChangeTo { from } => {
            let decision = Decision::ChangeRole {
                from: from.clone(),
                to: role,
            };
            Ok(justify(&lens.review, &dialog.rows, decision))
        }
    };
    match next {
        Ok(step) => dialog.step = step,
        Err(why) => {
            state.overlay = None;
            state.notify(Level::Warn, why);
        }
    }
}

/// Enter on the justification: refused empty when it is required, else recorded.
fn submit(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::ReviewDecision(dialog)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    let DecisionStep::Justify(line) = &mut dialog.step else {
        return Vec::new();
    };
    let why = line.why.value().trim().to_owned();
    if line.required && why.is_empty() {
        line.error = Some("Required: this keeps admin access (type why, or Esc)".to_owned());
        return Vec::new();
    }
    let (lens, rows, decision) = (dialog.lens, dialog.rows.clone(), line.decision.clone());
    state.overlay = None;
    if state.review.active.as_ref().is_none_or(|l| l.id != lens) {
        return Vec::new();
    }
    record(state, &rows, decision, &why)
}

/// Records `decision` on `rows` (all or nothing, by the review's rules), then writes the
/// review; the cursor goes on to the next undecided row when it decided its own.
fn record(state: &mut State, rows: &[usize], decision: Decision, why: &str) -> Vec<Effect> {
    let at = OffsetDateTime::from_unix_timestamp(state.now).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let page = state.body_rows();
    let Some(lens) = state.review.active.as_mut() else {
        return Vec::new();
    };
    let newly = rows
        .iter()
        .filter(|r| {
            lens.review
                .items
                .get(**r)
                .is_some_and(|i| i.decision.is_none())
        })
        .count();
    let selector = RowSelector::Rows(rows.to_vec());
    let by = lens.decider.clone();
    let decided = match lens.review.decide(&selector, decision, why, &by, at) {
        Ok(decided) => decided,
        Err(error) => {
            state.notify(Level::Error, format!("Not recorded: {error}"));
            return Vec::new();
        }
    };
    lens.decided += newly;
    lens.changed(&decided);
    let one = lens.marks.is_empty();
    lens.marks.clear();
    let text = recorded_words(lens, &decided);
    if one {
        if let Some(pos) = super::next_undecided(lens) {
            lens.cursor.select(pos, lens.rows.len(), page);
        }
    }
    let effect = super::save(lens);
    state.notify(Level::Info, text);
    vec![effect]
}

/// "keep: ada@example.com (Datadog Admin Role) — 3 of 9 decided"; rows decided
/// differently (each revoking its own role) are named by the decision's kind.
fn recorded_words(lens: &crate::app::state::ReviewLens, rows: &[usize]) -> String {
    let items = &lens.review.items;
    let decisions: Vec<&Decision> = rows
        .iter()
        .filter_map(|r| items.get(*r)?.decision.as_ref())
        .map(|d| &d.decision)
        .collect();
    let (Some(first), Some(decision)) =
        (rows.first().and_then(|r| items.get(*r)), decisions.first())
    else {
        return String::new();
    };
    let what = if decisions.iter().all(|d| d == decision) {
        decision.describe()
    } else {
        decision.name().to_owned()
    };
    let whom = match (rows, &first.role) {
        ([_], Some(role)) => format!("{} ({})", first.user.label(), role.name),
        ([_], None) => first.user.label().to_owned(),
        _ => words::count(rows.len(), "row"),
    };
    format!(
        "{what}: {whom} — {}",
        lens.review.progress_words(lens.decided)
    )
}

/// `Delete`: clears the decisions of the marked rows (or the cursor's), and writes.
pub(super) fn undecide(state: &mut State) -> Vec<Effect> {
    let Some(lens) = state.review.active.as_mut() else {
        return Vec::new();
    };
    if let Err(signed) = lens.review.check_unsigned() {
        state.notify(Level::Warn, signed.to_string());
        return Vec::new();
    }
    let rows: Vec<usize> = lens
        .targets()
        .into_iter()
        .filter(|r| {
            lens.review
                .items
                .get(*r)
                .is_some_and(|i| i.decision.is_some())
        })
        .collect();
    if rows.is_empty() {
        state.notify(Level::Info, "No decision to clear");
        return Vec::new();
    }
    let cleared = match lens.review.undecide(&rows) {
        Ok(cleared) => cleared,
        Err(error) => {
            state.notify(Level::Error, error.to_string());
            return Vec::new();
        }
    };
    lens.decided = lens.decided.saturating_sub(cleared);
    lens.changed(&rows);
    lens.marks.clear();
    let text = format!(
        "Cleared {} — {}",
        words::count(cleared, "decision"),
        lens.review.progress_words(lens.decided)
    );
    let effect = super::save(lens);
    state.notify(Level::Info, text);
    vec![effect]
}
