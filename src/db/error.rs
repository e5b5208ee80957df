//! What can go wrong below HTTP, in the four kinds the API maps to statuses.
//! Driver messages stay in the `source` chain for the log; none of them is
//! meant for a client.

use std::error::Error as _;

use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;

const TIMED_OUT: &str = "the database did not answer in time";
const POOL_TIMEOUT: &str = "no free connection in time";

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique or foreign-key constraint refused the change.
    #[error("constraint {constraint} refused the change")]
    Conflict { constraint: String, kind: ConflictKind },
    /// A serialization failure, a deadlock or a stale plan inside a
    /// transaction: the server rolled the work back, and running it again
    /// may succeed.
    #[error("transaction conflicted with a concurrent one")]
    Retryable(#[source] tokio_postgres::Error),
    /// The database cannot be reached, the pool is exhausted, or the server is
    /// shutting down: worth retrying later (503 + Retry-After).
    #[error("database unavailable: {reason}")]
    Unavailable {
        reason: &'static str,
        /// Whether running the work again at once is safe.
        retry: Retry,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// Anything else: a bug or an unexpected server answer.
    #[error("unexpected database error")]
    Unexpected(#[source] tokio_postgres::Error),
    /// Something this service stored could not be read back: a bug.
    #[error("stored {0} could not be read back")]
    Unreadable(&'static str),
}

/// Whether failed work may run again at once, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Nothing reached the server: connecting failed.
    Safe,
    /// The connection broke during a statement, which may or may not have
    /// been applied: safe for reads, never for writes.
    IfReadOnly,
    /// A deadline passed or the server refused for a reason that persists.
    No,
}

/// What a unit of work does, which decides what may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
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
        Self::Unavailable { reason: TIMED_OUT, retry: Retry::No, source: None }
    }

    /// The connection was known to be closed before the statement was sent.
    pub fn not_sent() -> Self {
        Self::Unavailable { reason: "connection lost before the statement was sent", retry: Retry::Safe, source: None }
    }

    fn unavailable(reason: &'static str, retry: Retry, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Unavailable { reason, retry, source: Some(Box::new(source)) }
    }

    /// Whether no pooled connection came free in time: the server may be
    /// perfectly healthy, only busy.
    pub fn is_pool_timeout(&self) -> bool {
        matches!(self, Self::Unavailable { reason: POOL_TIMEOUT, .. })
    }

    /// Why `access` may run again at once after this error, if it may: the
    /// label `/metrics` counts retries by.
    pub fn retry_cause(&self, access: Access) -> Option<&'static str> {
        match self {
            Self::Retryable(error) => Some(match error.code() {
                Some(code) if *code == SqlState::T_R_DEADLOCK_DETECTED => "deadlock",
                Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE => "serialization_failure",
                _ => "stale_plan",
            }),
            Self::Unavailable { retry: Retry::Safe, .. } => Some("connect_failed"),
            Self::Unavailable { retry: Retry::IfReadOnly, .. } if access == Access::Read => Some("connection_lost"),
            _ => None,
        }
    }
}

impl From<tokio_postgres::Error> for DbError {
    fn from(error: tokio_postgres::Error) -> Self {
        let Some(db) = error.as_db_error() else {
            super::metrics::count_error("connection");
            // Not a server answer: the connection broke, or it was never made.
            if error.is_closed() {
                return Self::unavailable("connection lost", Retry::IfReadOnly, error);
            }
            if is_tls_failure(&error) {
                // A certificate refused, or TLS required and not offered:
                // misconfiguration, which retrying does not mend.
                return Self::unavailable("the TLS handshake with the server failed", Retry::No, error);
            }
            if error.source().is_some_and(|s| s.is::<std::io::Error>()) {
                return Self::unavailable("cannot reach the server", Retry::IfReadOnly, error);
            }
            return Self::Unexpected(error);
        };
        let code = db.code();
        super::metrics::count_error(code.code().get(..2).unwrap_or("??"));
        let conflict = |kind| Self::Conflict { constraint: db.constraint().unwrap_or_default().to_owned(), kind };
        if *code == SqlState::UNIQUE_VIOLATION {
            conflict(ConflictKind::Unique)
        } else if *code == SqlState::FOREIGN_KEY_VIOLATION {
            conflict(ConflictKind::ForeignKey)
        } else if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED {
            Self::Retryable(error)
        } else if code.code().starts_with("08") || code.code().starts_with("57P") {
            // Connection exceptions and admin/crash shutdowns.
            Self::unavailable("server going away", Retry::IfReadOnly, error)
        } else if code.code().starts_with("28") || *code == SqlState::INVALID_CATALOG_NAME {
            // Wrong credentials or a missing database: misconfiguration, but to
            // a client it is the same as an unreachable server.
            Self::unavailable("connection refused by the server", Retry::No, error)
        } else if *code == SqlState::QUERY_CANCELED || *code == SqlState::TOO_MANY_CONNECTIONS {
            Self::unavailable("server overloaded", Retry::No, error)
        } else {
            Self::Unexpected(error)
        }
    }
}

/// Whether connecting failed in TLS: rustls refused the server (its
/// certificate, most often), or the server does not offer TLS at all.
fn is_tls_failure(error: &tokio_postgres::Error) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        let from_rustls = cause.is::<rustls::Error>()
            || cause
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| inner.is::<rustls::Error>());
        if from_rustls {
            return true;
        }
        source = cause.source();
    }
    // tokio-postgres keeps its error kinds private, and its own TLS failure
    // ("server does not support TLS", under sslmode=require) has no rustls
    // cause: its message is all there is to tell it by.
    error.to_string().contains("TLS")
}

impl From<PoolError> for DbError {
    fn from(error: PoolError) -> Self {
        match error {
            // Connecting failed: no statement was sent, so any work may retry,
            // unless the server refused for a reason that will not pass.
            PoolError::Backend(error) => match Self::from(error) {
                Self::Unavailable { reason, retry: Retry::IfReadOnly, source } => {
                    Self::Unavailable { reason, retry: Retry::Safe, source }
                }
                other => other,
            },
            PoolError::Timeout(_) => Self::unavailable(POOL_TIMEOUT, Retry::No, error),
            other => Self::unavailable("pool closed", Retry::No, other),
        }
    }
}
