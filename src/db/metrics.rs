//! What the connection layer counts, for `/metrics`: database errors by
//! SQLSTATE class, retries by cause, how long requests wait for a pooled
//! connection, and where reads ran (primary or replica, and why a read meant
//! for a replica ran on the primary). Process-wide, like the pool itself; the API's registry
//! includes them.

use std::sync::LazyLock;

use prometheus_client::{
    metrics::{counter::Counter, family::Family, histogram::Histogram},
    registry::Registry,
};

type Labels = Vec<(&'static str, String)>;

pub struct DbMetrics {
    errors: Family<Labels, Counter>,
    retries: Family<Labels, Counter>,
    pool_wait: Histogram,
    reads: Family<Labels, Counter>,
    fallbacks: Family<Labels, Counter>,
    positions: Family<Labels, Counter>,
}

static METRICS: LazyLock<DbMetrics> = LazyLock::new(|| DbMetrics {
    errors: Family::default(),
    retries: Family::default(),
    pool_wait: Histogram::new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
    reads: Family::default(),
    fallbacks: Family::default(),
    positions: Family::default(),
});

/// Adds the connection layer's metrics to `registry`.
pub fn register(registry: &mut Registry) {
    let metrics = &*METRICS;
    registry.register(
        "db_errors",
        "Database errors by SQLSTATE class (`connection` when no server answered)",
        metrics.errors.clone(),
    );
    registry.register("db_retries", "Statements or transactions run again, by cause", metrics.retries.clone());
    registry.register(
        "db_pool_wait_seconds",
        "Time to check out a pooled connection, waiting included",
        metrics.pool_wait.clone(),
    );
    registry.register(
        "db_reads",
        "Read units of work by the server they ran on (primary, replica)",
        metrics.reads.clone(),
    );
    registry.register(
        "db_replica_fallbacks",
        "Reads meant for a replica that ran on the primary, by reason",
        metrics.fallbacks.clone(),
    );
    registry.register(
        "db_wal_position_queries",
        "WAL position queries by server (primary, replica): one per batch of concurrent reads",
        metrics.positions.clone(),
    );
}

/// `class` is the SQLSTATE's first two characters, a bounded set.
pub(super) fn count_error(class: &str) {
    METRICS.errors.get_or_create(&vec![("class", class.to_owned())]).inc();
}

pub(super) fn count_retry(cause: &'static str) {
    METRICS.retries.get_or_create(&vec![("cause", cause.to_owned())]).inc();
}

pub(super) fn observe_pool_wait(seconds: f64) {
    METRICS.pool_wait.observe(seconds);
}

/// Where reads run, counted on every read: the two counters are looked up
/// once, not per call (a label lookup allocates).
static READS: LazyLock<[Counter; 2]> = LazyLock::new(|| {
    ["primary", "replica"].map(|target| METRICS.reads.get_or_create(&vec![("target", target.to_owned())]).clone())
});

pub(super) fn count_read(target: ReadTarget) {
    READS[target as usize].inc();
}

#[derive(Clone, Copy)]
pub(super) enum ReadTarget {
    Primary = 0,
    Replica = 1,
}

pub(super) fn count_fallback(reason: &'static str) {
    METRICS.fallbacks.get_or_create(&vec![("reason", reason.to_owned())]).inc();
}

pub(super) fn count_position_query(server: &'static str) {
    METRICS.positions.get_or_create(&vec![("server", server.to_owned())]).inc();
}
