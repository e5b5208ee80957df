//! The statements behind lookups, lists, login and the sweeper's batches use
//! an index, not a scan of the whole table, once the tables are large:
//! EXPLAIN on a database with a quarter of a million files and a hundred
//! thousand throttle windows and idempotency keys fails the test on any
//! sequential scan.
//!
//! The statements come from `queries/*.sql` as written (cornucopia's `:name`
//! parameters become `$n`), so the plans checked are the plans served: the
//! generic plan the pool's connections use, and the custom plan PostgreSQL
//! would choose per call without that setting.

use std::collections::BTreeMap;

use reviewpoint::db;
use tokio_postgres::types::{ToSql, Type};

use crate::helpers::TestDb;

/// The lookups and lists a request runs on every call, what login runs,
/// and the sweeper's batched deletes.
const CHECKED: [(&str, &str); 16] = [
    ("files.sql", "file_seen_by_owner"),
    ("files.sql", "files_seen_by_owner_first_page"),
    ("files.sql", "files_seen_by_owner_after"),
    ("users.sql", "user_seen_by_caller"),
    ("users.sql", "caller_in_session"),
    ("logins.sql", "reserve_login_attempt"),
    ("sessions.sql", "start_session"),
    ("sessions.sql", "rotate_refresh_token"),
    ("sessions.sql", "end_reused_refresh_family"),
    ("logins.sql", "sweep_login_throttle"),
    ("password_reset.sql", "sweep_password_reset_throttle"),
    ("registrations.sql", "sweep_registration_throttle"),
    ("idempotency.sql", "sweep_idempotency_keys"),
    ("password_reset.sql", "request_password_reset"),
    ("sessions.sql", "purge_refresh_tokens"),
    ("sessions.sql", "purge_sessions"),
];

/// Query `name` of `file`, with `:param`s numbered in order of appearance.
fn statement(file: &str, name: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/queries/{file}", env!("CARGO_MANIFEST_DIR"))).expect("queries");
    let marker = format!("--! {name}");
    let body: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with(&marker))
        .skip(1)
        .filter(|line| !line.starts_with("--"))
        .take_while(|line| !line.trim().is_empty())
        .collect();
    assert!(!body.is_empty(), "no query {name} in {file}");
    let parameter = regex::Regex::new(r"(^|[^:]):([a-z_]+)").expect("valid regex");
    let mut numbers = BTreeMap::new();
    parameter
        .replace_all(&body.join("\n"), |found: &regex::Captures| {
            let next = numbers.len() + 1;
            let number = *numbers.entry(found[2].to_owned()).or_insert(next);
            format!("{}${number}", &found[1])
        })
        .into_owned()
}

/// A value of the type PostgreSQL inferred for a parameter.
fn sample(of: &Type, owner: i64) -> Box<dyn ToSql + Sync> {
    match *of {
        Type::INT8 => Box::new(owner),
        Type::INT4 => Box::new(20_i32),
        Type::TEXT | Type::VARCHAR => Box::new(format!("user-{owner}@example.com")),
        Type::TIMESTAMPTZ => Box::new(chrono::Utc::now()),
        Type::FLOAT8 => Box::new(900.0_f64),
        Type::BYTEA => Box::new(vec![0_u8; 32]),
        ref other => panic!("no sample value for parameters of type {other}"),
    }
}

#[tokio::test]
async fn lookups_and_lists_use_indexes_on_large_tables() {
    let db = TestDb::new().await;
    let client = db::connect_once(&db.url).await.expect("connect");
    // 10,000 users with 25 files each, spread through the table, created
    // a second apart: the shape of a real tenant mix, in one statement each.
    client
        .batch_execute(
            "INSERT INTO users (email, hashed_password)
             SELECT format('user-%s@example.com', n), '!' FROM generate_series(1, 10000) AS n;
             INSERT INTO files (filename, content_type, user_id, created_at)
             SELECT format('%s.pdf', n), 'application/pdf', u.id, now() - make_interval(secs => n)
             FROM generate_series(1, 250000) AS n
             JOIN users AS u ON u.email = format('user-%s@example.com', 1 + n % 10000);
             INSERT INTO login_throttle (key, failures, window_started)
             SELECT format('client:192.0.%s.%s', n / 256, n % 256), 1, now() - make_interval(secs => n % 960)
             FROM generate_series(1, 100000) AS n;
             INSERT INTO password_reset_throttle (key, requests, window_started)
             SELECT key, failures, window_started FROM login_throttle;
             INSERT INTO registration_throttle (key, requests, window_started)
             SELECT key, failures, window_started FROM login_throttle;
             INSERT INTO sessions (user_id, expires_at, ended_at, refresh_family, refresh_hash)
             SELECT id, now() + interval '30 days', CASE WHEN id % 100 = 0 THEN now() END,
                    CASE WHEN id % 2 = 0 THEN sha256(convert_to(id::text, 'UTF8')) END, '\\x00'
             FROM users;
             INSERT INTO refresh_tokens (token_hash, session_id, expires_at, spent_at)
             SELECT sha256(convert_to(n::text, 'UTF8')), s.id, now() + make_interval(secs => n % 2000000),
                    CASE WHEN n % 10 <> 0 THEN now() END
             FROM generate_series(1, 100000) AS n
             JOIN sessions AS s ON s.user_id = (SELECT min(id) FROM users) + n % 10000;
             INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at)
             SELECT u.id, format('key-%s', n), '\\x00', now() - make_interval(secs => n % 90000)
             FROM generate_series(1, 100000) AS n
             JOIN users AS u ON u.email = format('user-%s@example.com', 1 + n % 10000);",
        )
        .await
        .expect("seed");
    for table in [
        "users",
        "files",
        "login_throttle",
        "password_reset_throttle",
        "registration_throttle",
        "idempotency_keys",
        "sessions",
        "refresh_tokens",
    ] {
        client.batch_execute(&format!("ANALYZE {table}")).await.expect("analyze");
    }
    let owner: i64 = client.query_one("SELECT min(id) + 5000 FROM users", &[]).await.expect("an owner").get(0);

    let pooled = db.pool().get().await.expect("a pooled connection");
    let mode: String = pooled.query_one("SHOW plan_cache_mode", &[]).await.expect("show").get(0);
    assert_eq!(mode, "force_generic_plan", "the pool's connections plan each statement once");
    let generic: &tokio_postgres::Client = &pooled;

    for (file, name) in CHECKED {
        let explain = format!("EXPLAIN {}", statement(file, name));
        for (plan_kind, client) in [("generic", generic), ("custom", &client)] {
            let prepared = client.prepare(&explain).await.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let values: Vec<Box<dyn ToSql + Sync>> = prepared.params().iter().map(|of| sample(of, owner)).collect();
            let parameters: Vec<&(dyn ToSql + Sync)> = values.iter().map(|value| value.as_ref()).collect();
            let plan: Vec<String> = client
                .query(&prepared, &parameters)
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:?}"))
                .iter()
                .map(|row| row.get(0))
                .collect();
            let plan = plan.join("\n");

            assert!(!plan.contains("Seq Scan"), "{name}, {plan_kind} plan, scans a whole table:\n{plan}");
            assert!(plan.contains("Index"), "{name}, {plan_kind} plan, uses no index:\n{plan}");
        }
    }
}
