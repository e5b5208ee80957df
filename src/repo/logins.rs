//! Login attempts and their throttle: `queries/logins.sql`.

use chrono::{DateTime, Utc};
use reviewpoint_codegen::queries::logins as q;

use crate::{
    config::RateLimits,
    db::{self, DbError, Executor},
    domain::{ClientKey, Credentials, PasswordHash},
};

pub struct LoginRepository;

/// A login attempt, counted against the email and the client before its
/// password is checked.
#[derive(Debug)]
pub struct LoginAttempt {
    pub email: String,
    pub client: ClientKey,
    /// `None` when no account has this email.
    pub credentials: Option<Credentials>,
    /// Set when the email or the client is at its limit: the attempt is
    /// refused, and its count is to be given back ([`LoginRepository::give_back`]).
    pub refused_until: Option<DateTime<Utc>>,
    /// The limits it was counted under, and the windows it was counted in.
    pub limits: RateLimits,
    pub account_window: Option<DateTime<Utc>>,
    pub client_window: Option<DateTime<Utc>>,
}

impl LoginRepository {
    /// Counts an attempt to log in as `email` (any letter case) from
    /// `client`, each key only while it is under its limit, and reads the
    /// account's credentials, in one statement.
    pub async fn reserve(
        db: &impl Executor,
        email: &str,
        client: &ClientKey,
        limits: RateLimits,
    ) -> Result<LoginAttempt, DbError> {
        let (per_account, per_client, window) = (clamp(limits.per_account), clamp(limits.per_client), seconds(limits));
        let key = client.as_str();
        let row = db::run!(db, |c| q::reserve_login_attempt()
            .bind(c, &email, &per_account, &key, &per_client, &window)
            .one())?;
        let credentials = match (row.user_id, row.password_hash, row.is_active) {
            (Some(user_id), Some(hash), Some(is_active)) => {
                Some(Credentials { user_id, password_hash: PasswordHash::new(hash), is_active })
            }
            _ => None,
        };
        Ok(LoginAttempt {
            email: email.to_owned(),
            client: client.clone(),
            credentials,
            refused_until: row.retry_at,
            limits,
            account_window: row.account_window,
            client_window: row.client_window,
        })
    }

    /// Gives back what a refused attempt counted against the key that did
    /// not refuse it, so that refusals cost an honest user nothing.
    pub async fn give_back(db: &impl Executor, attempt: &LoginAttempt) -> Result<(), DbError> {
        let limits = attempt.limits;
        let (per_account, per_client) = (clamp(limits.per_account), clamp(limits.per_client));
        let (email, key) = (attempt.email.as_str(), attempt.client.as_str());
        db::run!(db, |c| q::refund_login_attempt().bind(
            c,
            &email,
            &attempt.account_window,
            &per_account,
            &key,
            &attempt.client_window,
            &per_client
        ))?;
        Ok(())
    }

    /// Removes up to `batch` windows that ended; returns how many.
    pub async fn sweep(db: &impl Executor, limits: RateLimits, batch: u32) -> Result<u64, DbError> {
        let (window, batch) = (seconds(limits), i64::from(batch));
        db::run!(db, |c| q::sweep_login_throttle().bind(c, &window, &batch))
    }
}

/// A limit as the queries take it.
pub(super) fn clamp(limit: u32) -> i32 {
    i32::try_from(limit).unwrap_or(i32::MAX)
}

fn seconds(limits: RateLimits) -> f64 {
    limits.window.as_secs_f64()
}
