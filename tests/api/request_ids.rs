//! Every request has an id: echoed in `X-Request-Id`, in each log line of the
//! request, and in the body of a 5xx.

use std::{process::Stdio, time::Duration};

use reqwest::Method;
use reviewpoint::config::Environment;

use crate::{
    cli::serve,
    helpers::{TestApp, TestDb},
};

async fn id_for(app: &TestApp, sent: Option<&str>) -> String {
    let request = app.http.get(app.url("/api/v1/health"));
    let request = match sent {
        Some(id) => request.header("x-request-id", id),
        None => request,
    };
    let response = request.send().await.expect("answered");
    response.headers()["x-request-id"].to_str().expect("ASCII").to_owned()
}

#[tokio::test]
async fn a_sane_request_id_is_echoed_and_anything_else_is_replaced() {
    let app = TestApp::spawn().await;

    assert_eq!(
        id_for(&app, Some("3f2c9a4e-1b7d-4c55-9a0e-6f1d2b3c4d5e")).await,
        "3f2c9a4e-1b7d-4c55-9a0e-6f1d2b3c4d5e"
    );
    let (generated, again) = (id_for(&app, None).await, id_for(&app, None).await);
    let replaced = id_for(&app, Some("no spaces or <html> allowed")).await;

    assert_ne!(generated, again, "each request gets its own");
    assert!(!replaced.contains(' ') && !replaced.is_empty(), "{replaced}");
    let problem = app.call(Method::GET, "/api/v1/nothing", None, None).await;
    assert!(problem.header("x-request-id").is_some(), "errors carry it too");
    assert!(problem.expect(404).get("request_id").is_none(), "only a 5xx body names it");
}

#[tokio::test]
async fn a_5xx_body_names_the_request_id_of_its_header() {
    let db = TestDb::new().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let pool = reviewpoint::db::build_pool(&db.url.with_host_and_port("127.0.0.1", closed), Environment::Test.pool());
    let app = TestApp::serve(db, pool, Duration::from_secs(2)).await;

    let reply = app
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(serde_json::json!({
                "email": "ann@example.com", "password": "whatever it is"
            })),
        )
        .await;

    let problem = reply.expect(503);
    assert_eq!(problem["request_id"].as_str(), reply.header("x-request-id"));
}

#[tokio::test]
async fn every_log_line_of_a_request_carries_its_id() {
    let db = TestDb::new().await;
    let prod = [
        ("REVIEWPOINT_ENVIRONMENT", "prod"),
        ("REVIEWPOINT_JWT_SECRET", "a-production-secret-of-32-bytes!!"),
        ("REVIEWPOINT_DEBUG", "true"),
        ("REVIEWPOINT_SMTP_URL", "smtp://127.0.0.1:1?tls=none"),
    ];
    let (server, port) = serve(&db.url, &prod, Stdio::piped()).await;

    let response = crate::helpers::http_client()
        .build()
        .expect("client")
        .get(format!("http://127.0.0.1:{port}/api/v1/files/1"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("answered");
    std::process::Command::new("kill").args(["-TERM", &server.id().to_string()]).status().expect("kill");
    let logs = String::from_utf8(server.wait_with_output().expect("exit").stderr).expect("UTF-8 logs");

    assert_eq!(response.status().as_u16(), 401);
    let lines: Vec<serde_json::Value> = logs.lines().filter_map(|line| serde_json::from_str(line).ok()).collect();
    let of_request: Vec<&serde_json::Value> =
        lines.iter().filter(|line| line["span"]["request_id"] == "trace-me-42").collect();
    assert!(!of_request.is_empty(), "a JSON line names the request: {logs}");
    assert!(of_request.iter().all(|line| line["span"]["path"] == "/api/v1/files/1"), "{logs}");
}
