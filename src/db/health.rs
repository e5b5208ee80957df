//! The database half of `/health`: one `SELECT 1` bounded by a timeout, and
//! the pool's counters.

use std::time::{Duration, Instant};

use deadpool_postgres::Pool;
use reviewpoint_codegen::queries::health::ping;

use super::DbError;

#[derive(Debug)]
pub struct DatabaseHealth {
    pub healthy: bool,
    pub latency: Duration,
    /// Why it is unhealthy, safe to show (no driver text, no addresses).
    pub problem: Option<&'static str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolStats {
    pub size: usize,
    pub available: usize,
    pub waiting: usize,
    pub max_size: usize,
}

impl PoolStats {
    pub fn of(pool: &Pool) -> Self {
        let status = pool.status();
        Self { size: status.size, available: status.available, waiting: status.waiting, max_size: status.max_size }
    }
}

/// Checks out a connection and runs `SELECT 1`, answering within `timeout`
/// whatever the database does.
pub async fn check(pool: &Pool, timeout: Duration) -> DatabaseHealth {
    let started = Instant::now();
    let probe = async {
        let client = pool.get().await?;
        ping().bind(&client).one().await?;
        Ok::<_, DbError>(())
    };
    let problem = match tokio::time::timeout(timeout, probe).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => {
            tracing::warn!(error = %error, source = ?std::error::Error::source(&error), "database health check failed");
            Some(match error {
                DbError::Unavailable { reason, .. } => reason,
                _ => "unexpected database error",
            })
        }
        Err(_) => {
            tracing::warn!(?timeout, "database health check timed out");
            Some("timed out")
        }
    };
    DatabaseHealth { healthy: problem.is_none(), latency: started.elapsed(), problem }
}
