// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct RequestPasswordResetParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::BytesSql,
    T4: crate::StringSql,
    T5: crate::StringSql,
> {
    pub email: T1,
    pub client_key: T2,
    pub window_seconds: f64,
    pub max_per_account: i32,
    pub max_per_client: i32,
    pub token_hash: T3,
    pub ttl_seconds: f64,
    pub subject: T4,
    pub body: T5,
}
#[derive(Debug)]
pub struct ResetPasswordParams<T1: crate::BytesSql, T2: crate::StringSql> {
    pub token_hash: T1,
    pub hashed_password: T2,
}
#[derive(Clone, Copy, Debug)]
pub struct SweepPasswordResetThrottleParams {
    pub window_seconds: f64,
    pub batch: i64,
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(
        &tokio_postgres::Row,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, tokio_postgres::Error>,
    mapper: fn(Option<chrono::DateTime<chrono::Utc>>) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(Option<chrono::DateTime<chrono::Utc>>) -> R,
    ) -> OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, R, N> {
        OptionchronoDateTimechronoUtcQuery {
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
pub struct I64Query<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<i64, tokio_postgres::Error>,
    mapper: fn(i64) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> I64Query<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(i64) -> R) -> I64Query<'c, 'a, 's, C, R, N> {
        I64Query {
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
pub struct RequestPasswordResetStmt(&'static str, Option<tokio_postgres::Statement>);
/// Someone asks to reset the password of `email`: counts the request
/// against the email (its key made from the same `lower()` the account
/// lookup uses, as in logins.sql) and the client (`client_key`), and,
/// when both are within their limits and an active account has that email
/// in any letter case, stores reset token `token_hash` and puts the mail in
/// the outbox, in one statement and so one transaction: the mail exists
/// exactly when the token does. `retry_at` is when the key over its limit
/// frees up; NULL when within the limits, whether or not the account exists.
pub fn request_password_reset() -> RequestPasswordResetStmt {
    RequestPasswordResetStmt(
        "WITH keys (account_key) AS ( VALUES ('account:' || encode(sha256(convert_to(lower($1), 'UTF8')), 'hex')) ), counted AS ( INSERT INTO password_reset_throttle AS t (key, requests, window_started) SELECT account_key, 1, now() FROM keys UNION ALL SELECT CAST($2 AS text), 1, now() ON CONFLICT (key) DO UPDATE SET requests = CASE WHEN t.window_started + make_interval(secs => $3) <= now() THEN 1 ELSE t.requests + 1 END, window_started = CASE WHEN t.window_started + make_interval(secs => $3) <= now() THEN now() ELSE t.window_started END RETURNING t.key, t.requests, t.window_started + make_interval(secs => $3) AS window_ends ), over_limit AS ( SELECT max(window_ends) AS retry_at FROM counted WHERE requests > CASE WHEN key LIKE 'account:%' THEN CAST($4 AS integer) ELSE CAST($5 AS integer) END ), account AS ( SELECT u.id, u.email FROM users AS u WHERE lower(u.email) = lower($1) AND u.is_active AND (SELECT retry_at FROM over_limit) IS NULL ), token AS ( INSERT INTO password_reset_tokens (token_hash, user_id, expires_at) SELECT $6, id, now() + make_interval(secs => $7) FROM account ), mail AS ( INSERT INTO outbox (kind, recipient, subject, body, discard_after) SELECT 'password_reset', email, $8, $9, now() + make_interval(secs => $7) FROM account ) SELECT retry_at FROM over_limit",
        None,
    )
}
impl RequestPasswordResetStmt {
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
        T3: crate::BytesSql,
        T4: crate::StringSql,
        T5: crate::StringSql,
    >(
        &'s self,
        client: &'c C,
        email: &'a T1,
        client_key: &'a T2,
        window_seconds: &'a f64,
        max_per_account: &'a i32,
        max_per_client: &'a i32,
        token_hash: &'a T3,
        ttl_seconds: &'a f64,
        subject: &'a T4,
        body: &'a T5,
    ) -> OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, Option<chrono::DateTime<chrono::Utc>>, 9>
    {
        OptionchronoDateTimechronoUtcQuery {
            client,
            params: [
                email,
                client_key,
                window_seconds,
                max_per_account,
                max_per_client,
                token_hash,
                ttl_seconds,
                subject,
                body,
            ],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
impl<
    'c,
    'a,
    's,
    C: GenericClient,
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::BytesSql,
    T4: crate::StringSql,
    T5: crate::StringSql,
>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        RequestPasswordResetParams<T1, T2, T3, T4, T5>,
        OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, Option<chrono::DateTime<chrono::Utc>>, 9>,
        C,
    > for RequestPasswordResetStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a RequestPasswordResetParams<T1, T2, T3, T4, T5>,
    ) -> OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, Option<chrono::DateTime<chrono::Utc>>, 9>
    {
        self.bind(
            client,
            &params.email,
            &params.client_key,
            &params.window_seconds,
            &params.max_per_account,
            &params.max_per_client,
            &params.token_hash,
            &params.ttl_seconds,
            &params.subject,
            &params.body,
        )
    }
}
pub struct UsableResetTokenStmt(&'static str, Option<tokio_postgres::Statement>);
/// The active user whose reset token `token_hash` is neither spent nor
/// expired; no row otherwise.
pub fn usable_reset_token() -> UsableResetTokenStmt {
    UsableResetTokenStmt(
        "SELECT t.user_id FROM password_reset_tokens AS t JOIN users AS u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.spent_at IS NULL AND t.expires_at > now() AND u.is_active",
        None,
    )
}
impl UsableResetTokenStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql>(
        &'s self,
        client: &'c C,
        token_hash: &'a T1,
    ) -> I64Query<'c, 'a, 's, C, i64, 1> {
        I64Query {
            client,
            params: [token_hash],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
pub struct LockResetTokenUserStmt(&'static str, Option<tokio_postgres::Statement>);
/// Locks the user of reset token `token_hash` until the transaction ends,
/// before reset_password runs in it: a login that locked the user first
/// (sessions.sql, start_session) has then committed its session, which
/// reset_password's own snapshot now sees and ends. No row for an unknown
/// token.
pub fn lock_reset_token_user() -> LockResetTokenUserStmt {
    LockResetTokenUserStmt(
        "SELECT u.id AS user_id FROM password_reset_tokens AS t JOIN users AS u ON u.id = t.user_id WHERE t.token_hash = $1 FOR NO KEY UPDATE OF u",
        None,
    )
}
impl LockResetTokenUserStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql>(
        &'s self,
        client: &'c C,
        token_hash: &'a T1,
    ) -> I64Query<'c, 'a, 's, C, i64, 1> {
        I64Query {
            client,
            params: [token_hash],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
pub struct ResetPasswordStmt(&'static str, Option<tokio_postgres::Statement>);
/// Spends reset token `token_hash` while it is still usable and, in the
/// same statement, gives its user the password `hashed_password`, spends
/// the user's other reset tokens and ends every session of the user. No row
/// when the token was not usable (two confirmations take turns on its row
/// lock: the second finds it spent).
pub fn reset_password() -> ResetPasswordStmt {
    ResetPasswordStmt(
        "WITH token AS ( UPDATE password_reset_tokens AS t SET spent_at = now() FROM users AS u WHERE t.token_hash = $1 AND t.spent_at IS NULL AND t.expires_at > now() AND u.id = t.user_id AND u.is_active RETURNING t.user_id ), new_password AS ( UPDATE users SET hashed_password = $2 WHERE id IN (SELECT user_id FROM token) ), other_tokens AS ( UPDATE password_reset_tokens SET spent_at = now() WHERE user_id IN (SELECT user_id FROM token) AND spent_at IS NULL AND token_hash <> $1 ), sessions_ended AS ( UPDATE sessions SET ended_at = now() WHERE user_id IN (SELECT user_id FROM token) AND ended_at IS NULL ) SELECT user_id FROM token",
        None,
    )
}
impl ResetPasswordStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql, T2: crate::StringSql>(
        &'s self,
        client: &'c C,
        token_hash: &'a T1,
        hashed_password: &'a T2,
    ) -> I64Query<'c, 'a, 's, C, i64, 2> {
        I64Query {
            client,
            params: [token_hash, hashed_password],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ResetPasswordParams<T1, T2>,
        I64Query<'c, 'a, 's, C, i64, 2>,
        C,
    > for ResetPasswordStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ResetPasswordParams<T1, T2>,
    ) -> I64Query<'c, 'a, 's, C, i64, 2> {
        self.bind(client, &params.token_hash, &params.hashed_password)
    }
}
pub struct PurgePasswordResetTokensStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes up to `batch` spent or expired reset tokens; SKIP LOCKED lets
/// instances purging at once share the work.
pub fn purge_password_reset_tokens() -> PurgePasswordResetTokensStmt {
    PurgePasswordResetTokensStmt(
        "DELETE FROM password_reset_tokens WHERE token_hash IN ( SELECT token_hash FROM password_reset_tokens WHERE spent_at IS NOT NULL OR expires_at <= now() LIMIT $1 FOR UPDATE SKIP LOCKED )",
        None,
    )
}
impl PurgePasswordResetTokensStmt {
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
        batch: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[batch]).await
    }
}
pub struct SweepPasswordResetThrottleStmt(&'static str, Option<tokio_postgres::Statement>);
/// Removes up to `batch` windows that have ended (through the index on
/// `window_started`).
pub fn sweep_password_reset_throttle() -> SweepPasswordResetThrottleStmt {
    SweepPasswordResetThrottleStmt(
        "DELETE FROM password_reset_throttle WHERE key = ANY (ARRAY( SELECT key FROM password_reset_throttle WHERE window_started <= now() - make_interval(secs => $1) ORDER BY window_started LIMIT $2 FOR UPDATE SKIP LOCKED ))",
        None,
    )
}
impl SweepPasswordResetThrottleStmt {
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
        SweepPasswordResetThrottleParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for SweepPasswordResetThrottleStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a SweepPasswordResetThrottleParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.window_seconds, &params.batch))
    }
}
