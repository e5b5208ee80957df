//! Sessions and refresh tokens: `queries/sessions.sql`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reviewpoint_codegen::queries::sessions as q;

use super::Caller;
use crate::{
    db::{self, Connection, DbError, Executor, in_transaction},
    domain::{Credentials, Principal, RefreshToken, SessionSummary},
    repo::{LoginAttempt, logins::clamp},
};

pub struct SessionRepository;

/// A session just started or renewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Renewal {
    pub principal: Principal,
    /// When the new refresh token expires.
    pub expires_at: DateTime<Utc>,
}

/// What presenting a refresh token did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// The token was spent and its successor issued.
    Rotated(Renewal),
    /// An earlier token of the session was presented: taken as theft, the
    /// session ended.
    Reused,
    /// Unknown, expired, or its session ended or its user inactive.
    Refused,
}

impl SessionRepository {
    /// Login: starts a session for the account of `attempt`, whose password
    /// matched `account`'s hash, with its first refresh token `refresh`
    /// (of a new family);
    /// records the login, forgets the account's attempts and gives back the
    /// client's, in one statement. `None` when the account is no longer
    /// active or its password changed since it was checked.
    pub async fn start(
        db: &impl Executor,
        attempt: &LoginAttempt,
        account: &Credentials,
        user_agent: Option<&str>,
        refresh: &RefreshToken,
        ttl: Duration,
    ) -> Result<Option<Renewal>, DbError> {
        let (user_id, password_hash) = (account.user_id, account.password_hash.expose());
        let family = refresh.family().expect("a new token has a family");
        let (ttl, family, hash) = (ttl.as_secs_f64(), family.as_bytes(), refresh.hash());
        let hash = hash.as_bytes();
        let (email, client, per_client) =
            (attempt.email.as_str(), attempt.client.as_str(), clamp(attempt.limits.per_client));
        let started = db::run!(db, |c| q::start_session()
            .bind(
                c,
                &user_id,
                &password_hash,
                &user_agent,
                &ttl,
                &family,
                &hash,
                &email,
                &client,
                &per_client,
                &attempt.client_window
            )
            .opt())?;
        Ok(started
            .map(|row| Renewal { principal: Principal { user_id, session_id: row.id }, expires_at: row.expires_at }))
    }

    /// Spends refresh token `presented` and gives its session `next` (its
    /// successor), or ends the session when `presented` is an earlier token
    /// of it. A token of a family takes one statement, and a second when it
    /// is not its family's newest; one issued before families is read in a
    /// transaction, locked, so that two refreshes with it take turns and the
    /// second finds it spent.
    pub async fn refresh(
        connection: &mut Connection,
        presented: &RefreshToken,
        next: &RefreshToken,
        ttl: Duration,
    ) -> Result<Refresh, DbError> {
        let (old, new, ttl) = (presented.hash(), next.hash(), ttl.as_secs_f64());
        let (old, new) = (old.as_bytes(), new.as_bytes());
        if let Some(presented_family) = presented.family() {
            let presented_family = presented_family.as_bytes();
            let rotated = db::run!(&*connection, |c| q::rotate_refresh_token()
                .bind(c, &new, &ttl, &presented_family, &old)
                .opt())?;
            if let Some(row) = rotated {
                let principal = Principal { user_id: row.user_id, session_id: row.id };
                return Ok(Refresh::Rotated(Renewal { principal, expires_at: row.expires_at }));
            }
            let ended =
                db::run!(&*connection, |c| q::end_reused_refresh_family().bind(c, &presented_family, &old).opt())?;
            return Ok(if ended.is_some() { Refresh::Reused } else { Refresh::Refused });
        }
        in_transaction(connection, async |tx| {
            let Some(token) = db::run!(tx, |c| q::legacy_refresh_token_for_update().bind(c, &old).opt())? else {
                return Ok(Refresh::Refused);
            };
            let session_id = token.session_id;
            if token.spent {
                db::run!(tx, |c| q::end_session_by_id().bind(c, &session_id))?;
                return Ok(Refresh::Reused);
            }
            if !token.usable {
                return Ok(Refresh::Refused);
            }
            let family = next.family().expect("a successor has a family");
            let family = family.as_bytes();
            let expires_at = db::run!(tx, |c| q::rotate_legacy_refresh_token()
                .bind(c, &old, &family, &new, &ttl, &session_id)
                .one())?;
            let principal = Principal { user_id: token.user_id, session_id };
            Ok(Refresh::Rotated(Renewal { principal, expires_at }))
        })
        .await
    }

    /// Ends the caller's live session `session_id` (the caller's own, for
    /// logout): `Active(false)` when the caller has no such live session.
    pub async fn end(db: &impl Executor, caller: Principal, session_id: i64) -> Result<Caller<bool>, DbError> {
        let Principal { user_id, session_id: caller_session } = caller;
        let row = db::run!(db, |c| q::end_own_session().bind(c, &caller_session, &user_id, &session_id).one())?;
        Ok(if row.caller_live { Caller::Active(row.ended) } else { Caller::Inactive })
    }

    /// The caller's newest `max` live sessions, newest first.
    pub async fn live(db: &impl Executor, caller: Principal, max: u32) -> Result<Caller<Vec<SessionSummary>>, DbError> {
        let Principal { user_id, session_id } = caller;
        let max = i64::from(max);
        let rows = db::run!(db, |c| q::live_sessions().bind(c, &user_id, &session_id, &max).all())?;
        if rows.is_empty() {
            return Ok(Caller::Inactive);
        }
        Ok(Caller::Active(
            rows.into_iter()
                .map(|row| SessionSummary {
                    id: row.id,
                    created_at: row.created_at,
                    last_used_at: row.last_used_at,
                    user_agent: row.user_agent,
                })
                .collect(),
        ))
    }

    /// Deletes up to twice `batch` refresh tokens nothing needs (expired,
    /// or of ended sessions), then up to `batch` finished sessions left
    /// without tokens; returns how many sessions and tokens.
    pub async fn purge(db: &impl Executor, batch: u32) -> Result<(u64, u64), DbError> {
        let batch = i64::from(batch);
        let tokens = db::run!(db, |c| q::purge_refresh_tokens().bind(c, &batch))?;
        let sessions = db::run!(db, |c| q::purge_sessions().bind(c, &batch))?;
        Ok((sessions, tokens))
    }
}
