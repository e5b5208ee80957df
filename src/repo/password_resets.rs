//! Password reset tokens and the throttle on asking for them:
//! `queries/password_reset.sql`.

use chrono::{DateTime, Utc};
use reviewpoint_codegen::queries::password_reset as q;

use crate::{
    config::{PasswordResetSettings, RateLimits},
    db::{self, Connection, DbError, Executor, in_transaction},
    domain::{ClientKey, Email, NewMail, PasswordHash, TokenHash},
};

use super::logins::clamp;

pub struct PasswordResetRepository;

/// What asking for a reset did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetRequest {
    /// Within the limits: the token and its mail are stored when an active
    /// account has the email, and nothing is otherwise; the caller cannot
    /// tell which.
    Accepted,
    /// Over the limit for the email or the client until `retry_at`.
    Throttled { retry_at: DateTime<Utc> },
}

impl PasswordResetRepository {
    /// Counts a reset request for `email` and, within the limits, stores
    /// reset token `token` for the active account with that email (if any)
    /// and puts `mail` to it in the outbox, in one statement.
    pub async fn request(
        db: &impl Executor,
        email: &Email,
        client: &ClientKey,
        token: &TokenHash,
        mail: &NewMail,
        settings: &PasswordResetSettings,
    ) -> Result<ResetRequest, DbError> {
        let RateLimits { per_account, per_client, window } = settings.limits;
        let (window, ttl) = (window.as_secs_f64(), settings.ttl.as_secs_f64());
        let (per_account, per_client) = (clamp(per_account), clamp(per_client));
        let (client, email, hash) = (client.as_str(), email.as_str(), token.as_bytes());
        let (subject, body) = (mail.subject.as_str(), mail.body.as_str());
        let retry_at = db::run!(db, |c| q::request_password_reset()
            .bind(c, &email, &client, &window, &per_account, &per_client, &hash, &ttl, &subject, &body)
            .one());
        Ok(match retry_at {
            Ok(Some(retry_at)) => ResetRequest::Throttled { retry_at },
            Ok(None) => ResetRequest::Accepted,
            // The account was deleted while its token was being stored: as
            // for an email without an account, nothing is stored and the
            // answer is the same.
            Err(DbError::Conflict { constraint, .. }) if constraint == "password_reset_tokens_user_id_fkey" => {
                ResetRequest::Accepted
            }
            Err(error) => return Err(error),
        })
    }

    /// Whether reset token `token` is unspent, unexpired and its user active.
    pub async fn is_usable(db: &impl Executor, token: &TokenHash) -> Result<bool, DbError> {
        let hash = token.as_bytes();
        Ok(db::run!(db, |c| q::usable_reset_token().bind(c, &hash).opt())?.is_some())
    }

    /// Spends `token` and gives its user `password`, spending the user's
    /// other reset tokens and ending all their sessions: the user's id, or
    /// `None` when the token was not usable (any more). The user's row is
    /// locked first, so that a login racing with the reset either sees the
    /// new password or has its session ended here (`queries/sessions.sql`,
    /// start_session).
    pub async fn reset(
        connection: &mut Connection,
        token: &TokenHash,
        password: &PasswordHash,
    ) -> Result<Option<i64>, DbError> {
        let (hash, password) = (token.as_bytes(), password.expose());
        in_transaction(connection, async |tx| {
            if db::run!(tx, |c| q::lock_reset_token_user().bind(c, &hash).opt())?.is_none() {
                return Ok(None);
            }
            db::run!(tx, |c| q::reset_password().bind(c, &hash, &password).opt())
        })
        .await
    }

    /// Deletes up to `batch` spent or expired reset tokens; returns how many.
    pub async fn purge(db: &impl Executor, batch: u32) -> Result<u64, DbError> {
        let batch = i64::from(batch);
        db::run!(db, |c| q::purge_password_reset_tokens().bind(c, &batch))
    }

    /// Removes up to `batch` throttle windows that ended; returns how many.
    pub async fn sweep(db: &impl Executor, limits: RateLimits, batch: u32) -> Result<u64, DbError> {
        let (window, batch) = (limits.window.as_secs_f64(), i64::from(batch));
        db::run!(db, |c| q::sweep_password_reset_throttle().bind(c, &window, &batch))
    }
}
