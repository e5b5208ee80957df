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

/// Runs one generated statement and types its error.
///
/// When a migration changed a table that a cached prepared statement reads,
/// PostgreSQL answers `0A000 cached plan must not change result type` until the
/// statement is prepared again. This forgets the connection's cached
/// statements and, outside a transaction, runs the statement once more; inside
/// one it reports a retryable error (the next attempt prepares afresh).
pub async fn run<E: Executor, T>(
    executor: &E,
    statement: impl AsyncFn(&E) -> Result<T, tokio_postgres::Error>,
) -> Result<T, DbError> {
    match statement(executor).await {
        Err(error) if is_stale_plan(&error) => {
            executor.statement_cache().clear();
            if E::RETRIABLE { Ok(statement(executor).await?) } else { Err(DbError::Retryable(error)) }
        }
        result => Ok(result?),
    }
}

fn is_stale_plan(error: &tokio_postgres::Error) -> bool {
    error.as_db_error().is_some_and(|db| {
        *db.code() == SqlState::FEATURE_NOT_SUPPORTED
            && db.message().starts_with("cached plan must not change result type")
    })
}
