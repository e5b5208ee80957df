use std::path::Path;

use crate::helpers::TestApp;

const REGENERATE: &str = "regenerate it with `cargo run -q -- openapi > openapi.json`";

fn checked_in() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json")).expect("openapi.json")
}

#[tokio::test]
async fn the_served_spec_equals_the_checked_in_openapi_json() {
    let app = TestApp::spawn().await;

    let response = app.get("/openapi.json").await;

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served = response.text().await.expect("body");
    assert!(served == checked_in(), "openapi.json is stale: {REGENERATE}");
}

#[test]
fn the_openapi_command_prints_the_checked_in_spec_without_a_database() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_reviewpoint"))
        .arg("openapi")
        .env("REVIEWPOINT_DB_URL", "postgresql://nobody@127.0.0.1:1/none")
        .output()
        .expect("run reviewpoint openapi");

    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout) == checked_in(), "openapi.json is stale: {REGENERATE}");
}

#[tokio::test]
async fn swagger_ui_is_self_contained_and_keeps_the_authorization() {
    let app = TestApp::spawn().await;

    let response = app.get("/docs").await;

    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.expect("body");
    assert!(page.contains("SwaggerUIBundle("), "the bundle is inlined");
    assert!(page.contains("persistAuthorization: true"), "authorization survives reloads");
    for external in ["src=\"http", "href=\"http", "src='http", "href='http", "@import"] {
        assert!(!page.contains(external), "no asset may come from the network: found {external}");
    }
}
