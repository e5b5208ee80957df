//! `/api/v1/users/{id}`: an account, as its owner sees it.

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path};
use serde::Serialize;
use serde_json::Value;

use super::{
    ApiTags,
    body::{Fields, JsonBody, Validate},
    error::{ApiError, Errors, status::*},
    json::Json,
    json_object::JsonObject,
    rule_text::RuleText,
    security::{BearerAuth, user_gone},
    timestamp::Timestamp,
};
use crate::{
    auth,
    db::{self, Access},
    domain::{AvatarUrl, Bio, Email, Name, Password, Preferences, Principal, ProfileChanges, User, UserChanges},
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
    /// Moves forward on every change to the account (not on login).
    pub updated_at: Timestamp,
    /// A display name, or null.
    #[oai(nullable, validator(max_length = 128))]
    pub name: Option<String>,
    /// A short biography, or null.
    #[oai(nullable, validator(max_length = 512))]
    pub bio: Option<String>,
    /// An absolute http or https URL of a picture, or null.
    #[oai(nullable, validator(max_length = 255))]
    pub avatar_url: Option<String>,
    /// The client's settings for this account: any JSON object, at most
    /// 16 KiB as compact JSON; `{}` until set.
    pub preferences: JsonObject,
    /// The last successful login; null before the first.
    #[oai(nullable)]
    pub last_login_at: Option<Timestamp>,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            is_active: user.is_active,
            created_at: Timestamp(user.created_at),
            updated_at: Timestamp(user.updated_at),
            name: user.name,
            bio: user.bio,
            avatar_url: user.avatar_url,
            preferences: JsonObject(user.preferences),
            last_login_at: user.last_login_at.map(Timestamp),
        }
    }
}

/// Changes to your account; omitted fields stay as they are. A null
/// `email`, `password` or `is_active` also leaves it as it is; a null `name`,
/// `bio`, `avatar_url` clears it, and a null `preferences` resets it to `{}`.
#[derive(Debug, Object)]
#[oai(rename = "UserPatch", deny_unknown_fields)]
pub struct UserPatch {
    #[oai(nullable)]
    pub email: Option<RuleText<Email>>,
    /// 8 to 128 characters; replaces the password.
    #[oai(nullable, validator(min_length = 8, max_length = 128))]
    pub password: Option<String>,
    /// `false` deactivates the account: it can no longer log in, and its tokens stop working.
    #[oai(nullable)]
    pub is_active: Option<bool>,
    /// At most 128 characters, no control characters; null clears it.
    #[oai(nullable, validator(max_length = 128, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$"))]
    pub name: Option<String>,
    /// At most 512 characters; line breaks and tabs are the only control characters allowed. Null clears it.
    #[oai(nullable, validator(max_length = 512, pattern = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"))]
    pub bio: Option<String>,
    /// An absolute `http` or `https` URL with a host name (no user name, password or IP address), at most
    /// 255 characters; null clears it.
    #[oai(
        nullable,
        validator(
            max_length = 255,
            pattern = r"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9-]+\.)*[A-Za-z0-9-]*[A-Za-z-][A-Za-z0-9-]*(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?([/?#][!-~]*)?$"
        )
    )]
    pub avatar_url: Option<String>,
    /// Replaces the whole object: any JSON object, at most 16 KiB as compact JSON, whose strings and keys
    /// hold no U+0000 (PostgreSQL's jsonb cannot store it; 422). Null resets it to `{}`.
    #[oai(nullable)]
    pub preferences: Option<JsonObject>,
}

/// A validated [`UserPatch`]; the new password is not hashed yet.
pub struct UserPatchInput {
    email: Option<Email>,
    password: Option<Password>,
    is_active: Option<bool>,
    profile: ProfileChanges,
}

/// A string field's value, checked by `parse`.
fn text<T>(parse: impl Fn(&str) -> Result<T, crate::domain::ProfileError>) -> impl Fn(&Value) -> Result<T, String> {
    move |value| match value {
        Value::String(text) => parse(text).map_err(|error| error.to_string()),
        _ => Err("must be a string or null".to_owned()),
    }
}

impl Validate for UserPatch {
    type Valid = UserPatchInput;

    fn validate(fields: &mut Fields<'_>) -> Option<UserPatchInput> {
        let email = fields.optional("email", Email::parse);
        let password = fields.optional("password", Password::parse);
        let is_active = fields.optional_bool("is_active");
        let name = fields.clearable("name", text(Name::parse));
        let bio = fields.clearable("bio", text(Bio::parse));
        let avatar_url = fields.clearable("avatar_url", text(AvatarUrl::parse));
        let preferences = fields.clearable("preferences", Preferences::parse);
        let profile = ProfileChanges { name: name?, bio: bio?, avatar_url: avatar_url?, preferences: preferences? };
        Some(UserPatchInput { email: email?, password: password?, is_active: is_active?, profile })
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
        match db::retry!(state.db.reader(), Access::Read, |db| UserRepository::seen_by(db, auth.0, id.0))? {
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
    /// the password (re-hashed; every other session of yours ends, this one
    /// stays), `is_active`, or the profile: `name`, `bio`, `avatar_url`,
    /// `preferences` (null clears). Another user's id answers 403.
    #[oai(path = "/users/:id", method = "patch", operation_id = "update_user")]
    async fn update_user(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// The user's id; must be yours.
        id: Path<i64>,
        body: JsonBody<UserPatch>,
    ) -> Result<UserResponse, Errors<{ UNAUTHORIZED | FORBIDDEN | CONFLICT | JSON_BODY | DATABASE }>> {
        let caller = auth.0;
        if id.0 != caller.user_id {
            return Err(someone_else(&state, caller).await?.into());
        }
        let input = body.0;
        let password_hash = match input.password {
            Some(password) => Some(auth::hash_password(password).await?),
            None => None,
        };
        let changes =
            UserChanges { email: input.email, password_hash, is_active: input.is_active, profile: input.profile };
        match db::retry!(state.db.writer(), Access::Write, |db| UserRepository::change(db, caller, &changes))? {
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
        let caller = auth.0;
        if id.0 != caller.user_id {
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
async fn someone_else(state: &AppState, caller: Principal) -> Result<ApiError, ApiError> {
    Ok(match db::retry!(state.db.reader(), Access::Read, |db| UserRepository::me(db, caller))? {
        Caller::Active(_) => ApiError::Forbidden("you can only change your own account"),
        Caller::Inactive => user_gone(),
    })
}
