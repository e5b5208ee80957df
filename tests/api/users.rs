use reqwest::Method;
use reviewpoint::{
    auth::{hashing_slot, verify_password},
    domain::{Email, Password},
    repo::UserRepository,
};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn get_user_returns_yourself_403_for_someone_else_and_404_for_nobody() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;

    let me = app.call(Method::GET, &format!("/api/v1/users/{}", ann.id), Some(&ann.token), None).await.expect(200);
    app.call(Method::GET, &format!("/api/v1/users/{}", bob.id), Some(&ann.token), None).await.expect(403);
    app.call(Method::GET, "/api/v1/users/999999", Some(&ann.token), None).await.expect(404);
    app.call(Method::GET, &format!("/api/v1/users/{}", ann.id), None, None).await.expect(401);

    assert_eq!(me["email"], "ann@example.com");
}

#[tokio::test]
async fn patch_user_changes_email_password_and_moves_updated_at_forward() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let before = app.call(Method::GET, "/api/v1/auth/me", Some(&ann.token), None).await.expect(200);

    let after = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", ann.id),
            Some(&ann.token),
            Some(json!({ "email": "Ann@New.example", "password": "a brand new passphrase" })),
        )
        .await
        .expect(200);

    assert_eq!(after["email"], "Ann@New.example");
    assert_eq!(after["created_at"], before["created_at"]);
    assert!(after["updated_at"].as_str() > before["updated_at"].as_str(), "{before} {after}");
    app.login("ann@new.example", PASSWORD).await.expect(401);
    app.login("ann@new.example", "a brand new passphrase").await.expect(200);
    let credentials =
        UserRepository::credentials(&app.pool.get().await.expect("conn"), &Email::parse("ann@new.example").expect("e"))
            .await
            .expect("read")
            .expect("exists");
    assert!(credentials.password_hash.expose().starts_with("$argon2id$"), "re-hashed, never stored plain");
    assert!(
        verify_password(
            hashing_slot().expect("a place to hash"),
            Password::unchecked("a brand new passphrase"),
            Some(credentials.password_hash)
        )
        .await
        .expect("not busy")
    );
}

#[tokio::test]
async fn patch_user_answers_409_403_and_422() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let path = format!("/api/v1/users/{}", ann.id);

    app.call(Method::PATCH, &path, Some(&ann.token), Some(json!({ "email": "BOB@example.com" }))).await.expect(409);
    app.call(
        Method::PATCH,
        &format!("/api/v1/users/{}", bob.id),
        Some(&ann.token),
        Some(json!({ "is_active": false })),
    )
    .await
    .expect(403);
    let problem = app
        .call(
            Method::PATCH,
            &path,
            Some(&ann.token),
            Some(json!({ "email": "x", "password": "short", "is_active": "yes" })),
        )
        .await
        .expect(422);
    app.call(Method::PATCH, &path, None, Some(json!({ "is_active": false }))).await.expect(401);

    let fields: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["email", "password", "is_active"]);
    let bob_now = app.call(Method::GET, &format!("/api/v1/users/{}", bob.id), Some(&bob.token), None).await.expect(200);
    assert_eq!(bob_now["is_active"], true, "the 403 changed nothing");
}

#[tokio::test]
async fn deactivating_yourself_ends_your_tokens() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    let after = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{}", ann.id),
            Some(&ann.token),
            Some(json!({ "is_active": false })),
        )
        .await
        .expect(200);

    assert_eq!(after["is_active"], false);
    app.call(Method::GET, "/api/v1/auth/me", Some(&ann.token), None).await.expect(401);
}

#[tokio::test]
async fn delete_user_answers_409_while_files_remain_then_204() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let bob = app.user("bob@example.com").await;
    let file = app.file(&ann, "a.pdf").await;
    let path = format!("/api/v1/users/{}", ann.id);

    app.call(Method::DELETE, &format!("/api/v1/users/{}", bob.id), Some(&ann.token), None).await.expect(403);
    app.call(Method::DELETE, &path, None, None).await.expect(401);
    app.call(Method::DELETE, &path, Some(&ann.token), None).await.expect(409);
    app.call(Method::GET, &format!("/api/v1/files/{}", file["id"]), Some(&ann.token), None).await.expect(200);
    app.call(Method::DELETE, &format!("/api/v1/files/{}", file["id"]), Some(&ann.token), None).await.expect(204);
    let reply = app.call(Method::DELETE, &path, Some(&ann.token), None).await;

    reply.expect(204);
    assert!(reply.text.is_empty());
    assert!(UserRepository::by_id(&app.pool.get().await.expect("conn"), ann.id).await.expect("read").is_none());
    assert!(UserRepository::by_id(&app.pool.get().await.expect("conn"), bob.id).await.expect("read").is_some());
}

#[tokio::test]
async fn profile_fields_are_set_cleared_and_validated_field_by_field() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let path = format!("/api/v1/users/{}", ann.id);
    let before = app.call(Method::GET, &path, Some(&ann.token), None).await.expect(200);
    let preferences = serde_json::json!({ "theme": "dark", "pages": [1, 2], "nested": { "on": true } });
    let profile = serde_json::json!({
        "name": "Ann Lee",
        "bio": "Reviews contracts.\nLikes tea.",
        "avatar_url": "https://cdn.example.com/ann.png",
        "preferences": preferences,
    });

    let set = app.call(Method::PATCH, &path, Some(&ann.token), Some(profile)).await.expect(200);

    assert_eq!((set["name"].as_str(), set["bio"].as_str()), (Some("Ann Lee"), Some("Reviews contracts.\nLikes tea.")));
    assert_eq!(
        (set["avatar_url"].as_str(), &set["preferences"]),
        (Some("https://cdn.example.com/ann.png"), &preferences)
    );
    assert!(set["updated_at"].as_str() > before["updated_at"].as_str(), "a profile change moves updated_at");
    assert_eq!(app.call(Method::GET, &path, Some(&ann.token), None).await.expect(200), set, "stored");
    let replaced = serde_json::json!({ "preferences": { "theme": "light" } });
    let replaced = app.call(Method::PATCH, &path, Some(&ann.token), Some(replaced)).await.expect(200);
    assert_eq!(replaced["preferences"], serde_json::json!({ "theme": "light" }), "replaces the whole object");
    assert_eq!(replaced["name"], "Ann Lee", "omitted fields stay");

    let cleared =
        serde_json::json!({ "name": null, "bio": null, "avatar_url": null, "preferences": null, "email": null });
    let cleared = app.call(Method::PATCH, &path, Some(&ann.token), Some(cleared)).await.expect(200);
    assert_eq!((&cleared["name"], &cleared["bio"], &cleared["avatar_url"]), (&Value::Null, &Value::Null, &Value::Null));
    assert_eq!(cleared["preferences"], serde_json::json!({}), "null resets preferences to {{}}");
    assert_eq!(cleared["email"], "ann@example.com", "a null email still means unchanged (v1)");

    let invalid = serde_json::json!({
        "name": "x".repeat(129),
        "bio": 7,
        "avatar_url": "javascript:alert(1)",
        "preferences": ["not", "an", "object"],
    });
    let problem = app.call(Method::PATCH, &path, Some(&ann.token), Some(invalid)).await.expect(422);
    let mut named: Vec<&str> =
        problem["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    named.sort_unstable();
    assert_eq!(named, ["avatar_url", "bio", "name", "preferences"]);
    for url in ["/relative.png", "ftp://example.com/a.png", "https://ann:secret@example.com/a.png"] {
        let body = serde_json::json!({ "avatar_url": url });
        app.call(Method::PATCH, &path, Some(&ann.token), Some(body)).await.expect(422);
    }
    assert_eq!(app.call(Method::GET, &path, Some(&ann.token), None).await.expect(200), cleared, "nothing changed");
}

#[tokio::test]
async fn preferences_take_up_to_16_kib_and_no_more() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let path = format!("/api/v1/users/{}", ann.id);
    // {"k":"…"} is 8 bytes around the value.
    let largest = serde_json::json!({ "preferences": { "k": "x".repeat(16 * 1024 - 8) } });
    let over = serde_json::json!({ "preferences": { "k": "x".repeat(16 * 1024 - 7) } });

    let stored = app.call(Method::PATCH, &path, Some(&ann.token), Some(largest.clone())).await.expect(200);
    let problem = app.call(Method::PATCH, &path, Some(&ann.token), Some(over)).await.expect(422);

    assert_eq!(stored["preferences"], largest["preferences"]);
    assert_eq!(problem["errors"][0]["field"], "preferences");
    assert!(problem["errors"][0]["message"].as_str().is_some_and(|m| m.contains("16384 bytes")), "{problem}");
    let nul = serde_json::json!({ "preferences": { "k": "a\u{0}b" } });
    app.call(Method::PATCH, &path, Some(&ann.token), Some(nul)).await.expect(422);
}
