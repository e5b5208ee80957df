use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::Method;
use reviewpoint::{auth::TokenKeys, domain::Email, repo::UserRepository};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TOKEN_SECRET, TestApp};

#[tokio::test]
async fn register_returns_201_with_the_user_and_its_location() {
    let app = TestApp::spawn().await;

    let reply = app.register("Ann@Example.com").await;

    let user = reply.expect(201);
    let id = user["id"].as_i64().expect("id");
    assert_eq!(reply.header("location"), Some(format!("/api/v1/users/{id}").as_str()));
    assert_eq!(user["email"], "Ann@Example.com");
    assert_eq!(user["is_active"], true);
    let keys: Vec<_> = user.as_object().expect("object").keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "avatar_url",
            "bio",
            "created_at",
            "email",
            "id",
            "is_active",
            "last_login_at",
            "name",
            "preferences",
            "updated_at"
        ]
    );
    assert_eq!(
        (&user["name"], &user["bio"], &user["avatar_url"], &user["preferences"], &user["last_login_at"]),
        (&Value::Null, &Value::Null, &Value::Null, &serde_json::json!({}), &Value::Null)
    );
    let created_at = user["created_at"].as_str().expect("timestamp");
    assert!(created_at.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(created_at).is_ok(), "{created_at}");
    let stored = UserRepository::by_id(&app.pool.get().await.expect("connection"), id).await.expect("read");
    assert!(stored.is_some_and(|u| u.email == "Ann@Example.com"));
}

#[tokio::test]
async fn register_returns_409_when_the_email_is_taken_in_any_letter_case() {
    let app = TestApp::spawn().await;
    app.register("ann@example.com").await.expect(201);

    let problem = app.register("ANN@Example.COM").await.expect(409);

    assert_eq!(problem["detail"], "that email is already registered");
}

#[tokio::test]
async fn concurrent_registrations_of_one_email_create_exactly_one_user() {
    let app = TestApp::spawn().await;

    let replies = futures::future::join_all((0..8).map(|n| {
        let email = if n % 2 == 0 { "race@example.com" } else { "RACE@example.com" };
        app.register(email)
    }))
    .await;

    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
}

#[tokio::test]
async fn register_returns_422_naming_each_invalid_field() {
    let app = TestApp::spawn().await;

    let problem = app
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({ "email": "not-an-email", "password": "short" })),
        )
        .await
        .expect(422);

    let fields: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().map(|e| e["field"].as_str().expect("field")).collect();
    assert_eq!(fields, ["email", "password"]);
    for error in problem["errors"].as_array().expect("errors") {
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn register_rejects_passwords_over_the_maximum_and_emails_over_255() {
    let app = TestApp::spawn().await;
    let long_email = format!("{}@example.com", "a".repeat(250));

    let too_long = app
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({ "email": long_email, "password": "p".repeat(129) })),
        )
        .await
        .expect(422);

    assert_eq!(too_long["errors"].as_array().map(Vec::len), Some(2), "{too_long}");
    app.call(
        Method::POST,
        "/api/v1/auth/register",
        None,
        Some(json!({ "email": "b@example.com", "password": "p".repeat(128) })),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn login_returns_a_bearer_token_that_works() {
    let app = TestApp::spawn().await;
    let registered = app.register("ann@example.com").await.expect(201);

    let token = app.login("ANN@example.com", PASSWORD).await.expect(200);

    assert_eq!(token["token_type"], "bearer");
    assert_eq!(token["expires_in"], 3600);
    let mut me = app.call(Method::GET, "/api/v1/auth/me", token["access_token"].as_str(), None).await.expect(200);
    assert!(me["last_login_at"].is_string(), "{me}");
    me["last_login_at"] = serde_json::Value::Null;
    assert_eq!(me, registered, "the same account, with its login recorded");
}

#[tokio::test]
async fn login_answers_the_same_401_for_an_unknown_email_and_a_wrong_password() {
    let app = TestApp::spawn().await;
    app.register("ann@example.com").await.expect(201);

    let wrong_password = app.login("ann@example.com", "not the password").await.expect(401);
    let unknown_email = app.login("bob@example.com", PASSWORD).await.expect(401);
    let malformed_email = app.login("bob", PASSWORD).await.expect(401);

    assert_eq!(wrong_password, unknown_email);
    assert_eq!(wrong_password, malformed_email);
}

#[tokio::test]
async fn login_rejects_a_password_over_the_maximum_even_when_it_starts_with_the_right_one() {
    let app = TestApp::spawn().await;
    let exactly_max = "p".repeat(128);
    let body = json!({ "email": "ann@example.com", "password": exactly_max });
    app.call(Method::POST, "/api/v1/auth/register", None, Some(body)).await.expect(201);
    app.login("ann@example.com", &exactly_max).await.expect(200);

    let with_suffix = app.login("ann@example.com", &format!("{exactly_max}anything")).await.expect(401);

    assert_eq!(with_suffix, app.login("ann@example.com", "not the password").await.expect(401), "same 401");
}

#[tokio::test]
async fn login_answers_403_for_an_inactive_account_only_with_the_right_password() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    app.call(
        Method::PATCH,
        &format!("/api/v1/users/{}", ann.id),
        Some(&ann.token),
        Some(json!({ "is_active": false })),
    )
    .await
    .expect(200);

    app.login("ann@example.com", "not the password").await.expect(401);
    let problem = app.login("ann@example.com", PASSWORD).await.expect(403);

    assert_eq!(problem["detail"], "this account is inactive");
}

#[tokio::test]
async fn me_returns_401_without_a_usable_token() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let claims = |exp: i64| URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{}","exp":{exp}}}"#, ann.id));
    let in_an_hour = chrono::Utc::now().timestamp() + 3600;
    let (signed, _) = ann.token.rsplit_once('.').expect("jwt");
    let (header, _) = signed.split_once('.').expect("jwt");
    let tampered = format!("{header}.{}.{}", claims(in_an_hour + 1), ann.token.rsplit_once('.').expect("jwt").1);
    let alg_none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#), claims(in_an_hour));
    let wrong_key =
        TokenKeys::new(b"some-other-secret-some-other-secret", Duration::from_secs(3600)).issue(ann.principal).token;
    let expired = TokenKeys::new(TOKEN_SECRET, Duration::ZERO).issue(ann.principal).token;

    for (case, token) in [
        ("malformed", Some("not-a-jwt")),
        ("tampered", Some(tampered.as_str())),
        ("alg none", Some(alg_none.as_str())),
        ("wrongly signed", Some(wrong_key.as_str())),
        ("expired", Some(expired.as_str())),
        ("missing", None),
    ] {
        let reply = app.call(Method::GET, "/api/v1/auth/me", token, None).await;
        reply.expect(401);
        assert_eq!(reply.header("www-authenticate"), Some("Bearer"), "{case}");
    }
    let empty_bearer =
        app.http.get(app.url("/api/v1/auth/me")).header("authorization", "Bearer ").send().await.expect("sent");
    assert_eq!(empty_bearer.status().as_u16(), 401);
}

#[tokio::test]
async fn a_token_stops_working_when_its_user_is_deleted() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    app.call(Method::DELETE, &format!("/api/v1/users/{}", ann.id), Some(&ann.token), None).await.expect(204);

    let problem = app.call(Method::GET, "/api/v1/auth/me", Some(&ann.token), None).await.expect(401);

    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("no longer exists")), "{problem}");
    let gone = UserRepository::credentials(
        &app.pool.get().await.expect("connection"),
        &Email::parse("ann@example.com").expect("email"),
    )
    .await
    .expect("read");
    assert!(gone.is_none());
}

#[tokio::test]
async fn login_answers_422_when_a_field_is_missing_or_not_a_string() {
    let app = TestApp::spawn().await;

    let problem = app.call(Method::POST, "/api/v1/auth/login", None, Some(json!({ "email": 5 }))).await.expect(422);

    let fields: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["email", "password"]);
}
