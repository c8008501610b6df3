//! How every sandbox answer is written: JSON bodies through the shared
//! `crate::api::models` types, errors as `{"errors":["message"]}` with their status, and
//! the `meta.page` of listings. Knows no route and no store.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::api::models::{ErrorBody, PageMeta, ResponseMeta};

/// An error answered as `{"errors":["message"]}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    /// An error with this status and message.
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.status, &self.message)
    }
}

/// 400 with this message.
pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, message)
}

/// 404 `"<id> not found"`, for users, roles and invitations.
pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, format!("{id} not found"))
}

/// What a handler answers.
pub(crate) type ApiResult = Result<Response, ApiError>;

/// A JSON error document with this status.
pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    json_response(status, &ErrorBody::new(message))
}

/// 200 with this body.
pub(crate) fn ok<T: Serialize>(body: &T) -> ApiResult {
    Ok(json_response(StatusCode::OK, body))
}

/// 201 with this body.
pub(crate) fn created<T: Serialize>(body: &T) -> ApiResult {
    Ok(json_response(StatusCode::CREATED, body))
}

/// A bodiless answer with this status (204 of DisableUser, 200 of a cancellation).
pub(crate) fn empty(status: StatusCode) -> ApiResult {
    Ok(status.into_response())
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let mut response = match serde_json::to_vec(body) {
        Ok(bytes) => (status, bytes).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{{\"errors\":[\"could not serialise the response: {e}\"]}}"),
        )
            .into_response(),
    };
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `meta.page` of the users and roles listings: the total and, when filtered, how many
/// matched.
pub(crate) fn page_meta(total: usize, filtered: Option<usize>) -> Option<ResponseMeta> {
    Some(ResponseMeta {
        page: Some(PageMeta {
            total_count: Some(total as i64),
            total_filtered_count: filtered.map(|f| f as i64),
        }),
    })
}
