//! `update`: the only place the state changes. Takes one message, returns the effects to run.
//! Pure: no I/O, no clock (time comes in `Msg::Tick`), no drawing.

use super::action::Action;
use super::effect::Effect;
use super::msg::Msg;
use super::state::*;

/// The effects to run when the console starts: who am I (and may I write), the roles, the
/// listing, and a look at the journal for unfinished runs.
pub fn init(state: &mut State) -> Vec<Effect> {
    let mut effects = vec![Effect::LoadCurrentUser, Effect::LoadRoles];
    // The demo org says once, at start, that its changes vanish and how to leave it.
    state.demo_notice = state.options.demo;
    effects.push(super::listing::start_load(state));
    // The remembered columns.
    effects.push(Effect::LoadSettings);
    // Runs left unfinished by an earlier session are announced.
    let fresh = state.fresh_request();
    let request_id = state.journal_check.issue(fresh);
    effects.push(Effect::LoadJournal { request_id });
    effects
}

/// Applies one message: routes it to the feature it is for, then brings what is derived
/// from the org (the open audit view) up to date.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let effects = route(state, msg);
    super::audit::refresh(state);
    super::diff::refresh(state);
    super::reconcile::refresh(state);
    super::review::refresh(state);
    effects
}

fn route(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Action(action) => on_action(state, action),
        Msg::Paste(text) => {
            super::paste::on_paste(state, &text);
            Vec::new()
        }
        Msg::Resize { width, height } => {
            state.size = (width, height);
            let rows = state.body_rows();
            state.view.cursor.clamp(state.view.rows.len(), rows);
            if let Some(lens) = state.review.active.as_mut() {
                lens.cursor.clamp(lens.rows.len(), rows);
            }
            Vec::new()
        }
        Msg::Tick { now } => {
            on_tick(state, now);
            Vec::new()
        }
        Msg::Access(access) => {
            state.access = access;
            Vec::new()
        }
        Msg::Notice(text) => {
            state.notify(Level::Warn, text);
            Vec::new()
        }
        Msg::Load(msg) => super::listing::on_msg(state, msg),
        Msg::Detail {
            request_id,
            user_id,
            result,
        } => super::detail::on_answer(state, request_id, user_id, result),
        Msg::History {
            request_id,
            user_id,
            history,
        } => super::detail::on_history(state, request_id, user_id, history),
        Msg::Run(msg) => super::changes::on_msg(state, msg),
        Msg::Audit(msg) => super::audit::on_msg(state, msg),
        msg @ Msg::JournalRuns { .. } => super::journal::on_msg(state, msg),
        msg @ Msg::Folder { .. } => super::palette::on_msg(state, msg),
        Msg::Settings(msg) => super::column_choice::on_msg(state, msg),
        Msg::Review(msg) => super::review::on_msg(state, msg),
    }
}

/// The clock: spinners turn, passing messages pass.
fn on_tick(state: &mut State, now: i64) {
    state.now = now;
    state.tick = state.tick.wrapping_add(1);
    if state
        .toast
        .as_ref()
        .is_some_and(|t| t.until.is_some_and(|until| now >= until))
    {
        state.toast = None;
    }
}

fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    // The demo notice goes with the first key, which then does what it always does.
    state.demo_notice = false;
    if matches!(state.overlay, Some(Overlay::QuitWhileRunning)) && state.plan.is_none() {
        match action {
            Action::Confirm | Action::Quit => state.should_quit = true,
            Action::Cancel | Action::Back => state.overlay = None,
            _ => {}
        }
        return Vec::new();
    }
    if action == Action::Quit {
        if state.run_in_flight() {
            // Quitting cuts the run short: say what is left, and how to finish it.
            state.plan = None;
            state.overlay = Some(Overlay::QuitWhileRunning);
        } else {
            state.should_quit = true;
        }
        return Vec::new();
    }
    if state.plan.as_ref().is_some_and(|p| p.is_shown()) {
        return super::changes::on_action(state, action);
    }
    if let Some(effects) = super::review::on_action(state, action)
        .or_else(|| super::audit::on_action(state, action))
        .or_else(|| super::journal::on_action(state, action))
        .or_else(|| super::column_choice::on_action(state, action))
    {
        return effects;
    }
    match state.context() {
        Context::Browse => super::browse::on_browse(state, action),
        Context::Filter => super::listing::on_filter(state, action),
        Context::Command => super::palette::on_command_line(state, action),
        // The plan dialog and the quit question are handled above.
        Context::Confirm | Context::TypedConfirm => Vec::new(),
        Context::Form | Context::Picker => super::forms::on_form(state, action),
        Context::Help | Context::HelpSearch => {
            super::help::on_help(state, action);
            Vec::new()
        }
        Context::Summary => {
            if matches!(
                action,
                Action::Cancel | Action::Confirm | Action::Submit | Action::Back
            ) {
                state.overlay = None;
            }
            Vec::new()
        }
        Context::Results => super::changes::on_results(state, action),
        // Handled by `review::on_action`, `audit::on_action`, `journal::on_action` and
        // `column_choice::on_action` above.
        Context::Search
        | Context::Prompt
        | Context::Journal
        | Context::Columns
        | Context::Review
        | Context::Justify => Vec::new(),
    }
}
