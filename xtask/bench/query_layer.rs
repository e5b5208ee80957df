//! What the query layer costs: the statement cornucopia generated against the
//! same statement written by hand with tokio-postgres' `prepare_cached`, both
//! on one pooled connection, and what statement caching is worth (the same
//! statement prepared on every call: one more round trip).
//!
//! `cargo bench --bench query_layer` against the local PostgreSQL, or the
//! server in `REVIEWPOINT_BENCH_DATABASE_URL`; a scratch database is created
//! and dropped. `cargo xtask bench` runs it and reports the ratios.

use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use reviewpoint::{
    config::RateLimits,
    config::{DatabaseUrl, Environment},
    db::{self, Executor, Pool},
    domain::{ClientKey, Email, PasswordHash, Principal, RefreshToken},
    migrate::Migrator,
    repo::{LoginRepository, SessionRepository, UserRepository},
};
use reviewpoint_codegen::queries::users::caller_in_session;

/// The generated statement's text, written out by hand: the point of the
/// comparison, so the one SQL string outside `queries/`.
const CALLER_IN_SESSION: &str = "SELECT id, email, is_active, created_at, updated_at, name, bio, avatar_url, \
     preferences, last_login_at FROM users AS u WHERE u.id = $1 AND u.is_active AND EXISTS (SELECT 1 FROM \
     sessions AS s WHERE s.id = $2 AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now())";

/// The hand-written twin of cornucopia's `User`.
#[allow(dead_code)] // read only by the optimiser's eyes: the bench builds it
struct User {
    id: i64,
    email: String,
    is_active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    name: Option<String>,
    bio: Option<String>,
    avatar_url: Option<String>,
    preferences: serde_json::Value,
    last_login_at: Option<DateTime<Utc>>,
}

fn user(row: &tokio_postgres::Row) -> User {
    User {
        id: row.get(0),
        email: row.get(1),
        is_active: row.get(2),
        created_at: row.get(3),
        updated_at: row.get(4),
        name: row.get(5),
        bio: row.get(6),
        avatar_url: row.get(7),
        preferences: row.get(8),
        last_login_at: row.get(9),
    }
}

/// A migrated scratch database with one user, and the service's own pool on
/// it, limited to one connection.
struct Scratch {
    admin: tokio_postgres::Client,
    name: String,
    pool: Pool,
    caller: Principal,
}

async fn scratch() -> Scratch {
    let url = std::env::var("REVIEWPOINT_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgresql://postgres@127.0.0.1:5432/postgres".to_owned());
    let server = DatabaseUrl::parse(&url).expect("a postgresql:// URL");
    let admin = db::connect_once(&server).await.expect("PostgreSQL reachable");
    let name = format!("reviewpoint_query_bench_{}", std::process::id());
    db::admin::create_database(&admin, &name).await.expect("create the scratch database");
    let database = server.with_database(&name);
    let mut migrating = db::connect_once(&database).await.expect("the scratch database");
    Migrator::embedded().up(&mut migrating).await.expect("migrate");
    let pool = db::build_pool(&database, Environment::Test.pool());
    let connection = pool.get().await.expect("connection");
    let email = Email::parse("bench@example.com").expect("valid");
    UserRepository::create(&connection, &email, &PasswordHash::new("!".into())).await.expect("a user");
    let client = ClientKey::new(std::net::Ipv4Addr::LOCALHOST.into());
    let attempt =
        LoginRepository::reserve(&connection, email.as_str(), &client, RateLimits::LOGIN).await.expect("counted");
    let account = attempt.credentials.clone().expect("the user's credentials");
    let (refresh, ttl) = (RefreshToken::first(), Duration::from_secs(3600));
    let session = SessionRepository::start(&connection, &attempt, &account, None, &refresh, ttl).await.expect("login");
    Scratch { admin, name, pool, caller: session.expect("an active user").principal }
}

fn query_layer(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let scratch = runtime.block_on(scratch());
    let Principal { user_id: id, session_id: session } = scratch.caller;
    let mut group = c.benchmark_group("caller_in_session");
    group.measurement_time(Duration::from_secs(5));

    group.bench_function("cornucopia", |b| {
        b.to_async(&runtime).iter(|| async {
            let connection = scratch.pool.get().await.expect("connection");
            caller_in_session().bind(connection.client(), &id, &session).one().await.expect("found")
        });
    });
    group.bench_function("prepare_cached", |b| {
        b.to_async(&runtime).iter(|| async {
            let connection = scratch.pool.get().await.expect("connection");
            let client = connection.client();
            let statement = client.prepare_cached(CALLER_IN_SESSION).await.expect("prepared");
            user(&client.query_one(&statement, &[&id, &session]).await.expect("found"))
        });
    });
    group.bench_function("uncached", |b| {
        b.to_async(&runtime).iter(|| async {
            let connection = scratch.pool.get().await.expect("connection");
            user(&connection.client().query_one(CALLER_IN_SESSION, &[&id, &session]).await.expect("found"))
        });
    });
    group.finish();

    drop(scratch.pool);
    runtime.block_on(db::admin::drop_database(&scratch.admin, &scratch.name)).expect("drop the scratch database");
}

criterion_group!(benches, query_layer);
criterion_main!(benches);
