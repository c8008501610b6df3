//! The store's derived lists: every user sorted by a key, the users a selection (text,
//! statuses, role) matches, and users per role — built once per store generation and
//! cached, so paging through a list scans the org once.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use super::Store;
use crate::api::models::UserStatus;

/// A ListUsers / ListRoleUsers sort key; the direction is applied when paging.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SortKey {
    Name,
    Email,
    ModifiedAt,
    CreatedAt,
    Status,
}

/// Which users a list shows: the cache key of a filtered, sorted index list.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Selection {
    /// Lower-cased substring of name, email or handle.
    pub text: Option<String>,
    /// Bit 0 Active, bit 1 Pending, bit 2 Disabled; `None` = all.
    pub statuses: Option<u8>,
    /// Only members of this role (index into roles).
    pub role: Option<usize>,
    pub sort: SortKey,
}

fn status_bit(status: &UserStatus) -> u8 {
    match status {
        UserStatus::Active => 1,
        UserStatus::Pending => 2,
        UserStatus::Disabled => 4,
        UserStatus::Other(_) => 0,
    }
}

/// Parses one `filter[status]` value into its bit; `None` for an unknown status.
pub(crate) fn status_filter_bit(value: &str) -> Option<u8> {
    match UserStatus::parse(value.trim()) {
        UserStatus::Other(_) => None,
        status => Some(status_bit(&status)),
    }
}

/// Index lists derived from the users, valid for one store generation. Reads build them
/// once; any write bumps the generation, which empties the cache.
#[derive(Default)]
pub(super) struct ListCache {
    generation: u64,
    sorted: HashMap<SortKey, Arc<Vec<u32>>>,
    selections: HashMap<Selection, Arc<Vec<u32>>>,
    role_counts: Option<Arc<Vec<i64>>>,
}

/// Selections kept per generation before the cache starts over (bounds memory).
const MAX_CACHED_SELECTIONS: usize = 256;

impl Store {
    fn cache(&self) -> std::sync::MutexGuard<'_, ListCache> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.generation != self.generation {
            *cache = ListCache {
                generation: self.generation,
                ..ListCache::default()
            };
        }
        cache
    }

    /// Every user index sorted ascending by the key, ties broken by id.
    pub fn sorted(&self, key: SortKey) -> Arc<Vec<u32>> {
        if let Some(hit) = self.cache().sorted.get(&key) {
            return Arc::clone(hit);
        }
        let built = Arc::new(self.build_sorted(key));
        self.cache().sorted.insert(key, Arc::clone(&built));
        built
    }

    fn build_sorted(&self, key: SortKey) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.users.len() as u32).collect();
        let users = &self.users;
        match key {
            SortKey::Name => {
                // Unnamed users last when ascending (first when descending), as PostgreSQL
                // orders NULLs, so a list opens on people rather than on blanks.
                let keys: Vec<(bool, String)> = users
                    .iter()
                    .map(|u| {
                        (
                            u.name.is_none(),
                            u.name.as_deref().unwrap_or("").to_lowercase(),
                        )
                    })
                    .collect();
                order.sort_unstable_by(|&a, &b| {
                    (&keys[a as usize], &users[a as usize].id)
                        .cmp(&(&keys[b as usize], &users[b as usize].id))
                });
            }
            SortKey::Email => order.sort_unstable_by(|&a, &b| {
                let (ua, ub) = (&users[a as usize], &users[b as usize]);
                (&ua.email, &ua.id).cmp(&(&ub.email, &ub.id))
            }),
            SortKey::ModifiedAt => order.sort_unstable_by(|&a, &b| {
                let (ua, ub) = (&users[a as usize], &users[b as usize]);
                (ua.modified_at, &ua.id).cmp(&(ub.modified_at, &ub.id))
            }),
            SortKey::CreatedAt => order.sort_unstable_by(|&a, &b| {
                let (ua, ub) = (&users[a as usize], &users[b as usize]);
                (ua.created_at, &ua.id).cmp(&(ub.created_at, &ub.id))
            }),
            SortKey::Status => order.sort_unstable_by(|&a, &b| {
                let (ua, ub) = (&users[a as usize], &users[b as usize]);
                (ua.status().as_str(), &ua.id).cmp(&(ub.status().as_str(), &ub.id))
            }),
        }
        order
    }

    /// The users a selection matches, sorted ascending; cached per generation so paging
    /// through a filtered list scans the org once.
    pub fn select(&self, selection: &Selection) -> Arc<Vec<u32>> {
        let sorted = self.sorted(selection.sort);
        if selection.text.is_none() && selection.statuses.is_none() && selection.role.is_none() {
            return sorted;
        }
        if let Some(hit) = self.cache().selections.get(selection) {
            return Arc::clone(hit);
        }
        let role_id = selection.role.map(|r| self.roles[r].id.as_str());
        let matched: Vec<u32> = sorted
            .iter()
            .copied()
            .filter(|&i| {
                let user = &self.users[i as usize];
                selection
                    .text
                    .as_deref()
                    .is_none_or(|text| user.search.contains(text))
                    && selection
                        .statuses
                        .is_none_or(|mask| mask & status_bit(&user.status()) != 0)
                    && role_id.is_none_or(|role| user.roles.iter().any(|r| r == role))
            })
            .collect();
        let matched = Arc::new(matched);
        let mut cache = self.cache();
        if cache.selections.len() >= MAX_CACHED_SELECTIONS {
            cache.selections.clear();
        }
        cache
            .selections
            .insert(selection.clone(), Arc::clone(&matched));
        matched
    }

    /// Number of users holding each role (index-aligned with `roles`).
    pub fn role_user_counts(&self) -> Arc<Vec<i64>> {
        if let Some(hit) = &self.cache().role_counts {
            return Arc::clone(hit);
        }
        let mut counts = vec![0i64; self.roles.len()];
        for user in &self.users {
            for role in &user.roles {
                if let Some(r) = self.role_index(role) {
                    counts[r] += 1;
                }
            }
        }
        let counts = Arc::new(counts);
        self.cache().role_counts = Some(Arc::clone(&counts));
        counts
    }
}

/// Takes `size` items of page `number` from an ascending list, reading it backwards for a
/// descending order.
pub(crate) fn page_of(list: &[u32], descending: bool, number: u64, size: u64) -> Vec<usize> {
    let len = list.len() as u64;
    let Some(start) = number.checked_mul(size).filter(|s| *s < len) else {
        return Vec::new();
    };
    let end = start.saturating_add(size).min(len);
    (start..end)
        .map(|pos| {
            let at = if descending { len - 1 - pos } else { pos };
            list[at as usize] as usize
        })
        .collect()
}
