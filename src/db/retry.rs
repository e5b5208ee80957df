//! Transient failures are retried inside the service, a bounded number of
//! times with jittered exponential backoff, so a client sees a blip of
//! latency instead of a 503: serialization failures and deadlocks (the server
//! rolled the work back), connections that failed before anything was sent,
//! and, for reads only, connections lost mid-statement. Never a write whose
//! fate is unknown: a connection lost during a write or its COMMIT is
//! reported (503), because running it again could apply it twice.

use std::time::Duration;

use super::{Access, DbError, metrics};

/// Attempts in all, the first included.
pub const ATTEMPTS: u32 = 3;

/// The longest one request's database work may take, every attempt, wait
/// for a connection and statement included; then it answers 503. It holds
/// when the network to PostgreSQL goes silent: a connect that waits in SYN
/// retries, a statement whose packets are never acknowledged.
pub const REQUEST_BUDGET: Duration = Duration::from_secs(10);
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_millis(100);

/// Runs a unit of work on a connection from `$source` (a [`super::Pool`] or
/// a [`super::Reader`], anything with `get()`), again on a fresh one while
/// its failure is transient for its [`Access`], all within
/// [`REQUEST_BUDGET`]:
/// `retry!(state.db.reader(), Access::Read, |db| UserRepository::me(db, id))`.
///
/// A macro for the reason `run!` is one: a closure's future borrowing the
/// connection is not provably `Send`, which handler futures must be.
#[macro_export]
macro_rules! retry {
    ($source:expr, $access:expr, |$db:ident| $work:expr) => {{
        // Evaluated once: a reader remembers its attempts.
        let source = $source;
        let until = ::tokio::time::Instant::now() + $crate::db::REQUEST_BUDGET;
        let mut attempt = 1;
        loop {
            let outcome = match ::tokio::time::timeout_at(until, source.get()).await {
                Ok(Ok(mut connection)) => {
                    connection.limit_to(until);
                    let $db = &mut connection;
                    $work.await
                }
                Ok(Err(error)) => Err(error),
                Err(_) => Err($crate::db::DbError::timed_out($crate::db::REQUEST_BUDGET)),
            };
            match outcome {
                Err(error) => match $crate::db::transient(&error, $access, attempt) {
                    Some(cause) => {
                        $crate::db::back_off(cause, attempt).await;
                        attempt += 1;
                    }
                    None => break Err(error),
                },
                done => break done,
            }
        }
    }};
}
pub use retry;

/// The cause to retry for, when `error` is transient for `access` and
/// attempts remain.
pub fn transient(error: &DbError, access: Access, attempt: u32) -> Option<&'static str> {
    if attempt >= ATTEMPTS {
        return None;
    }
    error.retry_cause(access)
}

/// Counts the retry and waits a random time up to 10 ms, 20 ms, ... (at most
/// 100 ms), so that clients that failed together do not retry together.
pub async fn back_off(cause: &'static str, attempt: u32) {
    metrics::count_retry(cause);
    tracing::info!(cause, attempt, "retrying a transient database failure");
    let ceiling = FIRST_BACKOFF.saturating_mul(1 << attempt.min(8)).min(MAX_BACKOFF);
    let jitter = getrandom::u64().unwrap_or(0) % (ceiling.as_micros() as u64 + 1);
    tokio::time::sleep(Duration::from_micros(jitter)).await;
}
