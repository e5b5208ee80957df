//! `/api/v1/auth`: register, log in, refresh, and who am I.

use chrono::{DateTime, Utc};
use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, types::Example};
use serde::Serialize;

use super::{
    ApiTags,
    body::{Fields, JsonBody, Validate},
    client_address::client_address,
    error::{ApiError, Errors, status::*},
    json::Json,
    rule_text::RuleText,
    security::{BearerAuth, user_gone},
    users::UserBody,
};
use crate::{
    auth::{self, HashingBusy, HashingSlot},
    db::{self, Access},
    domain::{ClientKey, Credentials as DomainCredentials, Email, Password, Principal, RefreshToken, limits},
    repo::{Caller, LoginRepository, Refresh, RegistrationRepository, SessionRepository, UserRepository},
    state::AppState,
};

/// A new account's sign-in details; the email must be new in any letter case.
#[derive(Debug, Object)]
#[oai(rename = "Registration", deny_unknown_fields, example)]
pub struct Registration {
    pub email: RuleText<Email>,
    /// 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
}

impl Example for Registration {
    fn example() -> Self {
        Self { email: "ann@example.com".into(), password: "a long passphrase".into() }
    }
}

/// A validated registration or login.
pub struct SignIn {
    email: Email,
    password: Password,
}

impl Validate for Registration {
    type Valid = SignIn;

    fn validate(fields: &mut Fields<'_>) -> Option<SignIn> {
        let email = fields.required("email", Email::parse);
        let password = fields.required("password", Password::parse);
        Some(SignIn { email: email?, password: password? })
    }
}

/// Sign-in details for an existing account.
#[derive(Debug, Object)]
#[oai(rename = "Login", deny_unknown_fields, example)]
pub struct Login {
    #[oai(validator(max_length = 255))]
    pub email: String,
    #[oai(validator(max_length = 128))]
    pub password: String,
}

impl Example for Login {
    fn example() -> Self {
        Self { email: "ann@example.com".into(), password: "a long passphrase".into() }
    }
}

/// What login needs; a malformed email simply matches no account, but one
/// with U+0000, which no PostgreSQL text can hold, is refused (422).
pub struct LoginInput {
    email: String,
    password: Password,
}

impl Validate for Login {
    type Valid = LoginInput;

    fn validate(fields: &mut Fields<'_>) -> Option<LoginInput> {
        let email = fields.required("email", |text| {
            if text.contains('\0') { Err("must not contain U+0000") } else { Ok(text.to_owned()) }
        });
        let password = fields.required("password", |text| Ok::<_, String>(Password::unchecked(text)));
        Some(LoginInput { email: email?, password: password? })
    }
}

#[derive(Debug, Enum, Serialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    Bearer,
}

/// A session's tokens: a short-lived bearer token for the protected
/// operations (`token_type` is always `bearer`) and the refresh token that
/// renews it.
// No doc comment on enum-typed fields: poem-openapi then wraps the `$ref` in
// `allOf`, which some client generators cannot read for enums.
#[derive(Debug, Object, Serialize)]
#[oai(rename = "Token")]
pub struct TokenBody {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    pub token_type: TokenType,
    /// Seconds until the access token expires (15 minutes by default).
    pub expires_in: u64,
    /// Opaque; send to `POST /api/v1/auth/refresh` for a new pair before or
    /// after the access token expires. Single use, valid 30 days by default.
    /// Keep it secret: it is as good as the session.
    pub refresh_token: String,
}

/// A refresh token to exchange for a new pair.
#[derive(Debug, Object)]
#[oai(rename = "RefreshRequest", deny_unknown_fields)]
pub struct RefreshRequest {
    /// The `refresh_token` of the last login or refresh.
    #[oai(validator(max_length = 128))]
    pub refresh_token: String,
}

impl Validate for RefreshRequest {
    type Valid = RefreshToken;

    fn validate(fields: &mut Fields<'_>) -> Option<RefreshToken> {
        fields.required("refresh_token", presented_token(RefreshToken::presented))
    }
}

/// A refresh or reset token as a client sent it, made by `token`: any text
/// up to the spec's `maxLength`, looked up by its hash.
pub(super) fn presented_token<T>(token: fn(&str) -> T) -> impl Fn(&str) -> Result<T, &'static str> {
    move |text| if text.chars().count() <= 128 { Ok(token(text)) } else { Err("must be at most 128 characters") }
}

#[derive(ApiResponse)]
pub enum RegisterResponse {
    /// The account was created.
    #[oai(status = 201)]
    Created(
        Json<UserBody>,
        /// Where the new account can be read.
        #[oai(header = "Location")]
        String,
    ),
}

#[derive(ApiResponse)]
pub enum LoginResponse {
    /// Signed in: a new session.
    #[oai(status = 200)]
    Ok(Json<TokenBody>),
}

#[derive(ApiResponse)]
pub enum RefreshResponse {
    /// A new pair for the same session; the refresh token sent is spent.
    #[oai(status = 200)]
    Ok(Json<TokenBody>),
}

#[derive(ApiResponse)]
pub enum MeResponse {
    /// Your account.
    #[oai(status = 200)]
    Ok(Json<UserBody>),
}

/// The account whose password matched, if any. Without an account, or with a
/// password no account can have, the decoy hash is checked: the same time and
/// the same `None` as a wrong password.
async fn check_password(
    slot: HashingSlot,
    password: Password,
    account: Option<DomainCredentials>,
) -> Result<Option<DomainCredentials>, HashingBusy> {
    let account = account.filter(|_| password.is_acceptable());
    let hash = account.as_ref().map(|account| account.password_hash.clone());
    Ok(auth::verify_password(slot, password, hash).await?.then_some(account).flatten())
}

/// The request's `User-Agent`, cut to what a session stores.
fn user_agent(request: &Request) -> Option<String> {
    let agent = request.header("user-agent")?;
    Some(agent.chars().take(limits::USER_AGENT_MAX).collect())
}

/// The answer carrying a session's new tokens.
fn tokens(state: &AppState, principal: Principal, refresh: RefreshToken) -> TokenBody {
    let issued = state.tokens.issue(principal);
    TokenBody {
        access_token: issued.token,
        token_type: TokenType::Bearer,
        expires_in: issued.expires_in.as_secs(),
        refresh_token: refresh.expose().to_owned(),
    }
}

/// Whole seconds until `instant`, at least one.
pub(super) fn seconds_until(instant: DateTime<Utc>) -> u64 {
    let millis = (instant - Utc::now()).num_milliseconds().max(1);
    u64::try_from(millis).unwrap_or(1).div_ceil(1000)
}

pub struct AuthApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create an account
    ///
    /// The email must be new in any letter case (409 otherwise); the password
    /// is stored only as an argon2id hash. Registrations are counted per
    /// client address (see the 429).
    #[oai(path = "/auth/register", method = "post", operation_id = "register_user")]
    async fn register(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<Registration>,
    ) -> Result<RegisterResponse, Errors<{ CONFLICT | TOO_MANY_REQUESTS | JSON_BODY | DATABASE }>> {
        let SignIn { email, password } = body.0;
        // A place to hash in first (503 counts nothing), then the count
        // that may refuse the hashing.
        let slot = auth::new_password_slot()?;
        let client = ClientKey::new(client_address(request, &state.trusted_proxies));
        let limit = state.registration_limit;
        let refused =
            db::retry!(state.db.writer(), Access::Write, |db| RegistrationRepository::count(db, &client, limit))?;
        if let Some(until) = refused {
            return Err(ApiError::TooManyRegistrations { retry_after: seconds_until(until) }.into());
        }
        let hash = auth::hash_password_in(slot, password).await?;
        let user = db::retry!(state.db.writer(), Access::Write, |db| UserRepository::create(db, &email, &hash))?;
        let location = format!("/api/v1/users/{}", user.id);
        Ok(RegisterResponse::Created(Json(user.into()), location))
    }

    /// Log in
    ///
    /// Exchanges email and password for a new session: a bearer token and a
    /// refresh token. An unknown email and a wrong password get the same 401,
    /// in about the same time; 403 means the password was right but the
    /// account is inactive. Failed logins are counted per email and per
    /// client address (see the 429).
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<Login>,
    ) -> Result<LoginResponse, Errors<{ UNAUTHORIZED | FORBIDDEN | TOO_MANY_REQUESTS | JSON_BODY | DATABASE }>> {
        let LoginInput { email, password } = body.0;
        // A place to hash in first: an attempt turned away with 503 is not counted.
        let slot = auth::hashing_slot()?;
        let (client, limits) = (ClientKey::new(client_address(request, &state.trusted_proxies)), state.login_limits);
        // Counted before the password is checked, in the statement that
        // decides whether it may be: however many attempts race, at most the
        // limit's number of passwords are checked per window.
        let mut attempt =
            db::retry!(state.db.writer(), Access::Write, |db| LoginRepository::reserve(db, &email, &client, limits))?;
        if let Some(until) = attempt.refused_until {
            db::retry!(state.db.writer(), Access::Write, |db| LoginRepository::give_back(db, &attempt))?;
            return Err(ApiError::TooManyLogins { retry_after: seconds_until(until) }.into());
        }
        // A wrong password keeps its count.
        let Some(account) = check_password(slot, password, attempt.credentials.take()).await? else {
            return Err(ApiError::WrongCredentials.into());
        };
        let inactive = || ApiError::Forbidden("this account is inactive");
        if !account.is_active {
            return Err(inactive().into());
        }
        let (refresh, agent, ttl) = (RefreshToken::first(), user_agent(request), state.refresh_ttl);
        let started = db::retry!(state.db.writer(), Access::Write, |db| {
            SessionRepository::start(db, &attempt, &account, agent.as_deref(), &refresh, ttl)
        })?;
        // The password was reset or changed, or the account deactivated,
        // while the password was being checked: it no longer signs in.
        let Some(session) = started else { return Err(ApiError::WrongCredentials.into()) };
        Ok(LoginResponse::Ok(Json(tokens(&state, session.principal, refresh))))
    }

    /// Renew a session
    ///
    /// Exchanges a refresh token for a new bearer token and refresh token of
    /// the same session; the one sent is spent. Presenting a spent refresh
    /// token again is taken as theft (OAuth 2.0 Security BCP, refresh token
    /// rotation): its whole session ends, and both holders must log in again.
    /// An unknown, expired or spent token, or one whose session has ended,
    /// answers 401.
    #[oai(path = "/auth/refresh", method = "post", operation_id = "refresh_session")]
    async fn refresh(
        &self,
        state: Data<&AppState>,
        body: JsonBody<RefreshRequest>,
    ) -> Result<RefreshResponse, Errors<{ UNAUTHORIZED | JSON_BODY | DATABASE }>> {
        let (presented, ttl) = (body.0, state.refresh_ttl);
        let next = presented.successor();
        let outcome =
            db::retry!(state.db.writer(), Access::Write, |db| SessionRepository::refresh(db, &presented, &next, ttl))?;
        match outcome {
            Refresh::Rotated(session) => Ok(RefreshResponse::Ok(Json(tokens(&state, session.principal, next)))),
            Refresh::Reused => {
                tracing::warn!("a spent refresh token was presented again; its session has ended");
                Err(ApiError::RefreshRefused.into())
            }
            Refresh::Refused => Err(ApiError::RefreshRefused.into()),
        }
    }

    /// Get the account behind the token
    #[oai(path = "/auth/me", method = "get", operation_id = "get_current_user")]
    async fn me(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
    ) -> Result<MeResponse, Errors<{ UNAUTHORIZED | DATABASE }>> {
        match db::retry!(state.db.reader(), Access::Read, |db| UserRepository::me(db, auth.0))? {
            Caller::Active(user) => Ok(MeResponse::Ok(Json(user.into()))),
            Caller::Inactive => Err(user_gone().into()),
        }
    }
}
