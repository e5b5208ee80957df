use reqwest::Method;

use crate::helpers::TestApp;

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/health").await;
    app.get("/api/v1/files/123").await;
    app.get("/no/such/path/9f8e7d").await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status().as_u16(), 200);
    assert!(response.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("application/openmetrics-text")));
    let text = response.text().await.expect("body");
    assert!(text.contains(r#"http_requests_total{method="GET",route="/api/v1/health",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"http_requests_total{method="GET",route="/api/v1/files/{id}",status="401"} 1"#), "{text}");
    assert!(text.contains(r#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#), "{text}");
    assert!(!text.contains("9f8e7d"), "paths never become labels");
    assert!(text.contains("db_pool_max_size 1"), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("db_pool_wait_seconds_bucket"), "{text}");
    assert!(text.trim_end().ends_with("# EOF"));
}

#[tokio::test]
async fn made_up_methods_share_one_label_so_they_cannot_grow_the_metrics() {
    let app = TestApp::spawn().await;
    for n in 0..20 {
        let method = Method::from_bytes(format!("FOO{n}").as_bytes()).expect("a valid token");
        app.http.request(method, app.url("/api/v1/health")).send().await.expect("answered");
    }

    let text = app.get("/metrics").await.text().await.expect("body");

    assert!(!text.contains("FOO"), "no method name of its own: {text}");
    assert!(text.contains(r#"http_requests_total{method="other",route="/api/v1/health",status="405"} 20"#), "{text}");
}

#[tokio::test]
async fn with_a_metrics_address_the_scrape_moves_there_off_the_api() {
    let db = crate::helpers::TestDb::new().await;
    let metrics_port = crate::cli::free_port();
    let metrics_bind = format!("127.0.0.1:{metrics_port}");
    let settings = [("REVIEWPOINT_METRICS_BIND", metrics_bind.as_str())];
    let (mut server, port) = crate::cli::serve(&db.url, &settings, std::process::Stdio::null()).await;

    let on_the_api = crate::helpers::get(format!("http://127.0.0.1:{port}/metrics")).await.expect("answered");
    let apart = crate::helpers::get(format!("http://{metrics_bind}/metrics")).await.expect("answered");
    let unknown = crate::helpers::get(format!("http://{metrics_bind}/api/v1/health")).await.expect("answered");
    let _ = server.kill();
    let _ = server.wait();

    assert_eq!(on_the_api.status().as_u16(), 404, "not on the API's address");
    assert_eq!(apart.status().as_u16(), 200);
    let text = apart.text().await.expect("body");
    assert!(text.contains(r#"http_requests_total{method="GET",route="/api/v1/health",status="200"}"#), "{text}");
    assert_eq!(unknown.status().as_u16(), 404, "only metrics there");
}
