use std::time::Duration;

use reviewpoint::{
    db::{DbError, in_transaction},
    domain::{Email, PasswordHash},
    repo::UserRepository,
};

use crate::helpers::TestDb;

fn email(text: &str) -> Email {
    Email::parse(text).expect("valid email")
}

fn hash() -> PasswordHash {
    PasswordHash::new("$argon2id$v=19$m=19456,t=2,p=1$placeholder".into())
}

#[tokio::test]
async fn work_that_succeeds_is_committed() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let mut client = pool.get().await.expect("connection");

    let created =
        in_transaction(&mut client, async |tx| UserRepository::create(tx, &email("a@example.com"), &hash()).await)
            .await
            .expect("committed");

    let found = UserRepository::by_id(&client, created.id).await.expect("query");
    assert_eq!(found, Some(created));
}

#[tokio::test]
async fn work_that_fails_is_rolled_back() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let mut client = pool.get().await.expect("connection");

    let result: Result<(), DbError> = in_transaction(&mut client, async |tx| {
        UserRepository::create(tx, &email("a@example.com"), &hash()).await?;
        // The second insert breaks the unique email: the first must go too.
        UserRepository::create(tx, &email("A@EXAMPLE.COM"), &hash()).await?;
        Ok(())
    })
    .await;

    assert!(matches!(result, Err(DbError::Conflict { .. })), "{result:?}");
    assert!(UserRepository::credentials(&client, &email("a@example.com")).await.expect("query").is_none());
}

#[tokio::test]
async fn work_dropped_before_commit_is_rolled_back() {
    let db = TestDb::new().await;
    let pool = db.pool();
    let mut client = pool.get().await.expect("connection");

    let cancelled = tokio::time::timeout(
        Duration::from_millis(200),
        in_transaction(&mut client, async |tx| {
            UserRepository::create(tx, &email("a@example.com"), &hash()).await?;
            std::future::pending::<()>().await;
            Ok::<_, DbError>(())
        }),
    )
    .await;

    assert!(cancelled.is_err(), "the work never finishes, so the timeout drops it");
    assert!(UserRepository::credentials(&client, &email("a@example.com")).await.expect("query").is_none());
}
