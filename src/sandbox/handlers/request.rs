//! Reading requests, shared by every handler: query strings (bracketed names, paging, the
//! text filter), JSON:API bodies (objects, types, string fields, relationship ids) and the
//! ids in paths. Every refusal is a 400 (404 for an unknown id in a path) with a sentence
//! naming the field. Knows no route and changes nothing.

use std::collections::HashMap;

use axum::body::Bytes;
use serde_json::{Map, Value};

use super::response::{bad_request, not_found, ApiError};
use crate::sandbox::store::Store;

// ---------------------------------------------------------------------------------------
// Query strings

/// A decoded query string: name → value (the last one wins).
pub(crate) type Query = HashMap<String, String>;

/// Decodes a query string, including percent-encoded bracketed names (`page%5Bsize%5D`).
pub(crate) fn parse_query(raw: Option<&str>) -> Query {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    raw.unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

/// `page[number]` and `page[size]` (default 0 and 10, size 1–100).
pub(crate) fn paging(query: &Query) -> Result<(u64, u64), ApiError> {
    paging_with_default(query, 10)
}

/// The same with another default page size.
pub(crate) fn paging_with_default(
    query: &Query,
    default_size: i64,
) -> Result<(u64, u64), ApiError> {
    let size = match query.get("page[size]") {
        None => default_size,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| {
                bad_request(format!(
                    "page[size] must be a whole number between 1 and 100, got {text:?}"
                ))
            })?,
    };
    let number = match query.get("page[number]") {
        None => 0,
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                bad_request(format!(
                    "page[number] must be a whole number of at least 0, got {text:?}"
                ))
            })?,
    };
    Ok((number as u64, size as u64))
}

/// `filter`: trimmed and lower-cased; `None` when absent or blank.
pub(crate) fn text_filter(query: &Query) -> Option<String> {
    query
        .get("filter")
        .map(|f| f.trim().to_lowercase())
        .filter(|f| !f.is_empty())
}

// ---------------------------------------------------------------------------------------
// Request bodies

/// The body as JSON.
pub(crate) fn parse_body(bytes: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| bad_request(format!("The request body is not valid JSON: {e}")))
}

/// `value` as an object; `what` names it in the refusal.
pub(crate) fn object<'a>(
    value: Option<&'a Value>,
    what: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .and_then(Value::as_object)
        .ok_or_else(|| bad_request(format!("{what} is required and must be an object")))
}

/// Checks `type` of a resource object.
pub(crate) fn expect_type(
    data: &Map<String, Value>,
    expected: &str,
    what: &str,
) -> Result<(), ApiError> {
    match data.get("type").and_then(Value::as_str) {
        Some(kind) if kind == expected => Ok(()),
        Some(kind) => Err(bad_request(format!(
            "{what}.type must be {expected:?}, got {kind:?}"
        ))),
        None => Err(bad_request(format!("{what}.type is required"))),
    }
}

/// A required string member.
pub(crate) fn string_field<'a>(
    data: &'a Map<String, Value>,
    name: &str,
    what: &str,
) -> Result<&'a str, ApiError> {
    data.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request(format!("{what}.{name} is required and must be a string")))
}

/// An optional, nullable string attribute: `Ok(None)` absent, `Ok(Some(None))` null.
pub(crate) fn nullable_string(
    attrs: &Map<String, Value>,
    name: &str,
) -> Result<Option<Option<String>>, ApiError> {
    match attrs.get(name) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(bad_request(format!(
            "attributes.{name} must be a string or null"
        ))),
    }
}

/// `{"data":{"type":kind,"id":...}}` (AddUserToRole, grants) → the id.
pub(crate) fn relationship_id(bytes: &Bytes, kind: &str) -> Result<String, ApiError> {
    let body = parse_body(bytes)?;
    let data = object(body.get("data"), "data")?;
    expect_type(data, kind, "data")?;
    Ok(string_field(data, "id", "data")?.to_owned())
}

// ---------------------------------------------------------------------------------------
// Ids in paths

/// The user with this id, or 404.
pub(crate) fn user_idx(store: &Store, id: &str) -> Result<usize, ApiError> {
    store.user_index(id).ok_or_else(|| not_found(id))
}

/// The role with this id, or 404.
pub(crate) fn role_idx(store: &Store, id: &str) -> Result<usize, ApiError> {
    store.role_index(id).ok_or_else(|| not_found(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_names_with_encoded_brackets_are_decoded() {
        let q = parse_query(Some("page%5Bsize%5D=2&filter=a%40b.com&sort=-name&x"));
        assert_eq!(q.get("page[size]").map(String::as_str), Some("2"));
        assert_eq!(q.get("filter").map(String::as_str), Some("a@b.com"));
        assert_eq!(q.get("x").map(String::as_str), Some(""));
    }
}
