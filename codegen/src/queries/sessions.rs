// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct StartSessionParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::BytesSql,
    T4: crate::StringSql,
    T5: crate::StringSql,
> {
    pub user_id: i64,
    pub password_hash: T1,
    pub user_agent: Option<T2>,
    pub ttl_seconds: f64,
    pub token_hash: T3,
    pub email: T4,
    pub client_key: T5,
    pub max_per_client: i32,
    pub client_window: Option<chrono::DateTime<chrono::Utc>>,
}
#[derive(Debug)]
pub struct RotateRefreshTokenParams<T1: crate::BytesSql, T2: crate::BytesSql> {
    pub old_hash: T1,
    pub new_hash: T2,
    pub session_id: i64,
    pub ttl_seconds: f64,
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
pub struct RefreshTokenForUpdate {
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
pub struct RefreshTokenForUpdateQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<RefreshTokenForUpdate, tokio_postgres::Error>,
    mapper: fn(RefreshTokenForUpdate) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> RefreshTokenForUpdateQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(RefreshTokenForUpdate) -> R,
    ) -> RefreshTokenForUpdateQuery<'c, 'a, 's, C, R, N> {
        RefreshTokenForUpdateQuery {
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
/// `password_hash`, the one the password was checked against, with its
/// first refresh token; the login recorded on the account, the account's
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
        "WITH account AS ( SELECT id FROM users WHERE id = $1 AND is_active AND hashed_password = $2 FOR NO KEY UPDATE ), session AS ( INSERT INTO sessions (user_id, user_agent, expires_at) SELECT id, $3, now() + make_interval(secs => $4) FROM account RETURNING id, user_id, expires_at ), first_token AS ( INSERT INTO refresh_tokens (token_hash, session_id, expires_at) SELECT $5, id, expires_at FROM session ), login AS ( UPDATE users SET last_login_at = now() WHERE id IN (SELECT user_id FROM session) ), throttle AS ( SELECT key FROM login_throttle WHERE key IN ('account:' || encode(sha256(convert_to(lower($6), 'UTF8')), 'hex'), $7) AND EXISTS (SELECT 1 FROM session) ORDER BY key FOR UPDATE ), attempts_settled AS ( UPDATE login_throttle AS t SET failures = CASE WHEN t.key = $7 THEN t.failures - 1 ELSE 0 END, locked_until = CASE WHEN t.key = $7 AND t.failures - 1 >= $8 THEN t.locked_until END WHERE t.key IN (SELECT key FROM throttle) AND (t.key <> $7 OR (t.window_started = $9 AND t.failures BETWEEN 1 AND $8)) ) SELECT id, expires_at FROM session",
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
        T4: crate::StringSql,
        T5: crate::StringSql,
    >(
        &'s self,
        client: &'c C,
        user_id: &'a i64,
        password_hash: &'a T1,
        user_agent: &'a Option<T2>,
        ttl_seconds: &'a f64,
        token_hash: &'a T3,
        email: &'a T4,
        client_key: &'a T5,
        max_per_client: &'a i32,
        client_window: &'a Option<chrono::DateTime<chrono::Utc>>,
    ) -> StartSessionQuery<'c, 'a, 's, C, StartSession, 9> {
        StartSessionQuery {
            client,
            params: [
                user_id,
                password_hash,
                user_agent,
                ttl_seconds,
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
    T4: crate::StringSql,
    T5: crate::StringSql,
>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        StartSessionParams<T1, T2, T3, T4, T5>,
        StartSessionQuery<'c, 'a, 's, C, StartSession, 9>,
        C,
    > for StartSessionStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a StartSessionParams<T1, T2, T3, T4, T5>,
    ) -> StartSessionQuery<'c, 'a, 's, C, StartSession, 9> {
        self.bind(
            client,
            &params.user_id,
            &params.password_hash,
            &params.user_agent,
            &params.ttl_seconds,
            &params.token_hash,
            &params.email,
            &params.client_key,
            &params.max_per_client,
            &params.client_window,
        )
    }
}
pub struct RefreshTokenForUpdateStmt(&'static str, Option<tokio_postgres::Statement>);
/// The refresh token with hash `token_hash`, locked until the transaction
/// ends so that two refreshes with one token take turns: whether it was
/// spent already, and whether it could be spent now (unexpired, its session
/// live, its user active).
pub fn refresh_token_for_update() -> RefreshTokenForUpdateStmt {
    RefreshTokenForUpdateStmt(
        "SELECT t.session_id, s.user_id, t.spent_at IS NOT NULL AS spent, (t.expires_at > now() AND s.ended_at IS NULL AND s.expires_at > now() AND u.is_active) AS usable FROM refresh_tokens AS t JOIN sessions AS s ON s.id = t.session_id JOIN users AS u ON u.id = s.user_id WHERE t.token_hash = $1 FOR UPDATE OF t",
        None,
    )
}
impl RefreshTokenForUpdateStmt {
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
    ) -> RefreshTokenForUpdateQuery<'c, 'a, 's, C, RefreshTokenForUpdate, 1> {
        RefreshTokenForUpdateQuery {
            client,
            params: [token_hash],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<RefreshTokenForUpdate, tokio_postgres::Error> {
                    Ok(RefreshTokenForUpdate {
                        session_id: row.try_get(0)?,
                        user_id: row.try_get(1)?,
                        spent: row.try_get(2)?,
                        usable: row.try_get(3)?,
                    })
                },
            mapper: |it| RefreshTokenForUpdate::from(it),
        }
    }
}
pub struct RotateRefreshTokenStmt(&'static str, Option<tokio_postgres::Statement>);
/// Spends refresh token `old_hash` and gives its session `new_hash`, which
/// expires `ttl_seconds` from now, as does the session.
pub fn rotate_refresh_token() -> RotateRefreshTokenStmt {
    RotateRefreshTokenStmt(
        "WITH spent AS ( UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = $1 ), next_token AS ( INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($2, $3, now() + make_interval(secs => $4)) ) UPDATE sessions SET last_used_at = now(), expires_at = now() + make_interval(secs => $4) WHERE id = $3 RETURNING expires_at",
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
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::BytesSql, T2: crate::BytesSql>(
        &'s self,
        client: &'c C,
        old_hash: &'a T1,
        new_hash: &'a T2,
        session_id: &'a i64,
        ttl_seconds: &'a f64,
    ) -> ChronoDateTimechronoUtcQuery<'c, 'a, 's, C, chrono::DateTime<chrono::Utc>, 4> {
        ChronoDateTimechronoUtcQuery {
            client,
            params: [old_hash, new_hash, session_id, ttl_seconds],
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
        RotateRefreshTokenParams<T1, T2>,
        ChronoDateTimechronoUtcQuery<'c, 'a, 's, C, chrono::DateTime<chrono::Utc>, 4>,
        C,
    > for RotateRefreshTokenStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a RotateRefreshTokenParams<T1, T2>,
    ) -> ChronoDateTimechronoUtcQuery<'c, 'a, 's, C, chrono::DateTime<chrono::Utc>, 4> {
        self.bind(
            client,
            &params.old_hash,
            &params.new_hash,
            &params.session_id,
            &params.ttl_seconds,
        )
    }
}
pub struct EndSessionByIdStmt(&'static str, Option<tokio_postgres::Statement>);
/// Ends session `session_id` (a spent refresh token was presented again).
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
/// Deletes up to `batch` sessions that ended or expired and whose refresh
/// tokens are already gone (purge_refresh_tokens goes first), so that the
/// delete cascades through nothing: a session refreshed every 15 minutes
/// for a month has thousands of spent tokens. SKIP LOCKED: instances
/// purging at once share the work instead of waiting for each other.
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
/// Deletes up to `batch` refresh tokens nothing needs any more: expired
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
