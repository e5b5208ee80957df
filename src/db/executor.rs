//! What repositories run statements on: a pooled connection or a transaction.

use deadpool_postgres::StatementCache;
use reviewpoint_codegen::client::GenericClient;
use tokio_postgres::error::SqlState;

use super::{Bounds, Connection, DbError, Transaction};

/// A pooled connection or a transaction on one: what generated statements
/// run on, its prepared-statement cache, and its client-side deadline.
pub trait Executor: Sync {
    type Client: GenericClient;

    /// Whether a statement that failed may simply run again: not inside a
    /// transaction, which the failure has aborted.
    const RETRIABLE: bool;

    fn client(&self) -> &Self::Client;

    fn statement_cache(&self) -> &StatementCache;

    fn bounds(&self) -> Bounds<'_>;

    /// Whether the connection is known to be gone before anything is sent.
    fn is_closed(&self) -> bool;
}

impl Executor for Connection {
    type Client = deadpool_postgres::Client;

    const RETRIABLE: bool = true;

    fn client(&self) -> &Self::Client {
        self
    }

    fn statement_cache(&self) -> &StatementCache {
        Connection::statement_cache(self)
    }

    fn bounds(&self) -> Bounds<'_> {
        Connection::bounds(self)
    }

    fn is_closed(&self) -> bool {
        tokio_postgres::Client::is_closed(self)
    }
}

impl<'a> Executor for Transaction<'a> {
    type Client = deadpool_postgres::Transaction<'a>;

    const RETRIABLE: bool = false;

    fn client(&self) -> &Self::Client {
        &self.inner
    }

    fn statement_cache(&self) -> &StatementCache {
        &self.inner.statement_cache
    }

    fn bounds(&self) -> Bounds<'_> {
        self.bounds
    }

    /// Not checked: the transaction's own statements fail, and the unit of
    /// work is retried as a whole where that is safe.
    fn is_closed(&self) -> bool {
        false
    }
}

/// Runs one generated statement on an [`Executor`] within its deadline and
/// types its error: `run!(db, |c| query().bind(c, &id).opt())`.
///
/// When a migration changed a table that a cached prepared statement reads,
/// PostgreSQL answers `0A000` ("cached plan must not change result type") until the
/// statement is prepared again. Then the connection's cached statements are
/// forgotten and, outside a transaction, the statement runs once more; inside
/// one the error is retryable (the next attempt prepares afresh).
///
/// A macro rather than a function taking an async closure: the futures of
/// such closures are not provably `Send` across the borrow of `c`, which
/// every handler future must be.
macro_rules! run {
    ($db:expr, |$c:ident| $statement:expr) => {{
        let db = $db;
        let $c = $crate::db::Executor::client(db);
        if $crate::db::Executor::is_closed(db) {
            Err($crate::db::DbError::not_sent())
        } else {
            match $crate::db::Executor::bounds(db).within($statement).await {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(error)) => match $crate::db::retry_after(db, error) {
                    Ok(()) => match $crate::db::Executor::bounds(db).within($statement).await {
                        Ok(result) => result.map_err($crate::db::DbError::from),
                        Err(error) => Err(error),
                    },
                    Err(error) => Err(error),
                },
                Err(error) => Err(error),
            }
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

/// PostgreSQL answers a stale plan with `0A000` (feature not supported); the
/// message text depends on the server's `lc_messages`, so only the code is
/// read. Any other `0A000` from a statement that ran outside a transaction
/// merely runs once more and fails the same way.
fn is_stale_plan(error: &tokio_postgres::Error) -> bool {
    error.as_db_error().is_some_and(|db| *db.code() == SqlState::FEATURE_NOT_SUPPORTED)
}
