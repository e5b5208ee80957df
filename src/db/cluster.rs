//! The servers behind the service: one primary for writes and zero or more
//! streaming replicas for reads. Handlers ask for a writer or a reader; this
//! module picks the server.
//!
//! No client misses its own write, through any instance and with no state
//! shared between instances: a read sent to a replica first learns the
//! primary's WAL position as of the moment it arrived (every acknowledged
//! commit lies before it), and runs only once the replica has replayed that
//! far. Both positions are read by [`Batched`] probes, so concurrent reads
//! share one round trip each and the primary's cost does not grow with read
//! traffic. A replica that is unreachable, lags past the bound, or has been
//! promoted leaves the rotation (a monitor checks each one every 100 ms) and
//! returns when it recovers; with no replica in rotation, or when waiting
//! would take longer than the lag bound, reads run on the primary.

use std::{
    collections::VecDeque,
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicI64, AtomicU8, AtomicU32, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reviewpoint_codegen::queries::replication::{primary_wal_position, replica_position};
use tokio::sync::{mpsc, oneshot};

use super::{
    Connection, DbError, Pool, PoolStats, Retry,
    metrics::{self, ReadTarget},
};

/// How often each replica's position and the primary's are compared.
const MONITOR_EVERY: Duration = Duration::from_millis(100);
/// How long one monitor probe may take before the replica counts as down.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);
/// How far back the monitor remembers the primary's positions (for lag).
const HISTORY: Duration = Duration::from_secs(60);

/// The primary and the replicas, cheap to clone.
#[derive(Clone)]
pub struct Cluster {
    primary: Pool,
    replicas: Arc<[Arc<Replica>]>,
    primary_position: Arc<Batched<i64>>,
    next_replica: Arc<AtomicUsize>,
    max_lag: Duration,
}

/// Where a replica stands, as its monitor last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaStatus {
    /// Not probed yet.
    Starting = 0,
    InRotation = 1,
    /// Further behind than the lag bound.
    Lagging = 2,
    /// No connection, or no answer in time.
    Down = 3,
    /// It answers, but is not in recovery any more (promoted).
    NotAReplica = 4,
}

impl ReplicaStatus {
    fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::InRotation,
            2 => Self::Lagging,
            3 => Self::Down,
            4 => Self::NotAReplica,
            _ => Self::Starting,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::InRotation => "in_rotation",
            Self::Lagging => "lagging",
            Self::Down => "down",
            Self::NotAReplica => "not_a_replica",
        }
    }
}

/// One replica as `/health` shows it.
#[derive(Clone, Debug)]
pub struct ReplicaReport {
    /// Its redacted URL.
    pub name: String,
    pub status: ReplicaStatus,
    /// How long ago the primary was at a position this replica has not
    /// replayed yet (zero when caught up); `None` before the first probe.
    pub lag: Option<Duration>,
    pub pool: PoolStats,
}

pub struct Replica {
    name: String,
    pool: Pool,
    status: AtomicU8,
    /// The furthest WAL position seen replayed.
    replayed: AtomicI64,
    /// Lag in microseconds, or -1 before the first probe.
    lag_micros: AtomicI64,
    position: Batched<ReplicaReading>,
}

#[derive(Clone, Copy, Debug)]
struct ReplicaReading {
    in_recovery: bool,
    replayed: Option<i64>,
}

impl Cluster {
    /// Everything on one server.
    pub fn primary_only(primary: Pool) -> Self {
        Self::new(primary, Vec::new(), Duration::from_millis(200))
    }

    /// `replicas` are (redacted name, pool) pairs. Starts a monitor per
    /// replica; the monitors end when the last clone is dropped.
    pub fn new(primary: Pool, replicas: Vec<(String, Pool)>, max_lag: Duration) -> Self {
        let primary_position = {
            let pool = primary.clone();
            Arc::new(Batched::spawn(move || {
                let pool = pool.clone();
                async move {
                    metrics::count_position_query("primary");
                    let connection = pool.get().await?;
                    super::run!(&connection, |c| primary_wal_position().bind(c).one())
                }
            }))
        };
        let replicas: Arc<[Arc<Replica>]> = replicas
            .into_iter()
            .map(|(name, pool)| {
                let probe = pool.clone();
                Arc::new(Replica {
                    name,
                    pool,
                    status: AtomicU8::new(ReplicaStatus::Starting as u8),
                    replayed: AtomicI64::new(i64::MIN),
                    lag_micros: AtomicI64::new(-1),
                    position: Batched::spawn(move || {
                        let pool = probe.clone();
                        async move {
                            metrics::count_position_query("replica");
                            let connection = pool.get().await?;
                            let position = super::run!(&connection, |c| replica_position().bind(c).one())?;
                            Ok(ReplicaReading { in_recovery: position.in_recovery, replayed: position.replayed })
                        }
                    }),
                })
            })
            .collect();
        for replica in replicas.iter() {
            spawn_monitor(Arc::downgrade(replica), Arc::downgrade(&primary_position), max_lag);
        }
        Self { primary, replicas, primary_position, next_replica: Arc::new(AtomicUsize::new(0)), max_lag }
    }

    /// The primary: writes, and reads inside a write.
    pub fn writer(&self) -> &Pool {
        &self.primary
    }

    /// A source of connections for one read, made when the request arrives.
    pub fn reader(&self) -> Reader<'_> {
        Reader { cluster: self, attempts: AtomicU32::new(0) }
    }

    pub fn replicas(&self) -> Vec<ReplicaReport> {
        self.replicas
            .iter()
            .map(|replica| ReplicaReport {
                name: replica.name.clone(),
                status: replica.status(),
                lag: u64::try_from(replica.lag_micros.load(Ordering::Relaxed)).ok().map(Duration::from_micros),
                pool: PoolStats::of(&replica.pool),
            })
            .collect()
    }
}

/// Connections for one read: a caught-up replica when there is one, the
/// primary otherwise. `retry!` calls [`Reader::get`] once per attempt; a
/// second attempt always goes to the primary, so a failing replica costs a
/// read one retry, never an error the primary could have avoided.
pub struct Reader<'a> {
    cluster: &'a Cluster,
    attempts: AtomicU32,
}

impl Reader<'_> {
    pub async fn get(&self) -> Result<Connection, DbError> {
        let cluster = self.cluster;
        let first = self.attempts.fetch_add(1, Ordering::Relaxed) == 0;
        if cluster.replicas.is_empty() {
            return primary(cluster).await;
        }
        if !first {
            metrics::count_fallback("retry");
            return primary(cluster).await;
        }
        let count = cluster.replicas.len();
        let start = cluster.next_replica.fetch_add(1, Ordering::Relaxed);
        let Some(replica) = (0..count)
            .map(|offset| &cluster.replicas[(start + offset) % count])
            .find(|replica| replica.status() == ReplicaStatus::InRotation)
        else {
            metrics::count_fallback("no_replica_in_rotation");
            return primary(cluster).await;
        };
        // Everything acknowledged before this request arrived lies before
        // this position; a replica that has replayed it shows all of it.
        let target = cluster.primary_position.fresh().await?;
        if !replica.has_replayed(target, cluster.max_lag).await {
            metrics::count_fallback("replica_behind");
            return primary(cluster).await;
        }
        // A replica whose connections are all busy is waited for no longer
        // than the lag a read accepts anyway: the primary serves it then. That
        // says nothing of the replica's health, which its monitor judges.
        match tokio::time::timeout(cluster.max_lag, replica.pool.get()).await {
            Ok(Ok(connection)) => {
                metrics::count_read(ReadTarget::Replica);
                Ok(connection)
            }
            Ok(Err(error)) if !error.is_pool_timeout() => {
                tracing::warn!(replica = %replica.name, %error, "replica unavailable; reading from the primary");
                replica.set_status(ReplicaStatus::Down);
                metrics::count_fallback("replica_unavailable");
                primary(cluster).await
            }
            Ok(Err(_)) | Err(_) => {
                metrics::count_fallback("replica_busy");
                primary(cluster).await
            }
        }
    }
}

async fn primary(cluster: &Cluster) -> Result<Connection, DbError> {
    metrics::count_read(ReadTarget::Primary);
    cluster.primary.get().await
}

impl Replica {
    fn status(&self) -> ReplicaStatus {
        ReplicaStatus::from_u8(self.status.load(Ordering::Relaxed))
    }

    fn set_status(&self, status: ReplicaStatus) {
        self.status.store(status as u8, Ordering::Relaxed);
    }

    fn record(&self, reading: ReplicaReading) {
        if let Some(replayed) = reading.replayed {
            self.replayed.fetch_max(replayed, Ordering::Relaxed);
        }
    }

    /// Whether the replica has replayed `target`, asking it again (batched)
    /// until it has or `within` has passed.
    async fn has_replayed(&self, target: i64, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if self.replayed.load(Ordering::Relaxed) >= target {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.position.fresh()).await {
                Ok(Ok(reading)) if reading.in_recovery => self.record(reading),
                Ok(Ok(_)) => {
                    self.set_status(ReplicaStatus::NotAReplica);
                    return false;
                }
                Ok(Err(_)) => {
                    self.set_status(ReplicaStatus::Down);
                    return false;
                }
                Err(_) => return false,
            }
        }
    }
}

/// Every 100 ms: where the primary is, where the replica is, and from the
/// primary's recent positions how long ago it was where the replica is now.
fn spawn_monitor(replica: std::sync::Weak<Replica>, primary: std::sync::Weak<Batched<i64>>, max_lag: Duration) {
    tokio::spawn(async move {
        let mut history: VecDeque<(Instant, i64)> = VecDeque::new();
        let mut tick = tokio::time::interval(MONITOR_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (Some(replica), Some(primary)) = (replica.upgrade(), primary.upgrade()) else { return };
            if let Ok(Ok(position)) = tokio::time::timeout(PROBE_TIMEOUT, primary.fresh()).await {
                history.push_back((Instant::now(), position));
            }
            while history.front().is_some_and(|(seen, _)| seen.elapsed() > HISTORY) {
                history.pop_front();
            }
            let before = replica.status();
            let status = match tokio::time::timeout(PROBE_TIMEOUT, replica.position.fresh()).await {
                Ok(Ok(reading)) if reading.in_recovery => {
                    replica.record(reading);
                    let replayed = reading.replayed.unwrap_or(i64::MIN);
                    // The oldest remembered primary position not replayed yet.
                    let lag = history
                        .iter()
                        .find(|(_, position)| *position > replayed)
                        .map_or(Duration::ZERO, |(seen, _)| seen.elapsed());
                    replica.lag_micros.store(i64::try_from(lag.as_micros()).unwrap_or(i64::MAX), Ordering::Relaxed);
                    if lag > max_lag { ReplicaStatus::Lagging } else { ReplicaStatus::InRotation }
                }
                Ok(Ok(_)) => ReplicaStatus::NotAReplica,
                Ok(Err(_)) | Err(_) => ReplicaStatus::Down,
            };
            replica.set_status(status);
            if status != before {
                tracing::info!(replica = %replica.name, status = status.as_str(), "replica status changed");
            }
        }
    });
}

/// A query whose concurrent callers share one execution: each caller gets
/// the result of an execution that started after it asked (so a position
/// read is never older than the request), and while one runs, the next
/// gathers everyone who arrives meanwhile. One task per probe runs them.
///
/// Written here rather than taken from a library: request coalescing crates
/// share an in-flight call, which may have started before the caller arrived
/// and so would break the read-your-writes guarantee.
pub struct Batched<T> {
    requests: mpsc::UnboundedSender<oneshot::Sender<Result<T, Arc<DbError>>>>,
}

impl<T: Clone + Send + 'static> Batched<T> {
    fn spawn<F, Fut>(run: F) -> Self
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, DbError>> + Send,
    {
        let (requests, mut waiting) = mpsc::unbounded_channel::<oneshot::Sender<Result<T, Arc<DbError>>>>();
        tokio::spawn(async move {
            while let Some(first) = waiting.recv().await {
                let mut batch = vec![first];
                while let Ok(next) = waiting.try_recv() {
                    batch.push(next);
                }
                let result = run().await.map_err(Arc::new);
                for caller in batch {
                    let _gone = caller.send(result.clone());
                }
            }
        });
        Self { requests }
    }

    async fn fresh(&self) -> Result<T, DbError> {
        let (answer, answered) = oneshot::channel();
        let unavailable = |source: Option<Arc<DbError>>| DbError::Unavailable {
            reason: "the WAL position could not be read",
            retry: Retry::Safe,
            source: source.map(|error| Box::new(SharedError(error)) as Box<dyn std::error::Error + Send + Sync>),
        };
        self.requests.send(answer).map_err(|_| unavailable(None))?;
        match answered.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(unavailable(Some(error))),
            Err(_) => Err(unavailable(None)),
        }
    }
}

/// One failure shared by every caller of a batch.
#[derive(Debug)]
struct SharedError(Arc<DbError>);

impl std::fmt::Display for SharedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SharedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}
