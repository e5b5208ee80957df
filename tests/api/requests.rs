//! Bad input of every kind gets a documented problem+json and changes nothing.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

const REGISTER: &str = "/api/v1/auth/register";

#[tokio::test]
async fn malformed_json_is_a_400() {
    let app = TestApp::spawn().await;

    for body in [&b"{\"email\": "[..], b"not json", b"", b"{\"email\":\"a@b.co\",}"] {
        let problem = app.send_raw(Method::POST, REGISTER, None, "application/json", body.to_vec()).await.expect(400);
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains("JSON")), "{problem}");
    }
}

#[tokio::test]
async fn json_that_is_not_an_object_or_has_wrong_types_is_a_422() {
    let app = TestApp::spawn().await;

    let array = app.send_raw(Method::POST, REGISTER, None, "application/json", b"[1, 2]".to_vec()).await.expect(422);
    let types =
        app.call(Method::POST, REGISTER, None, Some(json!({ "email": 42, "password": ["x"] }))).await.expect(422);
    let missing = app.call(Method::POST, REGISTER, None, Some(json!({}))).await.expect(422);

    assert_eq!(array["errors"][0]["field"], "body");
    assert_eq!(types["errors"].as_array().map(Vec::len), Some(2));
    assert_eq!(missing["errors"][0]["message"], "is required");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let app = TestApp::spawn().await;

    app.send_raw(Method::POST, REGISTER, None, "text/plain", b"email=a@b.co".to_vec()).await.expect(415);
    app.send_raw(Method::POST, REGISTER, None, "application/x-www-form-urlencoded", b"email=a".to_vec())
        .await
        .expect(415);
    let no_type = app.http.post(app.url(REGISTER)).body("{}").send().await.expect("sent");
    assert_eq!(no_type.status().as_u16(), 415);
}

#[tokio::test]
async fn an_oversized_body_is_a_413() {
    let app = TestApp::spawn().await;
    let huge = json!({ "email": "a@example.com", "password": "x".repeat(64 * 1024) });

    app.call(Method::POST, REGISTER, None, Some(huge)).await.expect(413);
    app.login("a@example.com", "whatever password").await.expect(401);
}

#[tokio::test]
async fn wrong_methods_and_unknown_paths_are_problem_json() {
    let app = TestApp::spawn().await;

    app.call(Method::PUT, REGISTER, None, None).await.expect(405);
    app.call(Method::GET, "/api/v1/nothing-here", None, None).await.expect(404);
}

#[tokio::test]
async fn a_405_names_the_allowed_methods_as_rfc_9110_requires() {
    let app = TestApp::spawn().await;

    for (method, path, allow) in [
        (Method::TRACE, "/api/v1/health", "GET, HEAD"),
        (Method::PUT, REGISTER, "POST"),
        (Method::POST, "/api/v1/files/7", "GET, PATCH, DELETE, HEAD"),
        (Method::DELETE, "/api/v1/files", "GET, POST, HEAD"),
    ] {
        let reply = app.call(method.clone(), path, None, None).await;
        reply.expect(405);
        let mut allowed: Vec<&str> = reply.header("allow").unwrap_or_default().split(", ").collect();
        let mut expected: Vec<&str> = allow.split(", ").collect();
        allowed.sort();
        expected.sort();
        assert_eq!(allowed, expected, "{method} {path}");
    }
}

#[tokio::test]
async fn no_response_ever_contains_a_password_hash() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let file = app.file(&ann, "a.pdf").await;
    let me = format!("/api/v1/users/{}", ann.id);
    let mut bodies = vec![
        app.register("bob@example.com").await.text,
        app.login("ann@example.com", "wrong password").await.text,
        app.call(Method::GET, "/api/v1/auth/me", Some(&ann.token), None).await.text,
        app.call(Method::GET, &me, Some(&ann.token), None).await.text,
        app.call(Method::PATCH, &me, Some(&ann.token), Some(json!({ "password": "another passphrase" }))).await.text,
        app.call(Method::GET, "/api/v1/files", Some(&ann.token), None).await.text,
        app.call(Method::GET, &format!("/api/v1/files/{}", file["id"]), Some(&ann.token), None).await.text,
        app.register("ANN@example.com").await.text,
    ];
    bodies.push(app.get("/openapi.json").await.text().await.expect("spec"));

    for body in bodies {
        assert!(
            !body.contains("$argon2") && !body.contains("hashed_password") && !body.contains("correct horse"),
            "{body}"
        );
    }
}
