use std::path::{Path, PathBuf};

use reviewpoint::{
    db,
    domain::{Email, PasswordHash},
    migrate::{self, MigrateError, Migrator, schema_snapshot},
    repo::UserRepository,
};

use crate::helpers::{self, TestDb};

fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// A scratch copy of `migrations/` plus the given fixture folders.
fn migrations_copy(fixtures: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rvt-migrations-{}-{}", std::process::id(), rand_suffix()));
    let mut sources: Vec<PathBuf> = std::fs::read_dir(repo_path("migrations"))
        .expect("migrations/")
        .map(|entry| entry.expect("entry").path())
        .collect();
    sources.extend(fixtures.iter().map(|fixture| repo_path(fixture)));
    for source in sources {
        let target = dir.join(source.file_name().expect("folder name"));
        std::fs::create_dir_all(&target).expect("create");
        for file in ["up.sql", "down.sql"] {
            std::fs::copy(source.join(file), target.join(file)).expect("copy");
        }
    }
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos()
}

#[tokio::test]
async fn every_migration_reverts_to_exactly_the_schema_before_it() {
    let db = TestDb::empty().await;
    let mut client = db::connect_once(&db.url).await.expect("connect");
    let all = Migrator::embedded();
    let count = all.migrations().len();
    assert!(count > 0);

    let mut snapshots = vec![schema_snapshot(&client).await.expect("catalog")];
    for step in 1..=count {
        all.first(step).up(&mut client).await.expect("up");
        snapshots.push(schema_snapshot(&client).await.expect("catalog"));
        assert_ne!(snapshots[step], snapshots[step - 1], "migration {step} changes the schema");
    }
    for step in (1..=count).rev() {
        all.down(&mut client, 1).await.expect("down");
        assert_eq!(schema_snapshot(&client).await.expect("catalog"), snapshots[step - 1], "down of migration {step}");
    }
    all.up(&mut client).await.expect("up again");

    assert_eq!(schema_snapshot(&client).await.expect("catalog"), snapshots[count]);
    assert!(all.is_current(&mut client).await.expect("status"));
}

#[tokio::test]
async fn an_applied_migration_whose_file_changed_is_refused() {
    let db = TestDb::empty().await;
    let mut client = db::connect_once(&db.url).await.expect("connect");
    let dir = migrations_copy(&[]);
    Migrator::from_dir(&dir).expect("read").up(&mut client).await.expect("up");
    let first = std::fs::read_dir(&dir).expect("dir").next().expect("a migration").expect("entry").path();
    let up = first.join("up.sql");
    let edited = std::fs::read_to_string(&up).expect("read") + "\n-- edited after it was applied\n";
    std::fs::write(&up, edited).expect("edit");

    let result = Migrator::from_dir(&dir).expect("read").up(&mut client).await;

    assert!(matches!(result, Err(MigrateError::Changed(_))), "{result:?}");
    assert!(result.expect_err("refused").to_string().contains("files have changed"));
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[tokio::test]
async fn two_migrators_at_once_apply_each_migration_once() {
    let db = TestDb::empty().await;
    let mut first = db::connect_once(&db.url).await.expect("connect");
    let mut second = db::connect_once(&db.url).await.expect("connect");
    let migrator = Migrator::embedded();

    let (a, b) = tokio::join!(migrator.up(&mut first), migrator.up(&mut second));

    let applied = a.expect("first").len() + b.expect("second").len();
    assert_eq!(applied, migrator.migrations().len());
    assert!(migrator.is_current(&mut first).await.expect("status"));
}

#[tokio::test]
async fn cached_statements_recover_after_a_migration_changes_their_result_type() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let hash = PasswordHash::new("$argon2id$placeholder".into());
    let user = {
        let client = pool.get().await.expect("connection");
        let user =
            UserRepository::create(&client, &Email::parse("a@example.com").expect("valid"), &hash).await.expect("user");
        UserRepository::by_id(&client, user.id).await.expect("cached now");
        user
    };
    let dir = migrations_copy(&["tests/fixtures/stale_plan/20991231000000_widen_user_email"]);
    let mut admin = db::connect_once(&db.url).await.expect("connect");
    Migrator::from_dir(&dir).expect("read").up(&mut admin).await.expect("widen email");

    let client = pool.get().await.expect("the same pooled connection");
    let found = UserRepository::by_id(&client, user.id).await;

    assert_eq!(found.expect("re-prepared instead of failing"), Some(user));
    std::fs::remove_dir_all(dir).expect("clean up");
}

/// The stale plan is recognised by its SQLSTATE, not by its English message:
/// the same recovery on a server that answers in German.
#[tokio::test]
async fn cached_statements_recover_from_a_server_that_speaks_german() {
    use testcontainers_modules::testcontainers::core::{CmdWaitFor, ExecCommand};

    let container = helpers::container().await;
    // Compiled into a folder, not the locale archive, so the running server
    // finds it without a restart; the image ships the German catalogue.
    let localedef = ["localedef", "--no-archive", "-i", "de_DE", "-c", "-f", "UTF-8", "de_DE.UTF-8"];
    container
        .exec(ExecCommand::new(localedef).with_cmd_ready_condition(CmdWaitFor::exit_code(0)))
        .await
        .expect("the image can compile the de_DE.UTF-8 locale");
    let port = container.get_host_port_ipv4(5432).await.expect("mapped port");
    let url =
        format!("postgresql://postgres:postgres@127.0.0.1:{port}/postgres?options=-c%20lc_messages%3Dde_DE.UTF-8");
    let url = reviewpoint::config::DatabaseUrl::parse(&url).expect("valid URL");
    let mut admin = db::connect_once(&url).await.expect("connect");
    Migrator::embedded().up(&mut admin).await.expect("migrate");
    let failing = migrations_copy(&["tests/fixtures/failing/20991231000001_divide_by_zero"]);
    let error = Migrator::from_dir(&failing).expect("read").up(&mut admin).await.expect_err("1 / 0 fails");
    assert!(
        format!("{error:?}").to_lowercase().contains("division durch null"),
        "the server answers in German: {error:?}"
    );

    let pool = db::build_pool(&url, reviewpoint::config::Environment::Test.pool());
    let user = {
        let client = pool.get().await.expect("connection");
        let email = Email::parse("a@example.com").expect("valid");
        let user =
            UserRepository::create(&client, &email, &PasswordHash::new("$argon2id$x".into())).await.expect("user");
        UserRepository::by_id(&client, user.id).await.expect("cached now");
        user
    };
    let widen = migrations_copy(&["tests/fixtures/stale_plan/20991231000000_widen_user_email"]);
    Migrator::from_dir(&widen).expect("read").up(&mut admin).await.expect("widen email");

    let client = pool.get().await.expect("the same pooled connection");
    let found = UserRepository::by_id(&client, user.id).await;

    assert_eq!(found.expect("re-prepared instead of failing"), Some(user));
    for dir in [failing, widen] {
        std::fs::remove_dir_all(dir).expect("clean up");
    }
}

/// A scratch copy of `migrations/` with one more migration, `folder`.
fn migrations_plus(folder: &str, up: &str, down: &str) -> PathBuf {
    let dir = migrations_copy(&[]);
    std::fs::create_dir_all(dir.join(folder)).expect("create");
    std::fs::write(dir.join(folder).join("up.sql"), up).expect("up.sql");
    std::fs::write(dir.join(folder).join("down.sql"), down).expect("down.sql");
    dir
}

#[tokio::test]
async fn status_takes_no_lock_and_writes_nothing() {
    let db = TestDb::empty().await;
    let mut read_only = db::connect_once(&db.url).await.expect("connect");
    read_only.batch_execute("SET default_transaction_read_only = on").await.expect("read-only");
    let migrator = Migrator::embedded();
    let before = migrator.status(&mut read_only).await.expect("status on an empty, read-only database");
    let mut client = db::connect_once(&db.url).await.expect("connect");
    migrator.up(&mut client).await.expect("up");
    // A migrator at work holds the advisory lock; status does not wait for it.
    client.execute("SELECT pg_advisory_lock($1)", &[&migrate::LOCK_KEY]).await.expect("lock");
    let after = tokio::time::timeout(std::time::Duration::from_secs(5), migrator.status(&mut read_only)).await;

    assert!(before.iter().all(|status| status.applied_at.is_none()));
    let after = after.expect("status does not wait for the migrators' lock").expect("status");
    assert!(after.iter().all(|status| status.applied_at.is_some()));
}

#[tokio::test]
async fn a_migration_older_than_the_latest_applied_is_refused() {
    let db = TestDb::empty().await;
    let mut client = db::connect_once(&db.url).await.expect("connect");
    Migrator::embedded().up(&mut client).await.expect("up");
    let dir = migrations_plus(
        "20000101000000_from_an_old_branch",
        "CREATE TABLE old_branch (id int);\n",
        "DROP TABLE old_branch;\n",
    );

    let result = Migrator::from_dir(&dir).expect("read").up(&mut client).await;

    let error = result.expect_err("refused");
    assert!(matches!(error, MigrateError::OutOfOrder { .. }), "{error:?}");
    assert!(error.to_string().contains("20000101000000_from_an_old_branch is older than"), "{error}");
    let status = Migrator::from_dir(&dir).expect("read").status(&mut client).await.expect("status");
    assert!(status.iter().any(|s| s.name == "from_an_old_branch" && s.applied_at.is_none()), "nothing applied");
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[tokio::test]
async fn ddl_behind_a_long_transaction_gives_up_its_lock_wait_retries_and_never_stalls_readers_for_long() {
    let db = TestDb::new().await;
    let dir = migrations_plus(
        "20991231000002_add_nickname",
        "ALTER TABLE users ADD COLUMN nickname text;\n",
        "ALTER TABLE users DROP COLUMN nickname;\n",
    );
    let migrator = Migrator::from_dir(&dir).expect("read").with_lock_timeout(std::time::Duration::from_millis(50));
    let blocker = db::connect_once(&db.url).await.expect("connect");
    let observer = db::connect_once(&db.url).await.expect("connect");

    // Held throughout: every try times out, and the run ends with a clear error.
    blocker.batch_execute("BEGIN; SELECT count(*) FROM users").await.expect("a long transaction");
    let mut client = db::connect_once(&db.url).await.expect("connect");
    let started = std::time::Instant::now();
    let exhausted = migrator.up(&mut client).await;
    let gave_up_after = started.elapsed();

    // Released after the first try timed out: a later try succeeds.
    let mut migrating = db::connect_once(&db.url).await.expect("connect");
    let pid = db::admin::backend_pid(&migrating).await.expect("pid");
    let run = tokio::spawn(async move { migrator.up(&mut migrating).await });
    while !db::admin::is_waiting_for_lock(&observer, pid).await.expect("activity") {
        tokio::task::yield_now().await;
    }
    let reader_started = std::time::Instant::now();
    observer.query_one("SELECT count(*) FROM users", &[]).await.expect("a reader");
    let reader_waited = reader_started.elapsed();
    while db::admin::is_waiting_for_lock(&observer, pid).await.expect("activity") {
        tokio::task::yield_now().await;
    }
    blocker.batch_execute("COMMIT").await.expect("end the long transaction");
    let applied = run.await.expect("joined");

    let error = exhausted.expect_err("the lock was never free");
    assert!(matches!(error, MigrateError::LockTimeout { attempts: 5, .. }), "{error:?}");
    assert!(error.to_string().contains("a long transaction holds them"), "{error}");
    assert!(gave_up_after < std::time::Duration::from_secs(5), "bounded: {gave_up_after:?}");
    assert!(
        reader_waited < std::time::Duration::from_secs(1),
        "a reader queued behind the DDL waited {reader_waited:?}"
    );
    assert_eq!(applied.expect("applied on a later try").len(), 1);
    let column: i64 = observer
        .query_one(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'",
            &[],
        )
        .await
        .expect("catalog")
        .get(0);
    assert_eq!(column, 1);
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[tokio::test]
async fn a_no_transaction_migration_builds_an_index_concurrently() {
    let db = TestDb::new().await;
    let dir = migrations_plus(
        "20991231000003_index_file_names",
        "-- reviewpoint: no-transaction\n\
         -- A failed build leaves an invalid index: drop it first, so a rerun starts clean.\n\
         DROP INDEX CONCURRENTLY IF EXISTS ix_files_filename;\n\
         CREATE INDEX CONCURRENTLY ix_files_filename ON files (filename);\n",
        "-- reviewpoint: no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS ix_files_filename;\n",
    );
    let mut client = db::connect_once(&db.url).await.expect("connect");
    let migrator = Migrator::from_dir(&dir).expect("read");

    let applied = migrator.up(&mut client).await.expect("up");
    let valid: bool = client
        .query_one("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_files_filename'::regclass", &[])
        .await
        .expect("the index exists")
        .get(0);
    let reverted = migrator.down(&mut client, 1).await.expect("down");
    let gone: Option<String> =
        client.query_one("SELECT to_regclass('ix_files_filename')::text", &[]).await.expect("catalog").get(0);

    assert_eq!(applied.len(), 1);
    assert!(valid, "the concurrently built index is valid");
    assert_eq!(reverted.len(), 1);
    assert_eq!(gone, None);
    std::fs::remove_dir_all(dir).expect("clean up");
}

/// Reverting token families hands each live session's newest token back to
/// `refresh_tokens`, hashed as v1.1 hashes tokens, so a v1.1 server takes it.
#[tokio::test]
async fn reverting_token_families_keeps_each_live_sessions_newest_token() {
    let db = TestDb::new().await;
    let connection = db.pool().get().await.expect("connection");
    let user = UserRepository::create(
        &connection,
        &Email::parse("ann@example.com").expect("email"),
        &PasswordHash::new("!".into()),
    )
    .await
    .expect("user");
    let principal = helpers::sign_in(&connection, user.id).await;
    drop(connection);
    let mut client = db::connect_once(&db.url).await.expect("connect");
    let newest: Vec<u8> =
        client.query_one("SELECT refresh_hash FROM sessions", &[]).await.expect("the session's newest token").get(0);

    let all = Migrator::embedded();
    let families = all.migrations().iter().position(|m| m.name == "refresh_token_families").expect("the migration");
    all.down(&mut client, all.migrations().len() - families).await.expect("down");

    let row = client.query_one("SELECT token_hash, session_id, spent_at IS NULL FROM refresh_tokens", &[]).await;
    let row = row.expect("one token row");
    assert_eq!(
        (row.get::<_, Vec<u8>>(0), row.get::<_, i64>(1), row.get::<_, bool>(2)),
        (newest, principal.session_id, true)
    );
}
