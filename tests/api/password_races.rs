//! No session outlives a password reset or change, however a login races
//! with it. Each interleaving is forced, not timed: a transaction of the
//! test holds the user's row, the two requests queue on it in a chosen
//! order (seen in `pg_stat_activity`), and the test lets them go.

use reqwest::Method;
use reviewpoint::{
    config::{Environment, PasswordResetSettings, PoolSettings},
    db,
    domain::{ClientKey, Email, NewMail, SecretToken},
    repo::{PasswordResetRepository, ResetRequest},
};
use serde_json::json;

use crate::helpers::{PASSWORD, Reply, TestApp, TestDb, until_waiting_on_locks};

const NEW_PASSWORD: &str = "a brand new passphrase";
const EMAIL: &str = "ann@example.com";

/// Runs `first`, then, once it waits on the user's row, `second`; once both
/// wait, lets them go: `first` takes the row first.
async fn in_turn(
    app: &TestApp,
    first: impl Future<Output = Reply>,
    second: impl Future<Output = Reply>,
) -> (Reply, Reply) {
    let holder = db::connect_once(&app.db_url()).await.expect("connect");
    holder.batch_execute("BEGIN").await.expect("begin");
    let held = holder.execute("SELECT 1 FROM users WHERE email = $1 FOR UPDATE", &[&EMAIL]).await.expect("lock");
    assert_eq!(held, 1, "the user's row is held");
    let observer = db::connect_once(&app.db_url()).await.expect("connect");
    let (first, second, ()) = tokio::join!(
        first,
        async {
            until_waiting_on_locks(&observer, 1).await;
            second.await
        },
        async {
            until_waiting_on_locks(&observer, 2).await;
            holder.batch_execute("COMMIT").await.expect("commit");
        },
    );
    (first, second)
}

/// An app whose pool has room for both racing requests (the test
/// environment's has one connection).
async fn app() -> TestApp {
    let db = TestDb::new().await;
    let pool = db.pool_with(PoolSettings { size: 4, ..Environment::Test.pool() });
    TestApp::serve(db, pool, reviewpoint::state::HEALTH_TIMEOUT).await
}

/// A reset token for ann, as a mailed link would carry it.
async fn reset_token(app: &TestApp) -> String {
    let (settings, token) = (PasswordResetSettings::default(), SecretToken::generate());
    let (email, client) = (Email::parse(EMAIL).expect("email"), ClientKey::new("192.0.2.1".parse().expect("address")));
    let mail = NewMail::password_reset(&settings.link, &token, settings.ttl);
    let connection = app.pool.get().await.expect("connection");
    let stored = PasswordResetRepository::request(&connection, &email, &client, &token.hash(), &mail, &settings)
        .await
        .expect("stored");
    assert_eq!(stored, ResetRequest::Accepted);
    token.expose().to_owned()
}

async fn live_sessions(app: &TestApp) -> i64 {
    let client = db::connect_once(&app.db_url()).await.expect("connect");
    let statement = "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id \
                     WHERE u.email = $1 AND s.ended_at IS NULL";
    client.query_one(statement, &[&EMAIL]).await.expect("count").get(0)
}

fn login(app: &TestApp) -> impl Future<Output = Reply> {
    app.login(EMAIL, PASSWORD)
}

fn confirm_reset<'a>(app: &'a TestApp, token: &'a str) -> impl Future<Output = Reply> + 'a {
    let body = json!({ "token": token, "password": NEW_PASSWORD });
    app.call(Method::POST, "/api/v1/auth/password-reset/confirm", None, Some(body))
}

async fn change_password(app: &TestApp, id: i64, token: &str) -> Reply {
    let body = json!({ "password": NEW_PASSWORD });
    app.call(Method::PATCH, &format!("/api/v1/users/{id}"), Some(token), Some(body)).await
}

/// What a login that raced with the new password got: either nothing, or a
/// session that has already ended.
async fn assert_old_password_signs_nothing_in(app: &TestApp, login: &Reply) {
    match login.status.as_u16() {
        401 => {}
        200 => {
            let tokens = login.json();
            let access = tokens["access_token"].as_str().expect("token");
            app.call(Method::GET, "/api/v1/auth/me", Some(access), None).await.expect(401);
            let refresh = json!({ "refresh_token": tokens["refresh_token"] });
            app.call(Method::POST, "/api/v1/auth/refresh", None, Some(refresh)).await.expect(401);
        }
        other => panic!("login answered {other}: {}", login.text),
    }
    app.login(EMAIL, PASSWORD).await.expect(401);
    app.login(EMAIL, NEW_PASSWORD).await.expect(200);
}

#[tokio::test]
async fn a_reset_that_commits_while_a_login_checks_the_old_password_stops_that_login() {
    let app = app().await;
    app.register(EMAIL).await.expect(201);
    let token = reset_token(&app).await;

    let (reset, login) = in_turn(&app, confirm_reset(&app, &token), login(&app)).await;

    reset.expect(204);
    login.expect(401);
    assert_eq!(live_sessions(&app).await, 0);
    assert_old_password_signs_nothing_in(&app, &login).await;
}

#[tokio::test]
async fn a_login_that_commits_first_has_its_session_ended_by_the_reset_after_it() {
    let app = app().await;
    app.register(EMAIL).await.expect(201);
    let token = reset_token(&app).await;

    let (login, reset) = in_turn(&app, login(&app), confirm_reset(&app, &token)).await;

    login.expect(200);
    reset.expect(204);
    assert_eq!(live_sessions(&app).await, 0, "the reset ended the session the login started before it");
    assert_old_password_signs_nothing_in(&app, &login).await;
}

#[tokio::test]
async fn a_password_change_and_a_racing_login_leave_no_session_made_with_the_old_password() {
    for change_first in [true, false] {
        let app = app().await;
        let ann = app.user(EMAIL).await;

        let (change, login) = if change_first {
            in_turn(&app, change_password(&app, ann.id, &ann.token), login(&app)).await
        } else {
            let (login, change) = in_turn(&app, login(&app), change_password(&app, ann.id, &ann.token)).await;
            (change, login)
        };

        change.expect(200);
        assert_eq!(live_sessions(&app).await, 1, "change first: {change_first}; only the changer's session lives");
        app.call(Method::GET, "/api/v1/auth/me", Some(&ann.token), None).await.expect(200);
        assert_old_password_signs_nothing_in(&app, &login).await;
    }
}
