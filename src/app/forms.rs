//! The invite and edit forms (the role picker has its own module): editing, and submitting them as plans. Pure.

use super::action::Action;
use super::changes::{propose, Purpose};
use super::cursor::POPUP_PAGE;
use super::effect::Effect;
use super::effect::Invitee;
use super::state::*;
use crate::api::models::{Patch, RoleId, UserUpdate};
use crate::email::{parse_email_list as parse_emails, validate_email};
use crate::runs::{Change, Draft};

pub(super) fn on_form(state: &mut State, action: Action) -> Vec<Effect> {
    match state.overlay.as_mut() {
        Some(Overlay::Invite(form)) => {
            if action == Action::Cancel {
                state.overlay = None;
                return Vec::new();
            }
            if action != Action::Submit {
                // Any change to the form asks about missing roles again.
                form.no_roles_warned = false;
            }
            let submitted = on_invite_form(form.as_mut(), action).is_some();
            if matches!(action, Action::TextEdit(_)) {
                refresh_existing(state);
            }
            if submitted {
                submit_invite(state)
            } else {
                Vec::new()
            }
        }
        Some(Overlay::Edit(_)) => on_edit_form(state, action),
        Some(Overlay::Roles(_)) => super::role_picker::on_key(state, action),
        _ => Vec::new(),
    }
}

/// Handles a key in the invite form; `Some` when the form is submitted.
fn on_invite_form(form: &mut InviteForm, action: Action) -> Option<()> {
    let fields = [
        InviteField::Emails,
        InviteField::Name,
        InviteField::Title,
        InviteField::Roles,
    ];
    let pos = fields.iter().position(|f| *f == form.focus).unwrap_or(0);
    match action {
        Action::NextField => {
            form.focus = fields[(pos + 1) % fields.len()];
        }
        Action::PrevField => {
            form.focus = fields[(pos + fields.len() - 1) % fields.len()];
        }
        Action::Up | Action::Down if form.focus == InviteField::Roles => {
            form.role_cursor
                .navigate(&action, form.roles.len(), POPUP_PAGE);
        }
        Action::ToggleItem => {
            if let Some((_, chosen)) = form.roles.get_mut(form.role_cursor.pos) {
                *chosen = !*chosen;
            }
        }
        Action::TextEdit(request) => {
            let field = match form.focus {
                InviteField::Emails => &mut form.emails,
                InviteField::Name => &mut form.name,
                InviteField::Title => &mut form.title,
                InviteField::Roles => return None,
            };
            field.handle(request);
            if form.focus == InviteField::Emails {
                form.parsed = parse_emails(form.emails.value());
            }
        }
        Action::Submit => return Some(()),
        _ => {}
    }
    None
}

/// Which emails of the invite form belong to users already (one pass over the org, on
/// edits of the emails only).
pub(super) fn refresh_existing(state: &mut State) {
    let Some(Overlay::Invite(form)) = state.overlay.as_mut() else {
        return;
    };
    let wanted: std::collections::HashSet<String> = form
        .parsed
        .iter()
        .filter(|e| e.is_valid())
        .map(|e| e.address().to_ascii_lowercase())
        .collect();
    form.existing = if wanted.is_empty() {
        Vec::new()
    } else {
        state
            .store
            .users()
            .iter()
            .filter(|u| wanted.contains(&u.email.to_ascii_lowercase()))
            .map(|u| (u.email.to_string(), u.status))
            .collect()
    };
}

/// What the invite does to a user who exists already, in words (the run's item rules).
pub fn existing_outcome(status: crate::org::Status) -> &'static str {
    match status {
        crate::org::Status::Active => "active: not invited again",
        crate::org::Status::Pending => "pending: invited again",
        crate::org::Status::Disabled => "disabled: not invited (enable first)",
        crate::org::Status::Other => "exists",
    }
}

fn close_overlay_on_cancel(state: &mut State, action: Action) -> bool {
    if action == Action::Cancel {
        state.overlay = None;
        return true;
    }
    false
}

fn submit_invite(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Invite(form)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    form.parsed = parse_emails(form.emails.value());
    if !form.parsed.iter().any(|e| e.is_valid()) {
        let text = if form.parsed.is_empty() {
            "Type or paste at least one email".to_owned()
        } else {
            "None of the emails is valid; fix them first".to_owned()
        };
        state.notify(Level::Warn, text);
        return Vec::new();
    }
    if !form.roles.iter().any(|(_, chosen)| *chosen) && !form.no_roles_warned {
        form.no_roles_warned = true;
        state.notify(
            Level::Warn,
            "No roles chosen — the users get no access; send anyway? C-s again sends",
        );
        return Vec::new();
    }
    let name = Some(form.name.value().trim().to_owned()).filter(|s| !s.is_empty());
    let title = Some(form.title.value().trim().to_owned()).filter(|s| !s.is_empty());
    let invitees: Vec<Invitee> = form
        .parsed
        .iter()
        .filter(|e| e.is_valid())
        .map(|e| Invitee {
            email: e.address().to_owned(),
            name: name.clone(),
            title: title.clone(),
        })
        .collect();
    form.results = form
        .parsed
        .iter()
        .map(|e| {
            let status = match e.problem() {
                Some(problem) => InviteStatus::Failed(format!("not sent: {problem}")),
                None => InviteStatus::Waiting,
            };
            (e.address().to_owned(), status)
        })
        .collect();
    let roles: Vec<RoleId> = form
        .roles
        .iter()
        .filter(|(_, chosen)| *chosen)
        .filter_map(|(ix, _)| state.store.role(*ix).map(|r| r.id.clone()))
        .collect();
    let count = invitees.len();
    let changes = invitees
        .into_iter()
        .map(|invitee| Change::Invite {
            email: invitee.email,
            name: invitee.name,
            title: invitee.title,
            roles: roles.clone(),
        })
        .collect();
    let title = format!("Invite {}", crate::words::count(count, "email"));
    propose(state, Purpose::Invite, Draft::new(title, changes), None)
}

fn on_edit_form(state: &mut State, action: Action) -> Vec<Effect> {
    if close_overlay_on_cancel(state, action) {
        return Vec::new();
    }
    let Some(Overlay::Edit(form)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    if !form.marked.is_empty() {
        // Only the title is shared by marked users.
        match action {
            Action::TextEdit(request) => {
                form.title.handle(request);
                form.error = None;
            }
            Action::Submit | Action::NextField => return submit_marked_title(state),
            _ => {}
        }
        return Vec::new();
    }
    match action {
        Action::NextField if form.focus == 2 => return submit_edit(state),
        Action::NextField => form.focus += 1,
        Action::PrevField => form.focus = form.focus.saturating_sub(1),
        Action::TextEdit(request) => {
            let field = match form.focus {
                0 => &mut form.name,
                1 => &mut form.title,
                _ => &mut form.email,
            };
            field.handle(request);
            form.error = None;
        }
        Action::Submit => return submit_edit(state),
        _ => {}
    }
    Vec::new()
}

/// One title for every marked user: an update for each whose title differs.
fn submit_marked_title(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Edit(form)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    if form.saving {
        return Vec::new();
    }
    let title = form.title.value().trim().to_owned();
    let store = &state.store;
    let changes: Vec<Change> = form
        .marked
        .iter()
        .filter(|id| {
            let current = store.by_id(id).and_then(|u| u.title.as_deref());
            current.unwrap_or_default() != title
        })
        .map(|id| Change::Update {
            user: id.clone(),
            name: None,
            email: None,
            title: Some((!title.is_empty()).then(|| title.clone())),
            current_user: state.me.as_ref() == Some(id),
        })
        .collect();
    if changes.is_empty() {
        state.overlay = None;
        state.notify(
            Level::Info,
            "Nothing changed: every marked user has that title",
        );
        return Vec::new();
    }
    form.saving = true;
    let who = crate::words::count(form.marked.len(), "marked user");
    let verb = if title.is_empty() {
        "Clear the title of"
    } else {
        "Set the title of"
    };
    let draft = Draft::new(format!("{verb} {who}"), changes);
    propose(state, Purpose::BulkEdit, draft, None)
}

fn submit_edit(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Edit(form)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    if form.saving {
        return Vec::new(); // already saving
    }
    let Some(user) = state.store.by_id(&form.user_id) else {
        return Vec::new();
    };
    let name = form.name.value().trim().to_owned();
    let title = form.title.value().trim().to_owned();
    let email = form.email.value().trim().to_owned();
    let mut update = UserUpdate::default();
    if name != *user.name {
        update.name = Some(name);
    }
    if title != user.title.as_deref().unwrap_or_default() {
        update.title = if title.is_empty() {
            Patch::Clear
        } else {
            Patch::Set(title)
        };
    }
    if !email.eq_ignore_ascii_case(&user.email) {
        if let Err(problem) = validate_email(&email) {
            if let Some(Overlay::Edit(form)) = state.overlay.as_mut() {
                form.error = Some(format!("Email: {problem}"));
            }
            return Vec::new();
        }
        update.email = Some(email);
    }
    if update.is_empty() {
        state.overlay = None;
        state.notify(Level::Info, "Nothing changed");
        return Vec::new();
    }
    let Some(Overlay::Edit(form)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    form.saving = true;
    let change = Change::Update {
        user: form.user_id.clone(),
        name: update.name,
        email: update.email,
        title: match update.title {
            Patch::Keep => None,
            Patch::Clear => Some(None),
            Patch::Set(title) => Some(Some(title)),
        },
        current_user: form.current_user,
    };
    let who = state.store.label(&form.user_id.clone());
    let draft = Draft::new(format!("Edit {who}"), vec![change]);
    propose(state, Purpose::Edit, draft, None)
}
