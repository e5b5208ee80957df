// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct LoginAttemptParams<T1: crate::StringSql, T2: crate::StringSql, T3: crate::StringSql> {
    pub account_key: T1,
    pub client_key: T2,
    pub email: T3,
}
#[derive(Debug)]
pub struct RecordLoginFailureParams<T1: crate::StringSql> {
    pub key: T1,
    pub max_failures: i32,
    pub window_seconds: f64,
}
#[derive(Debug, Clone, PartialEq)]
pub struct LoginAttempt {
    pub user_id: Option<i64>,
    pub password_hash: Option<String>,
    pub is_active: Option<bool>,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
}
pub struct LoginAttemptBorrowed<'a> {
    pub user_id: Option<i64>,
    pub password_hash: Option<&'a str>,
    pub is_active: Option<bool>,
    pub locked_until: Option<chrono::DateTime<chrono::Utc>>,
}
impl<'a> From<LoginAttemptBorrowed<'a>> for LoginAttempt {
    fn from(
        LoginAttemptBorrowed {
            user_id,
            password_hash,
            is_active,
            locked_until,
        }: LoginAttemptBorrowed<'a>,
    ) -> Self {
        Self {
            user_id,
            password_hash: password_hash.map(|v| v.into()),
            is_active,
            locked_until,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct LoginAttemptQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<LoginAttemptBorrowed, tokio_postgres::Error>,
    mapper: fn(LoginAttemptBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> LoginAttemptQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(LoginAttemptBorrowed) -> R,
    ) -> LoginAttemptQuery<'c, 'a, 's, C, R, N> {
        LoginAttemptQuery {
            client: self.client,
            params: self.params,
            query: self.query,
            cached: self.cached,
            extractor: self.extractor,
            mapper,
        }
    }
    pub async fn one(self) -> Result<T, tokio_postgres::Error> {
        let row =
            crate::client::async_::one(self.client, self.query, &self.params, self.cached).await?;
        Ok((self.mapper)((self.extractor)(&row)?))
    }
    pub async fn all(self) -> Result<Vec<T>, tokio_postgres::Error> {
        self.iter().await?.try_collect().await
    }
    pub async fn opt(self) -> Result<Option<T>, tokio_postgres::Error> {
        let opt_row =
            crate::client::async_::opt(self.client, self.query, &self.params, self.cached).await?;
        Ok(opt_row
            .map(|row| {
                let extracted = (self.extractor)(&row)?;
                Ok((self.mapper)(extracted))
            })
            .transpose()?)
    }
    pub async fn iter(
        self,
    ) -> Result<
        impl futures::Stream<Item = Result<T, tokio_postgres::Error>> + 'c,
        tokio_postgres::Error,
    > {
        let stream = crate::client::async_::raw(
            self.client,
            self.query,
            crate::slice_iter(&self.params),
            self.cached,
        )
        .await?;
        let mapped = stream
            .map(move |res| {
                res.and_then(|row| {
                    let extracted = (self.extractor)(&row)?;
                    Ok((self.mapper)(extracted))
                })
            })
            .into_stream();
        Ok(mapped)
    }
}
pub struct LoginAttemptStmt(&'static str, Option<tokio_postgres::Statement>);
/// One round trip before any password is checked: the credentials of the
/// account named `email` in any letter case (NULL when there is none), and
/// until when the account or the client is locked (NULL when neither is).
/// A successful login forgets the account's failures as it starts the
/// session (sessions.sql, start_session).
pub fn login_attempt() -> LoginAttemptStmt {
    LoginAttemptStmt(
        "SELECT u.id AS user_id, u.hashed_password AS password_hash, u.is_active, (SELECT max(t.locked_until) FROM login_throttle AS t WHERE t.key IN ($1, $2) AND t.locked_until > now()) AS locked_until FROM (VALUES (1)) AS one (n) LEFT JOIN users AS u ON lower(u.email) = lower($3)",
        None,
    )
}
impl LoginAttemptStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<
        'c,
        'a,
        's,
        C: GenericClient,
        T1: crate::StringSql,
        T2: crate::StringSql,
        T3: crate::StringSql,
    >(
        &'s self,
        client: &'c C,
        account_key: &'a T1,
        client_key: &'a T2,
        email: &'a T3,
    ) -> LoginAttemptQuery<'c, 'a, 's, C, LoginAttempt, 3> {
        LoginAttemptQuery {
            client,
            params: [account_key, client_key, email],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<LoginAttemptBorrowed, tokio_postgres::Error> {
                    Ok(LoginAttemptBorrowed {
                        user_id: row.try_get(0)?,
                        password_hash: row.try_get(1)?,
                        is_active: row.try_get(2)?,
                        locked_until: row.try_get(3)?,
                    })
                },
            mapper: |it| LoginAttempt::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql, T3: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        LoginAttemptParams<T1, T2, T3>,
        LoginAttemptQuery<'c, 'a, 's, C, LoginAttempt, 3>,
        C,
    > for LoginAttemptStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a LoginAttemptParams<T1, T2, T3>,
    ) -> LoginAttemptQuery<'c, 'a, 's, C, LoginAttempt, 3> {
        self.bind(
            client,
            &params.account_key,
            &params.client_key,
            &params.email,
        )
    }
}
pub struct RecordLoginFailureStmt(&'static str, Option<tokio_postgres::Statement>);
/// Counts one failed login against `key`: a new window when the last one has
/// ended, and a lock until the window ends once `max_failures` are reached.
pub fn record_login_failure() -> RecordLoginFailureStmt {
    RecordLoginFailureStmt(
        "INSERT INTO login_throttle AS t (key, failures, window_started, locked_until) VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END) ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN t.window_started + make_interval(secs => $3) <= now() THEN 1 ELSE t.failures + 1 END, window_started = CASE WHEN t.window_started + make_interval(secs => $3) <= now() THEN now() ELSE t.window_started END, locked_until = CASE WHEN t.window_started + make_interval(secs => $3) <= now() THEN CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END WHEN t.failures + 1 >= $2 THEN t.window_started + make_interval(secs => $3) END",
        None,
    )
}
impl RecordLoginFailureStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub async fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql>(
        &'s self,
        client: &'c C,
        key: &'a T1,
        max_failures: &'a i32,
        window_seconds: &'a f64,
    ) -> Result<u64, tokio_postgres::Error> {
        client
            .execute(self.0, &[key, max_failures, window_seconds])
            .await
    }
}
impl<'a, C: GenericClient + Send + Sync, T1: crate::StringSql>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        RecordLoginFailureParams<T1>,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for RecordLoginFailureStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a RecordLoginFailureParams<T1>,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(
            client,
            &params.key,
            &params.max_failures,
            &params.window_seconds,
        ))
    }
}
pub struct SweepLoginThrottleStmt(&'static str, Option<tokio_postgres::Statement>);
/// Removes the windows that have ended, and their locks with them.
pub fn sweep_login_throttle() -> SweepLoginThrottleStmt {
    SweepLoginThrottleStmt(
        "DELETE FROM login_throttle WHERE window_started + make_interval(secs => $1) <= now()",
        None,
    )
}
impl SweepLoginThrottleStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub async fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        window_seconds: &'a f64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[window_seconds]).await
    }
}
