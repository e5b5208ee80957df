//! Delivery of outbox mail. Mail is written to the outbox table by the
//! statement that makes it true (a password reset stores its token and its
//! mail together), so a rolled-back change sends nothing; a background
//! [`OutboxSender`] on every instance leases due mail one at a time (one
//! short statement, `FOR UPDATE SKIP LOCKED`), hands it to the
//! [`Transport`] (SMTP through lettre, or the log in dev) under a deadline
//! shorter than the lease, and records the outcome: sent, retried later
//! with backoff, or refused for good. No transaction is open meanwhile.
//!
//! Delivery is at least once: a sender that stops between the mail server's
//! acceptance and recording it leaves a lease that ends, and the mail is
//! sent again. Each
//! mail carries a `Message-ID` made from its outbox id, so a mail client can
//! tell a repeat from a new mail.
//!
//! Imports `config`, `db`, `domain` and `repo`; never `poem`.

pub mod metrics;
mod sender;
mod transport;

pub use sender::{Deliveries, Lease, OutboxSender, OutboxSignal, RetryPolicy};
pub use transport::{SendError, Transport};
