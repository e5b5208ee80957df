//! Hostile strings in every text field: each is stored and returned verbatim,
//! or refused with a 4xx problem+json naming the field; never a 5xx. Limits
//! count characters, as PostgreSQL's varchar does.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, TestUser};

/// Strings that are valid in a filename and must come back exactly as sent.
fn verbatim_filenames() -> Vec<String> {
    vec![
        "'; DROP TABLE files; --".into(),
        r#"\" OR 1=1 -- %_ $1 \\x00"#.into(),
        "\u{202e}fdp.exe".into(),
        "résumé 😀🇺🇦.pdf".into(),
        "😀".repeat(255),
        "x".repeat(255),
    ]
}

async fn create_file(app: &TestApp, user: &TestUser, filename: &str, content_type: &str) -> crate::helpers::Reply {
    let body = json!({ "filename": filename, "content_type": content_type });
    app.call(Method::POST, "/api/v1/files", Some(&user.token), Some(body)).await
}

#[tokio::test]
async fn hostile_filenames_are_stored_and_returned_verbatim() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    for filename in verbatim_filenames() {
        let created = create_file(&app, &ann, &filename, "application/pdf").await.expect(201);
        let read = app.call(Method::GET, &format!("/api/v1/files/{}", created["id"]), Some(&ann.token), None).await;

        assert_eq!(read.expect(200)["filename"], filename.as_str());
    }
}

#[tokio::test]
async fn filenames_and_content_types_beyond_the_rules_are_422s_naming_the_field() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    for (filename, content_type, field) in [
        ("a\u{0}b.pdf".to_owned(), "application/pdf".to_owned(), "filename"),
        ("line\nbreak.pdf".into(), "application/pdf".into(), "filename"),
        ("😀".repeat(256), "application/pdf".into(), "filename"),
        ("a.pdf".into(), "application/pdf\u{0}".into(), "content_type"),
        ("a.pdf".into(), "text/plain; x='; DROP TABLE files; --".into(), "none"),
        ("a.pdf".into(), "tëxt/plain".into(), "content_type"),
        ("a.pdf".into(), format!("a/{}", "b".repeat(127)), "content_type"),
    ] {
        let reply = create_file(&app, &ann, &filename, &content_type).await;
        if field == "none" {
            assert_eq!(reply.expect(201)["content_type"], content_type.as_str(), "printable parameters are kept");
            continue;
        }
        let problem = reply.expect(422);
        assert_eq!(problem["errors"][0]["field"], field, "{filename:?} {content_type:?}: {problem}");
    }
    let at_limit = format!("a/{}", "b".repeat(126));
    assert_eq!(create_file(&app, &ann, "a.pdf", &at_limit).await.expect(201)["content_type"], at_limit.as_str());
}

#[tokio::test]
async fn hostile_emails_and_passwords_register_and_log_in_verbatim_or_are_refused_by_field() {
    let app = TestApp::spawn().await;
    let long_local = format!("{}@example.com", "%".repeat(64));
    let at_limit = format!("a@{}", [63, 63, 63, 61].map(|length| "b".repeat(length)).join("."));

    for (email, password) in [
        ("o'brien+x@example.com", "'; DROP TABLE users; --"),
        ("{$1}|`rm`&~@example.com", "pass\u{0}word with a NUL"),
        ("a.b@xn--bcher-kva.example", &"😀".repeat(128)),
        (long_local.as_str(), "%_\\ and $1 placeholders"),
        (at_limit.as_str(), "\u{202e}right to left"),
    ] {
        let body = json!({ "email": email, "password": password });
        let user = app.call(Method::POST, "/api/v1/auth/register", None, Some(body)).await.expect(201);
        assert_eq!(user["email"], email, "stored as typed");
        let token = app.login(email, password).await.expect(200);
        assert!(token["access_token"].is_string(), "{email:?} logs in with its password");
    }
    // What mail could not be sent to unchanged is refused: a display name or
    // angle brackets (lettre would mail the address inside), quoted or
    // non-ASCII local parts, Unicode domains, control and format characters.
    let over_limit = format!("a{at_limit}");
    let long_unicode = format!("{}@example.com", "é".repeat(64));
    for (email, password, field) in [
        ("ann\u{0}@example.com", "long enough", "email"),
        ("<victim@example.com>", "long enough", "email"),
        ("Ann <victim@example.com>", "long enough", "email"),
        ("\"ann\"@example.com", "long enough", "email"),
        ("\u{202e}ann@example.com", "long enough", "email"),
        ("😀@example.com", "long enough", "email"),
        ("ann@bücher.de", "long enough", "email"),
        (&long_unicode, "long enough", "email"),
        (&over_limit, "long enough", "email"),
        ("ann@example.com", &"😀".repeat(129) as &str, "password"),
        ("ann@example.com", "short", "password"),
    ] {
        let body = json!({ "email": email, "password": password });
        let problem = app.call(Method::POST, "/api/v1/auth/register", None, Some(body)).await.expect(422);
        assert_eq!(problem["errors"][0]["field"], field, "{email:?}: {problem}");
    }
}

#[tokio::test]
async fn text_that_is_not_unicode_is_a_400_malformed_body_not_a_500() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    // A lone surrogate escape and raw bytes that are not UTF-8: RFC 8259
    // text must be UTF-8, so these bodies are not JSON at all.
    let lone_surrogate = br#"{"filename": "a\ud800b.pdf", "content_type": "application/pdf"}"#.to_vec();
    let not_utf8 = b"{\"filename\": \"a\xff\xfeb.pdf\", \"content_type\": \"application/pdf\"}".to_vec();
    for body in [lone_surrogate, not_utf8] {
        let reply = app.send_raw(Method::POST, "/api/v1/files", Some(&ann.token), "application/json", body).await;
        reply.expect(400);
    }
}

#[tokio::test]
async fn login_and_password_reset_bodies_refuse_what_postgresql_cannot_store_naming_the_field() {
    let app = TestApp::spawn().await;
    let nul = "ann\u{0}@example.com";

    for (path, body, field) in [
        ("/api/v1/auth/login", json!({ "email": nul, "password": "long enough" }), "email"),
        ("/api/v1/auth/password-reset", json!({ "email": nul }), "email"),
        ("/api/v1/auth/password-reset/confirm", json!({ "token": "a\u{0}b", "password": "long enough" }), "token"),
    ] {
        let problem = app.call(Method::POST, path, None, Some(body)).await.expect(422);
        assert_eq!(problem["errors"][0]["field"], field, "{path}: {problem}");
    }
    // Anything else a login may carry is looked up verbatim: no account, 401.
    let at_limit = "😀".repeat(255);
    for email in ["'; DROP TABLE users; --", "\u{202e}ann@example.com", "%_\\ $1", at_limit.as_str(), "İ@example.com"]
    {
        let body = json!({ "email": email, "password": "long enough" });
        app.call(Method::POST, "/api/v1/auth/login", None, Some(body)).await.expect(401);
    }
}
