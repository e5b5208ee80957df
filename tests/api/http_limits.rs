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

/// Request heads within 3 s, bodies within 1 s, 2 s of silence at most.
const SHORT: HttpLimits = HttpLimits {
    head_timeout: Duration::from_secs(3),
    body_timeout: Duration::from_secs(1),
    idle_timeout: Duration::from_secs(2),
    max_connections: 1024,
};

async fn app_with(http_limits: HttpLimits) -> TestApp {
    let db = TestDb::new().await;
    let state = reviewpoint::state::AppState { http_limits, ..TestApp::default_state(&db) };
    TestApp::serve_state(db, state).await
}

async fn app_with_short_timeouts() -> TestApp {
    app_with(SHORT).await
}

/// One response read off a keep-alive connection: its status line.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut byte = [0_u8; 1];
    while !received.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).await.expect("read"), 1, "closed mid-response");
        received.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&received).into_owned();
    let length = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned))
        .and_then(|length| length.trim().parse().ok())
        .unwrap_or(0_usize);
    let mut body = vec![0_u8; length];
    stream.read_exact(&mut body).await.expect("body");
    head.lines().next().unwrap_or_default().to_owned()
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

#[tokio::test]
async fn a_request_head_sent_a_byte_at_a_time_is_cut_at_the_head_timeout() {
    let app = app_with_short_timeouts().await;
    let stream = TcpStream::connect(app.addr).await.expect("connect");
    let (mut reading, mut writing) = stream.into_split();
    let started = Instant::now();
    let closed = tokio::spawn(async move {
        let mut received = Vec::new();
        let _ = reading.read_to_end(&mut received).await;
        (started.elapsed(), received)
    });

    writing.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: test\r\nX-Slow: ").await.expect("sent");
    // A byte every half second: the 2 s idle timeout never fires.
    while !closed.is_finished() && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if writing.write_all(b"a").await.is_err() {
            break;
        }
    }
    let (after, received) = closed.await.expect("reader");

    println!("slowloris, a header byte every 500 ms: closed after {after:.1?} (head timeout 3 s, idle 2 s)");
    assert!(!received.starts_with(b"HTTP/1.1 2"), "no request was served: {:?}", String::from_utf8_lossy(&received));
    assert!(after >= Duration::from_millis(2900) && after < Duration::from_secs(5), "closed after {after:?}");
    assert_eq!(app.get("/api/v1/health").await.status().as_u16(), 200, "still serving");
}

#[tokio::test]
async fn a_keep_alive_connection_gets_a_fresh_head_timeout_for_each_request() {
    let app = app_with_short_timeouts().await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");

    // Three requests 1.5 s apart: 3 s in all, the head timeout, yet each
    // head arrives at once.
    for n in 0..3 {
        if n > 0 {
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
        stream.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: test\r\n\r\n").await.expect("sent");
        assert_eq!(read_response(&mut stream).await, "HTTP/1.1 200 OK", "request {n}");
    }
}

#[tokio::test]
async fn past_the_connection_cap_new_connections_wait_until_one_closes() {
    let app = app_with(HttpLimits { max_connections: 4, ..SHORT }).await;
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(TcpStream::connect(app.addr).await.expect("connect"));
    }
    let health = app.url("/api/v1/health");

    let waiting = app.http.get(&health).timeout(Duration::from_millis(500)).send().await;
    drop(open.pop());
    let served = app.http.get(&health).timeout(Duration::from_secs(5)).send().await.expect("served");

    assert!(waiting.is_err_and(|error| error.is_timeout()), "a fifth connection is not served while four are open");
    assert_eq!(served.status().as_u16(), 200, "served once one closed");
}
