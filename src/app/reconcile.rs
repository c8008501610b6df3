//! `:reconcile FILE`: the org matched with a people list from HR or the identity provider
//! (see [`crate::audit::reconcile`]), shown as the list — active leavers, orphans and
//! service accounts, each with its reason in a Finding column — with every action of the
//! list available on it. `:reconcile leavers|orphans|service|all` narrows, `:reconcile
//! off` or Esc closes. Pure: the file is read by an effect.

use std::collections::HashMap;
use std::path::PathBuf;

use super::columns::ExplainColumns;
use super::command_spec::{ArgKind, CommandSpec, Does};
use super::diff::{lens_members, text_width};
use super::effect::Effect;
use super::state::{Level, ReconcileLens, State};
use crate::audit::reconcile::{reconcile, FindingKind, People};

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    names: &["reconcile"],
    usage: ":reconcile FILE|leavers|orphans|service|all|off",
    about: "leavers and orphans against a people list (CSV)",
    arg: ArgKind::WordsThenPath(&["leavers", "orphans", "service", "all", "off"]),
    does: Does::Run(reconcile_command),
}];

fn reconcile_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let Some(first) = rest.first() else {
        state.notify(
            Level::Warn,
            "Usage: :reconcile FILE (a people CSV with an email column), then :reconcile leavers|orphans|service|all|off",
        );
        return Vec::new();
    };
    let word = first.to_ascii_lowercase();
    if state.reconcile.active.is_some() && rest.len() == 1 {
        if word == "all" {
            narrow(state, None);
            return Vec::new();
        }
        if let Some(kind) = FindingKind::parse(&word) {
            narrow(state, Some(kind));
            return Vec::new();
        }
    }
    if word == "off" && rest.len() == 1 {
        leave(state);
        return Vec::new();
    }
    let path = rest.join(" ");
    state.notify(Level::Info, format!("Reading {path}…"));
    vec![Effect::ReadPeople {
        path: PathBuf::from(path),
    }]
}

/// The people file was read: it waits for the org to finish loading, then matches.
pub fn on_people(state: &mut State, result: Result<Box<People>, String>) {
    match result {
        Ok(people) => {
            state.reconcile.pending = Some(*people);
            refresh(state);
        }
        Err(error) => state.notify(Level::Error, format!("Reconcile failed: {error}")),
    }
}

/// Matches once the org is loaded (a list read before then waits for it), and again
/// whenever the org changes under an open lens (a change landed, a reload).
pub fn refresh(state: &mut State) {
    if !state.load.done {
        return;
    }
    if let Some(people) = state.reconcile.pending.take() {
        open(state, people);
        return;
    }
    let now = (state.store.revision(), state.store.len());
    let Some(lens) = state
        .reconcile
        .active
        .as_ref()
        .filter(|l| l.computed_at != now)
    else {
        return;
    };
    let (people, only) = (lens.people.clone(), lens.only);
    compute(state, people, only);
}

fn open(state: &mut State, people: People) {
    let summary = compute(state, people, None);
    state.view.tab = super::action::StatusTab::All;
    state.rebuild_view();
    state.notify(
        Level::Info,
        format!("{summary} — :reconcile leavers|orphans|service narrows, Esc closes"),
    );
}

/// Matches the org against `people` and shows the findings of kind `only`; the summary.
fn compute(state: &mut State, people: People, only: Option<FindingKind>) -> String {
    let found = reconcile(&state.store, &people);
    let summary = found.summary();
    let cells: super::state::ExplanationCells = found
        .findings
        .iter()
        .map(|f| (f.ix, vec![cell(f.kind, &f.reason)].into_boxed_slice()))
        .collect();
    let widest = cells
        .values()
        .filter_map(|c| c.first())
        .map(|t| text_width(t))
        .max();
    let findings: HashMap<_, _> = found.findings.into_iter().map(|f| (f.ix, f)).collect();
    state.reconcile.active = Some(ReconcileLens {
        summary: summary.clone(),
        findings,
        only: None,
        members: Default::default(),
        tab_counts: [0; 5],
        explain: ExplainColumns {
            labels: vec!["Finding".to_owned()],
            widest: vec![widest.unwrap_or(8)],
        },
        cells,
        people,
        computed_at: (state.store.revision(), state.store.len()),
    });
    narrow(state, only);
    summary
}

/// "leaver: marked left (terminated) in people.csv row 14": short, so the reason shows.
fn cell(kind: FindingKind, reason: &str) -> String {
    let short = match kind {
        FindingKind::ActiveLeaver => "leaver",
        FindingKind::Orphan => "orphan",
        FindingKind::ServiceAccount => "service",
    };
    // The reason quotes the file's name and cells: made safe once, here, for every draw.
    crate::text::sanitize(&format!("{short}: {reason}"))
}

/// Shows only the findings of `kind` (all of them for `None`).
fn narrow(state: &mut State, kind: Option<FindingKind>) {
    let Some(lens) = state.reconcile.active.as_mut() else {
        return;
    };
    lens.only = kind;
    (lens.members, lens.tab_counts) = lens_members(&state.store, &lens.findings, |f| {
        kind.is_none_or(|k| f.kind == k)
    });
    state.reconcile.generation += 1;
    state.rebuild_view();
}

/// Closes the reconciliation: back to all users.
pub fn leave(state: &mut State) {
    state.reconcile.pending = None;
    if state.reconcile.active.take().is_none() {
        return;
    }
    state.reconcile.generation += 1;
    state.rebuild_view();
    state.notify(Level::Info, "Reconciliation closed: back to all users");
}

/// The lens line's title: "Reconcile: active leaver (2)".
pub fn title(lens: &ReconcileLens) -> String {
    match lens.only {
        Some(kind) => format!("Reconcile: {} ({})", kind.label(), lens.members.len()),
        None => format!("Reconcile: every finding ({})", lens.members.len()),
    }
}
