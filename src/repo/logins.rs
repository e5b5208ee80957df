//! Login attempts and their throttle: `queries/logins.sql`.

use chrono::{DateTime, Utc};
use reviewpoint_codegen::queries::logins as q;

use crate::{
    config::RateLimits,
    db::{self, DbError, Executor},
    domain::{Credentials, PasswordHash, ThrottleKeys},
};

pub struct LoginRepository;

/// What is known before a password is checked.
#[derive(Debug)]
pub struct LoginAttempt {
    /// `None` when no account has this email.
    pub credentials: Option<Credentials>,
    /// Set while the account or the client address is locked.
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginRepository {
    /// The credentials of `email` (any letter case) and the throttle's state, in one statement.
    pub async fn attempt(db: &impl Executor, email: &str, keys: &ThrottleKeys) -> Result<LoginAttempt, DbError> {
        let (account, client) = (keys.account.as_str(), keys.client.as_str());
        let row = db::run!(db, |c| q::login_attempt().bind(c, &account, &client, &email).one())?;
        let credentials = match (row.user_id, row.password_hash, row.is_active) {
            (Some(user_id), Some(hash), Some(is_active)) => {
                Some(Credentials { user_id, password_hash: PasswordHash::new(hash), is_active })
            }
            _ => None,
        };
        Ok(LoginAttempt { credentials, locked_until: row.locked_until })
    }

    /// Counts a failed login against the account and the client address.
    pub async fn record_failure(db: &impl Executor, keys: &ThrottleKeys, limits: RateLimits) -> Result<(), DbError> {
        let window = limits.window.as_secs_f64();
        for (key, max) in [(keys.account.as_str(), limits.per_account), (keys.client.as_str(), limits.per_client)] {
            let max = i32::try_from(max).unwrap_or(i32::MAX);
            db::run!(db, |c| q::record_login_failure().bind(c, &key, &max, &window))?;
        }
        Ok(())
    }

    /// Removes windows that ended; returns how many.
    pub async fn sweep(db: &impl Executor, limits: RateLimits) -> Result<u64, DbError> {
        let window = limits.window.as_secs_f64();
        db::run!(db, |c| q::sweep_login_throttle().bind(c, &window))
    }
}
