//! The bearer scheme: the token is checked here, without the database (no
//! pool checkout). Whether its user still exists and is active, and its
//! session live, is checked by the statement each operation runs anyway.

use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};

use super::error::ApiError;
use crate::{auth::TokenError, domain::Principal, state::AppState};

/// An HS256 JWT from `POST /api/v1/auth/login` or `/auth/refresh`, sent as
/// `Authorization: Bearer <access_token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "authenticate")]
pub struct BearerAuth(pub Principal);

async fn authenticate(request: &Request, bearer: Bearer) -> poem::Result<Principal> {
    let state = request.data::<AppState>().ok_or(ApiError::Internal)?;
    match state.tokens.verify(&bearer.token) {
        Ok(principal) => Ok(principal),
        Err(error) => {
            tracing::debug!(%error, "rejected a bearer token");
            let detail = match error {
                TokenError::Expired => "the token has expired; log in again",
                TokenError::NotYetValid => "the token is not valid yet",
                TokenError::NoSession => "the token predates sessions; log in again",
                _ => "the token is invalid",
            };
            Err(ApiError::Unauthorized(detail).into())
        }
    }
}

/// The 401 for a valid token whose session has ended, or whose user was
/// deleted or deactivated since.
pub fn user_gone() -> ApiError {
    ApiError::Unauthorized("the token's session has ended, or its user no longer exists or is inactive")
}
