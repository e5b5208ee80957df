use std::path::{Path, PathBuf};

use reviewpoint::{
    db,
    domain::{Email, PasswordHash},
    migrate::{MigrateError, Migrator, schema_snapshot},
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
