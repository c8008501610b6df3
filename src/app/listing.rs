//! Loading the org: the listing (page by page), the server-side search while it loads,
//! the roles and the current user, and the filter line. Pure.

use super::action::Action;
use super::detail::move_cursor;
use super::effect::Effect;
use super::msg::LoadMsg;
use super::state::*;
use crate::api::ListUsersQuery;
use crate::org::filter::Test;

/// What the filter line says beside the filter, if anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterNotice {
    /// A term does not parse: why (the list shows the filter without it).
    Invalid(String),
    /// The org is still loading: the matches are among the users loaded so far.
    Partial(String),
}

/// Why the filter as typed is not in force, or that its matches are partial while the org
/// loads; nothing without a filter or once everything is loaded.
pub fn filter_notice(state: &State) -> Option<FilterNotice> {
    if let Some(error) = &state.view.parsed.error {
        return Some(FilterNotice::Invalid(format!("{error} (term ignored)")));
    }
    let loading = state.load.started() && !state.load.done && state.load.error.is_none();
    if state.view.parsed.filter.is_empty() || !loading {
        return None;
    }
    let loaded = crate::words::thousands(state.store.len() as u64);
    let of = match state.load.total_users {
        Some(total) => format!("{loaded} of {}", crate::words::thousands(total)),
        None => loaded,
    };
    Some(FilterNotice::Partial(format!(
        "matches among {of} users loaded — still loading"
    )))
}

pub(super) fn start_load(state: &mut State) -> Effect {
    let mut load = LoadProgress::default();
    let request_id = load.request.issue(state.fresh_request());
    state.load = load;
    Effect::LoadUsers {
        request_id,
        query: ListUsersQuery::default(),
    }
}

pub(super) fn on_filter(state: &mut State, action: Action) -> Vec<Effect> {
    if state
        .detail
        .as_ref()
        .is_some_and(|d| d.permissions.searching)
    {
        return super::detail::on_permission_search(state, action);
    }
    match action {
        Action::TextEdit(request) => {
            let before = state.view.filter.value().to_owned();
            state.view.filter.handle(request);
            if state.view.filter.value() != before {
                return filter_changed(state);
            }
            Vec::new()
        }
        Action::Submit => {
            state.view.filter_editing = false;
            Vec::new()
        }
        Action::Cancel => {
            state.view.filter_editing = false;
            state.view.filter.reset();
            state.rebuild_view();
            Vec::new()
        }
        Action::Up => move_cursor(state, -1),
        Action::Down => move_cursor(state, 1),
        _ => Vec::new(),
    }
}

pub(super) fn filter_changed(state: &mut State) -> Vec<Effect> {
    state.rebuild_view();
    let text = state.view.filter.value().trim().to_owned();
    // Over what is loaded, instantly; and while the org is not fully loaded, ask the
    // server too when the filter is plain text, the one thing its `filter` matches (its
    // answers merge into the store; the newest query wins).
    let plain_text = state.view.parsed.error.is_none()
        && state
            .view
            .parsed
            .filter
            .terms
            .iter()
            .all(|t| !t.negated && matches!(t.test, Test::Text(_)));
    if !state.load.done && plain_text && text.chars().count() >= 2 {
        let fresh = state.fresh_request();
        let request_id = state.search.issue(fresh);
        return vec![Effect::SearchUsers {
            request_id,
            filter: text,
        }];
    }
    state.search.clear();
    Vec::new()
}

/// Applies an answer of the listing, the search, the roles or the current user.
pub fn on_msg(state: &mut State, msg: LoadMsg) -> Vec<Effect> {
    match msg {
        LoadMsg::UsersPage {
            request_id,
            total_pages,
            response,
            ..
        } => {
            if !state.load.request.is(request_id) {
                return Vec::new(); // a stale listing
            }
            let new = state.store_mut().ingest_page(&response);
            state.load.pages_done += 1;
            state.load.total_pages = total_pages.or(state.load.total_pages);
            if let Some(total) = response.total_filtered_count() {
                state.load.total_users = Some(total.max(0) as u64);
            }
            state.extend_view(&new);
        }
        LoadMsg::UsersLoaded { request_id } => {
            if state.load.request.is(request_id) {
                state.load.done = true;
                if state.toast.as_ref().is_some_and(|t| t.while_loading) {
                    state.toast = None;
                }
            }
        }
        LoadMsg::UsersLoadFailed { request_id, error } => {
            if state.load.request.is(request_id) {
                state.notify(Level::Error, format!("Loading users failed: {error}"));
                state.load.error = Some(error);
            }
        }
        LoadMsg::SearchResults {
            request_id,
            response,
        } => {
            if state.search.is(request_id) {
                let new = state.store_mut().ingest_page(&response);
                state.extend_view(&new);
            }
        }
        LoadMsg::Roles(result) => on_roles(state, result),
        LoadMsg::OrgName(name) => {
            // The service's words: made safe once, here, like every text from it.
            state.org_name = name.map(|n| crate::text::sanitize(&n));
        }
        LoadMsg::CurrentUser(result) => match result {
            Ok(boxed) => {
                let (user, included) = *boxed;
                state.store_mut().ingest_included(&included);
                let (ix, new) = state.store_mut().upsert(&user);
                if new {
                    state.extend_view(&[ix]);
                }
                state.me = Some(user.id);
            }
            Err(error) => state.notify(
                Level::Warn,
                format!("Could not read the current user: {error}"),
            ),
        },
    }
    Vec::new()
}

fn on_roles(state: &mut State, result: Result<Vec<crate::api::models::Role>, String>) {
    match result {
        Ok(roles) => {
            let mut ixs: Vec<_> = roles
                .iter()
                .map(|r| state.store_mut().intern_role(r))
                .collect();
            ixs.sort_by_cached_key(|ix| {
                state
                    .store
                    .role(*ix)
                    .map(|r| r.name.to_lowercase())
                    .unwrap_or_default()
            });
            ixs.dedup();
            state.org_roles = Some(ixs);
            state.roles_error = None;
        }
        Err(error) => state.roles_error = Some(error),
    }
}
