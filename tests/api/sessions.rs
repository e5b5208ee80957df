//! Sessions through HTTP (../shared/API.md, v1.1): login starts one, refresh
//! rotates its refresh token with reuse detection, logout and
//! `DELETE /auth/sessions/{id}` end one, a password change ends the others,
//! and an ended session's tokens answer 401 at once.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::Method;
use reviewpoint::{auth::TokenKeys, domain::Principal, repo::SessionRepository, state::AppState};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TOKEN_SECRET, TestApp, TestDb, TestUser, principal_of};

async fn me(app: &TestApp, token: &str) -> u16 {
    app.call(Method::GET, "/api/v1/auth/me", Some(token), None).await.status.as_u16()
}

async fn refresh(app: &TestApp, refresh_token: &str) -> crate::helpers::Reply {
    app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": refresh_token }))).await
}

async fn login_as(app: &TestApp, email: &str, user_agent: &str) -> Value {
    let body = json!({ "email": email, "password": PASSWORD });
    let response =
        app.http.post(app.url("/api/v1/auth/login")).header("user-agent", user_agent).json(&body).send().await;
    let response = response.expect("sent");
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_else(|| panic!("{key} in {value}"))
}

#[tokio::test]
async fn login_starts_a_session_with_a_short_lived_token_and_an_opaque_refresh_token() {
    let app = TestApp::spawn().await;
    let registered = app.register("ann@example.com").await.expect(201);
    assert_eq!(registered["last_login_at"], Value::Null);

    let tokens = app.login("ann@example.com", PASSWORD).await.expect(200);

    let keys: Vec<&String> = tokens.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["access_token", "expires_in", "refresh_token", "token_type"]);
    let refresh_token = text(&tokens, "refresh_token");
    let bytes = URL_SAFE_NO_PAD.decode(refresh_token).expect("base64url");
    assert_eq!(bytes.len(), 48, "a 128-bit family id and 256 random bits");
    let principal = principal_of(text(&tokens, "access_token"));
    assert_eq!(principal.user_id, registered["id"]);
    let me = app.call(Method::GET, "/api/v1/auth/me", Some(text(&tokens, "access_token")), None).await.expect(200);
    assert!(me["last_login_at"].is_string(), "login is recorded: {me}");
    assert_eq!(me["updated_at"], registered["updated_at"], "a login is not a change to the account");
    let stored = app.pool.get().await.expect("connection");
    let listed = SessionRepository::live(&stored, principal, 10).await.expect("read");
    assert!(matches!(listed, reviewpoint::repo::Caller::Active(sessions) if sessions.len() == 1));
}

#[tokio::test]
async fn the_default_access_token_lasts_15_minutes() {
    let db = TestDb::new().await;
    let config = reviewpoint::config::Config::from_lookup(|_| None).expect("defaults");
    let state = AppState { tokens: TokenKeys::new(TOKEN_SECRET, config.token_ttl), ..TestApp::default_state(&db) };
    let app = TestApp::serve_state(db, state).await;
    app.register("ann@example.com").await.expect(201);
    let tokens = app.login("ann@example.com", PASSWORD).await.expect(200);
    assert_eq!(tokens["expires_in"], 900);
}

#[tokio::test]
async fn refresh_rotates_and_a_spent_refresh_token_ends_the_whole_session() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    let renewed = refresh(&app, &ann.refresh_token).await.expect(200);
    let (access, next_refresh) = (text(&renewed, "access_token"), text(&renewed, "refresh_token"));
    assert_ne!(next_refresh, ann.refresh_token);
    assert_eq!(principal_of(access), ann.principal, "the same session");
    assert_eq!(renewed["token_type"], "bearer");
    assert_eq!(me(&app, access).await, 200);
    let again = refresh(&app, next_refresh).await.expect(200);
    let newest_access = text(&again, "access_token").to_owned();

    // The first refresh token, spent, is presented again: taken as theft.
    let reused = refresh(&app, &ann.refresh_token).await.expect(401);
    assert!(text(&reused, "detail").contains("log in again"), "{reused}");
    assert!(reused.get("errors").is_none());
    for token in [ann.token.as_str(), access, newest_access.as_str()] {
        assert_eq!(me(&app, token).await, 401, "every access token of the session");
    }
    refresh(&app, text(&again, "refresh_token")).await.expect(401);
    // Another session of the same user is untouched.
    let other = app.login("ann@example.com", PASSWORD).await.expect(200);
    assert_eq!(me(&app, text(&other, "access_token")).await, 200);
}

/// Spent tokens need no rows: a session refreshed a hundred times holds
/// none in `refresh_tokens`, only its family's and newest token's hashes,
/// and the first token, a hundred refreshes old, still ends it.
#[tokio::test]
async fn a_token_spent_a_hundred_refreshes_ago_ends_the_session_though_no_spent_token_is_stored() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let mut newest = ann.refresh_token.clone();
    for _ in 0..100 {
        let renewed = refresh(&app, &newest).await.expect(200);
        newest = text(&renewed, "refresh_token").to_owned();
    }
    let client = reviewpoint::db::connect_once(&app.db_url()).await.expect("connect");
    let rows: i64 = client.query_one("SELECT count(*) FROM refresh_tokens", &[]).await.expect("count").get(0);
    assert_eq!(rows, 0, "no row per token");
    let family_bytes = |token: &str| URL_SAFE_NO_PAD.decode(token).expect("base64url")[..16].to_vec();
    assert_eq!(family_bytes(&newest), family_bytes(&ann.refresh_token), "one family for the session");

    refresh(&app, &ann.refresh_token).await.expect(401);

    refresh(&app, &newest).await.expect(401);
    assert_eq!(me(&app, &ann.token).await, 401, "the session ended");
}

/// Tokens issued before token families (a row each in `refresh_tokens`)
/// keep working after the migration: the first refresh moves the session to
/// a family, and the old token presented again still ends it.
#[tokio::test]
async fn a_token_issued_before_families_is_rotated_into_one_and_its_reuse_still_detected() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let legacy = reviewpoint::domain::SecretToken::generate();
    let client = reviewpoint::db::connect_once(&app.db_url()).await.expect("connect");
    let session = ann.principal.session_id;
    client
        .execute(
            "WITH before_families AS (
                 UPDATE sessions SET refresh_family = NULL, refresh_hash = NULL WHERE id = $2
             )
             INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, now() + interval '1 day')",
            &[&legacy.hash().as_bytes(), &session],
        )
        .await
        .expect("a session as the migration leaves it");

    let renewed = refresh(&app, legacy.expose()).await.expect(200);
    assert_eq!(principal_of(text(&renewed, "access_token")), ann.principal, "the same session");
    let next = text(&renewed, "refresh_token");
    assert_eq!(URL_SAFE_NO_PAD.decode(next).expect("base64url").len(), 48, "of a family now");
    let again = refresh(&app, next).await.expect(200);

    refresh(&app, legacy.expose()).await.expect(401);
    refresh(&app, text(&again, "refresh_token")).await.expect(401);
    assert_eq!(me(&app, text(&again, "access_token")).await, 401, "the session ended");
}

#[tokio::test]
async fn two_refreshes_racing_with_one_token_end_the_session() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    let (first, second) = tokio::join!(refresh(&app, &ann.refresh_token), refresh(&app, &ann.refresh_token));

    let statuses = [first.status.as_u16(), second.status.as_u16()];
    assert!(statuses.contains(&401), "one of them presents a spent token: {statuses:?}");
    for reply in [&first, &second].into_iter().filter(|reply| reply.status == 200) {
        assert_eq!(me(&app, text(&reply.json(), "access_token")).await, 401, "the winner's session ended too");
    }
    assert_eq!(me(&app, &ann.token).await, 401);
}

#[tokio::test]
async fn unknown_and_malformed_refresh_requests_are_refused() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;

    refresh(&app, "not-a-token").await.expect(401);
    refresh(&app, &ann.token[..128]).await.expect(401);
    let missing = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({}))).await.expect(422);
    assert_eq!(missing["errors"][0]["field"], "refresh_token");
    let long = app.call(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": "x".repeat(129) })));
    long.await.expect(422);
    let extra = json!({ "refresh_token": ann.refresh_token, "scope": "all" });
    app.call(Method::POST, "/api/v1/auth/refresh", None, Some(extra)).await.expect(422);
    assert_eq!(me(&app, &ann.token).await, 200, "nothing ended");
}

#[tokio::test]
async fn logout_ends_the_session_at_once_on_every_instance() {
    let app = TestApp::spawn().await;
    let over_the_same_database = TestApp::state_with(reviewpoint::db::Cluster::primary_only(app.pool.clone()));
    let second_instance = TestApp::serve_until(over_the_same_database, std::future::pending()).await;
    let ann = app.user("ann@example.com").await;
    let phone = app.login("ann@example.com", PASSWORD).await.expect(200);
    app.file(&ann, "kept.pdf").await;

    app.call(Method::POST, "/api/v1/auth/logout", Some(&ann.token), None).await.expect(204);

    for instance in [&app, &second_instance] {
        let problem = instance.call(Method::GET, "/api/v1/files", Some(&ann.token), None).await.expect(401);
        assert!(text(&problem, "detail").contains("session has ended"), "{problem}");
        assert_eq!(me(instance, &ann.token).await, 401);
    }
    refresh(&app, &ann.refresh_token).await.expect(401);
    app.call(Method::POST, "/api/v1/auth/logout", Some(&ann.token), None).await.expect(401);
    let phone_token = text(&phone, "access_token");
    let files = app.call(Method::GET, "/api/v1/files", Some(phone_token), None).await.expect(200);
    assert_eq!(files["items"].as_array().map(Vec::len), Some(1), "the other session and the data stay");
    app.call(Method::POST, "/api/v1/auth/logout", None, None).await.expect(401);
}

#[tokio::test]
async fn sessions_are_listed_newest_first_and_ended_one_by_one() {
    let app = TestApp::spawn().await;
    app.register("ann@example.com").await.expect(201);
    let laptop = login_as(&app, "ann@example.com", "Laptop/1.0").await;
    let phone = login_as(&app, "ann@example.com", &format!("Phone/{}", "9".repeat(600))).await;
    let (laptop_token, phone_token) = (text(&laptop, "access_token"), text(&phone, "access_token"));
    let bob = app.user("bob@example.com").await;

    let listed = app.call(Method::GET, "/api/v1/auth/sessions", Some(laptop_token), None).await.expect(200);

    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let keys: Vec<&String> = items[0].as_object().expect("object").keys().collect();
    assert_eq!(keys, ["created_at", "current", "id", "last_used_at", "user_agent"]);
    let (newest, oldest) = (&items[0], &items[1]);
    assert_eq!(newest["id"], principal_of(phone_token).session_id);
    assert_eq!((newest["current"].as_bool(), oldest["current"].as_bool()), (Some(false), Some(true)));
    assert_eq!(oldest["user_agent"], "Laptop/1.0");
    assert_eq!(newest["user_agent"].as_str().map(|agent| agent.chars().count()), Some(512), "cut to 512");

    let phone_session = newest["id"].as_i64().expect("id");
    let path = format!("/api/v1/auth/sessions/{phone_session}");
    app.call(Method::DELETE, &path, Some(&bob.token), None).await.expect(404);
    assert_eq!(me(&app, phone_token).await, 200, "someone else cannot end it");
    app.call(Method::DELETE, &path, Some(laptop_token), None).await.expect(204);
    assert_eq!(me(&app, phone_token).await, 401);
    refresh(&app, text(&phone, "refresh_token")).await.expect(401);
    app.call(Method::DELETE, &path, Some(laptop_token), None).await.expect(404);
    app.call(Method::DELETE, "/api/v1/auth/sessions/999999", Some(laptop_token), None).await.expect(404);
    let bad = app.call(Method::DELETE, "/api/v1/auth/sessions/abc", Some(laptop_token), None).await.expect(422);
    assert_eq!(bad["errors"][0]["field"], "id");
    let listed = app.call(Method::GET, "/api/v1/auth/sessions", Some(laptop_token), None).await.expect(200);
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    // Ending the current session is a logout.
    let own = format!("/api/v1/auth/sessions/{}", principal_of(laptop_token).session_id);
    app.call(Method::DELETE, &own, Some(laptop_token), None).await.expect(204);
    app.call(Method::GET, "/api/v1/auth/sessions", Some(laptop_token), None).await.expect(401);
}

#[tokio::test]
async fn a_password_change_ends_every_other_session_and_keeps_the_callers() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let phone = app.login("ann@example.com", PASSWORD).await.expect(200);
    let path = format!("/api/v1/users/{}", ann.id);

    app.call(Method::PATCH, &path, Some(&ann.token), Some(json!({ "name": "Ann" }))).await.expect(200);
    assert_eq!(me(&app, text(&phone, "access_token")).await, 200, "a profile change ends nothing");
    let changed = json!({ "password": "another long passphrase" });
    app.call(Method::PATCH, &path, Some(&ann.token), Some(changed)).await.expect(200);

    assert_eq!(me(&app, &ann.token).await, 200, "the caller's session stays");
    assert_eq!(me(&app, text(&phone, "access_token")).await, 401);
    refresh(&app, text(&phone, "refresh_token")).await.expect(401);
    refresh(&app, &ann.refresh_token).await.expect(200);
    app.login("ann@example.com", "another long passphrase").await.expect(200);
}

#[tokio::test]
async fn tokens_without_a_live_session_are_refused_like_any_bad_token() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let keys = TokenKeys::new(TOKEN_SECRET, Duration::from_secs(3600));
    let in_an_hour = chrono::Utc::now().timestamp() + 3600;
    let v1_claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{}","exp":{in_an_hour}}}"#, ann.id));
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let v1_token = {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(TOKEN_SECRET).expect("any key");
        mac.update(format!("{header}.{v1_claims}").as_bytes());
        format!("{header}.{v1_claims}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    };
    let someone_elses = keys.issue(Principal { user_id: ann.id, ..bob_session(&app).await }).token;
    let made_up = keys.issue(Principal { user_id: ann.id, session_id: 999_999 }).token;

    for (case, token) in [("no sid", v1_token), ("another user's session", someone_elses), ("no such session", made_up)]
    {
        let problem = app.call(Method::GET, "/api/v1/auth/me", Some(&token), None).await.expect(401);
        assert_eq!(problem["status"], 401, "{case}");
        let files = app.call(Method::GET, "/api/v1/files", Some(&token), None).await;
        assert_eq!(files.status, 401, "{case}");
        let create = json!({ "filename": "a.pdf", "content_type": "application/pdf" });
        assert_eq!(app.call(Method::POST, "/api/v1/files", Some(&token), Some(create)).await.status, 401, "{case}");
    }
}

async fn bob_session(app: &TestApp) -> Principal {
    let bob: TestUser = app.user("bob@example.com").await;
    bob.principal
}

#[tokio::test]
async fn an_unrefreshed_session_expires_with_its_refresh_token_and_is_purged() {
    let db = TestDb::new().await;
    let state = AppState { refresh_ttl: Duration::from_secs(1), ..TestApp::default_state(&db) };
    let app = TestApp::serve_state(db, state).await;
    let ann = app.user("ann@example.com").await;
    let kept = refresh(&app, &ann.refresh_token).await.expect(200);
    assert_eq!(me(&app, &ann.token).await, 200);

    // The refresh TTL is the point of the test: one second has to pass.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    assert_eq!(me(&app, &ann.token).await, 401, "the access token dies with its session");
    refresh(&app, text(&kept, "refresh_token")).await.expect(401);
    let connection = app.pool.get().await.expect("connection");
    let (sessions, _) = SessionRepository::purge(&connection, 1000).await.expect("purge");
    assert_eq!(sessions, 1, "the expired session, and its refresh tokens with it");
    assert_eq!(SessionRepository::purge(&connection, 1000).await.expect("purge"), (0, 0));
}

#[tokio::test]
async fn instances_purging_at_once_delete_each_finished_session_once() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    for _ in 0..30 {
        let other = app.login("ann@example.com", PASSWORD).await.expect(200);
        app.call(Method::POST, "/api/v1/auth/logout", Some(text(&other, "access_token")), None).await.expect(204);
    }
    let settings = reviewpoint::config::PoolSettings { size: 2, ..reviewpoint::config::Environment::Test.pool() };
    let pool = reviewpoint::db::build_pool(&app.db_url(), settings);
    let (a, b) = (pool.get().await.expect("connection"), pool.get().await.expect("connection"));

    let (first, second) = tokio::join!(SessionRepository::purge(&a, 7), SessionRepository::purge(&b, 7));
    let mut purged = first.expect("purge").0 + second.expect("purge").0;
    while let (sessions @ 1.., _) = SessionRepository::purge(&a, 7).await.expect("purge") {
        purged += sessions;
    }

    assert_eq!(purged, 30, "every ended session, none twice");
    assert_eq!(me(&app, &ann.token).await, 200, "the live session stays");
}

#[tokio::test]
async fn an_ended_session_with_thousands_of_spent_tokens_from_before_families_is_purged_in_batches_cascading_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let kept = app.login("ann@example.com", PASSWORD).await.expect(200);
    // A month of refreshes every 15 minutes before token families: spent
    // tokens of the first session, a row each.
    let client = reviewpoint::db::connect_once(&app.db_url()).await.expect("connect");
    let spent = "INSERT INTO refresh_tokens (token_hash, session_id, expires_at, spent_at)
                 SELECT sha256(convert_to(n::text, 'UTF8')), $1, now() + interval '30 days', now()
                 FROM generate_series(1, 3000) AS n";
    client.execute(spent, &[&ann.principal.session_id]).await.expect("spent tokens");
    app.call(Method::POST, "/api/v1/auth/logout", Some(&ann.token), None).await.expect(204);

    let connection = app.pool.get().await.expect("connection");
    let mut batches = Vec::new();
    loop {
        let purged = SessionRepository::purge(&connection, 1000).await.expect("purge");
        batches.push(purged);
        if purged == (0, 0) {
            break;
        }
    }
    drop(connection);

    let tokens: u64 = batches.iter().map(|(_, tokens)| tokens).sum();
    assert_eq!(tokens, 3000, "every token of the ended session: {batches:?}");
    assert!(batches.iter().all(|(_, tokens)| *tokens <= 1000), "at most one batch of each session's: {batches:?}");
    let sessions: u64 = batches.iter().map(|(sessions, _)| sessions).sum();
    assert_eq!(sessions, 1, "the session, once its tokens were gone: {batches:?}");
    assert_eq!(me(&app, text(&kept, "access_token")).await, 200, "the live session and its token stay");
    refresh(&app, text(&kept, "refresh_token")).await.expect(200);
}
