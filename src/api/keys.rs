//! The Key Management API's application-key reads (API.md §12): the models of an
//! application key and its listings, one async fn per operation, a bounded "every page"
//! listing, and [`application_keys_by_owner`], which says which keys disabling some users
//! would revoke. Shared with the sandbox, which serialises these same models. A key's
//! secret is never modelled: the service sends it only when a key is created (and, on
//! GetCurrentUserApplicationKey, in `attributes.key`), and serde drops it on reading.

use std::collections::{HashMap, HashSet};
use std::fmt;

use futures::stream::{self, StreamExt, TryStreamExt};

use super::paging::{bounded_pages, Bounds, Listed};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use super::client::{Client, Request};
use super::error::ApiError;
use super::models::{null_as_default, timestamp, PageMeta, Role, ToOne, User, UserId};
use super::users::MAX_PAGE_SIZE;

/// An application key's id (a UUID string). Not the key's secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(transparent)]
pub struct ApplicationKeyId(pub String);

impl ApplicationKeyId {
    /// The identifier as the API spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApplicationKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ApplicationKeyId {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<String> for ApplicationKeyId {
    fn from(value: String) -> Self {
        Self(value)
    }
}

// ---------------------------------------------------------------------------------------
// Models

/// An application key (`type: "application_keys"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationKey {
    #[serde(rename = "type", default = "application_keys_type")]
    pub kind: String,
    pub id: ApplicationKeyId,
    #[serde(default)]
    pub attributes: ApplicationKeyAttributes,
    #[serde(default)]
    pub relationships: ApplicationKeyRelationships,
}

fn application_keys_type() -> String {
    "application_keys".to_owned()
}

impl ApplicationKey {
    /// The id of the user who owns the key, when the document names them (ListApplicationKeys
    /// and GetApplicationKey do; ListCurrentUserApplicationKeys does not).
    pub fn owner_id(&self) -> Option<UserId> {
        let data = self.relationships.owned_by.as_ref()?.data.as_ref()?;
        Some(UserId(data.id.clone()))
    }

    /// The key's name, or its id when it has none.
    pub fn display_name(&self) -> &str {
        self.attributes.name.as_deref().unwrap_or(self.id.as_str())
    }
}

/// An application key's attributes. `scopes` and `last_used_at` are written as `null` when
/// unset, as the service does; absent and `null` both read as `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplicationKeyAttributes {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    /// The last four characters of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last4: Option<String>,
    /// Permission names the key is restricted to; `None` means the owner's full access.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// When a request last authenticated with the key; `None` if never (or not reported).
    #[serde(default, with = "timestamp::option")]
    pub last_used_at: Option<OffsetDateTime>,
}

/// An application key's relationships.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplicationKeyRelationships {
    /// The owning user (`{"data": {"type": "users", "id": ...}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<ToOne>,
    /// A leak report about the key; `{"data": null}` when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leak_information: Option<ToOne>,
}

/// An item of an application-key document's `included`: the owning user, their roles, or
/// anything else (kept as raw JSON so a new kind does not fail the page). Users are boxed:
/// they are several times the size of the other items.
#[derive(Clone, Debug, PartialEq)]
pub enum ApplicationKeyIncluded {
    /// An owner (`type: "users"`).
    User(Box<User>),
    /// One of the owner's roles (single-key documents).
    Role(Role),
    /// Another kind (a leak report, say), as sent.
    Other(serde_json::Value),
}

impl Serialize for ApplicationKeyIncluded {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ApplicationKeyIncluded::User(user) => user.serialize(serializer),
            ApplicationKeyIncluded::Role(role) => role.serialize(serializer),
            ApplicationKeyIncluded::Other(value) => value.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for ApplicationKeyIncluded {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A page includes at most one user per key, so going through `Value` costs little.
        let value = serde_json::Value::deserialize(deserializer)?;
        let kind = value
            .get("type")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let parsed = match kind.as_deref() {
            Some("users") => serde_json::from_value(value).map(ApplicationKeyIncluded::User),
            Some("roles") => serde_json::from_value(value).map(ApplicationKeyIncluded::Role),
            _ => return Ok(ApplicationKeyIncluded::Other(value)),
        };
        parsed.map_err(|e| serde::de::Error::custom(format!("included {kind:?} item: {e}")))
    }
}

impl ApplicationKeyIncluded {
    fn identity(&self) -> Option<(&str, &str)> {
        match self {
            ApplicationKeyIncluded::User(user) => Some(("users", user.id.as_str())),
            ApplicationKeyIncluded::Role(role) => Some(("roles", role.id.as_str())),
            ApplicationKeyIncluded::Other(value) => {
                Some((value.get("type")?.as_str()?, value.get("id")?.as_str()?))
            }
        }
    }
}

/// `meta` of a key listing: `{"page": {"total_filtered_count": N}, "max_allowed_per_user": M}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationKeysMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageMeta>,
    /// How many application keys one user may own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_allowed_per_user: Option<i64>,
}

/// ListApplicationKeys and ListCurrentUserApplicationKeys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ApplicationKeysResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<ApplicationKey>,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub included: Vec<ApplicationKeyIncluded>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<ApplicationKeysMeta>,
}

impl ApplicationKeysResponse {
    /// `meta.page.total_filtered_count`, when the service sent it.
    pub fn total_filtered_count(&self) -> Option<i64> {
        self.meta.as_ref()?.page.as_ref()?.total_filtered_count
    }

    /// The users in `included` (with `include=owned_by`).
    pub fn included_users(&self) -> impl Iterator<Item = &User> + '_ {
        self.included.iter().filter_map(|item| match item {
            ApplicationKeyIncluded::User(user) => Some(user.as_ref()),
            _ => None,
        })
    }
}

impl Listed for ApplicationKeysResponse {
    fn ids(&self) -> Vec<&str> {
        self.data.iter().map(|k| k.id.as_str()).collect()
    }

    fn total(&self) -> Option<i64> {
        self.total_filtered_count()
    }
}

/// GetApplicationKey and GetCurrentUserApplicationKey.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationKeyResponse {
    pub data: ApplicationKey,
    #[serde(
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub included: Vec<ApplicationKeyIncluded>,
}

// ---------------------------------------------------------------------------------------
// Queries

/// The orders a key listing can be sorted in (the service accepts exactly these).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApplicationKeySort {
    NameAsc,
    NameDesc,
    CreatedAtAsc,
    CreatedAtDesc,
    Last4Asc,
    Last4Desc,
}

impl ApplicationKeySort {
    /// Every value, in the order the reference lists them.
    pub const ALL: [ApplicationKeySort; 6] = [
        ApplicationKeySort::CreatedAtAsc,
        ApplicationKeySort::CreatedAtDesc,
        ApplicationKeySort::Last4Asc,
        ApplicationKeySort::Last4Desc,
        ApplicationKeySort::NameAsc,
        ApplicationKeySort::NameDesc,
    ];

    /// The wire spelling (`name`, `-created_at`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationKeySort::NameAsc => "name",
            ApplicationKeySort::NameDesc => "-name",
            ApplicationKeySort::CreatedAtAsc => "created_at",
            ApplicationKeySort::CreatedAtDesc => "-created_at",
            ApplicationKeySort::Last4Asc => "last4",
            ApplicationKeySort::Last4Desc => "-last4",
        }
    }

    /// Reads the wire spelling; `None` for anything the service would refuse.
    pub fn parse(value: &str) -> Option<ApplicationKeySort> {
        Self::ALL.into_iter().find(|sort| sort.as_str() == value)
    }

    /// True for the `-` forms.
    pub fn is_descending(self) -> bool {
        self.as_str().starts_with('-')
    }
}

impl fmt::Display for ApplicationKeySort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// ListApplicationKeys' (and ListCurrentUserApplicationKeys') query parameters; unset ones
/// are not sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListApplicationKeysQuery {
    /// 1–100.
    pub page_size: Option<u32>,
    /// Zero-based.
    pub page_number: Option<u64>,
    pub sort: Option<ApplicationKeySort>,
    /// Free text over the keys' names.
    pub filter: Option<String>,
    /// Keys created at or after this time (`filter[created_at][start]`).
    pub created_after: Option<OffsetDateTime>,
    /// Keys created at or before this time (`filter[created_at][end]`).
    pub created_before: Option<OffsetDateTime>,
    /// Keys of this user only (`filter[owned_by]`). Not sent for the current user's keys.
    pub owned_by: Option<UserId>,
    /// Put the owning users in `included` (`include=owned_by`).
    pub include_owned_by: bool,
}

impl ListApplicationKeysQuery {
    /// The same query at another page.
    pub fn at_page(&self, number: u64) -> Self {
        Self {
            page_number: Some(number),
            ..self.clone()
        }
    }

    fn request(&self, operation: &'static str, path: &[&str], owned_by: bool) -> Request {
        let owner = if owned_by {
            self.owned_by.as_ref()
        } else {
            None
        };
        Request::get(operation, path)
            .query_opt("page[size]", self.page_size)
            .query_opt("page[number]", self.page_number)
            .query_opt("sort", self.sort.map(ApplicationKeySort::as_str))
            .query_opt("filter", self.filter.as_deref())
            .query_opt(
                "filter[created_at][start]",
                self.created_after.as_ref().map(timestamp::format),
            )
            .query_opt(
                "filter[created_at][end]",
                self.created_before.as_ref().map(timestamp::format),
            )
            .query_opt("filter[owned_by]", owner.map(UserId::as_str))
            .query_opt("include", self.include_owned_by.then_some("owned_by"))
    }
}

const ORG_KEYS: [&str; 3] = ["api", "v2", "application_keys"];
const MY_KEYS: [&str; 4] = ["api", "v2", "current_user", "application_keys"];

/// Pages [`Client::list_all_application_keys`] reads at most before giving up (fewer when
/// the client's `max_pages` is lower): at 100 keys a page, a million keys, far beyond any
/// org (each user may own 1,000).
pub const MAX_APPLICATION_KEY_PAGES: u64 = 10_000;

impl Client {
    /// ListApplicationKeys (`GET /api/v2/application_keys`, needs `org_app_keys_read`): one
    /// page of the org's keys.
    pub async fn list_application_keys(
        &self,
        query: &ListApplicationKeysQuery,
    ) -> Result<ApplicationKeysResponse, ApiError> {
        self.json(query.request("list application keys", &ORG_KEYS, true))
            .await
    }

    /// GetApplicationKey (`GET /api/v2/application_keys/{id}`, needs `org_app_keys_read`);
    /// `include_owned_by` adds the owner and their roles to `included`. An unknown id is a
    /// 404.
    pub async fn get_application_key(
        &self,
        id: &ApplicationKeyId,
        include_owned_by: bool,
    ) -> Result<ApplicationKeyResponse, ApiError> {
        let mut path = ORG_KEYS.to_vec();
        path.push(id.as_str());
        let request = Request::get("get application key", &path)
            .query_opt("include", include_owned_by.then_some("owned_by"));
        self.json(request).await
    }

    /// ListCurrentUserApplicationKeys (`GET /api/v2/current_user/application_keys`, needs
    /// `user_app_keys`): one page of the calling user's keys. `query.owned_by` is not sent.
    pub async fn list_current_user_application_keys(
        &self,
        query: &ListApplicationKeysQuery,
    ) -> Result<ApplicationKeysResponse, ApiError> {
        self.json(query.request("list current user application keys", &MY_KEYS, false))
            .await
    }

    /// GetCurrentUserApplicationKey (`GET /api/v2/current_user/application_keys/{id}`):
    /// one of the caller's keys, with the caller in `included`; a key the caller does not
    /// own is a 404.
    pub async fn get_current_user_application_key(
        &self,
        id: &ApplicationKeyId,
    ) -> Result<ApplicationKeyResponse, ApiError> {
        let mut path = MY_KEYS.to_vec();
        path.push(id.as_str());
        self.json(Request::get("get current user application key", &path))
            .await
    }

    /// Every key `query` matches, page by page from page 0 (its page number is ignored; its
    /// page size defaults to 100), merged into one document: all the keys, `included`
    /// without repeats, and the last page's `meta`. See
    /// [`list_all_application_keys_within`](Self::list_all_application_keys_within).
    pub async fn list_all_application_keys(
        &self,
        query: &ListApplicationKeysQuery,
    ) -> Result<ApplicationKeysResponse, ApiError> {
        let max_pages = self.max_pages().min(MAX_APPLICATION_KEY_PAGES);
        self.list_all_application_keys_within(query, max_pages)
            .await
    }

    /// The same, reading at most `max_pages` pages, each key once. Bounded like every
    /// listing (see [`paging`](super::paging)): it stops on a short page or after the pages
    /// `meta.page.total_filtered_count` needs; a listing still going after `max_pages`
    /// pages, a page that repeats earlier ones, or more keys than counted is an
    /// [`ApiError::Listing`] (a [`ErrorKind::Decode`](super::ErrorKind::Decode): the
    /// answers do not add up) rather than an endless loop.
    pub async fn list_all_application_keys_within(
        &self,
        query: &ListApplicationKeysQuery,
        max_pages: u64,
    ) -> Result<ApplicationKeysResponse, ApiError> {
        let size = query
            .page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE);
        let query = ListApplicationKeysQuery {
            page_size: Some(size),
            ..query.clone()
        };
        let client = self.clone();
        let bounds = Bounds {
            operation: "list application keys",
            items: "keys",
            size,
            concurrency: 1,
            max_pages,
        };
        let mut pages = bounded_pages(bounds, move |number| {
            let client = client.clone();
            let query = query.at_page(number);
            async move { client.list_application_keys(&query).await }
        });
        let mut all = ApplicationKeysResponse::default();
        let mut seen_keys: HashSet<ApplicationKeyId> = HashSet::new();
        let mut seen_included: HashSet<(String, String)> = HashSet::new();
        while let Some(page) = pages.next().await {
            let page = page?.page;
            all.data.extend(
                page.data
                    .into_iter()
                    .filter(|k| seen_keys.insert(k.id.clone())),
            );
            for item in page.included {
                let fresh = match item.identity() {
                    Some((kind, id)) => seen_included.insert((kind.to_owned(), id.to_owned())),
                    None => true,
                };
                if fresh {
                    all.included.push(item);
                }
            }
            all.meta = page.meta;
        }
        Ok(all)
    }
}

// ---------------------------------------------------------------------------------------
// Keys per owner

/// Owners up to which [`application_keys_by_owner`] sends one filtered listing per owner;
/// beyond, it lists every key of the org once.
pub const PER_OWNER_QUERY_LIMIT: usize = 20;

/// Per-owner listings [`application_keys_by_owner`] runs at once.
const OWNER_QUERY_CONCURRENCY: usize = 4;

/// What the console and the command line show of a key that a change would revoke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedKey {
    /// The key's id (not its secret).
    pub id: ApplicationKeyId,
    /// The name its owner gave it.
    pub name: Option<String>,
    /// When it last authenticated a request; `None` if never.
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<&ApplicationKey> for OwnedKey {
    fn from(key: &ApplicationKey) -> Self {
        OwnedKey {
            id: key.id.clone(),
            name: key.attributes.name.clone(),
            last_used_at: key.attributes.last_used_at,
        }
    }
}

/// The application keys of some users, per user. Every user asked about is present, with
/// an empty list when they own none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeysByOwner {
    keys: HashMap<UserId, Vec<OwnedKey>>,
}

impl KeysByOwner {
    /// The keys of `owner`, in the service's order (by name); empty when they own none or
    /// were not asked about.
    pub fn keys_of(&self, owner: &UserId) -> &[OwnedKey] {
        self.keys.get(owner).map(Vec::as_slice).unwrap_or(&[])
    }

    /// How many keys `owner` holds.
    pub fn count_of(&self, owner: &UserId) -> usize {
        self.keys_of(owner).len()
    }

    /// How many keys all the owners hold together.
    pub fn total(&self) -> usize {
        self.keys.values().map(Vec::len).sum()
    }

    /// Each owner asked about with their keys (in no particular order).
    pub fn iter(&self) -> impl Iterator<Item = (&UserId, &[OwnedKey])> + '_ {
        self.keys
            .iter()
            .map(|(owner, keys)| (owner, keys.as_slice()))
    }
}

/// The application keys each of `owners` holds: what disabling them would revoke. For up
/// to [`PER_OWNER_QUERY_LIMIT`] owners, one `filter[owned_by]` listing per owner (every
/// page); for more, one listing of every key of the org, grouped by owner.
///
/// Needs `org_app_keys_read`. Without it the error is a 403, whose
/// [`kind`](ApiError::kind) is [`ErrorKind::Auth`](super::ErrorKind::Auth): callers say
/// "key counts unknown" rather than "no keys".
pub async fn application_keys_by_owner(
    client: &Client,
    owners: &[UserId],
) -> Result<KeysByOwner, ApiError> {
    let mut wanted: Vec<UserId> = Vec::with_capacity(owners.len());
    let mut seen = HashSet::new();
    for owner in owners {
        if seen.insert(owner) {
            wanted.push(owner.clone());
        }
    }
    let mut result = KeysByOwner {
        keys: wanted.iter().map(|o| (o.clone(), Vec::new())).collect(),
    };
    if wanted.is_empty() {
        return Ok(result);
    }
    let listings: Vec<ApplicationKeysResponse> = if wanted.len() <= PER_OWNER_QUERY_LIMIT {
        stream::iter(wanted.iter().cloned())
            .map(|owner| async move {
                client
                    .list_all_application_keys(&ListApplicationKeysQuery {
                        owned_by: Some(owner),
                        ..Default::default()
                    })
                    .await
            })
            .buffered(OWNER_QUERY_CONCURRENCY)
            .try_collect()
            .await?
    } else {
        vec![
            client
                .list_all_application_keys(&ListApplicationKeysQuery::default())
                .await?,
        ]
    };
    for listing in &listings {
        for key in &listing.data {
            // Grouped by the owner each key names, not by the query that found it: a service
            // that ignored `filter[owned_by]` cannot misattribute keys.
            if let Some(list) = key.owner_id().and_then(|owner| result.keys.get_mut(&owner)) {
                if !list.iter().any(|k| k.id == key.id) {
                    list.push(OwnedKey::from(key));
                }
            }
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests;
