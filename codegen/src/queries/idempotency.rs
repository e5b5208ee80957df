// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct ClaimIdempotencyKeyParams<T1: crate::StringSql, T2: crate::BytesSql> {
    pub user_id: i64,
    pub key: T1,
    pub fingerprint: T2,
    pub ttl_seconds: f64,
}
#[derive(Debug)]
pub struct IdempotentOutcomeParams<T1: crate::StringSql> {
    pub user_id: i64,
    pub key: T1,
    pub session_id: i64,
}
#[derive(Debug)]
pub struct RecordIdempotentOutcomeParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub outcome: T1,
    pub user_id: i64,
    pub key: T2,
}
#[derive(Clone, Copy, Debug)]
pub struct SweepIdempotencyKeysParams {
    pub ttl_seconds: f64,
    pub batch: i64,
}
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotentOutcome {
    pub fingerprint: Vec<u8>,
    pub outcome: Option<String>,
}
pub struct IdempotentOutcomeBorrowed<'a> {
    pub fingerprint: &'a [u8],
    pub outcome: Option<&'a str>,
}
impl<'a> From<IdempotentOutcomeBorrowed<'a>> for IdempotentOutcome {
    fn from(
        IdempotentOutcomeBorrowed {
            fingerprint,
            outcome,
        }: IdempotentOutcomeBorrowed<'a>,
    ) -> Self {
        Self {
            fingerprint: fingerprint.into(),
            outcome: outcome.map(|v| v.into()),
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
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
pub struct IdempotentOutcomeQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<IdempotentOutcomeBorrowed, tokio_postgres::Error>,
    mapper: fn(IdempotentOutcomeBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> IdempotentOutcomeQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(IdempotentOutcomeBorrowed) -> R,
    ) -> IdempotentOutcomeQuery<'c, 'a, 's, C, R, N> {
        IdempotentOutcomeQuery {
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
pub struct ClaimIdempotencyKeyStmt(&'static str, Option<tokio_postgres::Statement>);
/// Claims `key` for a new attempt: a new key, or one whose record expired
/// (older than `ttl_seconds`). Returns no row while a live record holds it.
pub fn claim_idempotency_key() -> ClaimIdempotencyKeyStmt {
    ClaimIdempotencyKeyStmt(
        "INSERT INTO idempotency_keys AS k (user_id, key, fingerprint) VALUES ($1, $2, $3) ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, outcome = NULL, created_at = now() WHERE k.created_at <= now() - make_interval(secs => $4) RETURNING k.user_id",
        None,
    )
}
impl ClaimIdempotencyKeyStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::BytesSql>(
        &'s self,
        client: &'c C,
        user_id: &'a i64,
        key: &'a T1,
        fingerprint: &'a T2,
        ttl_seconds: &'a f64,
    ) -> I64Query<'c, 'a, 's, C, i64, 4> {
        I64Query {
            client,
            params: [user_id, key, fingerprint, ttl_seconds],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::BytesSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        ClaimIdempotencyKeyParams<T1, T2>,
        I64Query<'c, 'a, 's, C, i64, 4>,
        C,
    > for ClaimIdempotencyKeyStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a ClaimIdempotencyKeyParams<T1, T2>,
    ) -> I64Query<'c, 'a, 's, C, i64, 4> {
        self.bind(
            client,
            &params.user_id,
            &params.key,
            &params.fingerprint,
            &params.ttl_seconds,
        )
    }
}
pub struct IdempotentOutcomeStmt(&'static str, Option<tokio_postgres::Statement>);
/// The live record of `key`: what the first attempt sent and got. No row
/// when the user is not active or session `session_id` is not live: a
/// replay is an answer to the caller, confirmed like any other.
pub fn idempotent_outcome() -> IdempotentOutcomeStmt {
    IdempotentOutcomeStmt(
        "SELECT k.fingerprint, k.outcome FROM idempotency_keys AS k JOIN users AS u ON u.id = k.user_id AND u.is_active WHERE k.user_id = $1 AND k.key = $2 AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $3 AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now())",
        None,
    )
}
impl IdempotentOutcomeStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql>(
        &'s self,
        client: &'c C,
        user_id: &'a i64,
        key: &'a T1,
        session_id: &'a i64,
    ) -> IdempotentOutcomeQuery<'c, 'a, 's, C, IdempotentOutcome, 3> {
        IdempotentOutcomeQuery {
            client,
            params: [user_id, key, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<IdempotentOutcomeBorrowed, tokio_postgres::Error> {
                Ok(IdempotentOutcomeBorrowed {
                    fingerprint: row.try_get(0)?,
                    outcome: row.try_get(1)?,
                })
            },
            mapper: |it| IdempotentOutcome::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        IdempotentOutcomeParams<T1>,
        IdempotentOutcomeQuery<'c, 'a, 's, C, IdempotentOutcome, 3>,
        C,
    > for IdempotentOutcomeStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a IdempotentOutcomeParams<T1>,
    ) -> IdempotentOutcomeQuery<'c, 'a, 's, C, IdempotentOutcome, 3> {
        self.bind(client, &params.user_id, &params.key, &params.session_id)
    }
}
pub struct RecordIdempotentOutcomeStmt(&'static str, Option<tokio_postgres::Statement>);
/// Stores the outcome of the attempt that claimed `key`.
pub fn record_idempotent_outcome() -> RecordIdempotentOutcomeStmt {
    RecordIdempotentOutcomeStmt(
        "UPDATE idempotency_keys SET outcome = $1 WHERE user_id = $2 AND key = $3",
        None,
    )
}
impl RecordIdempotentOutcomeStmt {
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
        outcome: &'a T1,
        user_id: &'a i64,
        key: &'a T2,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[outcome, user_id, key]).await
    }
}
impl<'a, C: GenericClient + Send + Sync, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        RecordIdempotentOutcomeParams<T1, T2>,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for RecordIdempotentOutcomeStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a RecordIdempotentOutcomeParams<T1, T2>,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.outcome, &params.user_id, &params.key))
    }
}
pub struct SweepIdempotencyKeysStmt(&'static str, Option<tokio_postgres::Statement>);
/// Removes up to `batch` records older than `ttl_seconds` (through the
/// index on `created_at`; the rows are locked by the subquery, so their
/// ctid cannot change before they are deleted).
pub fn sweep_idempotency_keys() -> SweepIdempotencyKeysStmt {
    SweepIdempotencyKeysStmt(
        "DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY( SELECT ctid FROM idempotency_keys WHERE created_at <= now() - make_interval(secs => $1) ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED ))",
        None,
    )
}
impl SweepIdempotencyKeysStmt {
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
        ttl_seconds: &'a f64,
        batch: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[ttl_seconds, batch]).await
    }
}
impl<'a, C: GenericClient + Send + Sync>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        SweepIdempotencyKeysParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for SweepIdempotencyKeysStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a SweepIdempotencyKeysParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.ttl_seconds, &params.batch))
    }
}
