//! The database half of `/health`: one `SELECT 1` bounded by a timeout, and
//! the pool's counters.

use std::time::{Duration, Instant};

use reviewpoint_codegen::queries::health::ping;

use super::{DbError, Pool};

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
/// whatever the database does. A connection that did not answer in time is
/// discarded, not returned to the pool.
pub async fn check(pool: &Pool, timeout: Duration) -> DatabaseHealth {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + timeout;
    let probe = async {
        let client = tokio::time::timeout_at(deadline, pool.get()).await.map_err(|_| DbError::timed_out(timeout))??;
        match tokio::time::timeout_at(deadline, async { super::run!(&client, |c| ping().bind(c).one()) }).await {
            Ok(answer) => answer.map(drop),
            Err(_) => {
                client.discard();
                Err(DbError::timed_out(timeout))
            }
        }
    };
    let problem = match probe.await {
        Ok(()) => None,
        Err(error) => {
            tracing::warn!(error = %error, source = ?std::error::Error::source(&error), "database health check failed");
            Some(match error {
                DbError::Unavailable { reason, .. } => reason,
                _ => "unexpected database error",
            })
        }
    };
    DatabaseHealth { healthy: problem.is_none(), latency: started.elapsed(), problem }
}
