//! `/api/v1/auth`: register, log in, and who am I.

use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, payload::Json, types::Example};

use super::{
    ApiTags,
    body::{Fields, JsonBody, Validate},
    error::{ApiError, Errors, status::*},
    security::{BearerAuth, user_gone},
    users::UserBody,
};
use crate::{
    auth,
    domain::{Email, Password},
    repo::{Caller, UserRepository},
    startup::AppState,
};

/// A new account's sign-in details.
#[derive(Debug, Object)]
#[oai(rename = "Registration", deny_unknown_fields, example)]
pub struct Registration {
    /// Your email; unique regardless of letter case.
    #[oai(validator(
        max_length = 255,
        pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]{1,64}@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+(\.[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+)+$"
    ))]
    pub email: String,
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

/// What login needs; a malformed email simply matches no account.
pub struct Credentials {
    email: Option<Email>,
    password: Password,
}

impl Validate for Login {
    type Valid = Credentials;

    fn validate(fields: &mut Fields<'_>) -> Option<Credentials> {
        let email = fields.required("email", |text| Ok::<_, String>(Email::parse(text).ok()));
        let password = fields.required("password", |text| Ok::<_, String>(Password::unchecked(text)));
        Some(Credentials { email: email?, password: password? })
    }
}

#[derive(Debug, Enum)]
#[oai(rename_all = "lowercase")]
pub enum TokenType {
    Bearer,
}

/// A bearer token for the protected operations; `token_type` is always `bearer`.
// No doc comment on enum-typed fields: poem-openapi then wraps the `$ref` in
// `allOf`, which some client generators cannot read for enums.
#[derive(Debug, Object)]
#[oai(rename = "Token")]
pub struct TokenBody {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    pub token_type: TokenType,
    /// Seconds until the token expires.
    pub expires_in: u64,
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
    /// Signed in.
    #[oai(status = 200)]
    Ok(Json<TokenBody>),
}

#[derive(ApiResponse)]
pub enum MeResponse {
    /// Your account.
    #[oai(status = 200)]
    Ok(Json<UserBody>),
}

pub struct AuthApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Create an account
    ///
    /// The email must be new in any letter case (409 otherwise); the password
    /// is stored only as an argon2id hash.
    #[oai(path = "/auth/register", method = "post", operation_id = "register_user")]
    async fn register(
        &self,
        state: Data<&AppState>,
        body: JsonBody<Registration>,
    ) -> Result<RegisterResponse, Errors<{ CONFLICT | JSON_BODY | DATABASE }>> {
        let SignIn { email, password } = body.0;
        let hash = auth::hash_password(password).await?;
        let client = state.db().await?;
        let user = UserRepository::create(&client, &email, &hash).await?;
        let location = format!("/api/v1/users/{}", user.id);
        Ok(RegisterResponse::Created(Json(user.into()), location))
    }

    /// Log in
    ///
    /// Exchanges email and password for a bearer token. An unknown email and
    /// a wrong password get the same 401, in about the same time; 403 means
    /// the password was right but the account is inactive.
    #[oai(path = "/auth/login", method = "post", operation_id = "login")]
    async fn login(
        &self,
        state: Data<&AppState>,
        body: JsonBody<Login>,
    ) -> Result<LoginResponse, Errors<{ UNAUTHORIZED | FORBIDDEN | JSON_BODY | DATABASE }>> {
        let Credentials { email, password } = body.0;
        let found = match &email {
            Some(email) => UserRepository::credentials(&state.db().await?, email).await?,
            None => None,
        };
        // A password no account can have is checked against the decoy, so it
        // costs the same time and gets the same 401 as a wrong one.
        let (user_id, hash, is_active) = match found {
            Some(found) if password.is_acceptable() => (found.user_id, Some(found.password_hash), found.is_active),
            _ => (0, None, false),
        };
        if !auth::verify_password(password, hash).await? {
            return Err(ApiError::WrongCredentials.into());
        }
        if !is_active {
            return Err(ApiError::Forbidden("this account is inactive").into());
        }
        let issued = state.tokens.issue(user_id);
        Ok(LoginResponse::Ok(Json(TokenBody {
            access_token: issued.token,
            token_type: TokenType::Bearer,
            expires_in: issued.expires_in.as_secs(),
        })))
    }

    /// Get the account behind the token
    #[oai(path = "/auth/me", method = "get", operation_id = "get_current_user")]
    async fn me(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
    ) -> Result<MeResponse, Errors<{ UNAUTHORIZED | DATABASE }>> {
        match UserRepository::me(&state.db().await?, auth.0.0).await? {
            Caller::Active(user) => Ok(MeResponse::Ok(Json(user.into()))),
            Caller::Inactive => Err(user_gone().into()),
        }
    }
}
