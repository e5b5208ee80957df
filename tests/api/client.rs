//! The main flows through the Rust client that progenitor generates from the
//! checked-in openapi.json (tests/client): if the spec misdescribes the
//! server, this stops compiling or fails.

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reviewpoint_client::{Client, Error, types};

use crate::helpers::{PASSWORD, TestApp};

fn authorized(app: &TestApp, token: &str) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {token}")).expect("header"));
    let http = crate::helpers::http_client().default_headers(headers).build().expect("client");
    Client::new_with_client(&app.url(""), http)
}

fn status<T: std::fmt::Debug>(result: Result<T, Error<reviewpoint_client::ByteStream>>) -> u16 {
    match result.expect_err("an error response") {
        Error::ErrorResponse(response) => response.status().as_u16(),
        other => panic!("not an error response: {other:?}"),
    }
}

#[tokio::test]
async fn a_generated_client_registers_logs_in_and_manages_files() {
    let app = TestApp::spawn().await;
    let anonymous = Client::new(&app.url(""));

    let registration = types::Registration {
        email: "ann@example.com".parse().expect("email"),
        password: PASSWORD.parse().expect("password"),
    };
    let user = anonymous.register_user(&registration).await.expect("registered").into_inner();
    let login =
        types::Login { email: "ann@example.com".parse().expect("email"), password: PASSWORD.parse().expect("pw") };
    let token = anonymous.login(&login).await.expect("logged in").into_inner();
    assert_eq!(token.token_type, types::TokenType::Bearer);
    let client = authorized(&app, &token.access_token);
    assert_eq!(client.get_current_user().await.expect("me").into_inner().id, user.id);

    let mut created = Vec::new();
    for n in 0..5 {
        let new = types::NewFile {
            filename: format!("{n}.pdf").parse().expect("filename"),
            content_type: "application/pdf".parse().expect("media type"),
        };
        let key: types::CreateFileIdempotencyKey = format!("file-{n}").parse().expect("key");
        created.push(client.create_file(Some(&key), &new).await.expect("created").into_inner());
    }
    assert!(created.iter().all(|file| file.user_id == user.id));
    let again = types::NewFile {
        filename: "0.pdf".parse().expect("filename"),
        content_type: "application/pdf".parse().expect("t"),
    };
    let key: types::CreateFileIdempotencyKey = "file-0".parse().expect("key");
    let replayed = client.create_file(Some(&key), &again).await.expect("replayed");
    assert_eq!(replayed.headers().get("idempotent-replayed").map(|v| v.as_bytes()), Some(&b"true"[..]));
    let replayed = replayed.into_inner();
    assert_eq!((replayed.id, replayed.created_at), (created[0].id, created[0].created_at), "the first answer again");

    let limit = std::num::NonZeroU32::new(2);
    let mut seen = Vec::new();
    let mut cursor: Option<types::ListFilesCursor> = None;
    loop {
        let page = client.list_files(cursor.as_ref(), limit).await.expect("page").into_inner();
        seen.extend(page.items.iter().map(|file| file.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next.parse().expect("cursor")),
            None => break,
        }
    }
    let mut expected: Vec<i64> = created.iter().map(|file| file.id).collect();
    expected.reverse();
    assert_eq!(seen, expected);

    let first = &created[0];
    assert_eq!(client.get_file(first.id).await.expect("get").into_inner().filename, first.filename);
    let patch = types::FilePatch { filename: Some("renamed.pdf".parse().expect("filename")), content_type: None };
    let renamed = client.update_file(first.id, &patch).await.expect("patched").into_inner();
    assert_eq!(renamed.filename.to_string(), "renamed.pdf");
    assert!(renamed.updated_at > first.updated_at);
    client.delete_file(first.id).await.expect("deleted");
    assert_eq!(status(client.get_file(first.id).await), 404);
    assert_eq!(status(client.delete_user(user.id).await), 409, "files remain");
    assert_eq!(status(anonymous.get_current_user().await), 401);
    let health = anonymous.get_health().await.expect("health").into_inner();
    assert_eq!(health.status, types::Status::Ok);
}

#[tokio::test]
async fn a_generated_client_resets_a_password_with_the_mailed_token() {
    let (app, sink, sender) = crate::password_reset::mailed_app().await;
    app.user("ann@example.com").await;
    let anonymous = Client::new(&app.url(""));

    let request = types::PasswordResetRequest { email: "ann@example.com".parse().expect("email") };
    let accepted = anonymous.request_password_reset(&request).await.expect("accepted");
    assert_eq!(accepted.status(), 202);
    assert!(accepted.into_inner().detail.contains("reset link"));
    assert_eq!(sender.deliver_due().await.expect("outbox").sent, 1);
    let token = sink.mails()[0].reset_token();
    let unknown = types::PasswordResetConfirmation {
        token: "not-a-mailed-token".parse().expect("token"),
        password: "a brand new passphrase".parse().expect("password"),
    };
    assert_eq!(status(anonymous.confirm_password_reset(&unknown).await), 422);
    let confirmation = types::PasswordResetConfirmation { token: token.parse().expect("token"), ..unknown };
    let reset = anonymous.confirm_password_reset(&confirmation).await.expect("reset");

    assert_eq!(reset.status(), 204);
    let login = types::Login {
        email: "ann@example.com".parse().expect("email"),
        password: "a brand new passphrase".parse().expect("password"),
    };
    anonymous.login(&login).await.expect("the new password works");
}
