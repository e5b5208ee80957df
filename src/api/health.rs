//! Is the service up, and able to serve? `GET /health/live` answers while
//! the process runs, without the database, so that an orchestrator restarts
//! only a process that is really stuck; `GET /health/ready` (and, as in v1,
//! `GET /api/v1/health`) checks the database, so that a load balancer sends
//! requests only to instances that can serve them.

use std::time::Duration;

use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Serialize;

use super::{ApiTags, error::RETRY_AFTER_SECONDS, json::Json};
use crate::{
    db::{self, Cluster, PoolStats, ReplicaStatus},
    state::AppState,
};

pub struct HealthApi;

/// The probes for orchestrators and load balancers, beside the API's paths.
pub struct ProbesApi;

/// The process is up.
#[derive(Debug, Object, Serialize)]
pub struct Liveness {
    pub status: Status,
}

#[derive(ApiResponse)]
pub enum LivenessResponse {
    /// The process runs and answers HTTP.
    #[oai(status = 200)]
    Alive(Json<Liveness>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Serialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Unavailable,
}

/// The service's view of its dependencies; `status` is `ok` when every dependency answers.
// No doc comment on enum-typed fields: poem-openapi then wraps the `$ref` in
// `allOf`, which some client generators cannot read for enums.
#[derive(Debug, Object, Serialize)]
pub struct Health {
    pub status: Status,
    pub database: DatabaseHealth,
    pub pool: PoolHealth,
    /// The read replicas, in the order `REVIEWPOINT_DB_REPLICA_URLS` names
    /// them; absent when none is configured. A replica's state never makes
    /// the service unhealthy: reads go to the primary meanwhile.
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replicas: Vec<ReplicaHealth>,
}

/// One read replica, as its monitor last saw it (every 100 ms).
#[derive(Debug, Object, Serialize)]
pub struct ReplicaHealth {
    /// Its position in `REVIEWPOINT_DB_REPLICA_URLS`, from 1.
    pub replica: u32,
    pub status: ReplicaState,
    /// How far behind the primary it is, in milliseconds; null before the first check.
    #[oai(nullable)]
    pub lag_ms: Option<f64>,
    pub pool: PoolHealth,
}

/// `in_rotation`: it serves reads. `lagging`: further behind than
/// `REVIEWPOINT_REPLICA_MAX_LAG_MS`. `down`: unreachable. `not_a_replica`: it
/// answers but was promoted. `starting`: not checked yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Serialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ReplicaState {
    InRotation,
    Lagging,
    Down,
    NotAReplica,
    Starting,
}

impl From<ReplicaStatus> for ReplicaState {
    fn from(status: ReplicaStatus) -> Self {
        match status {
            ReplicaStatus::InRotation => Self::InRotation,
            ReplicaStatus::Lagging => Self::Lagging,
            ReplicaStatus::Down => Self::Down,
            ReplicaStatus::NotAReplica => Self::NotAReplica,
            ReplicaStatus::Starting => Self::Starting,
        }
    }
}

/// The outcome of `SELECT 1` on a pooled connection.
#[derive(Debug, Object, Serialize)]
pub struct DatabaseHealth {
    pub status: Status,
    /// Time to check out a connection and run the query, in milliseconds.
    pub latency_ms: f64,
}

/// The connection pool's counters at the time of the check.
#[derive(Debug, Object, Serialize)]
pub struct PoolHealth {
    /// Open connections.
    pub size: u64,
    /// Open connections not in use.
    pub available: u64,
    /// Requests waiting for a connection.
    pub waiting: u64,
    /// The most connections the pool opens.
    pub max_size: u64,
}

#[derive(ApiResponse)]
pub enum HealthResponse {
    /// The database answers queries.
    #[oai(status = 200)]
    Healthy(Json<Health>),
    /// The database is unreachable or did not answer within the check's timeout.
    #[oai(status = 503)]
    Unhealthy(
        Json<Health>,
        /// Seconds to wait before checking again.
        #[oai(header = "Retry-After")]
        u32,
    ),
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Health")]
impl HealthApi {
    /// Check the service and its database
    ///
    /// Runs `SELECT 1` on a pooled connection, bounded by a timeout, and
    /// reports the pool's counters. Needs no authentication.
    #[oai(path = "/health", method = "get", operation_id = "get_health")]
    async fn health(&self, state: Data<&AppState>) -> HealthResponse {
        readiness(&state).await
    }
}

#[OpenApi(tag = "ApiTags::Health")]
impl ProbesApi {
    /// Liveness: is the process up?
    ///
    /// Answers 200 while the process serves HTTP, without touching the
    /// database: a database outage must not make an orchestrator restart
    /// every instance. Needs no authentication.
    #[oai(path = "/health/live", method = "get", operation_id = "get_liveness")]
    async fn live(&self) -> LivenessResponse {
        LivenessResponse::Alive(Json(Liveness { status: Status::Ok }))
    }

    /// Readiness: can this instance serve requests?
    ///
    /// The same check as `GET /api/v1/health`: 503 while the database does
    /// not answer within the check's timeout, so that a load balancer sends
    /// requests elsewhere meanwhile. Needs no authentication.
    #[oai(path = "/health/ready", method = "get", operation_id = "get_readiness")]
    async fn ready(&self, state: Data<&AppState>) -> HealthResponse {
        readiness(&state).await
    }
}

async fn readiness(state: &AppState) -> HealthResponse {
    let report = check(&state.db, state.health_timeout).await;
    match report.status {
        Status::Ok => HealthResponse::Healthy(Json(report)),
        Status::Unavailable => HealthResponse::Unhealthy(Json(report), RETRY_AFTER_SECONDS),
    }
}

pub async fn check(cluster: &Cluster, timeout: Duration) -> Health {
    let pool = cluster.writer();
    let database = db::check_health(pool, timeout).await;
    let status = if database.healthy { Status::Ok } else { Status::Unavailable };
    let replicas = cluster
        .replicas()
        .into_iter()
        .zip(1..)
        .map(|(replica, position)| ReplicaHealth {
            replica: position,
            status: replica.status.into(),
            lag_ms: replica.lag.map(|lag| (lag.as_secs_f64() * 1e6).round() / 1e3),
            pool: replica.pool.into(),
        })
        .collect();
    Health {
        status,
        database: DatabaseHealth { status, latency_ms: (database.latency.as_secs_f64() * 1e6).round() / 1e3 },
        pool: PoolStats::of(pool).into(),
        replicas,
    }
}

impl From<PoolStats> for PoolHealth {
    fn from(stats: PoolStats) -> Self {
        Self {
            size: stats.size as u64,
            available: stats.available as u64,
            waiting: stats.waiting as u64,
            max_size: stats.max_size as u64,
        }
    }
}
