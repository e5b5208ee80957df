//! RFC 9457 problem details, and the one place that maps failures to HTTP.

use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::Object;

use crate::db::DbError;

/// Seconds a client should wait before retrying a 503.
pub const RETRY_AFTER_SECONDS: u32 = 1;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem details object.
#[derive(Clone, Debug, Object)]
pub struct Problem {
    /// A URI naming the kind of problem, or `about:blank` when the status says it all.
    #[oai(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// The HTTP status code of this response.
    pub status: u16,
    /// What went wrong in this occurrence, for a person to read.
    pub detail: String,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
        }
    }

    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = poem::web::Json(serde_json::json!({
            "type": self.kind,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }))
        .with_status(status)
        .with_content_type(PROBLEM_JSON)
        .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert("retry-after", RETRY_AFTER_SECONDS.into());
        }
        response
    }
}

/// Turns errors that escape the OpenAPI layer (unknown routes, wrong methods,
/// bodies poem rejects before our handlers run) into problem+json, so no
/// client ever sees a plain-text error.
pub fn problem_from_poem(error: poem::Error) -> Response {
    let status = error.status();
    if status.is_server_error() {
        tracing::error!(%error, "request failed");
        return Problem::new(status, "the server failed to handle this request").into_response();
    }
    Problem::new(status, error.to_string()).into_response()
}

impl From<DbError> for Problem {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Unavailable { .. } | DbError::Retryable(_) => {
                tracing::warn!(error = %error, source = ?std::error::Error::source(&error), "database unavailable");
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "the database is unavailable; retry shortly")
            }
            DbError::Conflict { .. } | DbError::Unexpected(_) => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "database error");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "the server failed to handle this request")
            }
        }
    }
}
