//! The `:` command palette: as the person types, the commands (or the argument values) that
//! match, each with its one-line description from the command table; Tab completes the
//! command's name, then its argument by the kind the command declares (`ArgKind`); Up and
//! Down walk the commands run in this session. File paths are listed by the effects layer
//! (`Effect::ListFolder`), never here. Pure.

use tui_input::Input;

use super::action::Action;
use super::command::{run_command, table};
use super::command_spec::{ArgKind, CommandSpec};
use super::effect::Effect;
use super::msg::Msg;
use super::state::*;

/// Commands kept in the history, at most.
const HISTORY_LIMIT: usize = 200;

/// One value the word being typed can become.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// What replaces the word.
    pub text: String,
    /// What it is (a command's description), if anything.
    pub about: &'static str,
    /// A command that changes the org (shown unavailable when changes are).
    pub writes: bool,
}

/// The suggestions for the last word of a line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suggestions {
    /// Where the word they replace starts (a byte offset into the line).
    pub start: usize,
    /// Command names (a space follows a completed one), or an argument's values.
    pub names: bool,
    pub items: Vec<Suggestion>,
}

/// The keys of the open palette.
pub fn on_command_line(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(Overlay::Command(line)) = state.overlay.as_mut() else {
        return Vec::new();
    };
    match action {
        Action::TextEdit(request) => {
            // Moving along the line keeps the suggestions; changing it starts them again.
            if line
                .input
                .handle(request)
                .is_some_and(|change| change.value)
            {
                line.edited();
            }
            let mut effects = wanted_listing(state);
            effects.extend(catalogue_wanted(state));
            return effects;
        }
        Action::Cancel => close(state),
        Action::Submit => return submit(state),
        Action::NextField => return complete(state, 1),
        Action::PrevField => return complete(state, -1),
        Action::Up | Action::Down => {
            let step = if action == Action::Up { -1 } else { 1 };
            if line.history_at.is_some() || line.input.value().is_empty() {
                walk_history(line, &state.palette.history, step);
            } else if line.cycling.is_some() {
                return complete(state, step);
            } else {
                choose(state, step);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Moves the highlighted suggestion (wrapping round).
fn choose(state: &mut State, step: i64) {
    let count = match &state.overlay {
        Some(Overlay::Command(line)) => suggestions(state, line.typed()).items.len(),
        _ => return,
    };
    if let Some(Overlay::Command(line)) = state.overlay.as_mut() {
        if count > 0 {
            line.choice = wrap(line.choice, step, count);
            line.chose = true;
        }
    }
}

fn wrap(at: usize, step: i64, len: usize) -> usize {
    (at as i64 + step).rem_euclid(len as i64) as usize
}

/// Up/Down on an empty line or a line of history: the commands run before, like a shell.
fn walk_history(line: &mut CommandLine, history: &[String], step: i64) {
    let Some(last) = history.len().checked_sub(1) else {
        return;
    };
    let at = match (line.history_at, step < 0) {
        (None, true) => Some(last),
        (None, false) => return,
        (Some(at), true) => Some(at.saturating_sub(1)),
        (Some(at), false) if at < last => Some(at + 1),
        (Some(_), false) => None,
    };
    line.input = Input::new(at.map(|at| history[at].clone()).unwrap_or_default());
    line.edited();
    line.history_at = at;
}

/// Tab (`step` 1) and S-Tab (-1): a single suggestion is taken at once; with several, the
/// first Tab takes the chosen one and the next ones go round them.
fn complete(state: &mut State, step: i64) -> Vec<Effect> {
    let mut effects = catalogue_wanted(state);
    let Some(Overlay::Command(line)) = state.overlay.as_ref() else {
        return effects;
    };
    let typed = line.typed().to_owned();
    let found = suggestions(state, &typed);
    let Some(Overlay::Command(line)) = state.overlay.as_mut() else {
        return effects;
    };
    let count = found.items.len();
    if count == 0 {
        return effects;
    }
    if count == 1 {
        line.choice = 0;
        line.cycling = None;
    } else if line.cycling.is_some() {
        line.choice = wrap(line.choice, step, count);
    } else {
        line.choice = line.choice.min(count - 1);
        line.cycling = Some(typed.clone());
    }
    line.input = Input::new(completed(&typed, &found, line.choice));
    line.chose = false;
    line.history_at = None;
    effects.extend(wanted_listing(state));
    effects
}

/// `typed` with its last word replaced by suggestion `at`.
fn completed(typed: &str, found: &Suggestions, at: usize) -> String {
    let Some(item) = found.items.get(at) else {
        return typed.to_owned();
    };
    let mut line = typed.get(..found.start).unwrap_or_default().to_owned();
    line.push_str(&item.text);
    if found.names {
        line.push(' ');
    }
    line
}

/// Enter: the chosen suggestion (if one was chosen with Up/Down) completes the line, which
/// is then run and remembered.
fn submit(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Command(line)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    let mut text = line.input.value().to_owned();
    if line.chose {
        let typed = line.typed().to_owned();
        text = completed(&typed, &suggestions(state, &typed), line.choice);
    }
    close(state);
    state.palette.remember(&text);
    let extra = state.palette.history.len().saturating_sub(HISTORY_LIMIT);
    state.palette.history.drain(..extra);
    run_command(state, text.trim())
}

/// Closes the palette; the folder listed goes too (it may have changed by the next time).
fn close(state: &mut State) {
    state.overlay = None;
    state.palette.listing = None;
    state.palette.listing_request.clear();
}

/// What the word at the end of `typed` may become: command names while the first word is
/// typed, then the values of the command's argument.
pub fn suggestions(state: &State, typed: &str) -> Suggestions {
    let line = typed.trim_start();
    let offset = typed.len() - line.len();
    let Some((name, rest)) = line.split_once(char::is_whitespace) else {
        return Suggestions {
            start: offset,
            names: true,
            items: command_names(line),
        };
    };
    let Some(spec) = table().find(|spec| spec.names.contains(&name)) else {
        return Suggestions::default();
    };
    let rest_at = typed.len() - rest.len();
    let (start, word) = match spec.arg {
        // Role names have spaces: the whole rest is the one argument.
        ArgKind::Role => {
            let word = rest.trim_start();
            (typed.len() - word.len(), word)
        }
        // Paths are the last word wherever it is (`:export json FILE`).
        kind if kind.takes_path() => {
            let at = rest.rfind(char::is_whitespace).map_or(0, |at| at + 1);
            (rest_at + at, &rest[at..])
        }
        _ if rest.trim_start().contains(char::is_whitespace) => return Suggestions::default(),
        _ => {
            let word = rest.trim_start();
            (typed.len() - word.len(), word)
        }
    };
    // Past its first word, an argument that starts with a word is only a path.
    let first_word = !rest.trim_start().contains(char::is_whitespace);
    let kind = match spec.arg {
        ArgKind::WordsThenPath(_) if !first_word => ArgKind::Path,
        kind => kind,
    };
    Suggestions {
        start,
        names: false,
        items: argument_suggestions(state, kind, word),
    }
}

/// Commands whose name starts with `typed`, then those whose name or description holds it;
/// each command once, under the name that matched.
fn command_names(typed: &str) -> Vec<Suggestion> {
    let typed = typed.to_lowercase();
    let suggestion = |spec: &CommandSpec, name: &str| Suggestion {
        text: name.to_owned(),
        about: spec.about,
        writes: spec.writes(),
    };
    let mut items: Vec<Suggestion> = table()
        .filter_map(|spec| {
            let name = spec.names.iter().find(|n| n.starts_with(&typed))?;
            Some(suggestion(spec, name))
        })
        .collect();
    for spec in table() {
        let first = spec.names.first().copied().unwrap_or_default();
        let holds = spec.names.iter().any(|n| n.contains(&typed))
            || spec.about.to_lowercase().contains(&typed);
        if holds
            && !items
                .iter()
                .any(|item| spec.names.contains(&item.text.as_str()))
        {
            items.push(suggestion(spec, first));
        }
    }
    items
}

/// What an argument of `kind` being typed as `word` can become (what Tab offers).
pub fn argument_suggestions(state: &State, kind: ArgKind, word: &str) -> Vec<Suggestion> {
    // A path is completed from its start only: a word inside it says little.
    let inside = !kind.takes_path();
    matching(argument_values(state, kind, word), word, inside)
}

/// Values starting with `word` (ignoring case), then, when `inside`, values holding it.
fn matching(values: Vec<String>, word: &str, inside: bool) -> Vec<Suggestion> {
    let word = word.to_lowercase();
    let (mut starting, holding): (Vec<String>, Vec<String>) = values
        .into_iter()
        .filter(|value| value.to_lowercase().contains(&word))
        .partition(|value| value.to_lowercase().starts_with(&word));
    if inside {
        starting.extend(holding);
    }
    starting
        .into_iter()
        .map(|text| Suggestion {
            text,
            about: "",
            writes: false,
        })
        .collect()
}

/// Every value an argument of `kind` can take, in the order they are offered.
fn argument_values(state: &State, kind: ArgKind, word: &str) -> Vec<String> {
    match kind {
        ArgKind::None => Vec::new(),
        ArgKind::AuditView => crate::audit::ViewKind::NAMES
            .iter()
            .chain(&["off", "reload"])
            .map(|name| (*name).to_owned())
            .collect(),
        ArgKind::SortKey => SortKey::all().map(|key| key.label().to_owned()).collect(),
        ArgKind::Words(words) => words.iter().map(|w| (*w).to_owned()).collect(),
        ArgKind::Permission => {
            let mut names: Vec<String> = state
                .store
                .perms()
                .iter()
                .filter(|p| p.seen)
                .map(|p| p.name.clone())
                .collect();
            names.sort();
            names.dedup();
            names
        }
        ArgKind::Role => role_names(state),
        ArgKind::Path => folder_entries(state, word),
        ArgKind::WordsThenPath(words) => {
            let words = words.iter().map(|w| (*w).to_owned());
            words.chain(folder_entries(state, word)).collect()
        }
    }
}

/// The org's role names (the same list `:role` matches against).
fn role_names(state: &State) -> Vec<String> {
    let names = state.store.all_role_names().into_iter();
    names.map(str::to_owned).collect()
}

/// The folder part of a path being typed: up to its last `/` ("" for the working folder).
pub fn folder_of(word: &str) -> &str {
    word.rfind('/').map_or("", |at| &word[..=at])
}

/// The entries of the folder `word` is in, as paths to type, once the effects layer has
/// listed that folder. Hidden entries only when a `.` is typed.
fn folder_entries(state: &State, word: &str) -> Vec<String> {
    let folder = folder_of(word);
    let Some(listing) = state
        .palette
        .listing
        .as_ref()
        .filter(|l| l.folder == folder)
    else {
        return Vec::new();
    };
    let file = &word[folder.len()..];
    listing
        .entries
        .iter()
        .filter(|entry| !entry.starts_with('.') || file.starts_with('.'))
        .map(|entry| format!("{folder}{entry}"))
        .collect()
}

/// The argument being typed is a path whose folder is not listed yet: ask for it.
fn wanted_listing(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Command(line)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    let typed = line.input.value();
    let Some((name, rest)) = typed.trim_start().split_once(char::is_whitespace) else {
        return Vec::new();
    };
    if !table().any(|spec| spec.names.contains(&name) && spec.arg.takes_path()) {
        return Vec::new();
    }
    let word = rest.rsplit(char::is_whitespace).next().unwrap_or_default();
    let folder = folder_of(word).to_owned();
    let listed = state.palette.listing.as_ref().map(|l| l.folder.as_str());
    if listed == Some(folder.as_str()) {
        return Vec::new();
    }
    let fresh = state.fresh_request();
    let request_id = state.palette.listing_request.issue(fresh);
    vec![Effect::ListFolder { request_id, folder }]
}

/// Completing a permission before the catalogue was read: read it (once).
fn catalogue_wanted(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Command(line)) = state.overlay.as_ref() else {
        return Vec::new();
    };
    let name = line.typed().split_whitespace().next().unwrap_or_default();
    let wants = table().any(|spec| spec.names.contains(&name) && spec.arg == ArgKind::Permission);
    if !wants || state.store.has_catalogue() || state.audit.catalogue.current().is_some() {
        return Vec::new();
    }
    vec![super::audit::read_catalogue(state)]
}

/// A folder's listing arrived: kept when it answers the newest request.
pub fn on_msg(state: &mut State, msg: Msg) -> Vec<Effect> {
    if let Msg::Folder {
        request_id,
        listing,
    } = msg
    {
        if state.palette.listing_request.is(request_id) {
            state.palette.listing = Some(listing);
        }
    }
    Vec::new()
}
