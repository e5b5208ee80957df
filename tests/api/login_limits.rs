//! Failed logins are limited per account and per client address, on every
//! instance at once (the counts live in PostgreSQL), for a bounded window.
//! Each test runs real server processes over one database.

use std::{
    process::{Child, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

use crate::{
    cli::serve,
    helpers::{PASSWORD, TestDb},
};

/// One `reviewpoint serve` process; killed when dropped.
struct Instance {
    child: Child,
    base: String,
    http: reqwest::Client,
}

struct Answer {
    status: u16,
    retry_after: Option<u64>,
    body: Value,
}

impl Instance {
    async fn start(db: &TestDb, settings: &[(&str, &str)]) -> Self {
        let (child, port) = serve(&db.url, settings, Stdio::null()).await;
        Self {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1/auth"),
            http: crate::helpers::http_client().build().expect("client"),
        }
    }

    async fn post(&self, path: &str, body: Value, forwarded_for: Option<&str>) -> Answer {
        let request = self.http.post(format!("{}{path}", self.base)).json(&body);
        let request = match forwarded_for {
            Some(address) => request.header("x-forwarded-for", address),
            None => request,
        };
        let response = request.send().await.expect("answered");
        let status = response.status().as_u16();
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok());
        Answer { status, retry_after, body: response.json().await.expect("JSON") }
    }

    async fn register(&self, email: &str) {
        let answer = self.post("/register", json!({ "email": email, "password": PASSWORD }), None).await;
        assert_eq!(answer.status, 201);
    }

    async fn login(&self, email: &str, password: &str) -> Answer {
        self.post("/login", json!({ "email": email, "password": password }), None).await
    }

    async fn login_from(&self, address: &str, email: &str, password: &str) -> Answer {
        self.post("/login", json!({ "email": email, "password": password }), Some(address)).await
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_locked(answer: &Answer, window_seconds: u64) {
    assert_eq!(answer.status, 429, "{}", answer.body);
    assert_eq!(answer.body["status"], 429);
    assert!(answer.retry_after.is_some_and(|s| (1..=window_seconds).contains(&s)), "Retry-After within the window");
}

#[tokio::test]
async fn an_account_is_locked_after_its_failures_on_any_instance_even_for_the_right_password() {
    let db = TestDb::new().await;
    let limits = [("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "3")];
    let (a, b) = (Instance::start(&db, &limits).await, Instance::start(&db, &limits).await);
    a.register("ann@example.com").await;
    a.register("bob@example.com").await;

    for instance in [&a, &b, &a] {
        assert_eq!(instance.login("ann@example.com", "wrong password").await.status, 401);
    }
    let locked = b.login("ANN@example.com", PASSWORD).await;
    for instance in [&b, &a, &b] {
        assert_eq!(instance.login("nobody@example.com", "wrong password").await.status, 401);
    }
    let unknown = a.login("nobody@example.com", PASSWORD).await;

    assert_locked(&locked, 900);
    assert_eq!(locked.body, unknown.body, "a lock says nothing about whether the account exists");
    assert_eq!(a.login("bob@example.com", PASSWORD).await.status, 200, "other accounts are not locked");
}

#[tokio::test]
async fn a_client_address_is_locked_after_its_failures_across_emails() {
    let db = TestDb::new().await;
    let server = Instance::start(&db, &[("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "4")]).await;
    server.register("ann@example.com").await;

    for n in 0..4 {
        assert_eq!(server.login(&format!("guess{n}@example.com"), "wrong password").await.status, 401);
    }

    assert_locked(&server.login("ann@example.com", PASSWORD).await, 900);
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    let db = TestDb::new().await;
    let limit = ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "2");
    let direct = Instance::start(&db, &[limit]).await;
    let proxied = Instance::start(&db, &[limit, ("REVIEWPOINT_TRUSTED_PROXIES", "127.0.0.1")]).await;
    direct.register("ann@example.com").await;

    // Without a trusted proxy the header is ignored: every attempt is 127.0.0.1's.
    direct.login_from("192.0.2.1", "a@example.com", "wrong password").await;
    direct.login_from("192.0.2.2", "b@example.com", "wrong password").await;
    assert_locked(&direct.login_from("192.0.2.3", "ann@example.com", PASSWORD).await, 900);
    // Behind one, each forwarded address counts on its own.
    proxied.login_from("198.51.100.1", "c@example.com", "wrong password").await;
    proxied.login_from("198.51.100.1", "d@example.com", "wrong password").await;
    assert_locked(&proxied.login_from("198.51.100.1", "ann@example.com", PASSWORD).await, 900);
    assert_eq!(proxied.login_from("198.51.100.2", "ann@example.com", PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_lock_ends_with_its_window_and_a_good_login_clears_the_account() {
    let db = TestDb::new().await;
    let server = Instance::start(
        &db,
        &[("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "2"), ("REVIEWPOINT_LOGIN_WINDOW_SECONDS", "2")],
    )
    .await;
    server.register("ann@example.com").await;
    assert_eq!(server.login("ann@example.com", "wrong password").await.status, 401);
    assert_eq!(server.login("ann@example.com", PASSWORD).await.status, 200, "one failure locks nothing");
    assert_eq!(server.login("ann@example.com", "wrong password").await.status, 401, "counted afresh");

    assert_eq!(server.login("ann@example.com", "wrong password").await.status, 401);
    assert_locked(&server.login("ann@example.com", PASSWORD).await, 2);

    let started = Instant::now();
    let unlocked = loop {
        let answer = server.login("ann@example.com", PASSWORD).await;
        if answer.status != 429 || started.elapsed() > Duration::from_secs(5) {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(unlocked.status, 200, "the lock lasted at most its two-second window");
}

#[tokio::test]
async fn the_sweep_removes_windows_that_have_ended_and_keeps_live_ones() {
    use reviewpoint::{config::RateLimits, domain::ClientKey, repo::LoginRepository};

    let db = TestDb::new().await;
    let client = db.pool().get().await.expect("connection");
    let key = ClientKey::new("192.0.2.1".parse().expect("address"));
    let short = RateLimits { window: Duration::from_millis(20), ..RateLimits::LOGIN };
    LoginRepository::reserve(&client, "ann@example.com", &key, short).await.expect("counted");

    assert_eq!(LoginRepository::sweep(&client, RateLimits::LOGIN, 1000).await.expect("swept"), 0, "15 minutes: live");
    let started = Instant::now();
    let mut swept = 0;
    while swept < 2 && started.elapsed() < Duration::from_secs(5) {
        swept += LoginRepository::sweep(&client, short, 1).await.expect("swept");
    }
    assert_eq!(swept, 2, "the account's and the client's windows ended");
}

#[tokio::test]
async fn concurrent_wrong_logins_on_two_instances_get_no_more_guesses_than_the_limit() {
    let db = TestDb::new().await;
    let (a, b) = (Instance::start(&db, &[]).await, Instance::start(&db, &[]).await);
    a.register("ann@example.com").await;

    let storm = (0..150).map(|n| [&a, &b][n % 2].login("ann@example.com", "wrong password"));
    let answers = futures::future::join_all(storm).await;

    let count = |status: u16| answers.iter().filter(|answer| answer.status == status).count();
    let (checked, refused, busy) = (count(401), count(429), count(503));
    println!(
        "150 concurrent wrong logins on two instances: {checked} checked (401), {refused} refused (429), {busy} busy (503)"
    );
    assert!((1..=10).contains(&checked), "{checked} passwords checked against a limit of 10");
    assert_eq!(checked + refused + busy, 150, "every answer is 401, 429 or 503");
    for answer in answers.iter().filter(|answer| answer.status == 429) {
        assert_locked(answer, 900);
    }
    assert_locked(&b.login("ann@example.com", PASSWORD).await, 900);
}

#[tokio::test]
async fn forwarded_requests_without_a_trusted_proxy_are_warned_about_once() {
    let db = TestDb::new().await;
    let (mut child, port) = serve(&db.url, &[("REVIEWPOINT_LOG", "warn")], Stdio::piped()).await;
    let http = crate::helpers::http_client().build().expect("client");
    for _ in 0..3 {
        let body = json!({ "email": "ann@example.com", "password": "wrong password" });
        let request = http.post(format!("http://127.0.0.1:{port}/api/v1/auth/login")).json(&body);
        let answer = request.header("x-forwarded-for", "203.0.113.9").send().await.expect("answered");
        assert_eq!(answer.status().as_u16(), 401);
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("the server's log");

    let log = String::from_utf8_lossy(&output.stderr);
    assert_eq!(log.matches("REVIEWPOINT_TRUSTED_PROXIES is unset").count(), 1, "{log}");
}

#[tokio::test]
async fn registrations_are_limited_per_client_address_before_any_password_is_hashed() {
    let db = TestDb::new().await;
    let limit = [("REVIEWPOINT_REGISTER_MAX_PER_CLIENT", "3")];
    let (a, b) = (Instance::start(&db, &limit).await, Instance::start(&db, &limit).await);

    let register = |n: usize| {
        let body = json!({ "email": format!("user{n}@example.com"), "password": PASSWORD });
        [&a, &b][n % 2].post("/register", body, None)
    };
    let answers = futures::future::join_all((0..8).map(register)).await;

    let created = answers.iter().filter(|answer| answer.status == 201).count();
    let refused: Vec<&Answer> = answers.iter().filter(|answer| answer.status == 429).collect();
    assert_eq!((created, refused.len()), (3, 5), "three registrations an hour from one address, on every instance");
    for answer in refused {
        assert_locked(answer, 3600);
    }
    let registered = answers.iter().find(|answer| answer.status == 201).expect("one registered");
    let email = registered.body["email"].as_str().expect("email");
    assert_eq!(b.login(email, PASSWORD).await.status, 200, "logins are not counted as registrations");
}

#[tokio::test]
async fn concurrent_right_and_wrong_logins_for_one_account_never_deadlock() {
    let db = TestDb::new().await;
    let limits =
        [("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_ACCOUNT", "1000"), ("REVIEWPOINT_LOGIN_MAX_FAILURES_PER_CLIENT", "1000")];
    let server = Instance::start(&db, &limits).await;
    server.register("ann@example.com").await;

    let logins = (0..48).map(|n| server.login("ann@example.com", if n % 3 == 0 { "wrong password" } else { PASSWORD }));
    let answers = futures::future::join_all(logins).await;
    let metrics = server.http.get(server.base.replace("/api/v1/auth", "/metrics")).send().await.expect("metrics");
    let metrics = metrics.text().await.expect("text");

    // Each login locks its throttle rows in one order (account, then client).
    let retried =
        metrics.lines().filter(|line| line.starts_with("db_retries_total{cause=\"deadlock\"}")).collect::<Vec<_>>();
    assert!(retried.iter().all(|line| line.ends_with(" 0")), "deadlocks: {retried:?}");
    for (n, answer) in answers.iter().enumerate() {
        assert!(matches!(answer.status, 200 | 401 | 503), "login {n}: {} {}", answer.status, answer.body);
        assert!(answer.status != 401 || n % 3 == 0, "login {n}, the right password, answered 401");
    }
    assert!(answers.iter().filter(|answer| answer.status == 200).count() >= 16, "most right passwords sign in");
}
