//! A pooled connection that nothing can hang on, and a transaction on one.
//!
//! PostgreSQL's `statement_timeout` bounds a statement on the server, but a
//! connection whose socket went silent (a dead network, a stalled proxy)
//! never answers at all, and the driver would wait for minutes. So every
//! await on the database here is bounded on the client side too, and a
//! connection that overran its deadline is marked broken: when it is
//! dropped it leaves the pool instead of being handed out again. A request's
//! connection also carries the request's budget ([`super::REQUEST_BUDGET`]),
//! which no statement outlasts.

use std::{
    future::Future,
    ops::{Deref, DerefMut},
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use deadpool_postgres::{Object, StatementCache};
use tokio::time::Instant;

use super::DbError;

/// A connection checked out of [`super::Pool`].
pub struct Connection {
    /// `None` only while being dropped.
    client: Option<deadpool_postgres::Client>,
    broken: AtomicBool,
    deadline: Duration,
    /// When the work this connection serves must be done by, if it must.
    until: Option<Instant>,
}

/// A transaction on a [`Connection`]; see [`super::in_transaction`].
pub struct Transaction<'a> {
    pub(super) inner: deadpool_postgres::Transaction<'a>,
    pub(super) bounds: Bounds<'a>,
}

/// The client-side deadline of one connection, and its broken mark.
#[derive(Clone, Copy)]
pub struct Bounds<'a> {
    broken: &'a AtomicBool,
    deadline: Duration,
    until: Option<Instant>,
}

impl Bounds<'_> {
    /// Runs `work` within the deadline, and within the budget of the work the
    /// connection serves; past either, the connection is broken.
    pub async fn within<T>(self, work: impl Future<Output = T>) -> Result<T, DbError> {
        let deadline = Instant::now() + self.deadline;
        let deadline = self.until.map_or(deadline, |until| deadline.min(until));
        tokio::time::timeout_at(deadline, work).await.map_err(|_| {
            self.broken.store(true, Ordering::Relaxed);
            DbError::timed_out(self.deadline)
        })
    }
}

impl Connection {
    pub(super) fn new(client: deadpool_postgres::Client, deadline: Duration) -> Self {
        Self { client: Some(client), broken: AtomicBool::new(false), deadline, until: None }
    }

    /// No statement on this connection runs past `until`: the end of the
    /// budget of the request it serves.
    pub fn limit_to(&mut self, until: Instant) {
        self.until = Some(until);
    }

    pub(super) fn bounds(&self) -> Bounds<'_> {
        Bounds { broken: &self.broken, deadline: self.deadline, until: self.until }
    }

    /// The client and the bounds, borrowed apart so a transaction can hold both.
    pub(super) fn split(&mut self) -> (&mut deadpool_postgres::Client, Bounds<'_>) {
        let client = self.client.as_mut().expect("present until dropped");
        (client, Bounds { broken: &self.broken, deadline: self.deadline, until: self.until })
    }

    /// Marks the connection as dead: it leaves the pool when dropped.
    pub fn discard(&self) {
        self.broken.store(true, Ordering::Relaxed);
    }

    pub(super) fn statement_cache(&self) -> &StatementCache {
        &self.client().statement_cache
    }

    fn client(&self) -> &deadpool_postgres::Client {
        self.client.as_ref().expect("present until dropped")
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("broken", &self.broken)
            .field("deadline", &self.deadline)
            .field("until", &self.until)
            .finish()
    }
}

impl Deref for Connection {
    type Target = deadpool_postgres::Client;

    fn deref(&self) -> &Self::Target {
        self.client()
    }
}

impl DerefMut for Connection {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.client.as_mut().expect("present until dropped")
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if self.broken.load(Ordering::Relaxed)
            && let Some(client) = self.client.take()
        {
            // Detached from the pool and dropped: the socket closes.
            tracing::warn!("discarding a database connection that stopped answering");
            drop(Object::take(client));
        }
    }
}
