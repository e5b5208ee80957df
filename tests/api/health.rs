use std::time::{Duration, Instant};

use reviewpoint::config::Environment;
use serde_json::Value;

use crate::{
    helpers::{TestApp, TestDb},
    proxy::{ChaosProxy, Mode},
};

async fn app_behind_proxy(health_timeout: Duration) -> (TestApp, ChaosProxy) {
    let db = TestDb::new().await;
    let (proxy, proxied) = ChaosProxy::in_front_of(&db.url).await;
    let mut settings = Environment::Test.pool();
    settings.connect_timeout = Duration::from_secs(1);
    let pool = reviewpoint::db::build_pool(&proxied, settings);
    (TestApp::serve(db, pool, health_timeout).await, proxy)
}

async fn health(app: &TestApp) -> (u16, Option<String>, Value) {
    let response = app.get("/api/v1/health").await;
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap_or_default().to_owned());
    (status, retry_after, response.json().await.expect("JSON body"))
}

#[tokio::test]
async fn health_reports_ok_with_latency_and_pool_statistics() {
    let app = TestApp::spawn().await;

    let (status, _, body) = health(&app).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["status"], "ok");
    assert!(body["database"]["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{body}");
    assert_eq!(body["pool"]["max_size"], app.pool.status().max_size);
    assert_eq!(body["pool"]["size"], 1);
    assert_eq!(body["pool"]["available"], 1);
    assert_eq!(body["pool"]["waiting"], 0);
}

#[tokio::test]
async fn health_turns_503_when_the_database_goes_away_and_200_when_it_returns() {
    let (app, proxy) = app_behind_proxy(Duration::from_secs(2)).await;
    assert_eq!(health(&app).await.0, 200);

    proxy.set(Mode::Refuse);
    let (status, retry_after, body) = health(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["database"]["status"], "unavailable");

    proxy.set(Mode::Forward);
    let (status, _, body) = health(&app).await;
    assert_eq!(status, 200, "the same server recovers without a restart: {body}");
}

#[tokio::test]
async fn health_answers_503_within_its_timeout_when_the_database_hangs() {
    let timeout = Duration::from_millis(500);
    let (app, proxy) = app_behind_proxy(timeout).await;
    proxy.set(Mode::Blackhole);

    let started = Instant::now();
    let (status, _, body) = health(&app).await;
    let waited = started.elapsed();

    assert_eq!(status, 503, "{body}");
    assert_eq!(body["database"]["status"], "unavailable");
    // A bound on behaviour, not a speed target: it must not wait for the
    // 1 s connect timeout, let alone hang.
    assert!(waited < timeout + Duration::from_millis(400), "answered after {waited:?}");
}

#[tokio::test]
async fn unknown_routes_answer_problem_json() {
    let app = TestApp::spawn().await;

    let response = app.get("/api/v1/no-such-thing").await;

    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], 404);
    assert_eq!(body["title"], "Not Found");
    assert!(body["type"].is_string() && body["detail"].is_string(), "{body}");
}

#[tokio::test]
async fn liveness_needs_no_database_and_readiness_follows_it() {
    let (app, proxy) = app_behind_proxy(Duration::from_millis(500)).await;
    let _held = app.pool.get().await.expect("the only connection, held: the pool is exhausted too");
    proxy.set(Mode::Refuse);

    let started = Instant::now();
    let live = app.get("/health/live").await;
    let live_in = started.elapsed();
    let ready = app.get("/health/ready").await;

    assert_eq!(live.status().as_u16(), 200);
    assert!(live_in < Duration::from_millis(200), "no pool wait: {live_in:?}");
    assert_eq!(live.json::<Value>().await.expect("JSON"), serde_json::json!({ "status": "ok" }));
    assert_eq!(ready.status().as_u16(), 503);
    assert_eq!(ready.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    drop(_held);
    proxy.set(Mode::Forward);
    assert_eq!(app.get("/health/ready").await.status().as_u16(), 200, "ready again");
}
