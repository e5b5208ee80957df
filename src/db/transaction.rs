//! One unit of work: commits when the work succeeds, rolls back when it
//! fails, and also when the future is dropped before it finished (a cancelled
//! request): tokio-postgres rolls back a transaction dropped uncommitted.
//! Beginning, committing and rolling back are bounded like every statement.

use super::{Connection, DbError, Transaction};

pub async fn in_transaction<T, E>(
    connection: &mut Connection,
    work: impl AsyncFnOnce(&Transaction<'_>) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    let (client, bounds) = connection.split();
    let inner = bounds.within(client.transaction()).await?.map_err(DbError::from)?;
    let transaction = Transaction { inner, bounds };
    match work(&transaction).await {
        Ok(value) => {
            // A connection lost during COMMIT leaves the outcome unknown: it
            // is reported (503), never retried, which could apply it twice.
            bounds.within(transaction.inner.commit()).await?.map_err(DbError::from)?;
            Ok(value)
        }
        Err(error) => {
            // Best effort: if the rollback itself fails the connection is
            // broken and the server discards the transaction anyway.
            let _ = bounds.within(transaction.inner.rollback()).await;
            Err(error)
        }
    }
}
