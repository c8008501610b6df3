//! `:diff FILE`: the org compared with an older snapshot, as the list — the users added,
//! removed and changed, with what changed, narrowed with `:diff added|removed|changed`.
//! Removed users join a copy of the org for as long as the comparison is open, so they can
//! be listed, filtered and exported like anyone; closing it puts the org back. Pure.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use super::columns::ExplainColumns;
use super::command_spec::{ArgKind, CommandSpec, Does};
use super::effect::Effect;
use super::state::{DiffBase, DiffLens, Level, State};
use super::view::tab_counts;
use crate::audit::diff::{diff, ChangeKind, UserChange};
use crate::org::{Org, TextPolicy, UserIx};
use crate::words;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    names: &["diff"],
    usage: ":diff FILE|added|removed|changed|all|off",
    about: "who was added, removed, changed since a snapshot",
    arg: ArgKind::WordsThenPath(&["added", "removed", "changed", "all", "off"]),
    does: Does::Run(diff_command),
}];

fn diff_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let Some(first) = rest.first() else {
        state.notify(
            Level::Warn,
            "Usage: :diff FILE (a snapshot from `ddusers snapshot`), then :diff added|removed|changed|all|off",
        );
        return Vec::new();
    };
    let word = first.to_ascii_lowercase();
    if state.diff.active.is_some() {
        if word == "all" {
            narrow(state, None);
            return Vec::new();
        }
        if let Some(kind) = ChangeKind::parse(&word) {
            narrow(state, Some(kind));
            return Vec::new();
        }
    }
    if word == "off" {
        leave(state);
        return Vec::new();
    }
    state.notify(Level::Info, format!("Reading {}…", rest.join(" ")));
    vec![Effect::ReadSnapshot {
        path: PathBuf::from(rest.join(" ")),
    }]
}

/// The snapshot was read: it waits for the org to finish loading, then compares.
pub fn on_base(state: &mut State, result: Result<Box<DiffBase>, String>) {
    match result {
        Ok(base) => {
            state.diff.pending = Some(*base);
            refresh(state);
        }
        Err(error) => state.notify(Level::Error, format!("Compare failed: {error}")),
    }
}

/// Compares once the org is loaded (a snapshot read before then waits for it).
pub fn refresh(state: &mut State) {
    if state.diff.pending.is_none() || !state.load.done {
        return;
    }
    if let Some(base) = state.diff.pending.take() {
        open(state, base);
    }
}

fn open(state: &mut State, base: DiffBase) {
    // A second comparison starts from the org itself, not the first one's copy.
    let live = match state.diff.active.take() {
        Some(lens) => lens.live,
        None => state.store.clone(),
    };
    let old = Org::from_snapshot(&base.snapshot, TextPolicy::Display);
    let per_user = diff(&old, &live).per_user();
    let mut with_removed = (*live).clone();
    for user in &base.snapshot.users {
        let removed = per_user
            .get(&user.id)
            .is_some_and(|c| c.kind == ChangeKind::Removed);
        if removed {
            with_removed.upsert(user);
        }
    }
    let changes: HashMap<UserIx, UserChange> = per_user
        .into_iter()
        .filter_map(|(id, change)| Some((with_removed.index_of(&id)?, change)))
        .collect();
    let mut counts = [0usize; 3];
    for change in changes.values() {
        counts[change.kind as usize] += 1;
    }
    let cells: HashMap<UserIx, Box<[String]>> = changes
        .iter()
        .map(|(ix, change)| (*ix, vec![change.text.clone()].into_boxed_slice()))
        .collect();
    let widest = changes.values().map(|c| text_width(&c.text)).max();
    let explain = ExplainColumns {
        labels: vec!["Change".to_owned()],
        widest: vec![widest.unwrap_or(8)],
    };
    state.store = Arc::new(with_removed);
    state.diff.active = Some(DiffLens {
        label: base.label,
        members: Default::default(),
        changes,
        only: None,
        counts,
        tab_counts: [0; 5],
        live,
        explain,
        cells,
    });
    narrow(state, None);
    state.view.tab = super::action::StatusTab::All;
    state.rebuild_view();
    let text = match summary(state) {
        Some(text) => format!("{text} — :diff added|removed|changed narrows, :diff off closes"),
        None => "No user changed since the snapshot".to_owned(),
    };
    state.notify(Level::Info, text);
}

/// Shows only the changes of `kind` (all of them for `None`).
fn narrow(state: &mut State, kind: Option<ChangeKind>) {
    let Some(lens) = state.diff.active.as_mut() else {
        return;
    };
    lens.only = kind;
    (lens.members, lens.tab_counts) = lens_members(&state.store, &lens.changes, |c| {
        kind.is_none_or(|k| c.kind == k)
    });
    state.diff.generation += 1;
    state.rebuild_view();
}

/// A lens's members (the users whose entry `keep` admits) and their count per status tab.
pub(super) fn lens_members<T>(
    store: &Org,
    entries: &HashMap<UserIx, T>,
    keep: impl Fn(&T) -> bool,
) -> (HashSet<UserIx>, [usize; 5]) {
    let members: HashSet<UserIx> = entries
        .iter()
        .filter(|(_, entry)| keep(entry))
        .map(|(ix, _)| *ix)
        .collect();
    let counts = tab_counts(members.iter().filter_map(|ix| store.get(*ix)));
    (members, counts)
}

/// "3 added, 1 removed, 5 changed since snapshot old.json …".
pub fn summary(state: &State) -> Option<String> {
    let lens = state.diff.active.as_ref()?;
    if lens.changes.is_empty() {
        return None;
    }
    let parts: Vec<String> = ChangeKind::ALL
        .iter()
        .map(|k| {
            format!(
                "{} {}",
                words::thousands(lens.counts[*k as usize] as u64),
                k.label()
            )
        })
        .collect();
    Some(format!("{} since {}", parts.join(", "), lens.label))
}

/// Closes the comparison: the org without the removed users again.
pub fn leave(state: &mut State) {
    state.diff.pending = None;
    let Some(lens) = state.diff.active.take() else {
        return;
    };
    state.store = lens.live;
    // Removed users were never in the org: their marks go too.
    let store = state.store.clone();
    state.marks.retain(|id| store.index_of(id).is_some());
    state.diff.generation += 1;
    state.rebuild_view();
    state.notify(Level::Info, "Comparison closed: back to all users");
}

/// The change column's text for a user (empty when not comparing, or unchanged).
pub fn change_of(state: &State, ix: UserIx) -> Option<&UserChange> {
    state.diff.active.as_ref()?.changes.get(&ix)
}

/// A cell's width in terminal columns, capped (the column policy caps it again).
pub(super) fn text_width(text: &str) -> u16 {
    let width = unicode_width::UnicodeWidthStr::width(text);
    u16::try_from(width).unwrap_or(u16::MAX)
}
