//! The transactional outbox: `queries/outbox.sql`. Mail is written by the
//! statements that make it true (see [`PasswordResetRepository::request`]);
//! this is the senders' side.
//!
//! [`PasswordResetRepository::request`]: super::PasswordResetRepository::request

use std::time::Duration;

use chrono::{DateTime, Utc};
use reviewpoint_codegen::queries::outbox as q;

use crate::{
    db::{self, DbError, Executor},
    domain::OutboxMail,
};

pub struct OutboxRepository;

/// What a purge removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sent, or refused for good.
    pub settled: u64,
    /// Never delivered before its time ran out.
    pub undelivered: u64,
}

impl OutboxRepository {
    /// When the earliest mail still to deliver is due, if any is.
    pub async fn next_pending_at(db: &impl Executor) -> Result<Option<DateTime<Utc>>, DbError> {
        db::run!(db, |c| q::next_pending_at().bind(c).one())
    }

    /// Leases the mail due longest to the caller for `lease`; `None` when no
    /// mail is due or every due one is leased to another sender.
    pub async fn claim(db: &impl Executor, lease: Duration) -> Result<Option<OutboxMail>, DbError> {
        let lease = lease.as_secs_f64();
        let row = db::run!(db, |c| q::claim_due_mail().bind(c, &lease).opt())?;
        Ok(row.map(|row| OutboxMail {
            id: row.id,
            kind: row.kind,
            recipient: row.recipient,
            subject: row.subject,
            body: row.body,
            attempts: row.attempts,
        }))
    }

    pub async fn mark_sent(db: &impl Executor, id: i64) -> Result<(), DbError> {
        db::run!(db, |c| q::mark_mail_sent().bind(c, &id))?;
        Ok(())
    }

    pub async fn mark_failed(db: &impl Executor, id: i64, error: &str) -> Result<(), DbError> {
        db::run!(db, |c| q::mark_mail_failed().bind(c, &error, &id))?;
        Ok(())
    }

    pub async fn postpone(db: &impl Executor, id: i64, delay: Duration, error: &str) -> Result<(), DbError> {
        let delay = delay.as_secs_f64();
        db::run!(db, |c| q::postpone_mail().bind(c, &error, &delay, &id))?;
        Ok(())
    }

    /// Deletes up to `batch` settled or timed-out mails.
    pub async fn purge(db: &impl Executor, batch: u32) -> Result<Purged, DbError> {
        let batch = i64::from(batch);
        let rows = db::run!(db, |c| q::purge_outbox().bind(c, &batch).all())?;
        let undelivered = rows.iter().filter(|undelivered| **undelivered).count() as u64;
        Ok(Purged { settled: rows.len() as u64 - undelivered, undelivered })
    }
}
