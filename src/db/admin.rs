//! Statements on databases themselves, which cannot be prepared with
//! parameters and so cannot live in `queries/`: identifiers are checked here
//! instead, and quoted.

use reviewpoint_codegen::queries::catalog::{
    backend_pid as backend_pid_query, database_exists as database_exists_query, databases_named_like,
    is_waiting_for_lock as is_waiting_for_lock_query, terminate_backend as terminate_backend_query,
};
use tokio_postgres::Client;

use super::DbError;

/// A database name as a quoted identifier, as PostgreSQL's `quote_ident`
/// makes it: any name the URL can carry (capitals, `-`, even `"`) names
/// exactly that database, and the quoting cannot be escaped.
/// [`DatabaseUrl::parse`](crate::config::DatabaseUrl::parse) refuses the
/// names PostgreSQL cannot have.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub async fn database_exists(client: &Client, name: &str) -> Result<bool, DbError> {
    Ok(database_exists_query().bind(client, &name).one().await?)
}

pub async fn create_database(client: &Client, name: &str) -> Result<(), DbError> {
    client.batch_execute(&format!("CREATE DATABASE {}", quoted(name))).await?;
    Ok(())
}

/// Copies `template` (which must have no other session) into a new database.
pub async fn create_database_from(client: &Client, name: &str, template: &str) -> Result<(), DbError> {
    let sql = format!("CREATE DATABASE {} TEMPLATE {}", quoted(name), quoted(template));
    client.batch_execute(&sql).await?;
    Ok(())
}

/// Drops a database, ending any session still connected to it.
pub async fn drop_database(client: &Client, name: &str) -> Result<(), DbError> {
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quoted(name))).await?;
    Ok(())
}

/// Names of databases matching a `LIKE` pattern.
pub async fn databases_like(client: &Client, pattern: &str) -> Result<Vec<String>, DbError> {
    Ok(databases_named_like().bind(client, &pattern).all().await?)
}

/// The server process serving `client`.
pub async fn backend_pid(client: &Client) -> Result<i32, DbError> {
    Ok(backend_pid_query().bind(client).one().await?)
}

/// Ends the session of server process `pid`; `false` when there is none.
pub async fn terminate_backend(client: &Client, pid: i32) -> Result<bool, DbError> {
    Ok(terminate_backend_query().bind(client, &pid).one().await?)
}

/// Whether server process `pid` is blocked waiting for a lock.
pub async fn is_waiting_for_lock(client: &Client, pid: i32) -> Result<bool, DbError> {
    Ok(is_waiting_for_lock_query().bind(client, &pid).one().await?)
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn any_name_is_quoted_as_one_identifier() {
        assert_eq!(quoted("reviewpoint"), "\"reviewpoint\"");
        assert_eq!(quoted("Review-Point"), "\"Review-Point\"");
        assert_eq!(quoted("a\"; DROP DATABASE x; --"), "\"a\"\"; DROP DATABASE x; --\"");
    }
}
