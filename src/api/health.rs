//! `GET /api/v1/health`: is the service able to reach its database?

use std::time::Duration;

use poem::web::Data;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use serde::Serialize;

use super::{ApiTags, error::RETRY_AFTER_SECONDS, json::Json};
use crate::{
    db::{self, Pool, PoolStats},
    state::AppState,
};

pub struct HealthApi;

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
        let report = check(&state.pool, state.health_timeout).await;
        match report.status {
            Status::Ok => HealthResponse::Healthy(Json(report)),
            Status::Unavailable => HealthResponse::Unhealthy(Json(report), RETRY_AFTER_SECONDS),
        }
    }
}

pub async fn check(pool: &Pool, timeout: Duration) -> Health {
    let database = db::check_health(pool, timeout).await;
    let stats = PoolStats::of(pool);
    let status = if database.healthy { Status::Ok } else { Status::Unavailable };
    Health {
        status,
        database: DatabaseHealth { status, latency_ms: (database.latency.as_secs_f64() * 1e6).round() / 1e3 },
        pool: PoolHealth {
            size: stats.size as u64,
            available: stats.available as u64,
            waiting: stats.waiting as u64,
            max_size: stats.max_size as u64,
        },
    }
}
