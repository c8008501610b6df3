//! Helpers more than one command needs: reading user ids from the command line, counting
//! in words, a profile update from its flags, and printing one user with role names.

use super::exit::{usage, CliResult};
use super::output::{self, included_role_names, role_names, RoleNames};
use super::Format;
use crate::api::models::{UserId, UserResponse};
use crate::api::Client;
use crate::runs::Change;

/// A user id from the command line, refused (exit 2, before anything is sent) when it is
/// empty or would address another endpoint (`.`, `..`, a `/`): the client's one rule.
pub fn user_id(text: &str) -> CliResult<UserId> {
    let text = text.trim();
    if let Some(problem) = crate::api::id_problem(text) {
        return Err(usage(format!(
            "{text:?} is not a user id: {problem}; give the id as `ddusers users list` shows it"
        )));
    }
    Ok(UserId(text.to_owned()))
}

/// A file argument, `~` or `~/…` read as the home folder (`--output=~/x.csv` reaches us
/// unexpanded): clap's parser for every path the commands take.
pub fn path_arg(text: &str) -> Result<std::path::PathBuf, std::convert::Infallible> {
    Ok(crate::files::expand_home(std::path::Path::new(text)))
}

/// Every id given, each checked as `user_id` does.
pub fn user_ids(texts: &[String]) -> CliResult<Vec<UserId>> {
    texts.iter().map(|t| user_id(t)).collect()
}

/// The profile fields a person asked to change (`users update`, `me update`).
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub name: Option<String>,
    pub email: Option<String>,
    pub title: Option<String>,
    /// `--clear-title`.
    pub clear_title: bool,
}

impl ProfileUpdate {
    /// The change to `user`; refused when the email is invalid or nothing would change.
    pub fn change(self, user: &UserId, current_user: bool) -> CliResult<Change> {
        let ProfileUpdate {
            name,
            email,
            title,
            clear_title,
        } = self;
        let email = email
            .map(|e| crate::email::validate_email(&e).map_err(|p| usage(format!("{e:?}: {p}"))))
            .transpose()?;
        let title = match (title, clear_title) {
            (Some(t), _) => Some(Some(t)),
            (None, true) => Some(None),
            (None, false) => None,
        };
        if name.is_none() && email.is_none() && title.is_none() {
            return Err(usage(
                "nothing to change: give --name, --email, --title or --clear-title",
            ));
        }
        Ok(Change::Update {
            user: user.clone(),
            name,
            email,
            title,
            current_user,
        })
    }
}

/// Every role's name by id (one listing of all roles).
pub async fn all_role_names(client: &Client) -> CliResult<RoleNames> {
    Ok(role_names(&client.list_all_roles().await?))
}

/// One user: its fields (or a CSV row, or the API's JSON), roles by name.
pub async fn print_user(client: &Client, user: &UserResponse, format: Format) -> CliResult {
    let mut names = included_role_names(&user.included);
    if format != Format::Json && user.data.role_ids().any(|id| !names.contains_key(&id)) {
        names = all_role_names(client).await?;
    }
    match format {
        Format::Csv => output::emit(format, &user.data, || {
            output::users_csv(std::slice::from_ref(&user.data), &names)
        }),
        _ => output::emit(format, &user.data, || {
            output::user_fields(&user.data, &names)
        }),
    }
}
