//! The change dialog: while the org is read ("checking…"), then what the plan contains and
//! what it will break (the gate's summary lines, shared with the command line), the changes
//! one per line, the refusals, and exactly what to type or press to go ahead. Also the
//! question asked when quitting mid-run. Drawing only.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::dialogs::draw_input_line;
use super::theme::Theme;
use super::{block, centered, spinner};
use crate::app::changes::{PlanDialog, PlanStage, Purpose};
use crate::app::effect::BulkKind;
use crate::app::journal::{describe_change, RunAction};
use crate::app::state::State;
use crate::domain::Confirmation;
use crate::runs::describe::{count, Level};
use crate::runs::Verdict;
use crate::text::sanitize;

/// Key owners named in the dialog.
const KEY_OWNERS_SHOWN: usize = 3;

/// What the purpose does, in one sentence.
fn consequence(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Bulk(BulkKind::Disable) => {
            "Disabled users can no longer log in, and Datadog revokes their application keys. Enable (E) lets them log in again; revoked keys stay revoked."
        }
        Purpose::Bulk(BulkKind::Enable) => {
            "Enabled users can log in again (pending ones still need to accept their invitation)."
        }
        Purpose::Bulk(BulkKind::CancelInvitations) => {
            "Their pending invitation links stop working. You can invite them again later."
        }
        Purpose::Bulk(BulkKind::ResendInvitation) => "Each user gets a new invitation email.",
        Purpose::Anonymize => {
            "Anonymizing erases their name, email and handle for good and disables them. It CANNOT be undone."
        }
        Purpose::Invite => "Missing users are created with the chosen roles, then invited.",
        Purpose::Edit => "The profile is saved.",
        Purpose::BulkEdit => "Each user's title is replaced; names and emails stay as they are.",
        Purpose::Roles | Purpose::BulkRoles => "Roles are added first, then removed.",
        Purpose::Journal(RunAction::Resume) => {
            "Each item left is read first: nothing already done is sent again."
        }
        Purpose::Journal(RunAction::Undo) => {
            "A new run that puts back what the run changed, newest first; users changed since are left as they are."
        }        Purpose::Retry => {
            "A new run of the items that failed: each is read first, and what is already so is left alone."
        }
    }
}

/// The dialog's text in three parts: what it is about (summary), the changes one per line
/// (shown as room allows), and what to do (always shown).
struct Parts {
    head: Vec<Line<'static>>,
    items: Vec<Line<'static>>,
    foot: Vec<Line<'static>>,
    /// The person types an answer (a field below the text).
    typed: bool,
}

/// Rows `lines` take when wrapped at `width` columns.
fn rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(width) as u16)
        .sum()
}

/// Draws the dialog.
pub fn draw_plan(frame: &mut Frame, area: Rect, plan: &PlanDialog, state: &State, theme: &Theme) {
    let title = format!(" {} ", sanitize(&plan.draft.title()));
    let mut parts = plan_parts(plan, state, theme);
    let width = area.width.saturating_sub(4).min(84);
    let inner_width = width.saturating_sub(2);
    let field_rows: u16 = if parts.typed { 3 } else { 0 };
    let head_rows = rows(&parts.head, inner_width);
    let foot_rows = rows(&parts.foot, inner_width) + 1;
    let room = area
        .height
        .saturating_sub(2 + 2 + field_rows + head_rows + foot_rows);
    parts.items = items_in_room(std::mem::take(&mut parts.items), room, theme);
    let middle_rows = parts.items.len() as u16 + u16::from(!parts.items.is_empty());
    let text_rows = head_rows + middle_rows + foot_rows;
    let rect = centered(area, width, (text_rows + 2 + field_rows).min(area.height));
    frame.render_widget(Clear, rect);
    let text_box = Rect {
        height: rect.height.saturating_sub(field_rows),
        ..rect
    };
    let outer = block(Span::styled(title, theme.warn), true, theme);
    let inner = outer.inner(text_box);
    frame.render_widget(outer, text_box);
    let typed = parts.typed;
    draw_text(frame, inner, parts, foot_rows);
    if typed && rect.height > field_rows + 2 {
        draw_typed_field(frame, rect, field_rows, plan, theme);
    }
}

/// The dialog's parts for the stage it is at, with the gate's hint (if any) at the foot.
fn plan_parts(plan: &PlanDialog, state: &State, theme: &Theme) -> Parts {
    let mut parts = match &plan.stage {
        PlanStage::Preparing => {
            let n = plan.draft.items().len();
            Parts {
                head: vec![Line::styled(
                    format!(
                        "{} Checking {} against the org as it is now…",
                        spinner(state),
                        count(n, "change")
                    ),
                    theme.warn,
                )],
                items: Vec::new(),
                foot: vec![Line::styled("Esc cancels; nothing is sent yet.", theme.dim)],
                typed: false,
            }
        }
        PlanStage::Failed(error) => Parts {
            head: vec![Line::styled(
                format!("Could not check this change: {}", sanitize(error)),
                theme.error,
            )],
            items: Vec::new(),
            foot: vec![Line::styled(
                "Nothing was sent. Enter or Esc closes.",
                theme.dim,
            )],
            typed: false,
        },
        PlanStage::Ready { verdict, .. } => ready_parts(plan, verdict, state, theme),
    };
    if let Some(hint) = &plan.hint {
        parts.foot.push(Line::styled(hint.clone(), theme.warn));
    }
    parts
}

/// The changes that fit in `room` rows: all of them, or as many as leave a last row saying
/// how many more there are.
fn items_in_room(items: Vec<Line<'static>>, room: u16, theme: &Theme) -> Vec<Line<'static>> {
    let shown = if items.len() <= usize::from(room) {
        items.len()
    } else {
        usize::from(room.saturating_sub(1))
    };
    let more = items.len() - shown;
    let mut lines: Vec<Line> = items.into_iter().take(shown).collect();
    if more > 0 && room > 0 {
        lines.push(Line::styled(
            format!("  … and {} more", crate::words::thousands(more as u64)),
            theme.dim,
        ));
    }
    lines
}

/// The dialog's text inside its border: the summary and the changes from the top, what to
/// do from the bottom up, so that it is never the part cut off.
fn draw_text(frame: &mut Frame, inner: Rect, parts: Parts, foot_rows: u16) {
    let mut lines = parts.head;
    if !parts.items.is_empty() {
        lines.push(Line::from(""));
        lines.extend(parts.items);
    }
    lines.push(Line::from(""));
    let foot_height = foot_rows.saturating_sub(1).min(inner.height);
    let body = Rect {
        height: inner.height.saturating_sub(foot_height),
        ..inner
    };
    let foot = Rect {
        y: inner.y + body.height,
        height: foot_height,
        ..inner
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    frame.render_widget(Paragraph::new(parts.foot).wrap(Wrap { trim: false }), foot);
}

/// The field the person types the confirmation into, in its own box below the text.
fn draw_typed_field(
    frame: &mut Frame,
    rect: Rect,
    field_rows: u16,
    plan: &PlanDialog,
    theme: &Theme,
) {
    let outline = Rect::new(
        rect.x,
        rect.y + rect.height - field_rows,
        rect.width,
        field_rows,
    );
    frame.render_widget(Clear, outline);
    frame.render_widget(block("", true, theme), outline);
    let field = Rect::new(
        outline.x + 2,
        outline.y + 1,
        outline.width.saturating_sub(4),
        1,
    );
    draw_input_line(frame, field, "> ", &plan.typed, theme.focused_field, theme);
}

/// The checked plan's parts.
fn ready_parts(plan: &PlanDialog, verdict: &Verdict, state: &State, theme: &Theme) -> Parts {
    let summary = &verdict.summary;
    let mut head: Vec<Line<'static>> = summary
        .lines(KEY_OWNERS_SHOWN)
        .into_iter()
        .map(|line| {
            let style = match line.level {
                Level::Info => ratatui::style::Style::new(),
                Level::Warn => theme.warn,
                Level::Refused => theme.error,
            };
            Line::styled(sanitize(&line.text), style)
        })
        .collect();
    if let Some((n, why)) = plan.left_out {
        head.push(Line::styled(
            format!("{} left out: {why}", count(n, "user")),
            theme.dim,
        ));
    }
    let items = plan
        .draft
        .items()
        .iter()
        .map(|item| {
            Line::from(format!(
                "  • {}",
                sanitize(&describe_change(state, &item.change))
            ))
        })
        .collect();
    let mut foot = Vec::new();
    let typed;
    if plan.asks_for_email() {
        let email = plan.caller_email().unwrap_or("your email");
        foot.push(Line::styled(
            format!(
                "To include yourself anyway, type your email ({}) and press Enter; your own changes then run last. Esc cancels.",
                sanitize(email)
            ),
            theme.title,
        ));
        typed = true;
    } else if verdict.plan().is_none() {
        foot.push(Line::styled(
            "Nothing was sent. Enter or Esc closes.",
            theme.dim,
        ));
        typed = false;
    } else {
        foot.push(Line::styled(consequence(plan.purpose), theme.warn));
        let confirmation = &summary.confirmation;
        foot.push(Line::styled(
            instruction(confirmation, plan.purpose),
            theme.title,
        ));
        typed = matches!(confirmation, Confirmation::Type(_));
    }
    Parts {
        head,
        items,
        foot,
        typed,
    }
}

fn instruction(confirmation: &Confirmation, purpose: Purpose) -> String {
    let verb = purpose.verb();
    let no = purpose.no_word();
    match confirmation {
        Confirmation::Enter => format!("[Enter/y] {verb}   [Esc/n] {no}"),
        Confirmation::Yes => format!("[y] {verb}   [n/Esc] {no}   (Enter does not confirm)"),
        Confirmation::Type(word) => format!("type {word} and press Enter to {verb}   [Esc] {no}"),
    }
}

/// `q` while a run is in flight.
pub fn draw_quit(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let left = state
        .run
        .as_ref()
        .map_or(0, |r| r.total.saturating_sub(r.done_count()));
    let lines = vec![
        Line::styled(
            format!(
                "A run is in flight: quit and leave {} unfinished?",
                count(left, "item")
            ),
            theme.warn,
        ),
        Line::from("Nothing is lost: the journal keeps the run, and J resumes it later."),
        Line::from(""),
        Line::styled("  [y] quit   [n/Esc] stay", theme.title),
    ];
    let rect = centered(area, 64, rows(&lines, 62) + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(Span::styled(" Quit? ", theme.warn), true, theme)),
        rect,
    );
}
