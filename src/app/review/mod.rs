//! `ddusers review open REVIEW.json` and `:review FILE`: an access review as the list —
//! one row per review item (a user's account, or a user and one privileged role) with
//! its reason and decision — decided with keys (`decide`). Every decision is written to
//! the file at once by an effect (writes of a file go one at a time; a failed one leaves
//! its rows shown as not saved); nothing is sent to the org. `:review
//! undecided|decided|keep|revoke-role|disable|change-role|all` narrows, the filter line
//! filters, `:review off` or Esc closes. Pure: the file is read and written by effects.

mod decide;

use std::path::PathBuf;

use super::action::Action;
use super::command_spec::{ArgKind, CommandSpec, Does};
use super::effect::Effect;
use super::msg::ReviewMsg;
use super::state::{Context, Focus, Level, Narrow, OpenedReview, Overlay, ReviewLens, State};
use crate::review::RowDecision;
use crate::words;

pub const COMMANDS: &[CommandSpec] = &[CommandSpec {
    names: &["review"],
    usage: ":review FILE|undecided|decided|DECISION|all|save|off",
    about: "decide a review's rows (DECISION: keep, disable, …)",
    arg: ArgKind::WordsThenPath(&[
        "undecided",
        "decided",
        "keep",
        "revoke-role",
        "disable",
        "change-role",
        "all",
        "save",
        "off",
    ]),
    does: Does::Run(review_command),
}];

fn review_command(state: &mut State, rest: &[&str]) -> Vec<Effect> {
    let Some(first) = rest.first() else {
        state.notify(
            Level::Warn,
            "Usage: :review FILE (from `ddusers review start`), then :review undecided|decided|keep|revoke-role|disable|change-role|all|off",
        );
        return Vec::new();
    };
    let word = first.to_ascii_lowercase();
    if rest.len() == 1 {
        let narrow = Narrow::parse(&word);
        match (&state.review.active, narrow) {
            (Some(_), Some(narrow)) => {
                narrow_to(state, narrow);
                return Vec::new();
            }
            (Some(_), None) if word == "save" => return save_again(state),
            (None, Some(_)) => {
                state.notify(Level::Warn, "No review is open: :review FILE opens one");
                return Vec::new();
            }
            _ if word == "off" => {
                leave(state);
                return Vec::new();
            }
            _ => {}
        }
    }
    let path = rest.join(" ");
    state.notify(Level::Info, format!("Reading {path}…"));
    vec![Effect::ReadReview {
        path: PathBuf::from(path),
    }]
}

/// A review file read, or written.
pub fn on_msg(state: &mut State, msg: ReviewMsg) -> Vec<Effect> {
    match msg {
        ReviewMsg::Opened(Ok(opened)) => {
            state.review.pending = Some(*opened);
            refresh(state);
        }
        ReviewMsg::Opened(Err(error)) => state.notify(
            Level::Error,
            format!("The review could not be opened: {error}"),
        ),
        ReviewMsg::Saved {
            lens,
            revision,
            result,
        } => on_saved(state, lens, revision, result),
    }
    Vec::new()
}

/// Opens a review read before the org finished loading, once it has (or stopped).
pub fn refresh(state: &mut State) {
    if !state.load.done && state.load.error.is_none() {
        return;
    }
    if let Some(opened) = state.review.pending.take() {
        open(state, opened);
    }
}

fn open(state: &mut State, opened: OpenedReview) {
    let id = state.fresh_id();
    let note = opened.note.clone();
    let lens = ReviewLens::new(id, opened, &state.store);
    let signed = lens.review.check_unsigned().err();
    let headline = title(&lens);
    state.review.active = Some(lens);
    state.detail = None;
    state.focus = Focus::List;
    // The users' filter means nothing to the review's rows: they start unfiltered.
    state.view.filter.reset();
    state.rebuild_view();
    match (note, signed) {
        (Some(note), _) => state.notify(Level::Warn, note),
        (None, Some(signed)) => state.notify(Level::Info, signed.to_string()),
        (None, None) => state.notify(
            Level::Info,
            format!("{headline} — y keep, x revoke, d disable, R change role, n next undecided"),
        ),
    }
}

/// Closes the review: back to the users. Writes under way still land.
pub fn leave(state: &mut State) {
    state.review.pending = None;
    let Some(lens) = state.review.active.take() else {
        return;
    };
    if matches!(state.overlay, Some(Overlay::ReviewDecision(_))) {
        state.overlay = None;
    }
    match (&lens.save_error, lens.unsaved.len()) {
        (Some(error), unsaved) if unsaved > 0 => state.notify(
            Level::Error,
            format!(
                "Review closed with {} not saved to {}: {error}",
                words::count(unsaved, "decision"),
                lens.path.display()
            ),
        ),
        _ => state.notify(Level::Info, "Review closed: back to all users"),
    }
}

/// The lens's title: `Review "Q4 2026": 214 of 1,380 decided`.
pub fn title(lens: &ReviewLens) -> String {
    format!(
        "Review \"{}\": {}",
        lens.review.name,
        lens.review.progress_words(lens.decided)
    )
}

/// Shows only the rows `narrow` admits.
fn narrow_to(state: &mut State, narrow: Narrow) {
    let Some(lens) = state.review.active.as_mut() else {
        return;
    };
    lens.only = narrow;
    lens.stale();
    state.rebuild_view();
    if let Some(lens) = &state.review.active {
        let text = format!(
            "{} shown: {}",
            words::count(lens.rows.len(), "row"),
            narrow.label()
        );
        state.notify(Level::Info, text);
    }
}

/// The write of every row not saved yet, as it stands.
fn save(lens: &ReviewLens) -> Effect {
    let mut rows: Vec<usize> = lens.unsaved.keys().copied().collect();
    rows.sort_unstable();
    Effect::WriteReview {
        lens: lens.id,
        revision: lens.revision,
        path: lens.path.clone(),
        rows: rows
            .into_iter()
            .filter_map(|row| RowDecision::of(&lens.review, row))
            .collect(),
    }
}

/// `:review save`: writes the rows not saved yet again (after a failed write).
fn save_again(state: &mut State) -> Vec<Effect> {
    let Some(lens) = state.review.active.as_ref() else {
        return Vec::new();
    };
    let file = lens.path.display().to_string();
    if lens.unsaved.is_empty() {
        state.notify(Level::Info, format!("Every decision is saved to {file}"));
        return Vec::new();
    }
    let effect = save(lens);
    state.notify(Level::Info, format!("Saving to {file}…"));
    vec![effect]
}

/// A write landed (its rows are saved) or failed (they stay shown as not saved, and the
/// error stays on screen until the next write lands).
fn on_saved(state: &mut State, lens: u64, revision: u64, result: Result<(), String>) {
    let open = state.review.active.as_mut().filter(|l| l.id == lens);
    match (open, result) {
        (Some(lens), Ok(())) => lens.saved(revision),
        (Some(lens), Err(error)) => {
            let text = format!(
                "Not saved: {error} (the decision stays unsaved; :review save tries again)"
            );
            lens.save_error = Some(error);
            state.notify(Level::Error, text);
        }
        (None, Ok(())) => {}
        (None, Err(error)) => state.notify(
            Level::Error,
            format!("A review closed since could not be saved: {error}"),
        ),
    }
}

/// Keys while a review is open: its dialog's, the list's (`Context::Review`), and moving
/// while the filter line has the keys. `None` when the review is not concerned.
pub fn on_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    if matches!(state.overlay, Some(Overlay::ReviewDecision(_))) {
        return Some(decide::on_dialog(state, action));
    }
    state.review.active.as_ref()?;
    match state.context() {
        Context::Review => Some(on_list_key(state, action)),
        Context::Filter if matches!(action, Action::Up | Action::Down) => {
            Some(on_list_key(state, action))
        }
        _ => None,
    }
}

/// A key of the review's list (or a command acting as one).
pub fn on_list_key(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Decide(key) => return decide::start(state, key),
        Action::Undecide => return decide::undecide(state),
        Action::Back => back(state),
        Action::StartFilter => state.view.filter_editing = true,
        Action::Help | Action::CommandLine | Action::Reload | Action::ShowMe => {
            return super::browse::on_browse(state, action)
        }
        _ => on_rows(state, action),
    }
    Vec::new()
}

/// Esc: closes the detail, else clears the filter, else closes the review.
fn back(state: &mut State) {
    if state.detail.take().is_some() {
        state.focus = Focus::List;
    } else if !state.view.filter.value().is_empty() {
        state.view.filter.reset();
        state.rebuild_view();
    } else {
        leave(state);
    }
}

/// Moving, marking and jumping over the rows.
fn on_rows(state: &mut State, action: Action) {
    let page = state.body_rows();
    let Some(lens) = state.review.active.as_mut() else {
        return;
    };
    let len = lens.rows.len();
    match action {
        Action::ClickRow(row) => {
            let target = lens.cursor.offset + usize::from(row);
            if target < len {
                lens.cursor.select(target, len, page);
            }
        }
        Action::ToggleMark => {
            if let Some(row) = lens.selected() {
                if !lens.marks.remove(&row) {
                    lens.marks.insert(row);
                }
                lens.cursor.step(1, len, page);
            }
        }
        Action::MarkAllInView => {
            let before = lens.marks.len();
            lens.marks.extend(lens.rows.iter().copied());
            let text = format!(
                "Marked {} ({} marked in all)",
                words::count(lens.marks.len() - before, "row"),
                words::thousands(lens.marks.len() as u64)
            );
            state.notify(Level::Info, text);
        }
        Action::ClearMarks => lens.marks.clear(),
        Action::NextUndecided => match next_undecided(lens) {
            Some(pos) => {
                lens.cursor.select(pos, len, page);
            }
            None => state.notify(Level::Info, "Every row shown is decided"),
        },
        other => {
            lens.cursor.navigate(&other, len, page);
        }
    }
}

/// The position of the first undecided row shown after the cursor, from the top again
/// when there is none below.
fn next_undecided(lens: &ReviewLens) -> Option<usize> {
    let undecided = |pos: &usize| {
        let row = lens.rows[*pos];
        lens.review.items[row].decision.is_none()
    };
    let after = lens.cursor.pos + 1;
    (after..lens.rows.len())
        .chain(0..after.min(lens.rows.len()))
        .find(undecided)
}
