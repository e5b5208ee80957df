//! `/api/v1/auth/logout` and `/api/v1/auth/sessions`: the caller's sessions,
//! and ending them. An ended session's tokens answer 401 from the next
//! request on, on every instance: each request's statement checks it.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path};
use serde::Serialize;

use super::{
    ApiTags,
    error::{ApiError, Errors, status::*},
    json::Json,
    security::{BearerAuth, user_gone},
    timestamp::Timestamp,
};
use crate::{
    db::{self, Access},
    domain::SessionSummary,
    repo::{Caller, SessionRepository},
    state::AppState,
};

/// The most sessions listed: the newest ones.
pub const MAX_LISTED: u32 = 100;

/// One of your live sessions.
#[derive(Debug, Object, Serialize)]
#[oai(rename = "Session")]
pub struct SessionBody {
    pub id: i64,
    /// When its login happened.
    pub created_at: Timestamp,
    /// Its last refresh, or its login.
    pub last_used_at: Timestamp,
    /// The `User-Agent` its login sent (at most 512 characters), or null.
    #[oai(nullable, validator(max_length = 512))]
    pub user_agent: Option<String>,
    /// Whether this request's token belongs to it.
    pub current: bool,
}

/// Your live sessions, newest first (at most the newest 100).
#[derive(Debug, Object, Serialize)]
#[oai(rename = "SessionList")]
pub struct SessionList {
    pub items: Vec<SessionBody>,
}

#[derive(ApiResponse)]
pub enum EndedResponse {
    /// The session has ended; its access and refresh tokens answer 401 from now on.
    #[oai(status = 204)]
    Ended,
}

#[derive(ApiResponse)]
pub enum SessionsResponse {
    /// Your live sessions.
    #[oai(status = 200)]
    Ok(Json<SessionList>),
}

pub struct SessionsApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Auth")]
impl SessionsApi {
    /// Log out
    ///
    /// Ends the session of the token sent, at once and on every server.
    #[oai(path = "/auth/logout", method = "post", operation_id = "logout")]
    async fn logout(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
    ) -> Result<EndedResponse, Errors<{ UNAUTHORIZED | DATABASE }>> {
        let caller = auth.0;
        match db::retry!(state.db.writer(), Access::Write, |db| SessionRepository::end(db, caller, caller.session_id))?
        {
            Caller::Active(true) => Ok(EndedResponse::Ended),
            // Its own session cannot be missing while the caller is live;
            // ended by a racing request, it is a token gone like any other.
            Caller::Active(false) | Caller::Inactive => Err(user_gone().into()),
        }
    }

    /// List your sessions
    ///
    /// Your live sessions, newest first; `current` marks the one this
    /// request's token belongs to.
    #[oai(path = "/auth/sessions", method = "get", operation_id = "list_sessions")]
    async fn list(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
    ) -> Result<SessionsResponse, Errors<{ UNAUTHORIZED | DATABASE }>> {
        let caller = auth.0;
        match db::retry!(state.db.reader(), Access::Read, |db| SessionRepository::live(db, caller, MAX_LISTED))? {
            Caller::Active(sessions) => {
                let body = |session: SessionSummary| SessionBody {
                    current: session.id == caller.session_id,
                    id: session.id,
                    created_at: Timestamp(session.created_at),
                    last_used_at: Timestamp(session.last_used_at),
                    user_agent: session.user_agent,
                };
                Ok(SessionsResponse::Ok(Json(SessionList { items: sessions.into_iter().map(body).collect() })))
            }
            Caller::Inactive => Err(user_gone().into()),
        }
    }

    /// End one of your sessions
    ///
    /// Signs a device out: the session's tokens answer 401 from now on. Your
    /// current session may be ended this way too (like logging out).
    #[oai(path = "/auth/sessions/:id", method = "delete", operation_id = "end_session")]
    async fn end(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// The session's id, from `GET /api/v1/auth/sessions`.
        id: Path<i64>,
    ) -> Result<EndedResponse, Errors<{ UNAUTHORIZED | NOT_FOUND | UNPROCESSABLE | DATABASE }>> {
        match db::retry!(state.db.writer(), Access::Write, |db| SessionRepository::end(db, auth.0, id.0))? {
            Caller::Active(true) => Ok(EndedResponse::Ended),
            Caller::Active(false) => Err(ApiError::NotFound("no such live session of yours").into()),
            Caller::Inactive => Err(user_gone().into()),
        }
    }
}
