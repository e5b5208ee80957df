//! One unit of work: commits when the work succeeds, rolls back when it
//! fails, and also when the future is dropped before it finished (a cancelled
//! request): tokio-postgres rolls back a transaction dropped uncommitted.

use deadpool_postgres::{Client, Transaction};

use super::DbError;

pub async fn in_transaction<T, E>(
    client: &mut Client,
    work: impl AsyncFnOnce(&Transaction<'_>) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DbError>,
{
    let transaction = client.transaction().await.map_err(DbError::from)?;
    match work(&transaction).await {
        Ok(value) => {
            transaction.commit().await.map_err(DbError::from)?;
            Ok(value)
        }
        Err(error) => {
            // Best effort: if the rollback itself fails the connection is
            // broken and the server discards the transaction anyway.
            let _ = transaction.rollback().await;
            Err(error)
        }
    }
}
