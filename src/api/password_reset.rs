//! `/api/v1/auth/password-reset`: ask for a reset link by mail, and use it.

use poem::{Request, web::Data};
use poem_openapi::{ApiResponse, Object, OpenApi, types::Example};
use serde::Serialize;

use super::{
    ApiTags,
    body::{Fields, JsonBody, Validate},
    client_address::client_address,
    error::{ApiError, Errors, status::*},
    json::Json,
    rule_text::RuleText,
};
use crate::{
    auth,
    db::{self, Access},
    domain::{ClientKey, Email, NewMail, Password, SecretToken},
    repo::{PasswordResetRepository, ResetRequest},
    state::AppState,
};

/// An account's email, in any letter case, to mail a password reset link to.
#[derive(Debug, Object)]
#[oai(rename = "PasswordResetRequest", deny_unknown_fields, example)]
pub struct PasswordResetRequest {
    pub email: RuleText<Email>,
}

impl Example for PasswordResetRequest {
    fn example() -> Self {
        Self { email: "ann@example.com".into() }
    }
}

impl Validate for PasswordResetRequest {
    type Valid = Email;

    fn validate(fields: &mut Fields<'_>) -> Option<Email> {
        fields.required("email", Email::parse)
    }
}

/// The token from a reset link, and the new password.
#[derive(Debug, Object)]
#[oai(rename = "PasswordResetConfirmation", deny_unknown_fields, example)]
pub struct PasswordResetConfirmation {
    /// The `token` query parameter of the mailed link.
    #[oai(validator(max_length = 128))]
    pub token: String,
    /// 8 to 128 characters.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
}

impl Example for PasswordResetConfirmation {
    fn example() -> Self {
        Self { token: "3q2-7wV0xk0b6c1mXo4ZtJp9yH8fLr5uNe2aDg7sQiA".into(), password: "a new long passphrase".into() }
    }
}

/// A reset token as presented, and the new password.
pub struct Confirmation {
    token: SecretToken,
    password: Password,
}

impl Validate for PasswordResetConfirmation {
    type Valid = Confirmation;

    fn validate(fields: &mut Fields<'_>) -> Option<Confirmation> {
        let token = fields.required("token", super::auth::presented_token(SecretToken::presented));
        let password = fields.required("password", Password::parse);
        Some(Confirmation { token: token?, password: password? })
    }
}

/// The answer to every accepted reset request.
#[derive(Debug, Object, Serialize)]
#[oai(rename = "PasswordResetAccepted")]
pub struct PasswordResetAccepted {
    /// The same text whether or not an account has the email.
    pub detail: String,
}

#[derive(ApiResponse)]
pub enum RequestResponse {
    /// Accepted: if an active account has this email, a reset link is
    /// mailed to it. The same body, in about the same time, either way.
    #[oai(status = 202)]
    Accepted(Json<PasswordResetAccepted>),
}

#[derive(ApiResponse)]
pub enum ConfirmResponse {
    /// The password is set, the token spent, and every session of the
    /// account has ended: log in with the new password.
    #[oai(status = 204)]
    Reset,
}

/// The answer for a token that cannot reset anything, whatever the reason.
fn unusable_token() -> ApiError {
    ApiError::invalid("token", "unknown, expired or already used; ask for a new reset link")
}

pub struct PasswordResetApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Auth")]
impl PasswordResetApi {
    /// Ask for a password reset link
    ///
    /// Mails a single-use link carrying `token=<token>` to the active
    /// account with this email (any letter case), valid for 1 hour by
    /// default. The answer is the same 202 whether or not such an account
    /// exists, so it tells nobody which emails are registered. Requests are
    /// counted per email and per client address (see the 429), whether or
    /// not the email has an account.
    #[oai(path = "/auth/password-reset", method = "post", operation_id = "request_password_reset")]
    async fn request(
        &self,
        state: Data<&AppState>,
        request: &Request,
        body: JsonBody<PasswordResetRequest>,
    ) -> Result<RequestResponse, Errors<{ TOO_MANY_REQUESTS | JSON_BODY | DATABASE }>> {
        let email = body.0;
        let client = ClientKey::new(client_address(request, &state.trusted_proxies));
        let settings = &state.password_reset;
        // Made whether or not the account exists: both answers cost the same.
        let token = SecretToken::generate();
        let (hash, mail) = (token.hash(), NewMail::password_reset(&settings.link, &token, settings.ttl));
        let outcome = db::retry!(state.db.writer(), Access::Write, |db| {
            PasswordResetRepository::request(db, &email, &client, &hash, &mail, settings)
        })?;
        match outcome {
            ResetRequest::Throttled { retry_at } => {
                Err(ApiError::TooManyResets { retry_after: super::auth::seconds_until(retry_at) }.into())
            }
            ResetRequest::Accepted => {
                state.outbox.mail_written();
                let minutes = settings.ttl.as_secs().div_ceil(60);
                let detail = format!(
                    "If an active account has this email, a password reset link is on its way to it; \
                     it works once, within {minutes} minutes."
                );
                Ok(RequestResponse::Accepted(Json(PasswordResetAccepted { detail })))
            }
        }
    }

    /// Set a new password with a reset link's token
    ///
    /// Sets the password, spends the token (and any other reset token of
    /// the account), and ends every session of the account. An unknown,
    /// expired or spent token is a 422 naming `token`.
    #[oai(path = "/auth/password-reset/confirm", method = "post", operation_id = "confirm_password_reset")]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        body: JsonBody<PasswordResetConfirmation>,
    ) -> Result<ConfirmResponse, Errors<{ JSON_BODY | DATABASE }>> {
        let Confirmation { token, password } = body.0;
        let token = token.hash();
        // Checked before hashing, so that no made-up token costs a hash. On
        // the primary: the token was written moments ago.
        let usable = db::retry!(state.db.writer(), Access::Read, |db| PasswordResetRepository::is_usable(db, &token))?;
        if !usable {
            return Err(unusable_token().into());
        }
        let hash = auth::hash_password(password).await?;
        match db::retry!(state.db.writer(), Access::Write, |db| PasswordResetRepository::reset(db, &token, &hash))? {
            Some(_) => Ok(ConfirmResponse::Reset),
            // Spent by a confirmation that won the race, or expired meanwhile.
            None => Err(unusable_token().into()),
        }
    }
}
