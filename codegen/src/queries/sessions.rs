// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct StartSessionParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::BytesSql,
    T4: crate::BytesSql,
    T5: crate::StringSql,
    T6: crate::StringSql,
> {
    pub user_id: i64,
    pub password_hash: T1,
    pub user_agent: Option<T2>,
    pub ttl_seconds: f64,
    pub family_hash: T3,
    pub token_hash: T4,
    pub email: T5,
    pub client_key: T6,
    pub max_per_client: i32,
    pub client_window: Option<chrono::DateTime<chrono::Utc>>,
}
#[derive(Debug)]
pub struct RotateRefreshTokenParams<T1: crate::BytesSql, T2: crate::BytesSql, T3: crate::BytesSql> {
    pub next_hash: T1,
    pub ttl_seconds: f64,
    pub family_hash: T2,
    pub token_hash: T3,
}
#[derive(Debug)]
pub struct EndReusedRefreshFamilyParams<T1: crate::BytesSql, T2: crate::BytesSql> {
    pub family_hash: T1,
    pub token_hash: T2,
}
#[derive(Debug)]
pub struct RotateLegacyRefreshTokenParams<
    T1: crate::BytesSql,
    T2: crate::BytesSql,
    T3: crate::BytesSql,
> {
    pub old_hash: T1,
    pub family_hash: T2,
    pub next_hash: T3,
    pub ttl_seconds: f64,
    pub session_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct EndOwnSessionParams {
    pub caller_session_id: i64,
    pub user_id: i64,
    pub session_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct LiveSessionsParams {
    pub user_id: i64,
    pub session_id: i64,
    pub max_sessions: i64,
}
#[derive(Debug, Clone, PartialEq, Copy)]
pub struct StartSession {
    pub id: i64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
#[derive(Debug, Clone, PartialEq, Copy)]
pub struct RotateRefreshToken {
    pub id: i64,
    pub user_id: i64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}
#[derive(Debug, Clone, PartialEq, Copy)]
pub struct LegacyRefreshTokenForUpdate {
    pub session_id: i64,
    pub user_id: i64,
    pub spent: bool,
    pub usable: bool,
}
#[derive(Debug, Clone, PartialEq, Copy)]
pub struct EndOwnSession {
    pub caller_live: bool,
    pub ended: bool,
}
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    pub user_agent: Option<String>,
}
pub struct SessionBorrowed<'a> {
    pub id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    pub user_agent: Option<&'a str>,
}
impl<'a> From<SessionBorrowed<'a>> for Session {
    fn from(
        SessionBorrowed {
            id,
            created_at,
            last_used_at,
            user_agent,
        }: SessionBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            created_at,
            last_used_at,
            user_agent: user_agent.map(|v| v.into()),
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct StartSessionQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<StartSession, tokio_postgres::Error>,
    mapper: fn(StartSession) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> StartSessionQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(StartSession) -> R) -> StartSessionQuery<'c, 'a, 's, C, R, N> {
        StartSessionQuery {
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
pub struct RotateRefreshTokenQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<RotateRefreshToken, tokio_postgres::Error>,
    mapper: fn(RotateRefreshToken) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> RotateRefreshTokenQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(RotateRefreshToken) -> R,
    ) -> RotateRefreshTokenQuery<'c, 'a, 's, C, R, N> {
        RotateRefreshTokenQuery {
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
pub struct LegacyRefreshTokenForUpdateQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor:
        fn(&tokio_postgres::Row) -> Result<LegacyRefreshTokenForUpdate, tokio_postgres::Error>,
    mapper: fn(LegacyRefreshTokenForUpdate) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> LegacyRefreshTokenForUpdateQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(LegacyRefreshTokenForUpdate) -> R,
    ) -> LegacyRefreshTokenForUpdateQuery<'c, 'a, 's, C, R, N> {
        LegacyRefreshTokenForUpdateQuery {
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
pub struct ChronoDateTimechronoUtcQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor:
        fn(&tokio_postgres::Row) -> Result<chrono::DateTime<chrono::Utc>, tokio_postgres::Error>,
    mapper: fn(chrono::DateTime<chrono::Utc>) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> ChronoDateTimechronoUtcQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(chrono::DateTime<chrono::Utc>) -> R,
    ) -> ChronoDateTimechronoUtcQuery<'c, 'a, 's, C, R, N> {
        ChronoDateTimechronoUtcQuery {
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
pub struct EndOwnSessionQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<EndOwnSession, tokio_postgres::Error>,
    mapper: fn(EndOwnSession) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> EndOwnSessionQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(EndOwnSession) -> R) -> EndOwnSessionQuery<'c, 'a, 's, C, R, N> {
        EndOwnSessionQuery {
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
pub struct SessionQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<SessionBorrowed, tokio_postgres::Error>,
    mapper: fn(SessionBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> SessionQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(SessionBorrowed) -> R) -> SessionQuery<'c, 'a, 's, C, R, N> {
        SessionQuery {
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
pub struct StartSessionStmt(&'static str, Option<tokio_postgres::Statement>);
/// Login as `email`: a session for active user `user_id` whose password hash is still
/// `password_hash`, the one the password was checked against, of refresh
/// token family `family_hash` with first token `token_hash`; the login recorded on the account, the account's
/// attempts forgotten and the one counted against `client_key` in the window
/// that started at `client_window` given back; in one statement. No row when
/// the user is not active or their password changed since it was checked.
///
/// The user's row is locked first, and a lock re-reads a row changed since
/// the statement began: a password reset or change that committed while the
/// password was being checked is seen, and no session starts with the old
/// password. One that comes after waits for this statement, locks the same
/// row first (lock_reset_token_user, lock_user_for_password_change), and
/// then sees this session and ends it.
pub fn start_session() -> StartSessionStmt {
    StartSessionStmt(
        "WITH account AS ( SELECT id FROM users WHERE id = $1 AND is_active AND hashed_password = $2 FOR NO KEY UPDATE ), session AS ( INSERT INTO sessions (user_id, user_agent, expires_at, refresh_family, refresh_hash) SELECT id, $3, now() + make_interval(secs => $4), $5, $6 FROM account RETURNING id, user_id, expires_at ), login AS ( UPDATE users SET last_login_at = now() WHERE id IN (SELECT user_id FROM session) ), throttle AS ( SELECT key FROM login_throttle WHERE key IN ('account:' || encode(sha256(convert_to(lower($7), 'UTF8')), 'hex'), $8) AND EXISTS (SELECT 1 FROM session) ORDER BY key FOR UPDATE ), attempts_settled AS ( UPDATE login_throttle AS t SET failures = CASE WHEN t.key = $8 THEN t.failures - 1 ELSE 0 END, locked_until = CASE WHEN t.key = $8 AND t.failures - 1 >= $9 THEN t.locked_until END WHERE t.key IN (SELECT key FROM throttle) AND (t.key <> $8 OR (t.window_started = $10 AND t.failures BETWEEN 1 AND $9)) ) SELECT id, expires_at FROM session",
        None,
    )
}
impl StartSessionStmt {
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
        T4: crate::BytesSql,
        T5: crate::StringSql,
        T6: crate::StringSql,
    >(
        &'s self,
        client: &'c C,
        user_id: &'a i64,
        password_hash: &'a T1,
        user_agent: &'a Option<T2>,
        ttl_seconds: &'a f64,
        family_hash: &'a T3,
        token_hash: &'a T4,
        email: &'a T5,
        client_key: &'a T6,
        max_per_client: &'a i32,
        client_window: &'a Option<chrono::DateTime<chrono::Utc>>,
    ) -> StartSessionQuery<'c, 'a, 's, C, StartSession, 10> {
        StartSessionQuery {
            client,
            params: [
                user_id,
                password_hash,
                user_agent,
                ttl_seconds,
                family_hash,
                token_hash,
                email,
                client_key,
                max_per_client,
                client_window,
            ],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<StartSession, tokio_postgres::Error> {
                Ok(StartSession {
                    id: row.try_get(0)?,
                    expires_at: row.try_get(1)?,
                })
            },
            mapper: |it| StartSession::from(it),
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
    T4: crate::BytesSql,
    T5: crate::StringSql,
    T6: crate::StringSql,
>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        StartSessionParams<T1, T2, T3, T4, T5, T6>,
        StartSessionQuery<'c, 'a, 's, C, StartSession, 10>,
        C,
    > for StartSessionStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a StartSessionParams<T1, T2, T3, T4, T5, T6>,
    ) -> StartSessionQuery<'c, 'a, 's, C, StartSession, 10> {
        self.bind(
            client,
            &params.user_id,
            &params.password_hash,
            &params.user_agent,
            &params.ttl_seconds,
            &params.family_hash,
            &params.token_hash,
            &params.email,
            &params.client_key,
            &params.max_per_client,
            &params.client_window,
        )
    }
}
pub struct RotateRefreshTokenStmt(&'static str, Option<tokio_postgres::Statement>);
/// Spends `token_hash`, the newest token of refresh token family
/// `family_hash`, and gives its session `next_hash` (of the same family),
/// expiring `ttl_seconds` from now, as does the session. No row when the
/// token is not its family's newest, the session is not live or its user
/// not active. Two refreshes with one token take turns on the session's
/// row, and the second, re-reading it, finds the token spent.
pub fn rotate_refresh_token() -> RotateRefreshTokenStmt {
    RotateRefreshTokenStmt(
        "UPDATE sessions AS s SET refresh_hash = $1, last_used_at = now(), expires_at = now() + make_interval(secs => $2) FROM users AS u WHERE s.refresh_family = $3 AND s.refresh_hash = $4 AND s.ended_at IS NULL AND s.expires_at > now() AND u.id = s.user_id AND u.is_active RETURNING s.id, s.user_id, s.expires_at",
        None,
    )
}
impl RotateRefreshTokenStmt {
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
        T1: crate::BytesSql,
        T2: crate::BytesSql,
        T3: crate::BytesSql,
    >(
        &'s self,
        client: &'c C,
        next_hash: &'a T1,
        ttl_seconds: &'a f64,
        family_hash: &'a T2,
        token_hash: &'a T3,
    ) -> RotateRefreshTokenQuery<'c, 'a, 's, C, RotateRefreshToken, 4> {
        RotateRefreshTokenQuery {
            client,
            params: [next_hash, ttl_seconds, family_hash, token_hash],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<RotateRefreshToken, tokio_postgres::Error> {
                    Ok(RotateRefreshToken {
                        id: row.try_get(0)?,
                        user_id: row.try_get(1)?,
                        expires_at: row.try_get(2)?,
                    })
                },
            mapper: |it| RotateRefreshToken::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql, T2: crate::BytesSql, T3: crate::BytesSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        RotateRefreshTokenParams<T1, T2, T3>,
        RotateRefreshTokenQuery<'c, 'a, 's, C, RotateRefreshToken, 4>,
        C,
    > for RotateRefreshTokenStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a RotateRefreshTokenParams<T1, T2, T3>,
    ) -> RotateRefreshTokenQuery<'c, 'a, 's, C, RotateRefreshToken, 4> {
        self.bind(
            client,
            &params.next_hash,
            &params.ttl_seconds,
            &params.family_hash,
            &params.token_hash,
        )
    }
}
pub struct EndReusedRefreshFamilyStmt(&'static str, Option<tokio_postgres::Statement>);
/// Ends the session of refresh token family `family_hash` when its newest
/// token is not `token_hash`: an earlier token of the family was presented
/// again, so two holders have it (theft). No row when there is no such
/// session or it has ended already.
pub fn end_reused_refresh_family() -> EndReusedRefreshFamilyStmt {
    EndReusedRefreshFamilyStmt(
        "UPDATE sessions SET ended_at = now() WHERE refresh_family = $1 AND refresh_hash <> $2 AND ended_at IS NULL RETURNING id",
        None,
    )
}
impl EndReusedRefreshFamilyStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql, T2: crate::BytesSql>(
        &'s self,
        client: &'c C,
        family_hash: &'a T1,
        token_hash: &'a T2,
    ) -> I64Query<'c, 'a, 's, C, i64, 2> {
        I64Query {
            client,
            params: [family_hash, token_hash],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql, T2: crate::BytesSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        EndReusedRefreshFamilyParams<T1, T2>,
        I64Query<'c, 'a, 's, C, i64, 2>,
        C,
    > for EndReusedRefreshFamilyStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a EndReusedRefreshFamilyParams<T1, T2>,
    ) -> I64Query<'c, 'a, 's, C, i64, 2> {
        self.bind(client, &params.family_hash, &params.token_hash)
    }
}
pub struct LegacyRefreshTokenForUpdateStmt(&'static str, Option<tokio_postgres::Statement>);
/// The refresh token issued before token families with hash `token_hash`, locked until the transaction
/// ends so that two refreshes with one token take turns: whether it was
/// spent already, and whether it could be spent now (unexpired, its session
/// live, its user active).
pub fn legacy_refresh_token_for_update() -> LegacyRefreshTokenForUpdateStmt {
    LegacyRefreshTokenForUpdateStmt(
        "SELECT t.session_id, s.user_id, t.spent_at IS NOT NULL AS spent, (t.expires_at > now() AND s.ended_at IS NULL AND s.expires_at > now() AND u.is_active) AS usable FROM refresh_tokens AS t JOIN sessions AS s ON s.id = t.session_id JOIN users AS u ON u.id = s.user_id WHERE t.token_hash = $1 FOR UPDATE OF t",
        None,
    )
}
impl LegacyRefreshTokenForUpdateStmt {
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
    ) -> LegacyRefreshTokenForUpdateQuery<'c, 'a, 's, C, LegacyRefreshTokenForUpdate, 1> {
        LegacyRefreshTokenForUpdateQuery {
            client,
            params: [token_hash],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<LegacyRefreshTokenForUpdate, tokio_postgres::Error> {
                Ok(LegacyRefreshTokenForUpdate {
                    session_id: row.try_get(0)?,
                    user_id: row.try_get(1)?,
                    spent: row.try_get(2)?,
                    usable: row.try_get(3)?,
                })
            },
            mapper: |it| LegacyRefreshTokenForUpdate::from(it),
        }
    }
}
pub struct RotateLegacyRefreshTokenStmt(&'static str, Option<tokio_postgres::Statement>);
/// Spends refresh token `old_hash`, issued before token families, and moves
/// its session to family `family_hash` with newest token `next_hash`, which
/// expires `ttl_seconds` from now, as does the session. The spent row stays
/// until it expires, so presenting it again still ends the session.
pub fn rotate_legacy_refresh_token() -> RotateLegacyRefreshTokenStmt {
    RotateLegacyRefreshTokenStmt(
        "WITH spent AS ( UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1 ) UPDATE sessions SET refresh_family = $2, refresh_hash = $3, last_used_at = now(), expires_at = now() + make_interval(secs => $4) WHERE id = $5 RETURNING expires_at",
        None,
    )
}
impl RotateLegacyRefreshTokenStmt {
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
        T1: crate::BytesSql,
        T2: crate::BytesSql,
        T3: crate::BytesSql,
    >(
        &'s self,
        client: &'c C,
        old_hash: &'a T1,
        family_hash: &'a T2,
        next_hash: &'a T3,
        ttl_seconds: &'a f64,
        session_id: &'a i64,
    ) -> ChronoDateTimechronoUtcQuery<'c, 'a, 's, C, chrono::DateTime<chrono::Utc>, 5> {
        ChronoDateTimechronoUtcQuery {
            client,
            params: [old_hash, family_hash, next_hash, ttl_seconds, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql, T2: crate::BytesSql, T3: crate::BytesSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        RotateLegacyRefreshTokenParams<T1, T2, T3>,
        ChronoDateTimechronoUtcQuery<'c, 'a, 's, C, chrono::DateTime<chrono::Utc>, 5>,
        C,
    > for RotateLegacyRefreshTokenStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a RotateLegacyRefreshTokenParams<T1, T2, T3>,
    ) -> ChronoDateTimechronoUtcQuery<'c, 'a, 's, C, chrono::DateTime<chrono::Utc>, 5> {
        self.bind(
            client,
            &params.old_hash,
            &params.family_hash,
            &params.next_hash,
            &params.ttl_seconds,
            &params.session_id,
        )
    }
}
pub struct EndSessionByIdStmt(&'static str, Option<tokio_postgres::Statement>);
/// Ends session `session_id` (a spent refresh token issued before token
/// families was presented again).
pub fn end_session_by_id() -> EndSessionByIdStmt {
    EndSessionByIdStmt(
        "UPDATE sessions SET ended_at = now() WHERE id = $1 AND ended_at IS NULL",
        None,
    )
}
impl EndSessionByIdStmt {
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
        session_id: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[session_id]).await
    }
}
pub struct EndOwnSessionStmt(&'static str, Option<tokio_postgres::Statement>);
/// Ends live session `session_id` of user `user_id`, asked from the caller's
/// live session `caller_session_id` (the same one for logout). `caller_live`
/// is false when the caller is not an active user in a live session; then
/// nothing ends.
pub fn end_own_session() -> EndOwnSessionStmt {
    EndOwnSessionStmt(
        "WITH caller AS ( SELECT 1 FROM sessions AS s JOIN users AS u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2 AND u.is_active AND s.ended_at IS NULL AND s.expires_at > now() ), ended AS ( UPDATE sessions SET ended_at = now() WHERE id = $3 AND user_id = $2 AND ended_at IS NULL AND expires_at > now() AND EXISTS (SELECT 1 FROM caller) RETURNING id ) SELECT EXISTS (SELECT 1 FROM caller) AS caller_live, EXISTS (SELECT 1 FROM ended) AS ended",
        None,
    )
}
impl EndOwnSessionStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        caller_session_id: &'a i64,
        user_id: &'a i64,
        session_id: &'a i64,
    ) -> EndOwnSessionQuery<'c, 'a, 's, C, EndOwnSession, 3> {
        EndOwnSessionQuery {
            client,
            params: [caller_session_id, user_id, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<EndOwnSession, tokio_postgres::Error> {
                Ok(EndOwnSession {
                    caller_live: row.try_get(0)?,
                    ended: row.try_get(1)?,
                })
            },
            mapper: |it| EndOwnSession::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        EndOwnSessionParams,
        EndOwnSessionQuery<'c, 'a, 's, C, EndOwnSession, 3>,
        C,
    > for EndOwnSessionStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a EndOwnSessionParams,
    ) -> EndOwnSessionQuery<'c, 'a, 's, C, EndOwnSession, 3> {
        self.bind(
            client,
            &params.caller_session_id,
            &params.user_id,
            &params.session_id,
        )
    }
}
pub struct LiveSessionsStmt(&'static str, Option<tokio_postgres::Statement>);
/// The newest `max_sessions` live sessions of active user `user_id`, newest
/// first, asked from session `session_id`: no row when the caller is not an
/// active user in that live session (a live caller always has one).
pub fn live_sessions() -> LiveSessionsStmt {
    LiveSessionsStmt(
        "SELECT s.id, s.created_at, s.last_used_at, s.user_agent FROM sessions AS s JOIN users AS u ON u.id = s.user_id AND u.is_active WHERE s.user_id = $1 AND s.ended_at IS NULL AND s.expires_at > now() AND EXISTS (SELECT 1 FROM sessions AS caller WHERE caller.id = $2 AND caller.user_id = $1 AND caller.ended_at IS NULL AND caller.expires_at > now()) ORDER BY s.created_at DESC, s.id DESC LIMIT $3",
        None,
    )
}
impl LiveSessionsStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        user_id: &'a i64,
        session_id: &'a i64,
        max_sessions: &'a i64,
    ) -> SessionQuery<'c, 'a, 's, C, Session, 3> {
        SessionQuery {
            client,
            params: [user_id, session_id, max_sessions],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<SessionBorrowed, tokio_postgres::Error> {
                    Ok(SessionBorrowed {
                        id: row.try_get(0)?,
                        created_at: row.try_get(1)?,
                        last_used_at: row.try_get(2)?,
                        user_agent: row.try_get(3)?,
                    })
                },
            mapper: |it| Session::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        LiveSessionsParams,
        SessionQuery<'c, 'a, 's, C, Session, 3>,
        C,
    > for LiveSessionsStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a LiveSessionsParams,
    ) -> SessionQuery<'c, 'a, 's, C, Session, 3> {
        self.bind(
            client,
            &params.user_id,
            &params.session_id,
            &params.max_sessions,
        )
    }
}
pub struct PurgeSessionsStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes up to `batch` sessions that ended or expired and whose rows in
/// refresh_tokens are already gone (purge_refresh_tokens goes first), so
/// that the delete cascades through nothing: a session refreshed every 15
/// minutes for a month before token families has thousands of spent rows.
/// SKIP LOCKED: instances purging at once share the work instead of waiting
/// for each other.
pub fn purge_sessions() -> PurgeSessionsStmt {
    PurgeSessionsStmt(
        "DELETE FROM sessions WHERE id = ANY (ARRAY( SELECT s.id FROM sessions AS s WHERE (s.ended_at IS NOT NULL OR s.expires_at <= now()) AND NOT EXISTS (SELECT 1 FROM refresh_tokens AS t WHERE t.session_id = s.id) LIMIT $1 FOR UPDATE SKIP LOCKED ))",
        None,
    )
}
impl PurgeSessionsStmt {
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
pub struct PurgeRefreshTokensStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes up to `batch` rows of refresh_tokens (tokens issued before
/// token families) that nothing needs any more: expired
/// ones (refused anyway), and those of ended sessions (an ended session
/// refuses every token, so reuse detection needs none of them). Spent
/// tokens of a live session stay until they expire: presenting one again
/// is how theft is recognised.
pub fn purge_refresh_tokens() -> PurgeRefreshTokensStmt {
    PurgeRefreshTokensStmt(
        "DELETE FROM refresh_tokens WHERE token_hash = ANY (ARRAY( SELECT token_hash FROM refresh_tokens WHERE expires_at <= now() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED ) || ARRAY( SELECT t.token_hash FROM sessions AS s JOIN refresh_tokens AS t ON t.session_id = s.id WHERE s.ended_at IS NOT NULL LIMIT $1 FOR UPDATE OF t SKIP LOCKED ))",
        None,
    )
}
impl PurgeRefreshTokensStmt {
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
