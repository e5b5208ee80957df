//! RFC 9457 problem details, and the one place that maps failures to HTTP.
//!
//! Handlers return `Result<_, Errors<S>>`, where the bit set `S` names the
//! statuses the operation can answer besides its successes; the spec lists
//! exactly those, each with the `Problem` schema. Everything that fails
//! before a handler runs (unknown route, wrong method, bad parameter,
//! missing token, wrong content type) is turned into the same problem+json by
//! [`problem_from_poem`].

use poem::{IntoResponse, Response, error::ResponseError, http::StatusCode};
use poem_openapi::{
    ApiResponse, Object,
    registry::{MetaHeader, MetaMediaType, MetaResponse, MetaResponses, Registry},
    types::{ToJSON, Type},
};

use crate::{auth::HashingBusy, db::DbError};

/// Seconds a client should wait before retrying a 503.
pub const RETRY_AFTER_SECONDS: u32 = 1;
pub const PROBLEM_JSON: &str = "application/problem+json";
/// The largest request body accepted: room for 16 KiB of `preferences`
/// beside the other fields of a user patch; every other body is a few fields.
pub const MAX_BODY_BYTES: usize = 32 * 1024;

/// An RFC 9457 problem details object.
#[derive(Clone, Debug, Object)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[oai(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem, the same for every occurrence.
    pub title: String,
    /// The HTTP status code of this response.
    pub status: u16,
    /// What went wrong this time, for a person to read.
    pub detail: String,
    /// 422 only: each invalid field and why.
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<FieldError>>,
    /// 5xx only: this request's id, as in the `X-Request-Id` header; quote it when reporting the problem.
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<String>,
}

/// One invalid part of a request.
#[derive(Clone, Debug, PartialEq, Eq, Object)]
pub struct FieldError {
    /// The body field, query or path parameter: `email`, `limit`, `id`, or `body` for the whole body.
    pub field: String,
    /// Why it is invalid.
    pub message: String,
}

impl Problem {
    fn new(status: StatusCode, detail: String, errors: Option<Vec<FieldError>>) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
            request_id: status.is_server_error().then(super::request_id::current).flatten(),
        }
    }

    fn into_response(self, status: StatusCode) -> Response {
        self.to_json_string().with_status(status).with_content_type(PROBLEM_JSON).into_response()
    }
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl ToString) -> Self {
        Self { field: field.into(), message: message.to_string() }
    }
}

/// Every failure an operation can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("the refresh token is unknown, expired or spent, or its session has ended; log in again")]
    RefreshRefused,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(&'static str),
    #[error("the request body is larger than {MAX_BODY_BYTES} bytes")]
    PayloadTooLarge,
    #[error("the request body did not arrive within {0} seconds")]
    BodyTimeout(u64),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request does not match the schema")]
    Invalid(Vec<FieldError>),
    /// Failed logins for this account or from this address reached the limit.
    #[error("too many failed logins; try again after Retry-After seconds")]
    TooManyLogins { retry_after: u64 },
    /// Reset requests for this email or from this address reached the limit.
    #[error("too many password reset requests; try again after Retry-After seconds")]
    TooManyResets { retry_after: u64 },
    /// Registrations from this address reached the limit.
    #[error("too many registrations from this address; try again after Retry-After seconds")]
    TooManyRegistrations { retry_after: u64 },
    #[error("the database is unavailable; retry shortly")]
    Unavailable,
    #[error("the server is busy checking other passwords; retry shortly")]
    Busy,
    #[error("the server failed to handle this request")]
    Internal,
}

impl ApiError {
    pub fn invalid(field: &str, message: impl ToString) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::WrongCredentials | Self::RefreshRefused => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyLogins { .. } | Self::TooManyResets { .. } | Self::TooManyRegistrations { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Unavailable | Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> Problem {
        let errors = match self {
            Self::Invalid(errors) => Some(errors.clone()),
            _ => None,
        };
        Problem::new(self.status(), self.to_string(), errors)
    }
}

impl ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        ApiError::status(self)
    }

    fn as_response(&self) -> Response {
        let mut response = self.problem().into_response(self.status());
        let headers = response.headers_mut();
        match self {
            Self::Unavailable | Self::Busy => {
                headers.insert("retry-after", RETRY_AFTER_SECONDS.into());
            }
            Self::Unauthorized(_) => {
                headers.insert("www-authenticate", poem::http::HeaderValue::from_static("Bearer"));
            }
            Self::TooManyLogins { retry_after }
            | Self::TooManyResets { retry_after }
            | Self::TooManyRegistrations { retry_after } => {
                headers.insert("retry-after", (*retry_after).into());
            }
            _ => {}
        }
        response
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        let source = std::error::Error::source(&error).map(ToString::to_string);
        match &error {
            DbError::Unavailable { .. } | DbError::Retryable(_) => {
                tracing::warn!(%error, ?source, "database unavailable");
                Self::Unavailable
            }
            DbError::Conflict { constraint, .. } if constraint == "ux_users_email_lower" => {
                Self::Conflict("that email is already registered")
            }
            DbError::Conflict { constraint, .. } if constraint == "files_user_id_fkey" => {
                Self::Conflict("the user still owns files; delete them first")
            }
            DbError::Conflict { .. } | DbError::Unexpected(_) | DbError::Unreadable(_) => {
                tracing::error!(%error, ?source, "database error");
                Self::Internal
            }
        }
    }
}

impl From<HashingBusy> for ApiError {
    fn from(_: HashingBusy) -> Self {
        Self::Busy
    }
}

/// Bits naming the error statuses an operation documents.
pub mod status {
    pub const BAD_REQUEST: u32 = 1 << 0;
    pub const UNAUTHORIZED: u32 = 1 << 1;
    pub const FORBIDDEN: u32 = 1 << 2;
    pub const NOT_FOUND: u32 = 1 << 3;
    pub const CONFLICT: u32 = 1 << 4;
    pub const PAYLOAD_TOO_LARGE: u32 = 1 << 5;
    pub const UNSUPPORTED_MEDIA_TYPE: u32 = 1 << 6;
    pub const UNPROCESSABLE: u32 = 1 << 7;
    pub const INTERNAL: u32 = 1 << 8;
    pub const UNAVAILABLE: u32 = 1 << 9;
    pub const TOO_MANY_REQUESTS: u32 = 1 << 10;
    pub const REQUEST_TIMEOUT: u32 = 1 << 11;
    /// What any operation with a JSON body can answer.
    pub const JSON_BODY: u32 =
        BAD_REQUEST | REQUEST_TIMEOUT | PAYLOAD_TOO_LARGE | UNSUPPORTED_MEDIA_TYPE | UNPROCESSABLE;
    /// What any operation that reaches the database can answer.
    pub const DATABASE: u32 = INTERNAL | UNAVAILABLE;
}

/// Every documented error status: its bit, code and meaning.
const STATUSES: &[(u32, u16, &str)] = &[
    (status::BAD_REQUEST, 400, "The body is not valid JSON."),
    (
        status::UNAUTHORIZED,
        401,
        "No valid bearer token: missing, malformed, expired, not yet valid, wrongly signed, its session has ended, or its user no longer exists or is inactive. (Login: wrong email or password. Refresh: the refresh token is unknown, expired or spent, or its session has ended.)",
    ),
    (status::FORBIDDEN, 403, "The resource belongs to someone else. (Login: the account is inactive.)"),
    (status::NOT_FOUND, 404, "No such resource, or it is not yours."),
    (status::REQUEST_TIMEOUT, 408, "The body did not arrive in time (10 seconds by default)."),
    (
        status::CONFLICT,
        409,
        "The change conflicts with existing data: the email is taken, or the user still owns files.",
    ),
    (status::PAYLOAD_TOO_LARGE, 413, "The body is larger than 32 KiB."),
    (status::UNSUPPORTED_MEDIA_TYPE, 415, "The body is not `application/json`."),
    (status::UNPROCESSABLE, 422, "The body or a parameter breaks the schema; `errors` names each invalid field."),
    (
        status::TOO_MANY_REQUESTS,
        429,
        "Too many attempts for this email or from this address; retry after `Retry-After` seconds. \
         Login: too many failed logins, and even the right password is refused until then. \
         Password reset: too many reset requests. Registration: too many from this address.",
    ),
    (status::INTERNAL, 500, "An unexpected server failure; the detail is generic and the cause is logged."),
    (
        status::UNAVAILABLE,
        503,
        "The database is unreachable, no connection was free in time, or too many passwords are being checked at once; retry after `Retry-After` seconds.",
    ),
];

/// The failures an operation answers, limited to the statuses in `S`.
#[derive(Debug)]
pub struct Errors<const S: u32>(ApiError);

impl<const S: u32> From<ApiError> for Errors<S> {
    fn from(error: ApiError) -> Self {
        let documented = STATUSES.iter().any(|(bit, code, _)| S & bit != 0 && *code == error.status().as_u16());
        if !documented {
            // The spec must list every status an operation can answer; tests walk it.
            tracing::error!(status = %error.status(), "answering with a status the operation does not document");
        }
        Self(error)
    }
}

impl<const S: u32> From<DbError> for Errors<S> {
    fn from(error: DbError) -> Self {
        ApiError::from(error).into()
    }
}

impl<const S: u32> From<HashingBusy> for Errors<S> {
    fn from(error: HashingBusy) -> Self {
        ApiError::from(error).into()
    }
}

impl<const S: u32> From<Errors<S>> for poem::Error {
    fn from(errors: Errors<S>) -> Self {
        poem::Error::from(errors.0)
    }
}

impl<const S: u32> ApiResponse for Errors<S> {
    fn meta() -> MetaResponses {
        let responses = STATUSES
            .iter()
            .filter(|(bit, ..)| S & bit != 0)
            .map(|(_, code, description)| MetaResponse {
                description,
                status: Some(*code),
                status_range: None,
                content: vec![MetaMediaType { content_type: PROBLEM_JSON, schema: Problem::schema_ref() }],
                headers: header_for(*code).into_iter().collect(),
            })
            .collect();
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}

fn header_for(code: u16) -> Option<MetaHeader> {
    let (name, description, schema) = match code {
        429 | 503 => ("Retry-After", "Seconds to wait before retrying.", u32::schema_ref()),
        401 => ("WWW-Authenticate", "`Bearer`, on operations that take a bearer token.", String::schema_ref()),
        _ => return None,
    };
    Some(MetaHeader {
        name: name.to_owned(),
        description: Some(description.to_owned()),
        required: code == 429 || code == 503,
        deprecated: false,
        schema,
    })
}

/// Turns errors raised outside our handlers into problem+json, so no client
/// ever sees a plain-text error. Parameter errors are schema violations: 422.
pub fn problem_from_poem(error: poem::Error) -> Response {
    use poem_openapi::error::{AuthorizationError, ContentTypeError, ParseParamError, ParsePathError};

    if error.is::<ApiError>() {
        return error.into_response();
    }
    let api_error = if let Some(param) = error.downcast_ref::<ParseParamError>() {
        ApiError::invalid(param.name, &param.reason)
    } else if let Some(path) = error.downcast_ref::<ParsePathError>() {
        // poem-openapi names path parameters by position (`param0`); every
        // path here has exactly one, `{id}`.
        ApiError::invalid("id", &path.reason)
    } else if error.is::<AuthorizationError>() {
        ApiError::Unauthorized("a bearer token is required: send `Authorization: Bearer <token>`")
    } else if let Some(content_type) = error.downcast_ref::<ContentTypeError>() {
        ApiError::UnsupportedMediaType(format!("{content_type}; send `Content-Type: application/json`"))
    } else if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge
    } else if error.status().is_server_error() {
        tracing::error!(%error, "request failed");
        ApiError::Internal
    } else {
        // Routing errors (404, 405) and the like: poem's own message is safe to show.
        return Problem::new(error.status(), error.to_string(), None).into_response(error.status());
    };
    api_error.as_response()
}
