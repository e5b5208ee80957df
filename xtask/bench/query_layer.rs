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
    config::{DatabaseUrl, Environment},
    db::{self, Executor, Pool},
    domain::{Email, PasswordHash},
    migrate::Migrator,
    repo::UserRepository,
};
use reviewpoint_codegen::queries::users::active_user_by_id;

/// The generated statement's text, written out by hand: the point of the
/// comparison, so the one SQL string outside `queries/`.
const ACTIVE_USER_BY_ID: &str =
    "SELECT id, email, is_active, created_at, updated_at FROM users WHERE id = $1 AND is_active";

/// The hand-written twin of cornucopia's `User`.
#[allow(dead_code)] // read only by the optimiser's eyes: the bench builds it
struct User {
    id: i64,
    email: String,
    is_active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn user(row: &tokio_postgres::Row) -> User {
    User { id: row.get(0), email: row.get(1), is_active: row.get(2), created_at: row.get(3), updated_at: row.get(4) }
}

/// A migrated scratch database with one user, and the service's own pool on
/// it, limited to one connection.
struct Scratch {
    admin: tokio_postgres::Client,
    name: String,
    pool: Pool,
    user_id: i64,
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
    let user_id = UserRepository::create(&connection, &email, &PasswordHash::new("!".into())).await.expect("a user").id;
    Scratch { admin, name, pool, user_id }
}

fn query_layer(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let scratch = runtime.block_on(scratch());
    let id = scratch.user_id;
    let mut group = c.benchmark_group("active_user_by_id");
    group.measurement_time(Duration::from_secs(5));

    group.bench_function("cornucopia", |b| {
        b.to_async(&runtime).iter(|| async {
            let connection = scratch.pool.get().await.expect("connection");
            active_user_by_id().bind(connection.client(), &id).one().await.expect("found")
        });
    });
    group.bench_function("prepare_cached", |b| {
        b.to_async(&runtime).iter(|| async {
            let connection = scratch.pool.get().await.expect("connection");
            let client = connection.client();
            let statement = client.prepare_cached(ACTIVE_USER_BY_ID).await.expect("prepared");
            user(&client.query_one(&statement, &[&id]).await.expect("found"))
        });
    });
    group.bench_function("uncached", |b| {
        b.to_async(&runtime).iter(|| async {
            let connection = scratch.pool.get().await.expect("connection");
            user(&connection.client().query_one(ACTIVE_USER_BY_ID, &[&id]).await.expect("found"))
        });
    });
    group.finish();

    drop(scratch.pool);
    runtime.block_on(db::admin::drop_database(&scratch.admin, &scratch.name)).expect("drop the scratch database");
}

criterion_group!(benches, query_layer);
criterion_main!(benches);
