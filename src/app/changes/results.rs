//! The result dialog of a finished run: its items scroll (failures first), `r` retries the
//! items that did not settle as a new run through the change gate (the journal's resume
//! path: a draft proposed like any change), `y` copies the listed user ids to the terminal's
//! clipboard (an effect: the runtime writes the escape sequence), Enter or Esc closes.

use crate::app::action::Action;
use crate::app::cursor::POPUP_PAGE;
use crate::app::effect::Effect;
use crate::app::state::{Level, Overlay, Purpose, State, Summary};
use crate::runs::Draft;

use super::propose;

/// Handles the keys of the result dialog.
pub fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Summary(summary)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    let rows = summary.rows.len();
    match action {
        Action::Cancel | Action::Back | Action::Submit | Action::Confirm => {
            state.overlay = None;
            Vec::new()
        }
        Action::RetryFailed => retry(state),
        Action::CopyIds => copy_ids(state),
        other => {
            summary.cursor.navigate(&other, rows, POPUP_PAGE);
            Vec::new()
        }
    }
}

/// The draft a retry proposes: a new run of the items that did not settle.
pub fn retry_draft(summary: &Summary) -> Option<Draft> {
    if summary.retry.is_empty() {
        return None;
    }
    let title = summary
        .title
        .strip_prefix("Retry: ")
        .unwrap_or(&summary.title);
    Some(Draft::new(format!("Retry: {title}"), summary.retry.clone()))
}

/// `r`: the failed items again, as a new run, confirmed like any change. The dialog stays
/// until the run starts (cancelling the confirmation comes back to it).
fn retry(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Summary(summary)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    match retry_draft(summary) {
        Some(draft) => propose(state, Purpose::Retry, draft, None),
        None => {
            state.notify(Level::Info, "Nothing to retry: every item settled");
            Vec::new()
        }
    }
}

/// `y`: the user ids of the items needing attention (or of every item) to the clipboard.
fn copy_ids(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Summary(summary)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    let ids = summary.ids_to_copy();
    if ids.is_empty() {
        state.notify(Level::Warn, "No user ids to copy");
        return Vec::new();
    }
    let which = if summary.attention() > 0 {
        " (the failed ones)"
    } else {
        ""
    };
    let text = ids
        .iter()
        .map(|id| id.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    state.notify(
        Level::Info,
        format!(
            "copied {}{which} to the clipboard",
            crate::words::count(ids.len(), "id")
        ),
    );
    vec![Effect::CopyToClipboard { text }]
}
