//! `Idempotency-Key` on `POST /files`: a retry gets the first answer and
//! creates nothing, sequentially, concurrently, and across server processes.

use std::{
    process::Stdio,
    time::{Duration, Instant},
};

use reqwest::Method;
use serde_json::{Value, json};

use crate::{
    cli::serve,
    helpers::{Reply, TOKEN_SECRET, TestApp, TestDb, TestUser},
    proxy::ChaosProxy,
};

async fn create(http: &reqwest::Client, base: &str, user: &TestUser, key: &str, filename: &str) -> Reply {
    let response = http
        .post(format!("{base}/api/v1/files"))
        .bearer_auth(&user.token)
        .header("idempotency-key", key)
        .json(&json!({ "filename": filename, "content_type": "application/pdf" }))
        .send()
        .await
        .expect("answered");
    Reply { status: response.status(), headers: response.headers().clone(), text: response.text().await.expect("body") }
}

async fn file_count(app: &TestApp, user: &TestUser) -> usize {
    let page = app.call(Method::GET, "/api/v1/files?limit=100", Some(&user.token), None).await.expect(200);
    page["items"].as_array().map_or(0, Vec::len)
}

/// The parts of a 201 a replay must repeat.
fn answer(reply: &Reply) -> (u16, Value, Option<String>) {
    (reply.status.as_u16(), reply.json(), reply.header("location").map(str::to_owned))
}

#[tokio::test]
async fn a_repeated_key_and_body_replays_the_first_answer_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let base = app.url("");

    let first = create(&app.http, &base, &ann, "7f1c2e64-key", "a.pdf").await;
    let again = create(&app.http, &base, &ann, "7f1c2e64-key", "a.pdf").await;

    first.expect(201);
    assert_eq!(answer(&again), answer(&first), "same status, body and Location");
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(file_count(&app, &ann).await, 1);
    let metrics = app.get("/metrics").await.text().await.expect("metrics");
    assert!(metrics.contains(r#"http_idempotent_replays_total{method="POST",route="/api/v1/files"} 1"#), "{metrics}");
}

#[tokio::test]
async fn a_create_whose_commit_answer_is_lost_is_a_503_never_retried_and_its_key_replays_it() {
    let db = TestDb::new().await;
    let (proxy, proxied) = ChaosProxy::in_front_of(&db.url).await;
    let pool = reviewpoint::db::build_pool(&proxied, reviewpoint::config::Environment::Test.pool());
    let app = TestApp::serve(db, pool, Duration::from_secs(2)).await;
    let ann = app.user("ann@example.com").await;
    let base = app.url("");

    // The COMMIT reaches PostgreSQL and is applied; its answer is lost.
    proxy.cut_after_sending(b"COMMIT");
    let lost = create(&app.http, &base, &ann, "commit-lost", "a.pdf").await;

    // Had the service retried, the retry would have found its own key and
    // replayed a 201: the 503 shows the outcome was reported as unknown.
    lost.expect(503);
    assert_eq!(lost.header("retry-after"), Some("1"));
    // The cut can reach the service before PostgreSQL has finished the
    // COMMIT it already received (on a loaded machine it did): the file
    // appears once that backend runs, and no retry ever adds a second.
    let started = Instant::now();
    while file_count(&app, &ann).await == 0 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(file_count(&app, &ann).await, 1, "applied once, by the attempt whose answer was lost");
    let again = create(&app.http, &base, &ann, "commit-lost", "a.pdf").await;
    again.expect(201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"), "the client's retry learns the outcome");
    assert_eq!(file_count(&app, &ann).await, 1);
}

#[tokio::test]
async fn racing_attempts_with_one_key_create_one_file_and_all_get_its_answer() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let base = app.url("");

    let attempts = (0..8).map(|_| create(&app.http, &base, &ann, "race", "raced.pdf"));
    let replies = futures::future::join_all(attempts).await;

    let first = answer(&replies[0]);
    assert_eq!(first.0, 201);
    assert!(replies.iter().all(|reply| answer(reply) == first), "every racer got the same answer");
    assert_eq!(replies.iter().filter(|reply| reply.header("idempotent-replayed").is_none()).count(), 1);
    assert_eq!(file_count(&app, &ann).await, 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_422_and_keys_belong_to_their_user() {
    let app = TestApp::spawn().await;
    let (ann, bob) = (app.user("ann@example.com").await, app.user("bob@example.com").await);
    let base = app.url("");
    create(&app.http, &base, &ann, "shared-key", "a.pdf").await.expect(201);

    let changed = create(&app.http, &base, &ann, "shared-key", "b.pdf").await;
    let bobs = create(&app.http, &base, &bob, "shared-key", "a.pdf").await;

    let problem = changed.expect(422);
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(file_count(&app, &ann).await, 1, "nothing more was created");
    assert_eq!(bobs.expect(201)["user_id"], bob.id, "bob's key is his own");
    for bad in ["", "has space", &"k".repeat(256)] {
        let problem = create(&app.http, &base, &ann, bad, "c.pdf").await.expect(422);
        assert_eq!(problem["errors"][0]["field"], "Idempotency-Key", "{bad:?}");
    }
}

#[tokio::test]
async fn a_retry_that_reaches_another_server_process_replays_too() {
    let app = TestApp::spawn().await;
    let ann = app.user("ann@example.com").await;
    let secret = String::from_utf8_lossy(TOKEN_SECRET).into_owned();
    let (mut other, port) = serve(&app.db_url(), &[("REVIEWPOINT_JWT_SECRET", &secret)], Stdio::null()).await;

    let first = create(&app.http, &app.url(""), &ann, "cross-instance", "x.pdf").await;
    let again = create(&app.http, &format!("http://127.0.0.1:{port}"), &ann, "cross-instance", "x.pdf").await;
    let _ = other.kill();
    let _ = other.wait();

    first.expect(201);
    assert_eq!(answer(&again), answer(&first));
    assert_eq!(file_count(&app, &ann).await, 1);
}

#[tokio::test]
async fn an_expired_key_may_be_used_again() {
    use reviewpoint::{
        domain::{ContentType, Filename, NewFile},
        repo::{Caller, FileRepository, Once},
    };

    let db = TestDb::new().await;
    let pool = db.pool();
    let ann = {
        let client = pool.get().await.expect("connection");
        let email = reviewpoint::domain::Email::parse("ann@example.com").expect("valid");
        let hash = reviewpoint::domain::PasswordHash::new("$argon2id$x".into());
        let id = reviewpoint::repo::UserRepository::create(&client, &email, &hash).await.expect("user").id;
        crate::helpers::sign_in(&client, id).await
    };
    let new = NewFile {
        filename: Filename::parse("a.pdf").expect("valid"),
        content_type: ContentType::parse("application/pdf").expect("valid"),
    };
    let short = Duration::from_millis(20);
    let mut connection = pool.get().await.expect("connection");

    let first = FileRepository::create_once(&mut connection, ann, &new, "k", short).await.expect("created");
    // The record is older than its lifetime once this much time has passed.
    tokio::time::sleep(short * 2).await;
    let later = FileRepository::create_once(&mut connection, ann, &new, "k", short).await.expect("created");

    assert!(matches!(first, Caller::Active(Once::Created(_))));
    assert!(matches!(later, Caller::Active(Once::Created(_))), "past its lifetime the key is new again");
    assert_eq!(
        FileRepository::sweep_idempotency_keys(&connection, Duration::from_secs(3600), 1000).await.expect("swept"),
        0
    );
}
