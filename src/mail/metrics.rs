//! What the outbox sender counts, for `/metrics`: delivery attempts by
//! outcome. Process-wide, like the sender itself; the API's registry
//! includes them.

use std::sync::LazyLock;

use prometheus_client::{
    metrics::{counter::Counter, family::Family},
    registry::Registry,
};

type Labels = Vec<(&'static str, &'static str)>;

static ATTEMPTS: LazyLock<Family<Labels, Counter>> = LazyLock::new(Family::default);

/// Adds the sender's metrics to `registry`.
pub fn register(registry: &mut Registry) {
    registry.register(
        "mail_delivery_attempts",
        "Outbox mail delivery attempts by outcome: sent, postponed (failed for now, retried with backoff), failed (refused for good)",
        ATTEMPTS.clone(),
    );
}

pub(super) fn count(outcome: &'static str) {
    ATTEMPTS.get_or_create(&vec![("outcome", outcome)]).inc();
}
