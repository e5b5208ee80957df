use std::time::Duration;

use reviewpoint::{
    config::Environment,
    db::{self, DbError},
};

use crate::helpers::TestDb;

#[tokio::test]
async fn a_pooled_connection_answers_queries() {
    let db = TestDb::new().await;

    let health = db::check_health(&db.pool(), Duration::from_secs(5)).await;

    assert!(health.healthy, "{health:?}");
}

#[tokio::test]
async fn a_wrong_port_is_a_clear_unavailable_error_and_unhealthy() {
    let db = TestDb::new().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let url = db.url.with_host_and_port("127.0.0.1", closed);
    let pool = db::build_pool(&url, Environment::Test.pool());

    let error = pool.get().await.expect_err("nothing listens there");
    let health = db::check_health(&pool, Duration::from_secs(5)).await;

    assert!(matches!(error, DbError::Unavailable { .. }), "{error:?}");
    assert!(error.to_string().starts_with("database unavailable"), "{error}");
    assert!(!health.healthy);
    assert_eq!(health.problem, Some("cannot reach the server"));
}

#[tokio::test]
async fn wrong_credentials_are_a_clear_error_that_names_no_secret() {
    let db = TestDb::new().await;
    let url = reviewpoint::config::DatabaseUrl::parse(&format!(
        "postgresql://no_such_role:wrong-password@{}:{}/postgres",
        db.url.host_and_port().0,
        db.url.host_and_port().1
    ))
    .expect("valid URL");

    let error = db::connect_once(&url).await.expect_err("the role does not exist");
    let health = db::check_health(&db::build_pool(&url, Environment::Test.pool()), Duration::from_secs(5)).await;

    assert!(!health.healthy);
    assert_eq!(health.problem, Some("connection refused by the server"));
    assert!(matches!(error, DbError::Unavailable { reason: "connection refused by the server", .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("wrong-password"));
}
