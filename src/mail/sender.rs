//! The background sender: drains due outbox mail, then sleeps until the
//! next mail is due, another instance may have written some, or a request
//! on this instance signals new mail.
//!
//! A mail is leased, not locked: one short statement moves its next attempt
//! to the lease's end, the mail server is then given a deadline for the
//! whole conversation, shorter than the lease, and one more statement
//! records the outcome. No database transaction is ever open while the mail
//! server answers (a server that accepts the connection and never speaks
//! once held one open for good), and a sender that dies mid-send leaves a
//! lease that ends, after which another sender takes the mail over.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use lettre::message::Mailbox;
use tokio::sync::Notify;

use super::{SendError, Transport, metrics};
use crate::{
    db::{DbError, Pool},
    repo::OutboxRepository,
};

/// The longest a sender sleeps: how soon it finds mail another instance
/// wrote while that instance's own sender is busy or gone.
const POLL: Duration = Duration::from_secs(5);

/// The shortest a sender sleeps after a pass that found nothing to send,
/// so that mail it cannot take at that moment never makes it spin.
const IDLE_FLOOR: Duration = Duration::from_millis(100);

/// How long one delivery may take, and how long a mail stays leased to its
/// sender: longer than the deadline, with room to record the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The whole SMTP conversation: connect, greeting, TLS, envelope, data.
    pub deadline: Duration,
    pub length: Duration,
}

impl Default for Lease {
    fn default() -> Self {
        Self { deadline: Duration::from_secs(30), length: Duration::from_secs(60) }
    }
}

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
    lease: Lease,
}

impl OutboxSender {
    pub fn new(pool: Pool, transport: Transport, from: Mailbox, signal: OutboxSignal) -> Self {
        Self { pool, transport, from, signal, retry: RetryPolicy::default(), lease: Lease::default() }
    }

    pub fn with_retry(self, retry: RetryPolicy) -> Self {
        Self { retry, ..self }
    }

    /// # Panics
    /// When the lease does not outlast the deadline.
    pub fn with_lease(self, lease: Lease) -> Self {
        assert!(lease.length > lease.deadline, "a lease must outlast the delivery deadline");
        Self { lease, ..self }
    }

    /// Delivers mail until the task is dropped. Failures are logged and
    /// retried: the sender never stops on its own.
    pub async fn run(self) {
        loop {
            let wait = self.pass().await;
            tokio::select! {
                () = self.signal.0.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Delivers what is due, then says how long to wait before the next
    /// pass: until the next mail is due, at least [`IDLE_FLOOR`] when
    /// nothing could be taken, at most [`POLL`].
    pub async fn pass(&self) -> Duration {
        match self.deliver_due().await {
            Ok(deliveries) if deliveries == Deliveries::default() => self.until_next_due().await.max(IDLE_FLOOR),
            Ok(_) => self.until_next_due().await,
            Err(error) => {
                tracing::warn!(%error, "the outbox cannot be read; retrying");
                POLL
            }
        }
    }

    /// One pass: sends each due mail that is not leased to another sender,
    /// one lease per mail, until none is left or one fails for now.
    pub async fn deliver_due(&self) -> Result<Deliveries, DbError> {
        let mut deliveries = Deliveries::default();
        loop {
            let claimed = OutboxRepository::claim(&self.pool.get().await?, self.lease.length).await?;
            let Some(mail) = claimed else { return Ok(deliveries) };
            // No connection is held while the mail server answers.
            let sent = tokio::time::timeout(self.lease.deadline, self.transport.send(&self.from, &mail)).await;
            let sent = sent.unwrap_or_else(|_| {
                let message = format!("the mail server did not finish within {:?}", self.lease.deadline);
                Err(SendError { permanent: false, message })
            });
            let connection = self.pool.get().await?;
            let outcome = match sent {
                Ok(()) => {
                    OutboxRepository::mark_sent(&connection, mail.id).await?;
                    tracing::info!(mail = mail.id, kind = mail.kind, attempts = mail.attempts + 1, "mail sent");
                    Outcome::Sent
                }
                Err(error) if error.permanent => {
                    OutboxRepository::mark_failed(&connection, mail.id, &error.message).await?;
                    tracing::error!(mail = mail.id, kind = mail.kind, %error, "mail refused for good; not retried");
                    Outcome::Failed
                }
                Err(error) => {
                    let delay = self.retry.delay(mail.attempts);
                    OutboxRepository::postpone(&connection, mail.id, delay, &error.message).await?;
                    tracing::warn!(mail = mail.id, kind = mail.kind, attempts = mail.attempts + 1, retry_in = ?delay, %error, "sending mail failed; will retry");
                    Outcome::Postponed
                }
            };
            match outcome {
                Outcome::Sent => {
                    metrics::count("sent");
                    deliveries.sent += 1;
                }
                Outcome::Failed => {
                    metrics::count("failed");
                    deliveries.failed += 1;
                }
                Outcome::Postponed => {
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
