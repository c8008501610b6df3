//! Bracketed paste into whatever field has focus. Pure.

use tui_input::Input;

use super::listing::filter_changed;
use super::state::*;
use crate::email::parse_email_list as parse_emails;

fn insert_text(input: &mut Input, text: &str) {
    let value = input.value();
    let cursor_byte = value
        .char_indices()
        .nth(input.cursor())
        .map_or(value.len(), |(b, _)| b);
    let mut new = String::with_capacity(value.len() + text.len());
    new.push_str(&value[..cursor_byte]);
    new.push_str(text);
    new.push_str(&value[cursor_byte..]);
    let cursor = input.cursor() + text.chars().count();
    *input = Input::new(new).with_cursor(cursor);
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

pub(super) fn on_paste(state: &mut State, text: &str) {
    if let Some(plan) = state.plan.as_mut().filter(|p| p.is_shown()) {
        insert_text(&mut plan.typed, &one_line(text));
        return;
    }
    match state.overlay.as_mut() {
        Some(Overlay::Invite(form)) => match form.focus {
            InviteField::Emails => {
                // Newline-separated lists become comma-separated on one line.
                let joined = text
                    .split(['\n', '\r'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                let needs_sep = !form.emails.value().trim_end().is_empty()
                    && !form.emails.value().trim_end().ends_with(',');
                let joined = if needs_sep {
                    format!(", {joined}")
                } else {
                    joined
                };
                insert_text(&mut form.emails, &joined);
                form.parsed = parse_emails(form.emails.value());
                super::forms::refresh_existing(state);
            }
            InviteField::Name => insert_text(&mut form.name, &one_line(text)),
            InviteField::Title => insert_text(&mut form.title, &one_line(text)),
            InviteField::Roles => {}
        },
        Some(Overlay::Edit(form)) => {
            let field = match form.focus {
                0 => &mut form.name,
                1 => &mut form.title,
                _ => &mut form.email,
            };
            insert_text(field, &one_line(text));
        }
        Some(Overlay::Command(line)) => {
            insert_text(&mut line.input, &one_line(text));
            line.edited();
        }
        Some(Overlay::ReviewDecision(dialog)) => {
            if let DecisionStep::Justify(line) = &mut dialog.step {
                insert_text(&mut line.why, &one_line(text));
                line.error = None;
            }
        }
        Some(_) => {}
        None if state
            .detail
            .as_ref()
            .is_some_and(|d| d.permissions.searching) =>
        {
            if let Some(detail) = state.detail.as_mut() {
                insert_text(&mut detail.permissions.query, &one_line(text));
            }
        }
        None => {
            state.view.filter_editing = true;
            insert_text(&mut state.view.filter, &one_line(text));
            // Reuse the filter path so the server is asked too.
            let _ = filter_changed(state);
        }
    }
}
