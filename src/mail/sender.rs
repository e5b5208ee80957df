//! The background sender: drains due outbox mail, then sleeps until the
//! next mail is due, another instance may have written some, or a request
//! on this instance signals new mail.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use lettre::message::Mailbox;
use tokio::sync::Notify;

use super::{Transport, metrics};
use crate::{
    db::{DbError, Pool, in_transaction},
    repo::OutboxRepository,
};

/// The longest a sender sleeps: how soon it finds mail another instance
/// wrote while that instance's own sender is busy or gone.
const POLL: Duration = Duration::from_secs(5);

/// Wakes this instance's sender when a request has just committed mail.
#[derive(Clone, Debug, Default)]
pub struct OutboxSignal(Arc<Notify>);

impl OutboxSignal {
    /// New mail is committed. A signal sent while the sender is busy is kept
    /// for its next wait, so none is lost.
    pub fn mail_written(&self) {
        self.0.notify_one();
    }
}

/// How long a failed mail waits before its next attempt: `first`, doubling
/// each time, at most `max`. The delay lives in the outbox row, so every
/// instance honours it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub first: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { first: Duration::from_secs(1), max: Duration::from_secs(300) }
    }
}

impl RetryPolicy {
    /// The wait after the attempt that followed `attempts` earlier ones.
    pub fn delay(&self, attempts: i32) -> Duration {
        let doublings = u32::try_from(attempts).unwrap_or(0).min(20);
        self.first.saturating_mul(1 << doublings).min(self.max)
    }
}

/// What one pass over the due mail did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deliveries {
    pub sent: u32,
    /// Failed for now; the pass stops at the first, since the server is
    /// likely down for the rest as well.
    pub postponed: u32,
    /// Refused for good.
    pub failed: u32,
}

enum Outcome {
    Sent,
    Postponed,
    Failed,
}

pub struct OutboxSender {
    pool: Pool,
    transport: Transport,
    from: Mailbox,
    signal: OutboxSignal,
    retry: RetryPolicy,
}

impl OutboxSender {
    pub fn new(pool: Pool, transport: Transport, from: Mailbox, signal: OutboxSignal) -> Self {
        Self { pool, transport, from, signal, retry: RetryPolicy::default() }
    }

    pub fn with_retry(self, retry: RetryPolicy) -> Self {
        Self { retry, ..self }
    }

    /// Delivers mail until the task is dropped. Failures are logged and
    /// retried: the sender never stops on its own.
    pub async fn run(self) {
        loop {
            let wait = match self.deliver_due().await {
                Ok(_) => self.until_next_due().await,
                Err(error) => {
                    tracing::warn!(%error, "the outbox cannot be read; retrying");
                    POLL
                }
            };
            tokio::select! {
                () = self.signal.0.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One pass: sends each due mail that no other sender holds, one
    /// transaction per mail, until none is left or one fails for now.
    pub async fn deliver_due(&self) -> Result<Deliveries, DbError> {
        let mut deliveries = Deliveries::default();
        loop {
            let mut connection = self.pool.get().await?;
            let outcome = in_transaction(&mut connection, async |tx| {
                let Some(mail) = OutboxRepository::claim(tx).await? else { return Ok::<_, DbError>(None) };
                // The row stays locked while the mail server answers: no
                // other sender can take it meanwhile.
                Ok(Some(match self.transport.send(&self.from, &mail).await {
                    Ok(()) => {
                        OutboxRepository::mark_sent(tx, mail.id).await?;
                        tracing::info!(mail = mail.id, kind = mail.kind, attempts = mail.attempts + 1, "mail sent");
                        Outcome::Sent
                    }
                    Err(error) if error.permanent => {
                        OutboxRepository::mark_failed(tx, mail.id, &error.message).await?;
                        tracing::error!(mail = mail.id, kind = mail.kind, %error, "mail refused for good; not retried");
                        Outcome::Failed
                    }
                    Err(error) => {
                        let delay = self.retry.delay(mail.attempts);
                        OutboxRepository::postpone(tx, mail.id, delay, &error.message).await?;
                        tracing::warn!(mail = mail.id, kind = mail.kind, attempts = mail.attempts + 1, retry_in = ?delay, %error, "sending mail failed; will retry");
                        Outcome::Postponed
                    }
                }))
            })
            .await?;
            match outcome {
                None => return Ok(deliveries),
                Some(Outcome::Sent) => {
                    metrics::count("sent");
                    deliveries.sent += 1;
                }
                Some(Outcome::Failed) => {
                    metrics::count("failed");
                    deliveries.failed += 1;
                }
                Some(Outcome::Postponed) => {
                    metrics::count("postponed");
                    deliveries.postponed += 1;
                    return Ok(deliveries);
                }
            }
        }
    }

    /// Until the earliest pending mail is due, at most [`POLL`].
    async fn until_next_due(&self) -> Duration {
        let next = async { OutboxRepository::next_pending_at(&self.pool.get().await?).await };
        match next.await {
            Ok(Some(due)) => (due - Utc::now()).to_std().unwrap_or(Duration::ZERO).min(POLL),
            Ok(None) => POLL,
            Err(error) => {
                tracing::warn!(%error, "the outbox cannot be read; retrying");
                POLL
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let delays: Vec<u64> = (0..12).map(|attempts| policy.delay(attempts).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(policy.delay(i32::MAX), policy.max);
    }
}
