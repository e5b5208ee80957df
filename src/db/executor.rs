//! What repositories run statements on: a pooled connection or a transaction.

use deadpool_postgres::{Client, StatementCache, Transaction};
use reviewpoint_codegen::client::GenericClient;
use tokio_postgres::error::SqlState;

use super::DbError;

/// A pooled connection or a transaction on one, with its prepared-statement cache.
pub trait Executor: GenericClient {
    /// Whether a statement that failed may simply run again: not inside a
    /// transaction, which the failure has aborted.
    const RETRIABLE: bool;

    fn statement_cache(&self) -> &StatementCache;
}

impl Executor for Client {
    const RETRIABLE: bool = true;

    fn statement_cache(&self) -> &StatementCache {
        &self.statement_cache
    }
}

impl Executor for Transaction<'_> {
    const RETRIABLE: bool = false;

    fn statement_cache(&self) -> &StatementCache {
        &self.statement_cache
    }
}

/// Runs one generated statement on an [`Executor`] and types its error:
/// `run!(db, |c| query().bind(c, &id).opt())`.
///
/// When a migration changed a table that a cached prepared statement reads,
/// PostgreSQL answers `0A000 cached plan must not change result type` until the
/// statement is prepared again. Then the connection's cached statements are
/// forgotten and, outside a transaction, the statement runs once more; inside
/// one the error is retryable (the next attempt prepares afresh).
///
/// A macro rather than a function taking an async closure: the futures of
/// such closures are not provably `Send` across the borrow of `c`, which
/// every handler future must be.
macro_rules! run {
    ($db:expr, |$c:ident| $statement:expr) => {{
        let $c = $db;
        match $statement.await {
            Ok(value) => Ok(value),
            Err(error) => match $crate::db::retry_after($c, error) {
                Ok(()) => $statement.await.map_err($crate::db::DbError::from),
                Err(error) => Err(error),
            },
        }
    }};
}
pub(crate) use run;

/// After a failed statement: `Ok` when it should run again (its cached plan
/// was stale and has been forgotten), otherwise the typed error.
pub fn retry_after<E: Executor>(executor: &E, error: tokio_postgres::Error) -> Result<(), DbError> {
    if !is_stale_plan(&error) {
        return Err(error.into());
    }
    executor.statement_cache().clear();
    if E::RETRIABLE { Ok(()) } else { Err(DbError::Retryable(error)) }
}

fn is_stale_plan(error: &tokio_postgres::Error) -> bool {
    error.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::FEATURE_NOT_SUPPORTED
            && db.message().starts_with("cached plan must not change result type")
    })
}
