//! Listing every user as a stream of pages. Page 0 comes first and tells how many users
//! match (`meta.page.total_filtered_count`); the remaining pages are then fetched
//! concurrently, at most `concurrency` at a time, and each arrives tagged with its number so
//! the consumer can place it. When the service gives no count, pages are fetched one after
//! another until a short page, as the official clients do.

use std::collections::HashSet;

use futures::stream::{self, BoxStream, StreamExt};

use super::client::Client;
use super::error::ApiError;
use super::models::{User, UsersResponse};
use super::users::{ListUsersQuery, MAX_PAGE_SIZE};

/// One page of a listing.
#[derive(Clone, Debug)]
pub struct UsersPage {
    /// Zero-based page number.
    pub number: u64,
    /// How many pages the listing has, when the service said how many users match.
    pub total_pages: Option<u64>,
    pub response: UsersResponse,
}

/// Pages needed for `total` items of `size` each.
pub fn page_count(total: u64, size: u32) -> u64 {
    total.div_ceil(u64::from(size.max(1)))
}

impl Client {
    /// Every page of `query` (its page number is ignored; its page size defaults to 100).
    pub fn user_pages(
        &self,
        query: ListUsersQuery,
        concurrency: usize,
    ) -> BoxStream<'static, Result<UsersPage, ApiError>> {
        let size = query
            .page_size
            .unwrap_or(MAX_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE);
        let query = ListUsersQuery {
            page_size: Some(size),
            ..query
        };
        let client = self.clone();
        let first = {
            let client = client.clone();
            let query = query.at_page(0);
            async move { client.list_users(&query).await }
        };
        stream::once(first)
            .flat_map(move |first| match first {
                Err(error) => stream::iter([Err(error)]).boxed(),
                Ok(response) => match response.total_filtered_count() {
                    Some(total) => {
                        let pages = page_count(total.max(0) as u64, size);
                        concurrent_rest(client.clone(), query.clone(), response, pages, concurrency)
                    }
                    None => sequential_rest(client.clone(), query.clone(), response, size),
                },
            })
            .boxed()
    }

    /// Every user of `query`, each exactly once (by id), in page order.
    pub async fn list_all_users(&self, query: ListUsersQuery) -> Result<Vec<User>, ApiError> {
        let mut pages: Vec<UsersPage> = Vec::new();
        let mut stream = self.user_pages(query, self.page_concurrency());
        while let Some(page) = stream.next().await {
            pages.push(page?);
        }
        pages.sort_by_key(|p| p.number);
        let mut seen = HashSet::new();
        Ok(pages
            .into_iter()
            .flat_map(|p| p.response.data)
            .filter(|u| seen.insert(u.id.clone()))
            .collect())
    }
}

fn concurrent_rest(
    client: Client,
    query: ListUsersQuery,
    first: UsersResponse,
    pages: u64,
    concurrency: usize,
) -> BoxStream<'static, Result<UsersPage, ApiError>> {
    let total_pages = Some(pages.max(1));
    let head = stream::iter([Ok(UsersPage {
        number: 0,
        total_pages,
        response: first,
    })]);
    let rest = stream::iter(1..pages)
        .map(move |number| {
            let client = client.clone();
            let query = query.at_page(number);
            async move {
                client.list_users(&query).await.map(|response| UsersPage {
                    number,
                    total_pages,
                    response,
                })
            }
        })
        .buffer_unordered(concurrency.max(1));
    head.chain(rest).boxed()
}

fn sequential_rest(
    client: Client,
    query: ListUsersQuery,
    first: UsersResponse,
    size: u32,
) -> BoxStream<'static, Result<UsersPage, ApiError>> {
    let full = |r: &UsersResponse| r.data.len() >= size as usize;
    let next = full(&first).then_some(1u64);
    let head = stream::iter([Ok(UsersPage {
        number: 0,
        total_pages: None,
        response: first,
    })]);
    let rest = stream::unfold(next, move |next| {
        let client = client.clone();
        let query = query.clone();
        async move {
            let number = next?;
            match client.list_users(&query.at_page(number)).await {
                Ok(response) => {
                    let following = (response.data.len() >= size as usize).then_some(number + 1);
                    let page = UsersPage {
                        number,
                        total_pages: None,
                        response,
                    };
                    Some((Ok(page), following))
                }
                Err(error) => Some((Err(error), None)),
            }
        }
    });
    head.chain(rest).boxed()
}

#[cfg(test)]
mod tests {
    use super::page_count;

    #[test]
    fn page_count_rounds_up_and_handles_empty() {
        assert_eq!(page_count(0, 100), 0);
        assert_eq!(page_count(1, 100), 1);
        assert_eq!(page_count(100, 100), 1);
        assert_eq!(page_count(101, 100), 2);
        assert_eq!(page_count(5, 0), 5);
    }
}
