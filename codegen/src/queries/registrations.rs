// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct CountRegistrationParams<T1: crate::StringSql> {
    pub client_key: T1,
    pub window_seconds: f64,
    pub max_per_client: i32,
}
#[derive(Clone, Copy, Debug)]
pub struct SweepRegistrationThrottleParams {
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
pub struct CountRegistrationStmt(&'static str, Option<tokio_postgres::Statement>);
/// Counts one registration from `client_key` while the client is under
/// `max_per_client` in its window; `retry_at` is when the window ends once
/// the client is at its limit (the registration is refused), NULL otherwise.
pub fn count_registration() -> CountRegistrationStmt {
    CountRegistrationStmt(
        "WITH counted AS ( INSERT INTO registration_throttle AS t (key, requests, window_started) VALUES ($1, 1, now()) ON CONFLICT (key) DO UPDATE SET requests = CASE WHEN t.window_started + make_interval(secs => $2) <= now() THEN 1 ELSE least(t.requests + 1, CAST($3 AS integer) + 1) END, window_started = CASE WHEN t.window_started + make_interval(secs => $2) <= now() THEN now() ELSE t.window_started END RETURNING t.requests, t.window_started ) SELECT CASE WHEN requests > $3 THEN window_started + make_interval(secs => $2) END AS retry_at FROM counted",
        None,
    )
}
impl CountRegistrationStmt {
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
        client_key: &'a T1,
        window_seconds: &'a f64,
        max_per_client: &'a i32,
    ) -> OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, Option<chrono::DateTime<chrono::Utc>>, 3>
    {
        OptionchronoDateTimechronoUtcQuery {
            client,
            params: [client_key, window_seconds, max_per_client],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        CountRegistrationParams<T1>,
        OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, Option<chrono::DateTime<chrono::Utc>>, 3>,
        C,
    > for CountRegistrationStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a CountRegistrationParams<T1>,
    ) -> OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, Option<chrono::DateTime<chrono::Utc>>, 3>
    {
        self.bind(
            client,
            &params.client_key,
            &params.window_seconds,
            &params.max_per_client,
        )
    }
}
pub struct SweepRegistrationThrottleStmt(&'static str, Option<tokio_postgres::Statement>);
/// Removes up to `batch` windows that have ended (through the index on
/// `window_started`).
pub fn sweep_registration_throttle() -> SweepRegistrationThrottleStmt {
    SweepRegistrationThrottleStmt(
        "DELETE FROM registration_throttle WHERE key = ANY (ARRAY( SELECT key FROM registration_throttle WHERE window_started <= now() - make_interval(secs => $1) ORDER BY window_started LIMIT $2 FOR UPDATE SKIP LOCKED ))",
        None,
    )
}
impl SweepRegistrationThrottleStmt {
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
        SweepRegistrationThrottleParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for SweepRegistrationThrottleStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a SweepRegistrationThrottleParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.window_seconds, &params.batch))
    }
}
