//! Transient failures are retried inside the service, and counted; writes
//! whose fate is unknown never are.

use std::{
    sync::atomic::{AtomicI32, AtomicU32, Ordering},
    time::{Duration, Instant},
};

use reviewpoint::{
    db::{self, Access, DbError, Retry, in_transaction},
    domain::{Email, FileChanges, Filename, NewFile, PasswordHash},
    repo::{Caller, FileRepository, UserRepository},
};

use tokio::sync::Notify;

use crate::helpers::TestDb;

fn pool(db: &TestDb) -> db::Pool {
    let mut settings = reviewpoint::config::Environment::Test.pool();
    settings.size = 2;
    db.pool_with(settings)
}

async fn owner_with_files(pool: &db::Pool, count: usize) -> (reviewpoint::domain::Principal, Vec<i64>) {
    let client = pool.get().await.expect("connection");
    let email = Email::parse("ann@example.com").expect("valid");
    let ann = UserRepository::create(&client, &email, &PasswordHash::new("$argon2id$x".into())).await.expect("user");
    let ann = crate::helpers::sign_in(&client, ann.id).await;
    let mut files = Vec::new();
    for n in 0..count {
        let new = NewFile {
            filename: Filename::parse(&format!("{n}.pdf")).expect("valid"),
            content_type: reviewpoint::domain::ContentType::parse("application/pdf").expect("valid"),
        };
        let Caller::Active(file) = FileRepository::create(&client, ann, &new).await.expect("file") else {
            panic!("ann is active")
        };
        files.push(file.id);
    }
    (ann, files)
}

fn rename(to: &str) -> FileChanges {
    FileChanges { filename: Some(Filename::parse(to).expect("valid")), content_type: None }
}

/// A counter of the connection layer's, as `/metrics` shows it.
fn counted(series: &str) -> u64 {
    let mut registry = prometheus_client::registry::Registry::default();
    db::metrics::register(&mut registry);
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &registry).expect("encoded");
    let prefix = format!("{series} ");
    text.lines().find_map(|line| line.strip_prefix(&prefix)?.parse().ok()).unwrap_or(0)
}

fn retries(cause: &str) -> u64 {
    counted(&format!("db_retries_total{{cause=\"{cause}\"}}"))
}

#[tokio::test]
async fn a_transaction_chosen_as_a_deadlock_victim_runs_again_and_succeeds() {
    let db = TestDb::new().await;
    let pool = pool(&db);
    let (ann, files) = owner_with_files(&pool, 2).await;
    let (first, second) = (files[0], files[1]);
    let before = retries("deadlock");
    let errors_before = counted(r#"db_errors_total{class="40"}"#);
    let attempts = AtomicU32::new(0);
    let (held, victim) = (Notify::new(), AtomicI32::new(0));
    let admin = db::connect_once(&db.url).await.expect("admin connection");

    // The test's own transaction holds `first` and will then want `second`.
    let mut holder = pool.get().await.expect("connection");
    let holding = in_transaction(&mut holder, async |tx| {
        FileRepository::update(tx, ann, first, &rename("held.pdf")).await?;
        held.notify_one();
        // Only once the retried unit holds `second` and waits for `first`:
        // it started waiting first, so PostgreSQL's deadlock check (run by
        // the backend that has waited deadlock_timeout) ends it, not us.
        waits_for_a_lock(&admin, &victim).await;
        FileRepository::update(tx, ann, second, &rename("held too.pdf")).await?;
        Ok::<_, DbError>(())
    });
    let retried = async {
        held.notified().await;
        db::retry!(&pool, Access::Write, |conn| async {
            if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                victim.store(db::admin::backend_pid(conn).await?, Ordering::SeqCst);
            }
            in_transaction(conn, async |tx| {
                FileRepository::update(tx, ann, second, &rename("mine.pdf")).await?;
                FileRepository::update(tx, ann, first, &rename("mine too.pdf")).await?;
                Ok::<_, DbError>(())
            })
            .await
        })
    };
    let (held, retried) = tokio::join!(holding, retried);

    held.expect("the holder committed");
    retried.expect("the victim succeeded on its second attempt");
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert!(retries("deadlock") > before, "counted in /metrics");
    assert!(counted(r#"db_errors_total{class="40"}"#) > errors_before, "errors by SQLSTATE class");
    let client = pool.get().await.expect("connection");
    let names = |id| async move { FileRepository::get(&client, ann, id).await };
    let first_now = names(first).await.expect("read");
    assert!(matches!(first_now, Caller::Active(Some(file)) if file.filename == "mine too.pdf"), "applied once, last");
}

/// Returns once server process `pid` (set by the other side) waits for a lock.
async fn waits_for_a_lock(admin: &tokio_postgres::Client, pid: &AtomicI32) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let pid = pid.load(Ordering::SeqCst);
        if pid != 0 && db::admin::is_waiting_for_lock(admin, pid).await.expect("pg_stat_activity") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the other transaction never waited for a lock");
}

/// Ends the server session behind `connection` and waits until the client sees it.
async fn kill_backend_of(db: &TestDb, connection: &db::Connection) {
    let pid = db::admin::backend_pid(connection).await.expect("pid");
    let admin = db::connect_once(&db.url).await.expect("admin connection");
    assert!(db::admin::terminate_backend(&admin, pid).await.expect("terminated"));
    let started = Instant::now();
    while !connection.is_closed() && started.elapsed() < Duration::from_secs(5) {
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(connection.is_closed(), "the client saw its session end");
}

#[tokio::test]
async fn work_on_a_connection_killed_between_checkout_and_use_runs_again_on_a_new_one() {
    let test_db = TestDb::new().await;
    let pool = pool(&test_db);
    let (ann, files) = owner_with_files(&pool, 1).await;
    let before = retries("connect_failed");

    for access in [Access::Read, Access::Write] {
        let attempts = AtomicU32::new(0);
        let outcome = db::retry!(&pool, access, |conn| async {
            if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                kill_backend_of(&test_db, conn).await;
            }
            match access {
                Access::Read => FileRepository::get(conn, ann, files[0]).await.map(drop),
                Access::Write => FileRepository::update(conn, ann, files[0], &rename("again.pdf")).await.map(drop),
            }
        });

        outcome.unwrap_or_else(|error| panic!("{access:?}: {error:?}"));
        assert_eq!(attempts.load(Ordering::SeqCst), 2, "{access:?}: once more, on a fresh connection");
    }
    assert!(retries("connect_failed") >= before + 2, "counted in /metrics");
}

#[test]
fn only_failures_that_cannot_have_applied_a_write_are_retried_for_writes() {
    let lost = DbError::Unavailable { reason: "connection lost", retry: Retry::IfReadOnly, source: None };
    let timed_out = DbError::timed_out(Duration::from_secs(1));

    assert_eq!(lost.retry_cause(Access::Read), Some("connection_lost"));
    assert_eq!(lost.retry_cause(Access::Write), None, "the write may have been applied");
    assert_eq!(DbError::not_sent().retry_cause(Access::Write), Some("connect_failed"));
    assert_eq!(timed_out.retry_cause(Access::Read), None, "a deadline already passed");
}
