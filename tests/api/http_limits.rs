//! Oversized and slow requests are bounded by limits and timeouts, answered
//! with a 4xx where HTTP allows, and never make the server unresponsive.

use std::time::{Duration, Instant};

use reqwest::Method;
use reviewpoint::state::HttpLimits;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::helpers::{TestApp, TestDb};

async fn app_with_short_timeouts() -> TestApp {
    let db = TestDb::new().await;
    let http_limits = HttpLimits { body_timeout: Duration::from_secs(1), idle_timeout: Duration::from_secs(2) };
    let state = reviewpoint::state::AppState { http_limits, ..TestApp::default_state(&db) };
    TestApp::serve_state(db, state).await
}

/// Everything the server sends on `stream` until it closes it (or 10 s pass).
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut received)).await;
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn oversized_or_too_many_headers_are_431_and_a_huge_token_is_401() {
    let app = TestApp::spawn().await;
    let health = app.url("/api/v1/health");

    let oversized = app.http.get(&health).header("x-padding", "a".repeat(512 * 1024)).send().await.expect("answered");
    let mut many = app.http.get(&health);
    for n in 0..150 {
        many = many.header(format!("x-header-{n}"), "value");
    }
    let many = many.send().await.expect("answered");
    let huge_token = "a".repeat(64 * 1024);
    let token = app.call(Method::GET, "/api/v1/auth/me", Some(&huge_token), None).await;

    assert_eq!(oversized.status().as_u16(), 431);
    assert_eq!(many.status().as_u16(), 431);
    token.expect(401);
    assert_eq!(app.get("/api/v1/health").await.status().as_u16(), 200, "still serving");
}

#[tokio::test]
async fn a_body_that_never_finishes_is_a_408_within_the_body_timeout() {
    let app = app_with_short_timeouts().await;
    let ann = app.user("ann@example.com").await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    let head = format!(
        "POST /api/v1/files HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"filename\"",
        ann.token
    );

    let started = Instant::now();
    stream.write_all(head.as_bytes()).await.expect("sent");
    let answer = read_until_closed(&mut stream).await;

    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5), "bounded: {:?}", started.elapsed());
    let files = app.call(Method::GET, "/api/v1/files", Some(&ann.token), None).await.expect(200);
    assert_eq!(files["items"].as_array().map(Vec::len), Some(0), "nothing was created");
}

#[tokio::test]
async fn slowloris_connections_are_closed_when_idle_and_others_are_served_meanwhile() {
    let app = app_with_short_timeouts().await;
    let mut stalled = Vec::new();
    for _ in 0..100 {
        let mut stream = TcpStream::connect(app.addr).await.expect("connect");
        stream.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: test\r\nX-Slow: ").await.expect("sent");
        stalled.push(stream);
    }

    let started = Instant::now();
    let served = app.get("/api/v1/health").await;
    let served_in = started.elapsed();
    let closed = read_until_closed(&mut stalled[0]).await;

    assert_eq!(served.status().as_u16(), 200);
    assert!(served_in < Duration::from_secs(2), "others are served at once: {served_in:?}");
    assert!(closed.is_empty() || closed.starts_with("HTTP/1.1 4"), "closed without a 2xx: {closed:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "the stalled connection was closed after its idle timeout");
}
