//! `/api/v1/users/{id}`: an account, as its owner sees it.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path};
use serde::Serialize;

use super::{
    ApiTags,
    body::{Fields, JsonBody, Validate},
    error::{ApiError, Errors, status::*},
    json::Json,
    security::{BearerAuth, user_gone},
    timestamp::Timestamp,
};
use crate::{
    auth,
    db::{self, Access},
    domain::{Email, Password, User, UserChanges},
    repo::{Caller, UserRepository, UserSeen},
    state::AppState,
};

/// An account. The password hash never appears in any response.
#[derive(Debug, Object, Serialize)]
#[oai(rename = "User")]
pub struct UserBody {
    pub id: i64,
    /// Unique regardless of letter case; stored as typed.
    #[oai(validator(max_length = 255))]
    pub email: String,
    /// Inactive accounts cannot log in and their tokens are refused.
    pub is_active: bool,
    pub created_at: Timestamp,
    /// Moves forward on every change.
    pub updated_at: Timestamp,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            is_active: user.is_active,
            created_at: Timestamp(user.created_at),
            updated_at: Timestamp(user.updated_at),
        }
    }
}

/// Changes to your account; omitted (or null) fields stay as they are.
#[derive(Debug, Object)]
#[oai(rename = "UserPatch", deny_unknown_fields)]
pub struct UserPatch {
    #[oai(
        nullable,
        validator(
            max_length = 255,
            pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{1,64}@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+(\.[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+)+$"
        )
    )]
    pub email: Option<String>,
    /// 8 to 128 characters; replaces the password.
    #[oai(nullable, validator(min_length = 8, max_length = 128))]
    pub password: Option<String>,
    /// `false` deactivates the account: it can no longer log in, and its tokens stop working.
    #[oai(nullable)]
    pub is_active: Option<bool>,
}

/// A validated [`UserPatch`]; the new password is not hashed yet.
pub struct UserPatchInput {
    email: Option<Email>,
    password: Option<Password>,
    is_active: Option<bool>,
}

impl Validate for UserPatch {
    type Valid = UserPatchInput;

    fn validate(fields: &mut Fields<'_>) -> Option<UserPatchInput> {
        let email = fields.optional("email", Email::parse);
        let password = fields.optional("password", Password::parse);
        let is_active = fields.optional_bool("is_active");
        Some(UserPatchInput { email: email?, password: password?, is_active: is_active? })
    }
}

#[derive(ApiResponse)]
pub enum UserResponse {
    /// The account.
    #[oai(status = 200)]
    Ok(Json<UserBody>),
}

#[derive(ApiResponse)]
pub enum DeletedResponse {
    /// The account is gone; its tokens no longer work.
    #[oai(status = 204)]
    Deleted,
}

pub struct UsersApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Users")]
impl UsersApi {
    /// Get your account
    ///
    /// Only your own account is visible: another user's id answers 403, an
    /// id that belongs to nobody 404.
    #[oai(path = "/users/:id", method = "get", operation_id = "get_user")]
    async fn get_user(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// The user's id.
        id: Path<i64>,
    ) -> Result<UserResponse, Errors<{ UNAUTHORIZED | FORBIDDEN | NOT_FOUND | UNPROCESSABLE | DATABASE }>> {
        match db::retry!(state.db.reader(), Access::Read, |db| UserRepository::seen_by(db, auth.0.0, id.0))? {
            Caller::Inactive => Err(user_gone().into()),
            Caller::Active(UserSeen::Yourself(user)) => Ok(UserResponse::Ok(Json(user.into()))),
            Caller::Active(UserSeen::SomeoneElse) => {
                Err(ApiError::Forbidden("you can only see your own account").into())
            }
            Caller::Active(UserSeen::Nobody) => Err(ApiError::NotFound("no such user").into()),
        }
    }

    /// Change your account
    ///
    /// Changes the email (409 if another account has it in any letter case),
    /// the password (re-hashed) or `is_active`. Another user's id answers 403.
    #[oai(path = "/users/:id", method = "patch", operation_id = "update_user")]
    async fn update_user(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// The user's id; must be yours.
        id: Path<i64>,
        body: JsonBody<UserPatch>,
    ) -> Result<UserResponse, Errors<{ UNAUTHORIZED | FORBIDDEN | CONFLICT | JSON_BODY | DATABASE }>> {
        let caller = auth.0.0;
        if id.0 != caller {
            return Err(someone_else(&state, caller).await?.into());
        }
        let input = body.0;
        let password_hash = match input.password {
            Some(password) => Some(auth::hash_password(password).await?),
            None => None,
        };
        let changes = UserChanges { email: input.email, password_hash, is_active: input.is_active };
        match db::retry!(state.db.writer(), Access::Write, |db| UserRepository::update(db, caller, &changes))? {
            Caller::Active(user) => Ok(UserResponse::Ok(Json(user.into()))),
            Caller::Inactive => Err(user_gone().into()),
        }
    }

    /// Delete your account
    ///
    /// Refused with 409 while you still own files: nothing is deleted
    /// silently. Another user's id answers 403.
    #[oai(path = "/users/:id", method = "delete", operation_id = "delete_user")]
    async fn delete_user(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// The user's id; must be yours.
        id: Path<i64>,
    ) -> Result<DeletedResponse, Errors<{ UNAUTHORIZED | FORBIDDEN | CONFLICT | UNPROCESSABLE | DATABASE }>> {
        let caller = auth.0.0;
        if id.0 != caller {
            return Err(someone_else(&state, caller).await?.into());
        }
        match db::retry!(state.db.writer(), Access::Write, |db| UserRepository::delete(db, caller))? {
            Caller::Active(()) => Ok(DeletedResponse::Deleted),
            Caller::Inactive => Err(user_gone().into()),
        }
    }
}

/// The answer to acting on another user's account: 403, unless the caller's
/// own account is gone (401).
async fn someone_else(state: &AppState, caller: i64) -> Result<ApiError, ApiError> {
    Ok(match db::retry!(state.db.reader(), Access::Read, |db| UserRepository::me(db, caller))? {
        Caller::Active(_) => ApiError::Forbidden("you can only change your own account"),
        Caller::Inactive => user_gone(),
    })
}
