//! A review decision's dialog: the role picker (the role picker's checklist, showing what
//! the decision does to the role under the cursor), then the one-line justification,
//! saying when one is required.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::state::{
    DecisionDialog, DecisionStep, Justification, PickFor, ReviewLens, RolePick, State,
};
use crate::review::Decision;
use crate::text::sanitize;
use crate::words;

use super::{draw_checklist, draw_input_line};
use crate::ui::theme::Theme;
use crate::ui::{centered, popup, rows_then_rest};

pub(super) fn draw_decision(
    frame: &mut Frame,
    area: Rect,
    dialog: &DecisionDialog,
    state: &State,
    theme: &Theme,
) {
    let Some(lens) = state.review.active.as_ref() else {
        return;
    };
    let who = sanitize(&rows_named(lens, &dialog.rows));
    match &dialog.step {
        DecisionStep::PickRole(pick) => draw_pick(frame, area, pick, &who, theme),
        DecisionStep::Justify(line) => draw_justify(frame, area, line, &who, lens, dialog, theme),
    }
}

/// The decision in words: "keep", "revoke Datadog Admin Role"; rows that each revoke
/// their own role say so.
fn decision_words(line: &Justification, lens: &ReviewLens, dialog: &DecisionDialog) -> String {
    let Decision::RevokeRole { role } = &line.decision else {
        return line.decision.describe();
    };
    let items = dialog.rows.iter().filter_map(|r| lens.review.items.get(*r));
    let mut revoked = items.map(|item| item.role.as_ref().unwrap_or(role));
    if revoked.all(|r| r.id == role.id) {
        line.decision.describe()
    } else {
        "revoke each row's own role".to_owned()
    }
}

/// "ada@example.com (Datadog Admin Role)", or "3 marked rows".
fn rows_named(lens: &ReviewLens, rows: &[usize]) -> String {
    match rows {
        [one] => lens
            .review
            .items
            .get(*one)
            .map_or_else(String::new, |item| match &item.role {
                Some(role) => format!("{} ({})", item.user.label(), role.name),
                None => item.user.label().to_owned(),
            }),
        _ => words::count(rows.len(), "marked row"),
    }
}

fn draw_pick(frame: &mut Frame, area: Rect, pick: &RolePick, who: &str, theme: &Theme) {
    let height = (pick.roles.len() as u16 + 3).min(area.height.saturating_sub(4));
    let rect = centered(area, 72, height);
    let title = match &pick.purpose {
        PickFor::Revoke => format!(" Revoke which role? {who} "),
        PickFor::ChangeFrom => format!(" Change which role? {who} "),
        PickFor::ChangeTo { from } => format!(" Change {} to…? {who} ", sanitize(&from.name)),
    };
    let inner = popup(frame, rect, title, theme);
    if inner.height < 2 {
        return;
    }
    let [list, footer] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let adding = matches!(pick.purpose, PickFor::ChangeTo { .. });
    let items: Vec<(String, bool, bool)> = pick
        .roles
        .iter()
        .enumerate()
        .map(|(n, role)| {
            let here = n == pick.cursor.pos;
            // What the decision does to the role under the cursor: added, or taken away.
            let (before, after) = if adding { (false, here) } else { (true, !here) };
            (sanitize(&role.name), before, after)
        })
        .collect();
    draw_checklist(frame, list, &items, pick.cursor.pos, true, theme);
    frame.render_widget(
        Paragraph::new(Line::styled(
            " j/k move · Enter choose · Esc cancel",
            theme.dim,
        )),
        footer,
    );
}

fn draw_justify(
    frame: &mut Frame,
    area: Rect,
    line: &Justification,
    who: &str,
    lens: &ReviewLens,
    dialog: &DecisionDialog,
    theme: &Theme,
) {
    let rect = centered(area, 72, 8);
    let title = format!(" {}: {who} ", sanitize(&decision_words(line, lens, dialog)));
    let inner = popup(frame, rect, title, theme);
    if inner.height < 5 {
        return;
    }
    let [reason, _, label, input, error, help] = rows_then_rest(inner);
    let why_in_scope = match dialog.rows.as_slice() {
        [one] => lens
            .review
            .items
            .get(*one)
            .map_or_else(String::new, |item| sanitize(&item.reason)),
        rows => format!("{} decided together", words::count(rows.len(), "row")),
    };
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {why_in_scope}"), theme.dim)),
        reason,
    );
    let (text, style) = if line.required {
        (
            " Justification (required: this keeps admin access)",
            theme.warn,
        )
    } else {
        (" Justification (optional)", theme.dim)
    };
    frame.render_widget(Paragraph::new(Line::styled(text, style)), label);
    if let Some(why) = &line.error {
        frame.render_widget(
            Paragraph::new(Line::styled(format!(" {why}"), theme.error)),
            error,
        );
    }
    frame.render_widget(
        Paragraph::new(Line::styled(
            " Enter records · Esc cancels (nothing is recorded)",
            theme.dim,
        )),
        help,
    );
    draw_input_line(frame, input, " > ", &line.why, theme.focused_field, theme);
}
