//! `GET /metrics`: request counts and latencies per route and status, and the
//! connection pool's counters, in the OpenMetrics text format (which
//! Prometheus scrapes). Serving it touches no database connection.

use std::{sync::Arc, time::Instant};

use poem::{Endpoint, IntoResponse, Request, Response, Result, http::Method};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

use super::route_table::RouteTable;
use crate::db::{Pool, PoolStats};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// The service's metrics; cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    replays: Family<RouteLabels, Counter>,
    durations: Family<RouteLabels, Histogram>,
    pool_size: Gauge,
    pool_available: Gauge,
    pool_waiting: Gauge,
    pool_max_size: Gauge,
    /// Route templates (`/api/v1/files/{id}`); any other path counts as
    /// `unmatched`, so random URLs cannot grow the label set without bound.
    routes: RouteTable,
}

impl Metrics {
    pub fn new(routes: RouteTable) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let durations = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
        });
        registry.register("http_requests", "HTTP requests answered", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request", durations.clone());
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let gauge = Gauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        let pool_size = gauge(&mut registry, "db_pool_connections", "Open database connections");
        let pool_available = gauge(&mut registry, "db_pool_available", "Open connections not in use");
        let pool_waiting = gauge(&mut registry, "db_pool_waiting", "Requests waiting for a connection");
        let pool_max_size = gauge(&mut registry, "db_pool_max_size", "The most connections the pool opens");
        crate::db::metrics::register(&mut registry);
        crate::mail::metrics::register(&mut registry);
        let replays = Family::<RouteLabels, Counter>::default();
        registry.register(
            "http_idempotent_replays",
            "Answers repeated for a repeated Idempotency-Key (nothing was created again)",
            replays.clone(),
        );
        Self(Arc::new(Inner {
            registry,
            requests,
            replays,
            durations,
            pool_size,
            pool_available,
            pool_waiting,
            pool_max_size,
            routes,
        }))
    }

    fn observe(&self, method: &Method, path: &str, response: &Response, started: Instant) {
        let route = self.0.routes.template(path).unwrap_or("unmatched").to_owned();
        let labels = RouteLabels { method: method_label(method).to_owned(), route };
        let status = response.status().as_u16();
        let request = RequestLabels { method: labels.method.clone(), route: labels.route.clone(), status };
        self.0.requests.get_or_create(&request).inc();
        if response.headers().get("idempotent-replayed").is_some_and(|value| value == "true") {
            self.0.replays.get_or_create(&labels).inc();
        }
        self.0.durations.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
    }

    /// The exposition text, with the pool's counters read now.
    pub fn render(&self, pool: &Pool) -> String {
        let stats = PoolStats::of(pool);
        let as_gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.0.pool_size.set(as_gauge(stats.size));
        self.0.pool_available.set(as_gauge(stats.available));
        self.0.pool_waiting.set(as_gauge(stats.waiting));
        self.0.pool_max_size.set(as_gauge(stats.max_size));
        let mut text = String::new();
        encode(&mut text, &self.0.registry).expect("writing to a String cannot fail");
        text
    }
}

/// The standard methods by name; any other (`FOO1`, `FOO2`, ...) is `other`,
/// so made-up methods cannot grow the label set without bound.
fn method_label(method: &Method) -> &'static str {
    const STANDARD: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    STANDARD.iter().find(|standard| *standard == method).map_or("other", |standard| standard.as_str())
}

/// Counts and times every request, whatever its outcome.
pub async fn record<E: Endpoint>(endpoint: Arc<E>, request: Request) -> Result<Response> {
    let metrics = request.data::<Metrics>().cloned();
    let (method, path, started) = (request.method().clone(), request.uri().path().to_owned(), Instant::now());
    let response = endpoint.call(request).await.map(IntoResponse::into_response).unwrap_or_else(|e| e.into_response());
    if let Some(metrics) = metrics {
        metrics.observe(&method, &path, &response, started);
    }
    Ok(response)
}

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
