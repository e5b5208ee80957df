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
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const MAX_BACKOFF: Duration = Duration::from_millis(100);

/// Runs a unit of work on a connection from `$source` (a [`super::Pool`] or
/// a [`super::Reader`], anything with `get()`), again on a fresh one while
/// its failure is transient for its [`Access`]:
/// `retry!(state.db.reader(), Access::Read, |db| UserRepository::me(db, id))`.
///
/// A macro for the reason `run!` is one: a closure's future borrowing the
/// connection is not provably `Send`, which handler futures must be.
#[macro_export]
macro_rules! retry {
    ($source:expr, $access:expr, |$db:ident| $work:expr) => {{
        // Evaluated once: a reader remembers its attempts.
        let source = $source;
        let mut attempt = 1;
        loop {
            let outcome = match source.get().await {
                Ok(mut connection) => {
                    let $db = &mut connection;
                    $work.await
                }
                Err(error) => Err(error),
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
