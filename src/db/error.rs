//! What can go wrong below HTTP, in the four kinds the API maps to statuses.
//! Driver messages stay in the `source` chain for the log; none of them is
//! meant for a client.

use std::error::Error as _;

use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique or foreign-key constraint refused the change.
    #[error("constraint {constraint} refused the change")]
    Conflict { constraint: String, kind: ConflictKind },
    /// A serialization failure or deadlock: the same work may succeed if retried.
    #[error("transaction conflicted with a concurrent one")]
    Retryable(#[source] tokio_postgres::Error),
    /// The database cannot be reached, the pool is exhausted, or the server is
    /// shutting down: worth retrying later (503 + Retry-After).
    #[error("database unavailable: {reason}")]
    Unavailable {
        reason: &'static str,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Anything else: a bug or an unexpected server answer.
    #[error("unexpected database error")]
    Unexpected(#[source] tokio_postgres::Error),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConflictKind {
    Unique,
    ForeignKey,
}

impl DbError {
    /// The database did not answer within `limit`, on the client's clock.
    pub fn timed_out(limit: std::time::Duration) -> Self {
        tracing::warn!(?limit, "the database did not answer in time");
        Self::Unavailable { reason: "the database did not answer in time", source: None }
    }

    fn unavailable(reason: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Unavailable { reason, source: Some(Box::new(source)) }
    }
}

impl From<tokio_postgres::Error> for DbError {
    fn from(error: tokio_postgres::Error) -> Self {
        let Some(db) = error.as_db_error() else {
            // Not a server answer: the connection broke, or it was never made.
            if error.is_closed() {
                return Self::unavailable("connection lost", error);
            }
            if error.source().is_some_and(|s| s.is::<std::io::Error>()) {
                return Self::unavailable("cannot reach the server", error);
            }
            return Self::Unexpected(error);
        };
        let code = db.code();
        let conflict = |kind| Self::Conflict { constraint: db.constraint().unwrap_or_default().to_owned(), kind };
        if *code == SqlState::UNIQUE_VIOLATION {
            conflict(ConflictKind::Unique)
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            conflict(ConflictKind::ForeignKey)
        } else if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED {
            Self::Retryable(error)
        } else if code.code().starts_with("08") || code.code().starts_with("57P") {
            // Connection exceptions and admin/crash shutdowns.
            Self::unavailable("server going away", error)
        } else if code.code().starts_with("28") || *code == SqlState::INVALID_CATALOG_NAME {
            // Wrong credentials or a missing database: misconfiguration, but to
            // a client it is the same as an unreachable server.
            Self::unavailable("connection refused by the server", error)
        } else if *code == SqlState::QUERY_CANCELED || *code == SqlState::TOO_MANY_CONNECTIONS {
            Self::unavailable("server overloaded", error)
        } else {
            Self::Unexpected(error)
        }
    }
}

impl From<PoolError> for DbError {
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::Backend(error) => error.into(),
            PoolError::Timeout(_) => Self::unavailable("no free connection in time", error),
            other => Self::unavailable("pool closed", other),
        }
    }
}
