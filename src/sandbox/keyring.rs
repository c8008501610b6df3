//! The sandbox's application keys: one record per key (id, name, times, scopes, owner and
//! the secret that authenticates requests), the indices that find a key by secret, by id
//! and by owner, and the sorted, filtered selections the Key Management handlers page
//! through. Pure data and queries: no HTTP, no locking policy, no files. The secret is
//! persisted in the state file but never put in a response.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::api::keys::{
    ApplicationKey, ApplicationKeyAttributes, ApplicationKeyRelationships, ApplicationKeySort,
};
use crate::api::models::{timestamp, ResourceRef, ToOne};

/// How many application keys one user may own, as the service announces in
/// `meta.max_allowed_per_user`.
pub(crate) const MAX_KEYS_PER_USER: i64 = 1000;

/// One application key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AppKeyRec {
    pub id: String,
    pub name: String,
    #[serde(with = "timestamp")]
    pub created_at: OffsetDateTime,
    #[serde(default, with = "timestamp::option")]
    pub last_used_at: Option<OffsetDateTime>,
    /// `None`: the owner's full access.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// The owning user's id.
    pub owner: String,
    /// The secret sent as `DD-APPLICATION-KEY`.
    pub key: String,
    /// Configured at start (`SandboxConfig::extra_keys`) rather than part of the org: not
    /// written to the state file.
    #[serde(skip)]
    pub transient: bool,
}

impl AppKeyRec {
    /// Keeps whole microseconds, the precision the service writes: a time a client read
    /// from a listing then finds the same key again in `filter[created_at]`.
    fn truncate_times(&mut self) {
        self.created_at = whole_micros(self.created_at);
        self.last_used_at = self.last_used_at.map(whole_micros);
    }

    /// The last four characters of the secret, as the service shows them.
    pub fn last4(&self) -> &str {
        let start = self
            .key
            .char_indices()
            .rev()
            .nth(3)
            .map(|(at, _)| at)
            .unwrap_or(0);
        &self.key[start..]
    }

    /// The key as the service serialises it. `with_owner` adds `relationships.owned_by`
    /// (the org-wide endpoints always do; the current user's listing does not).
    pub fn model(&self, with_owner: bool) -> ApplicationKey {
        ApplicationKey {
            kind: "application_keys".to_owned(),
            id: self.id.clone().into(),
            attributes: ApplicationKeyAttributes {
                name: Some(self.name.clone()),
                created_at: Some(self.created_at),
                last4: Some(self.last4().to_owned()),
                scopes: self.scopes.clone(),
                last_used_at: self.last_used_at,
            },
            relationships: ApplicationKeyRelationships {
                owned_by: with_owner.then(|| ToOne {
                    data: Some(ResourceRef::new("users", self.owner.clone())),
                }),
                leak_information: Some(ToOne { data: None }),
            },
        }
    }
}

/// The time without its nanoseconds beyond the microsecond.
fn whole_micros(at: OffsetDateTime) -> OffsetDateTime {
    at - time::Duration::nanoseconds(i64::from(at.nanosecond() % 1_000))
}

/// The sort key of a name: letters and digits only, lower-cased. The recorded listing is
/// ordered this way (PostgreSQL's locale collation ignores case, spaces and punctuation at
/// first: `anton` sorts between `Action…` and `Application…`, `[DO NOT DELETE] …` after
/// `ddiner-test`).
fn collation_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which keys a listing shows: the query, validated.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeySelection {
    /// Lower-cased substring of the name.
    pub text: Option<String>,
    /// Only this user's keys.
    pub owner: Option<String>,
    /// Created at or after.
    pub created_from: Option<OffsetDateTime>,
    /// Created at or before.
    pub created_to: Option<OffsetDateTime>,
}

impl KeySelection {
    fn matches(&self, key: &AppKeyRec, lower_name: &str) -> bool {
        self.text.as_deref().is_none_or(|t| lower_name.contains(t))
            && self.owner.as_deref().is_none_or(|o| key.owner == o)
            && self.created_from.is_none_or(|from| key.created_at >= from)
            && self.created_to.is_none_or(|to| key.created_at <= to)
    }
}

/// The sort field, without its direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum SortField {
    Name,
    CreatedAt,
    Last4,
}

fn field_of(sort: ApplicationKeySort) -> SortField {
    match sort {
        ApplicationKeySort::NameAsc | ApplicationKeySort::NameDesc => SortField::Name,
        ApplicationKeySort::CreatedAtAsc | ApplicationKeySort::CreatedAtDesc => {
            SortField::CreatedAt
        }
        ApplicationKeySort::Last4Asc | ApplicationKeySort::Last4Desc => SortField::Last4,
    }
}

/// Sorted orders of every key, valid for one generation of the ring.
#[derive(Default)]
struct SortCache {
    generation: u64,
    sorted: HashMap<SortField, Arc<Vec<u32>>>,
}

/// Every application key of the org, with its indices.
#[derive(Default)]
pub(crate) struct KeyRing {
    keys: Vec<AppKeyRec>,
    /// Per key (same index): the lower-cased name, for `filter`, and its collation key.
    lower_names: Vec<String>,
    collation: Vec<String>,
    by_secret: HashMap<String, u32>,
    by_id: HashMap<String, u32>,
    by_owner: HashMap<String, Vec<u32>>,
    /// Bumped by every change; sorted orders are rebuilt after one.
    generation: u64,
    cache: Mutex<SortCache>,
}

impl KeyRing {
    /// Indexes `keys`; ids and secrets must be unique.
    pub fn new(mut keys: Vec<AppKeyRec>) -> Result<KeyRing, String> {
        keys.iter_mut().for_each(AppKeyRec::truncate_times);
        let mut ring = KeyRing {
            keys,
            ..KeyRing::default()
        };
        ring.reindex()?;
        Ok(ring)
    }

    fn reindex(&mut self) -> Result<(), String> {
        let n = self.keys.len();
        self.lower_names = Vec::with_capacity(n);
        self.collation = Vec::with_capacity(n);
        self.by_secret = HashMap::with_capacity(n);
        self.by_id = HashMap::with_capacity(n);
        self.by_owner = HashMap::new();
        for (i, key) in self.keys.iter().enumerate() {
            let at = i as u32;
            if self.by_id.insert(key.id.clone(), at).is_some() {
                return Err(format!("duplicate application key id {}", key.id));
            }
            if self.by_secret.insert(key.key.clone(), at).is_some() {
                return Err(format!(
                    "two application keys ({} and another) have the same secret",
                    key.id
                ));
            }
            self.by_owner.entry(key.owner.clone()).or_default().push(at);
            self.lower_names.push(key.name.to_lowercase());
            self.collation.push(collation_key(&key.name));
        }
        self.generation += 1;
        Ok(())
    }

    /// Every key, in insertion order.
    pub fn records(&self) -> &[AppKeyRec] {
        &self.keys
    }

    /// The owner (user id) of the key with this secret.
    pub fn owner_of_secret(&self, secret: &str) -> Option<&str> {
        let at = *self.by_secret.get(secret)?;
        Some(self.keys[at as usize].owner.as_str())
    }

    /// The key with this id.
    pub fn by_id(&self, id: &str) -> Option<&AppKeyRec> {
        let at = *self.by_id.get(id)?;
        Some(&self.keys[at as usize])
    }

    /// Whether a key has this id or this secret already.
    pub fn contains(&self, id: &str, secret: &str) -> bool {
        self.by_id.contains_key(id) || self.by_secret.contains_key(secret)
    }

    /// Adds a key; refused when its id or secret is taken.
    pub fn insert(&mut self, mut key: AppKeyRec) -> Result<(), String> {
        key.truncate_times();
        if self.contains(&key.id, &key.key) {
            return Err(format!(
                "application key {} or its secret exists already",
                key.id
            ));
        }
        let at = self.keys.len() as u32;
        self.by_id.insert(key.id.clone(), at);
        self.by_secret.insert(key.key.clone(), at);
        self.by_owner.entry(key.owner.clone()).or_default().push(at);
        self.lower_names.push(key.name.to_lowercase());
        self.collation.push(collation_key(&key.name));
        self.keys.push(key);
        self.generation += 1;
        Ok(())
    }

    /// Deletes every key of `owner` (what disabling a user does); returns how many.
    pub fn revoke_owner(&mut self, owner: &str) -> usize {
        let count = self.count_of(owner);
        if count == 0 {
            return 0;
        }
        self.keys.retain(|k| k.owner != owner);
        // Ids and secrets stayed unique, so reindexing cannot fail.
        let reindexed = self.reindex();
        debug_assert!(reindexed.is_ok(), "{reindexed:?}");
        count
    }

    /// How many keys `owner` holds.
    pub fn count_of(&self, owner: &str) -> usize {
        self.by_owner.get(owner).map_or(0, Vec::len)
    }

    fn compare(&self, field: SortField, a: u32, b: u32) -> std::cmp::Ordering {
        let (ka, kb) = (&self.keys[a as usize], &self.keys[b as usize]);
        let (ia, ib) = (a as usize, b as usize);
        match field {
            SortField::Name => (&self.collation[ia], &self.lower_names[ia], &ka.id).cmp(&(
                &self.collation[ib],
                &self.lower_names[ib],
                &kb.id,
            )),
            SortField::CreatedAt => (ka.created_at, &ka.id).cmp(&(kb.created_at, &kb.id)),
            SortField::Last4 => (ka.last4(), &ka.id).cmp(&(kb.last4(), &kb.id)),
        }
    }

    /// Every key index sorted ascending by `field`, ties broken by id; cached until the
    /// next change.
    fn sorted(&self, field: SortField) -> Arc<Vec<u32>> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.generation != self.generation {
            *cache = SortCache {
                generation: self.generation,
                ..SortCache::default()
            };
        }
        if let Some(hit) = cache.sorted.get(&field) {
            return Arc::clone(hit);
        }
        let mut order: Vec<u32> = (0..self.keys.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.compare(field, a, b));
        let order = Arc::new(order);
        cache.sorted.insert(field, Arc::clone(&order));
        order
    }

    /// The keys a selection matches, in `sort`'s order (descending ones reversed).
    pub fn select(&self, selection: &KeySelection, sort: ApplicationKeySort) -> Vec<u32> {
        let field = field_of(sort);
        let keep =
            |&i: &u32| selection.matches(&self.keys[i as usize], &self.lower_names[i as usize]);
        let mut matched: Vec<u32> = match selection.owner.as_deref() {
            // One owner's keys are few: sort them rather than scan the org's order.
            Some(owner) => {
                let mut own: Vec<u32> = self
                    .by_owner
                    .get(owner)
                    .map(|v| v.iter().copied().filter(keep).collect())
                    .unwrap_or_default();
                own.sort_unstable_by(|&a, &b| self.compare(field, a, b));
                own
            }
            None => self.sorted(field).iter().copied().filter(keep).collect(),
        };
        if sort.is_descending() {
            matched.reverse();
        }
        matched
    }

    /// The key at an index returned by [`select`](Self::select).
    pub fn at(&self, index: u32) -> &AppKeyRec {
        &self.keys[index as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, name: &str, owner: &str, secret: &str, day: i64) -> AppKeyRec {
        AppKeyRec {
            id: id.to_owned(),
            name: name.to_owned(),
            created_at: OffsetDateTime::UNIX_EPOCH + time::Duration::days(day),
            last_used_at: None,
            scopes: None,
            owner: owner.to_owned(),
            key: secret.to_owned(),
            transient: false,
        }
    }

    fn names(ring: &KeyRing, order: &[u32]) -> Vec<String> {
        order.iter().map(|&i| ring.at(i).name.clone()).collect()
    }

    #[test]
    fn names_sort_like_the_recorded_listing() {
        let recorded = [
            "1PASSWORD_SHARED",
            "Action Platform Scoped",
            "anton",
            "Application Key for Anika Update 2",
            "AWS Integrations",
            "dd_auth_cli-SuQ0F",
            "dd_auth_cli-_tDKW",
            "dd_auth_cli-tUpX2",
            "ddiner-test",
            "[DO NOT DELETE] App Key Registration Casette",
        ];
        let mut shuffled: Vec<&str> = recorded.to_vec();
        shuffled.reverse();
        let keys = shuffled
            .iter()
            .enumerate()
            .map(|(i, n)| key(&format!("id{i}"), n, "u", &format!("s{i}"), 0))
            .collect();
        let ring = KeyRing::new(keys).expect("unique");
        let order = ring.select(&KeySelection::default(), ApplicationKeySort::NameAsc);
        assert_eq!(names(&ring, &order), recorded);
        let order = ring.select(&KeySelection::default(), ApplicationKeySort::NameDesc);
        assert_eq!(
            names(&ring, &order).first().map(String::as_str),
            Some(recorded[9])
        );
    }

    #[test]
    fn revoking_an_owner_removes_their_keys_and_secrets_only() {
        let mut ring = KeyRing::new(vec![
            key("a", "one", "u1", "s1", 1),
            key("b", "two", "u2", "s2", 2),
            key("c", "three", "u1", "s3", 3),
        ])
        .expect("unique");
        assert_eq!(ring.count_of("u1"), 2);
        assert_eq!(ring.revoke_owner("u1"), 2);
        assert_eq!(ring.revoke_owner("u1"), 0);
        assert_eq!(ring.owner_of_secret("s1"), None);
        assert_eq!(ring.owner_of_secret("s2"), Some("u2"));
        assert!(ring.by_id("c").is_none());
        assert_eq!(ring.at(0).id, "b");
        let all = ring.select(&KeySelection::default(), ApplicationKeySort::CreatedAtAsc);
        assert_eq!(all.len(), 1);
    }

    #[test]
    fn selections_filter_by_text_owner_and_creation_time() {
        let ring = KeyRing::new(vec![
            key("a", "Terraform prod", "u1", "s1", 10),
            key("b", "terraform-dev", "u2", "s2", 20),
            key("c", "grafana-sync", "u1", "s3", 30),
        ])
        .expect("unique");
        let day = |d| OffsetDateTime::UNIX_EPOCH + time::Duration::days(d);
        let select = |selection: KeySelection| {
            names(
                &ring,
                &ring.select(&selection, ApplicationKeySort::CreatedAtAsc),
            )
        };
        assert_eq!(
            select(KeySelection {
                text: Some("terraform".into()),
                ..Default::default()
            }),
            ["Terraform prod", "terraform-dev"]
        );
        assert_eq!(
            select(KeySelection {
                owner: Some("u1".into()),
                ..Default::default()
            }),
            ["Terraform prod", "grafana-sync"]
        );
        assert_eq!(
            select(KeySelection {
                created_from: Some(day(20)),
                created_to: Some(day(30)),
                ..Default::default()
            }),
            ["terraform-dev", "grafana-sync"]
        );
    }

    #[test]
    fn duplicate_ids_or_secrets_are_refused() {
        assert!(KeyRing::new(vec![
            key("a", "x", "u", "s1", 0),
            key("a", "y", "u", "s2", 0)
        ])
        .is_err());
        let mut ring = KeyRing::new(vec![key("a", "x", "u", "s1", 0)]).expect("one key");
        assert!(ring.insert(key("b", "y", "u", "s1", 0)).is_err());
        assert!(ring.insert(key("b", "y", "u", "s2", 0)).is_ok());
    }

    #[test]
    fn last4_is_the_end_of_the_secret() {
        assert_eq!(
            key("a", "x", "u", "sandbox-admin-app-key", 0).last4(),
            "-key"
        );
        assert_eq!(key("a", "x", "u", "ab", 0).last4(), "ab");
    }
}
