// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct ReserveLoginAttemptParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub email: T1,
    pub max_per_account: i32,
    pub client_key: T2,
    pub max_per_client: i32,
    pub window_seconds: f64,
}
#[derive(Debug)]
pub struct RefundLoginAttemptParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub email: T1,
    pub account_window: Option<chrono::DateTime<chrono::Utc>>,
    pub max_per_account: i32,
    pub client_key: T2,
    pub client_window: Option<chrono::DateTime<chrono::Utc>>,
    pub max_per_client: i32,
}
#[derive(Clone, Copy, Debug)]
pub struct SweepLoginThrottleParams {
    pub window_seconds: f64,
    pub batch: i64,
}
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveLoginAttempt {
    pub user_id: Option<i64>,
    pub password_hash: Option<String>,
    pub is_active: Option<bool>,
    pub account_window: Option<chrono::DateTime<chrono::Utc>>,
    pub client_window: Option<chrono::DateTime<chrono::Utc>>,
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
}
pub struct ReserveLoginAttemptBorrowed<'a> {
    pub user_id: Option<i64>,
    pub password_hash: Option<&'a str>,
    pub is_active: Option<bool>,
    pub account_window: Option<chrono::DateTime<chrono::Utc>>,
    pub client_window: Option<chrono::DateTime<chrono::Utc>>,
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
}
impl<'a> From<ReserveLoginAttemptBorrowed<'a>> for ReserveLoginAttempt {
    fn from(
        ReserveLoginAttemptBorrowed {
            user_id,
            password_hash,
            is_active,
            account_window,
            client_window,
            retry_at,
        }: ReserveLoginAttemptBorrowed<'a>,
    ) -> Self {
        Self {
            user_id,
            password_hash: password_hash.map(|v| v.into()),
            is_active,
            account_window,
            client_window,
            retry_at,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct ReserveLoginAttemptQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor:
        fn(&tokio_postgres::Row) -> Result<ReserveLoginAttemptBorrowed, tokio_postgres::Error>,
    mapper: fn(ReserveLoginAttemptBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> ReserveLoginAttemptQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(ReserveLoginAttemptBorrowed) -> R,
    ) -> ReserveLoginAttemptQuery<'c, 'a, 's, C, R, N> {
        ReserveLoginAttemptQuery {
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
pub struct ReserveLoginAttemptStmt(&'static str, Option<tokio_postgres::Statement>);
/// Counts one login attempt for `email` from client `client_key` against
/// both keys, each only while it is under its limit, and returns the
/// credentials of the account with that email in any letter case (NULL when
/// there is none). `retry_at` is set when either key is at its limit: the
/// attempt is refused, and the caller gives back the other key's count
/// (refund_login_attempt). `account_window` and `client_window` are when
/// the keys' windows started, which a refund names.
pub fn reserve_login_attempt() -> ReserveLoginAttemptStmt {
    ReserveLoginAttemptStmt(
        "WITH limits (key, max_failures) AS ( VALUES ('account:' || encode(sha256(convert_to(lower($1), 'UTF8')), 'hex'), CAST($2 AS integer)), (CAST($3 AS text), CAST($4 AS integer)) ), counted AS ( INSERT INTO login_throttle AS t (key, failures, window_started, locked_until) SELECT key, 1, now(), CASE WHEN max_failures <= 1 THEN now() + make_interval(secs => $5) END FROM limits ORDER BY key ON CONFLICT (key) DO UPDATE SET failures = CASE WHEN t.window_started + make_interval(secs => $5) <= now() THEN 1 ELSE least(t.failures + 1, (SELECT max_failures + 1 FROM limits WHERE limits.key = t.key)) END, window_started = CASE WHEN t.window_started + make_interval(secs => $5) <= now() THEN now() ELSE t.window_started END, locked_until = CASE WHEN t.window_started + make_interval(secs => $5) <= now() THEN CASE WHEN (SELECT max_failures FROM limits WHERE limits.key = t.key) <= 1 THEN now() + make_interval(secs => $5) END WHEN t.failures + 1 >= (SELECT max_failures FROM limits WHERE limits.key = t.key) THEN t.window_started + make_interval(secs => $5) ELSE t.locked_until END RETURNING t.key, t.failures, t.window_started ), refused AS ( SELECT max(c.window_started + make_interval(secs => $5)) AS retry_at FROM counted AS c JOIN limits AS l ON l.key = c.key WHERE c.failures > l.max_failures ) SELECT u.id AS user_id, u.hashed_password AS password_hash, u.is_active, (SELECT c.window_started FROM counted AS c WHERE c.key LIKE 'account:%') AS account_window, (SELECT c.window_started FROM counted AS c WHERE c.key = $3) AS client_window, (SELECT retry_at FROM refused) AS retry_at FROM (VALUES (1)) AS one (n) LEFT JOIN users AS u ON lower(u.email) = lower($1)",
        None,
    )
}
impl ReserveLoginAttemptStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>(
        &'s self,
        client: &'c C,
        email: &'a T1,
        max_per_account: &'a i32,
        client_key: &'a T2,
        max_per_client: &'a i32,
        window_seconds: &'a f64,
    ) -> ReserveLoginAttemptQuery<'c, 'a, 's, C, ReserveLoginAttempt, 5> {
        ReserveLoginAttemptQuery {
            client,
            params: [email, max_per_account, client_key, max_per_client, window_seconds],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<ReserveLoginAttemptBorrowed, tokio_postgres::Error> {
                Ok(ReserveLoginAttemptBorrowed {
                    user_id: row.try_get(0)?,
                    password_hash: row.try_get(1)?,
                    is_active: row.try_get(2)?,
                    account_window: row.try_get(3)?,
                    client_window: row.try_get(4)?,
                    retry_at: row.try_get(5)?,
                })
            },
            mapper: |it| ReserveLoginAttempt::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ReserveLoginAttemptParams<T1, T2>,
        ReserveLoginAttemptQuery<'c, 'a, 's, C, ReserveLoginAttempt, 5>,
        C,
    > for ReserveLoginAttemptStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ReserveLoginAttemptParams<T1, T2>,
    ) -> ReserveLoginAttemptQuery<'c, 'a, 's, C, ReserveLoginAttempt, 5> {
        self.bind(
            client,
            &params.email,
            &params.max_per_account,
            &params.client_key,
            &params.max_per_client,
            &params.window_seconds,
        )
    }
}
pub struct RefundLoginAttemptStmt(&'static str, Option<tokio_postgres::Statement>);
/// Gives back the attempt that reserve_login_attempt counted against the
/// keys of `email` and `client_key` in the windows it returned: the attempt
/// was refused by the other key. A key at its limit + 1 refused it and is
/// left as it is, and so is a key whose window has started again.
pub fn refund_login_attempt() -> RefundLoginAttemptStmt {
    RefundLoginAttemptStmt(
        "UPDATE login_throttle AS t SET failures = t.failures - 1, locked_until = CASE WHEN t.failures - 1 >= k.max_failures THEN t.locked_until END FROM (VALUES ('account:' || encode(sha256(convert_to(lower($1), 'UTF8')), 'hex'), CAST($2 AS timestamptz), CAST($3 AS integer)), (CAST($4 AS text), CAST($5 AS timestamptz), CAST($6 AS integer))) AS k (key, window_started, max_failures) WHERE t.key = k.key AND t.window_started = k.window_started AND t.failures BETWEEN 1 AND k.max_failures AND t.key IN (SELECT l.key FROM login_throttle AS l WHERE l.key IN (SELECT key FROM (VALUES ('account:' || encode(sha256(convert_to(lower($1), 'UTF8')), 'hex')), (CAST($4 AS text))) AS both_keys (key)) ORDER BY l.key FOR UPDATE)",
        None,
    )
}
impl RefundLoginAttemptStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub async fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>(
        &'s self,
        client: &'c C,
        email: &'a T1,
        account_window: &'a Option<chrono::DateTime<chrono::Utc>>,
        max_per_account: &'a i32,
        client_key: &'a T2,
        client_window: &'a Option<chrono::DateTime<chrono::Utc>>,
        max_per_client: &'a i32,
    ) -> Result<u64, tokio_postgres::Error> {
        client
            .execute(
                self.0,
                &[
                    email,
                    account_window,
                    max_per_account,
                    client_key,
                    client_window,
                    max_per_client,
                ],
            )
            .await
    }
}
impl<'a, C: GenericClient + Send + Sync, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        RefundLoginAttemptParams<T1, T2>,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for RefundLoginAttemptStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a RefundLoginAttemptParams<T1, T2>,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(
            client,
            &params.email,
            &params.account_window,
            &params.max_per_account,
            &params.client_key,
            &params.client_window,
            &params.max_per_client,
        ))
    }
}
pub struct SweepLoginThrottleStmt(&'static str, Option<tokio_postgres::Statement>);
/// Removes up to `batch` windows that ended, and their locks with them
/// (through the index on `window_started`).
pub fn sweep_login_throttle() -> SweepLoginThrottleStmt {
    SweepLoginThrottleStmt(
        "DELETE FROM login_throttle WHERE key = ANY (ARRAY( SELECT key FROM login_throttle WHERE window_started <= now() - make_interval(secs => $1) ORDER BY window_started LIMIT $2 FOR UPDATE SKIP LOCKED ))",
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
        batch: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[window_seconds, batch]).await
    }
}
impl<'a, C: GenericClient + Send + Sync>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        SweepLoginThrottleParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for SweepLoginThrottleStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a SweepLoginThrottleParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.window_seconds, &params.batch))
    }
}
