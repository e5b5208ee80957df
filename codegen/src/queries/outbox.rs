// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct MarkMailFailedParams<T1: crate::StringSql> {
    pub error: T1,
    pub id: i64,
}
#[derive(Debug)]
pub struct PostponeMailParams<T1: crate::StringSql> {
    pub error: T1,
    pub delay_seconds: f64,
    pub id: i64,
}
#[derive(Debug, Clone, PartialEq)]
pub struct DueMail {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
}
pub struct DueMailBorrowed<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub attempts: i32,
}
impl<'a> From<DueMailBorrowed<'a>> for DueMail {
    fn from(
        DueMailBorrowed {
            id,
            kind,
            recipient,
            subject,
            body,
            attempts,
        }: DueMailBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            kind: kind.into(),
            recipient: recipient.into(),
            subject: subject.into(),
            body: body.into(),
            attempts,
        }
    }
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
pub struct DueMailQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<DueMailBorrowed, tokio_postgres::Error>,
    mapper: fn(DueMailBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> DueMailQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(DueMailBorrowed) -> R) -> DueMailQuery<'c, 'a, 's, C, R, N> {
        DueMailQuery {
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
pub struct BoolQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<bool, tokio_postgres::Error>,
    mapper: fn(bool) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> BoolQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(bool) -> R) -> BoolQuery<'c, 'a, 's, C, R, N> {
        BoolQuery {
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
pub struct NextPendingAtStmt(&'static str, Option<tokio_postgres::Statement>);
/// When the earliest mail still to deliver is due; NULL when there is none.
pub fn next_pending_at() -> NextPendingAtStmt {
    NextPendingAtStmt(
        "SELECT min(next_attempt_at) AS next_attempt_at FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND discard_after > now()",
        None,
    )
}
impl NextPendingAtStmt {
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
    ) -> OptionchronoDateTimechronoUtcQuery<'c, 'a, 's, C, Option<chrono::DateTime<chrono::Utc>>, 0>
    {
        OptionchronoDateTimechronoUtcQuery {
            client,
            params: [],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
pub struct ClaimDueMailStmt(&'static str, Option<tokio_postgres::Statement>);
/// Leases the mail due longest to this sender for `lease_seconds`: its next
/// attempt moves to the lease's end, so no other sender takes it while this
/// one talks to the mail server, and if this sender dies or hangs the mail
/// is due again when the lease ends. One short statement: no transaction
/// stays open across the network call. SKIP LOCKED passes over a mail
/// another sender is leasing at this very moment.
pub fn claim_due_mail() -> ClaimDueMailStmt {
    ClaimDueMailStmt(
        "UPDATE outbox SET next_attempt_at = now() + make_interval(secs => $1) WHERE id = ( SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now() AND discard_after > now() ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED ) RETURNING id, kind, recipient, subject, body, attempts",
        None,
    )
}
impl ClaimDueMailStmt {
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
        lease_seconds: &'a f64,
    ) -> DueMailQuery<'c, 'a, 's, C, DueMail, 1> {
        DueMailQuery {
            client,
            params: [lease_seconds],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<DueMailBorrowed, tokio_postgres::Error> {
                    Ok(DueMailBorrowed {
                        id: row.try_get(0)?,
                        kind: row.try_get(1)?,
                        recipient: row.try_get(2)?,
                        subject: row.try_get(3)?,
                        body: row.try_get(4)?,
                        attempts: row.try_get(5)?,
                    })
                },
            mapper: |it| DueMail::from(it),
        }
    }
}
pub struct MarkMailSentStmt(&'static str, Option<tokio_postgres::Statement>);
/// The mail server accepted mail `id`; its body (a secret link) goes.
pub fn mark_mail_sent() -> MarkMailSentStmt {
    MarkMailSentStmt(
        "UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL, body = '' WHERE id = $1",
        None,
    )
}
impl MarkMailSentStmt {
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
        id: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[id]).await
    }
}
pub struct MarkMailFailedStmt(&'static str, Option<tokio_postgres::Statement>);
/// The mail server refused mail `id` for good; it is not retried.
pub fn mark_mail_failed() -> MarkMailFailedStmt {
    MarkMailFailedStmt(
        "UPDATE outbox SET failed_at = now(), attempts = attempts + 1, last_error = $1, body = '' WHERE id = $2",
        None,
    )
}
impl MarkMailFailedStmt {
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
        error: &'a T1,
        id: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[error, id]).await
    }
}
impl<'a, C: GenericClient + Send + Sync, T1: crate::StringSql>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        MarkMailFailedParams<T1>,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for MarkMailFailedStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a MarkMailFailedParams<T1>,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.error, &params.id))
    }
}
pub struct PostponeMailStmt(&'static str, Option<tokio_postgres::Statement>);
/// Sending mail `id` failed for now: retried `delay_seconds` from now
/// (unless a sender that took it over after the lease has settled it).
pub fn postpone_mail() -> PostponeMailStmt {
    PostponeMailStmt(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = now() + make_interval(secs => $2) WHERE id = $3 AND sent_at IS NULL AND failed_at IS NULL",
        None,
    )
}
impl PostponeMailStmt {
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
        error: &'a T1,
        delay_seconds: &'a f64,
        id: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[error, delay_seconds, id]).await
    }
}
impl<'a, C: GenericClient + Send + Sync, T1: crate::StringSql>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        PostponeMailParams<T1>,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for PostponeMailStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a PostponeMailParams<T1>,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.error, &params.delay_seconds, &params.id))
    }
}
pub struct PurgeOutboxStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes up to `batch` settled mails and mails whose time ran out; for
/// each, whether it was never delivered (its link expired first).
pub fn purge_outbox() -> PurgeOutboxStmt {
    PurgeOutboxStmt(
        "DELETE FROM outbox WHERE id IN ( SELECT id FROM outbox WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL OR discard_after <= now() LIMIT $1 FOR UPDATE SKIP LOCKED ) RETURNING sent_at IS NULL AND failed_at IS NULL AS undelivered",
        None,
    )
}
impl PurgeOutboxStmt {
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
        batch: &'a i64,
    ) -> BoolQuery<'c, 'a, 's, C, bool, 1> {
        BoolQuery {
            client,
            params: [batch],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
