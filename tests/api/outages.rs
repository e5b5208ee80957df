//! When the database is away or the pool is exhausted, operations answer a
//! prompt 503 with Retry-After, and recover without a restart.

use std::time::{Duration, Instant};

use reqwest::Method;
use reviewpoint::config::Environment;

use crate::{
    helpers::{TestApp, TestDb},
    proxy::{ChaosProxy, Mode},
};

#[tokio::test]
async fn operations_answer_503_with_retry_after_while_the_database_is_down() {
    let db = TestDb::new().await;
    let (proxy, proxied) = ChaosProxy::in_front_of(&db.url).await;
    let pool = reviewpoint::db::build_pool(&proxied, Environment::Test.pool());
    let app = TestApp::serve(db, pool, Duration::from_secs(2)).await;
    let ann = app.user("ann@example.com").await;

    proxy.set(Mode::Refuse);
    let reply = app.call(Method::GET, "/api/v1/files", Some(&ann.token), None).await;
    let problem = reply.expect(503);

    assert_eq!(reply.header("retry-after"), Some("1"));
    assert!(!problem["detail"].as_str().unwrap_or_default().contains("127.0.0.1"), "no internals: {problem}");
    proxy.set(Mode::Forward);
    app.call(Method::GET, "/api/v1/files", Some(&ann.token), None).await.expect(200);
}

#[tokio::test]
async fn an_exhausted_pool_answers_503_after_its_wait_timeout_not_never() {
    let db = TestDb::new().await;
    let mut settings = Environment::Test.pool();
    settings.wait_timeout = Duration::from_millis(300);
    let pool = db.pool_with(settings);
    let app = TestApp::serve(db, pool, Duration::from_secs(2)).await;
    let ann = app.user("ann@example.com").await;
    let held = app.pool.get().await.expect("the only connection");

    let started = Instant::now();
    let reply = app.call(Method::GET, "/api/v1/auth/me", Some(&ann.token), None).await;
    let waited = started.elapsed();

    reply.expect(503);
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_secs(5), "bounded wait: {waited:?}");
    drop(held);
    app.call(Method::GET, "/api/v1/auth/me", Some(&ann.token), None).await.expect(200);
}

#[tokio::test]
async fn requests_that_need_no_database_work_while_the_pool_is_exhausted() {
    let app = TestApp::spawn().await;
    let _held = app.pool.get().await.expect("the only connection");

    for path in ["/openapi.json", "/docs", "/metrics"] {
        assert_eq!(app.get(path).await.status().as_u16(), 200, "{path}");
    }
}

#[tokio::test]
async fn a_pooled_connection_that_goes_silent_answers_503_in_bounded_time_and_is_discarded() {
    let db = TestDb::new().await;
    let (proxy, proxied) = ChaosProxy::in_front_of(&db.url).await;
    let mut settings = Environment::Test.pool();
    settings.statement_timeout = Duration::from_millis(500);
    settings.connect_timeout = Duration::from_millis(500);
    let pool = reviewpoint::db::build_pool(&proxied, settings);
    let app = TestApp::serve(db, pool, Duration::from_secs(2)).await;
    let ann = app.user("ann@example.com").await;
    assert_eq!(app.pool.status().size, 1, "one connection is pooled");

    proxy.set(Mode::Blackhole);
    let started = Instant::now();
    let reply = app.call(Method::GET, "/api/v1/files", Some(&ann.token), None).await;
    let waited = started.elapsed();

    reply.expect(503);
    assert_eq!(reply.header("retry-after"), Some("1"));
    // The deadline is the statement timeout plus a second's margin.
    assert!(waited < Duration::from_secs(4), "bounded on the client side: {waited:?}");
    assert_eq!(app.pool.status().size, 0, "the silent connection left the pool");
    app.call(Method::GET, "/api/v1/auth/me", Some(&ann.token), None).await.expect(503);
    proxy.set(Mode::Forward);
    app.call(Method::GET, "/api/v1/files", Some(&ann.token), None).await.expect(200);
}
