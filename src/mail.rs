//! Delivery of outbox mail. Mail is written to the outbox table by the
//! statement that makes it true (a password reset stores its token and its
//! mail together), so a rolled-back change sends nothing; a background
//! [`OutboxSender`] on every instance claims due mail one at a time with
//! `FOR UPDATE SKIP LOCKED`, hands it to the [`Transport`] (SMTP through
//! lettre, or the log in dev), and records the outcome in the same
//! transaction: sent, retried later with backoff, or refused for good.
//!
//! Delivery is at least once: a sender that stops between the mail server's
//! acceptance and its commit leaves the mail due, and it is sent again. Each
//! mail carries a `Message-ID` made from its outbox id, so a mail client can
//! tell a repeat from a new mail.
//!
//! Imports `config`, `db`, `domain` and `repo`; never `poem`.

pub mod metrics;
mod sender;
mod transport;

pub use sender::{Deliveries, OutboxSender, OutboxSignal, RetryPolicy};
pub use transport::{SendError, Transport};
