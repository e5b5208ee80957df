// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct InsertFileForActiveOwnerParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub filename: T1,
    pub content_type: T2,
    pub user_id: i64,
    pub session_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct FileSeenByOwnerParams {
    pub id: i64,
    pub user_id: i64,
    pub session_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct FilesSeenByOwnerFirstPageParams {
    pub page_size: i64,
    pub user_id: i64,
    pub session_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct FilesSeenByOwnerAfterParams {
    pub before_created_at: chrono::DateTime<chrono::Utc>,
    pub before_id: i64,
    pub page_size: i64,
    pub user_id: i64,
    pub session_id: i64,
}
#[derive(Debug)]
pub struct UpdateFileOfActiveOwnerParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub filename: Option<T1>,
    pub content_type: Option<T2>,
    pub id: i64,
    pub user_id: i64,
    pub session_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct DeleteFileOfActiveOwnerParams {
    pub id: i64,
    pub user_id: i64,
    pub session_id: i64,
}
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub user_id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}
pub struct FileBorrowed<'a> {
    pub id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub user_id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}
impl<'a> From<FileBorrowed<'a>> for File {
    fn from(
        FileBorrowed {
            id,
            filename,
            content_type,
            user_id,
            created_at,
            updated_at,
        }: FileBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            filename: filename.into(),
            content_type: content_type.into(),
            user_id,
            created_at,
            updated_at,
        }
    }
}
#[derive(Debug, Clone, PartialEq)]
pub struct FileSeenByOwner {
    pub id: Option<i64>,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub user_id: Option<i64>,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}
pub struct FileSeenByOwnerBorrowed<'a> {
    pub id: Option<i64>,
    pub filename: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub user_id: Option<i64>,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}
impl<'a> From<FileSeenByOwnerBorrowed<'a>> for FileSeenByOwner {
    fn from(
        FileSeenByOwnerBorrowed {
            id,
            filename,
            content_type,
            user_id,
            created_at,
            updated_at,
        }: FileSeenByOwnerBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            filename: filename.map(|v| v.into()),
            content_type: content_type.map(|v| v.into()),
            user_id,
            created_at,
            updated_at,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct FileQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<FileBorrowed, tokio_postgres::Error>,
    mapper: fn(FileBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> FileQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(FileBorrowed) -> R) -> FileQuery<'c, 'a, 's, C, R, N> {
        FileQuery {
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
pub struct FileSeenByOwnerQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<FileSeenByOwnerBorrowed, tokio_postgres::Error>,
    mapper: fn(FileSeenByOwnerBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> FileSeenByOwnerQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(FileSeenByOwnerBorrowed) -> R,
    ) -> FileSeenByOwnerQuery<'c, 'a, 's, C, R, N> {
        FileSeenByOwnerQuery {
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
pub struct InsertFileForActiveOwnerStmt(&'static str, Option<tokio_postgres::Statement>);
/// Records a document owned by `user_id`; no row when that user is not active.
pub fn insert_file_for_active_owner() -> InsertFileForActiveOwnerStmt {
    InsertFileForActiveOwnerStmt(
        "INSERT INTO files (filename, content_type, user_id) SELECT $1, $2, id FROM users WHERE id = $3 AND is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $4 AND s.user_id = users.id AND s.ended_at IS NULL AND s.expires_at > now()) RETURNING id, filename, content_type, user_id, created_at, updated_at",
        None,
    )
}
impl InsertFileForActiveOwnerStmt {
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
        filename: &'a T1,
        content_type: &'a T2,
        user_id: &'a i64,
        session_id: &'a i64,
    ) -> FileQuery<'c, 'a, 's, C, File, 4> {
        FileQuery {
            client,
            params: [filename, content_type, user_id, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<FileBorrowed, tokio_postgres::Error> {
                Ok(FileBorrowed {
                    id: row.try_get(0)?,
                    filename: row.try_get(1)?,
                    content_type: row.try_get(2)?,
                    user_id: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                    updated_at: row.try_get(5)?,
                })
            },
            mapper: |it| File::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        InsertFileForActiveOwnerParams<T1, T2>,
        FileQuery<'c, 'a, 's, C, File, 4>,
        C,
    > for InsertFileForActiveOwnerStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a InsertFileForActiveOwnerParams<T1, T2>,
    ) -> FileQuery<'c, 'a, 's, C, File, 4> {
        self.bind(
            client,
            &params.filename,
            &params.content_type,
            &params.user_id,
            &params.session_id,
        )
    }
}
pub struct FileSeenByOwnerStmt(&'static str, Option<tokio_postgres::Statement>);
/// No row when `user_id` is not an active user; otherwise one row whose file
/// columns are NULL unless that user owns file `id`.
pub fn file_seen_by_owner() -> FileSeenByOwnerStmt {
    FileSeenByOwnerStmt(
        "SELECT file.id, file.filename, file.content_type, file.user_id, file.created_at, file.updated_at FROM users AS owner LEFT JOIN files AS file ON file.user_id = owner.id AND file.id = $1 WHERE owner.id = $2 AND owner.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $3 AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now())",
        None,
    )
}
impl FileSeenByOwnerStmt {
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
        id: &'a i64,
        user_id: &'a i64,
        session_id: &'a i64,
    ) -> FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 3> {
        FileSeenByOwnerQuery {
            client,
            params: [id, user_id, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<FileSeenByOwnerBorrowed, tokio_postgres::Error> {
                Ok(FileSeenByOwnerBorrowed {
                    id: row.try_get(0)?,
                    filename: row.try_get(1)?,
                    content_type: row.try_get(2)?,
                    user_id: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                    updated_at: row.try_get(5)?,
                })
            },
            mapper: |it| FileSeenByOwner::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        FileSeenByOwnerParams,
        FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 3>,
        C,
    > for FileSeenByOwnerStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a FileSeenByOwnerParams,
    ) -> FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 3> {
        self.bind(client, &params.id, &params.user_id, &params.session_id)
    }
}
pub struct FilesSeenByOwnerFirstPageStmt(&'static str, Option<tokio_postgres::Statement>);
/// The newest `page_size` files of an active owner (served by ix_files_user_id).
/// No row when the owner is not active; one all-NULL row when they have no files.
pub fn files_seen_by_owner_first_page() -> FilesSeenByOwnerFirstPageStmt {
    FilesSeenByOwnerFirstPageStmt(
        "SELECT file.id, file.filename, file.content_type, file.user_id, file.created_at, file.updated_at FROM users AS owner LEFT JOIN LATERAL ( SELECT id, filename, content_type, user_id, created_at, updated_at FROM files WHERE files.user_id = owner.id ORDER BY created_at DESC, id DESC LIMIT $1 ) AS file ON true WHERE owner.id = $2 AND owner.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $3 AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now()) ORDER BY file.created_at DESC, file.id DESC",
        None,
    )
}
impl FilesSeenByOwnerFirstPageStmt {
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
        page_size: &'a i64,
        user_id: &'a i64,
        session_id: &'a i64,
    ) -> FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 3> {
        FileSeenByOwnerQuery {
            client,
            params: [page_size, user_id, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<FileSeenByOwnerBorrowed, tokio_postgres::Error> {
                Ok(FileSeenByOwnerBorrowed {
                    id: row.try_get(0)?,
                    filename: row.try_get(1)?,
                    content_type: row.try_get(2)?,
                    user_id: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                    updated_at: row.try_get(5)?,
                })
            },
            mapper: |it| FileSeenByOwner::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        FilesSeenByOwnerFirstPageParams,
        FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 3>,
        C,
    > for FilesSeenByOwnerFirstPageStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a FilesSeenByOwnerFirstPageParams,
    ) -> FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 3> {
        self.bind(
            client,
            &params.page_size,
            &params.user_id,
            &params.session_id,
        )
    }
}
pub struct FilesSeenByOwnerAfterStmt(&'static str, Option<tokio_postgres::Statement>);
/// Like the first page, for files strictly older than the keyset
/// (before_created_at, before_id): inserts and deletes meanwhile cause neither
/// duplicates nor gaps.
pub fn files_seen_by_owner_after() -> FilesSeenByOwnerAfterStmt {
    FilesSeenByOwnerAfterStmt(
        "SELECT file.id, file.filename, file.content_type, file.user_id, file.created_at, file.updated_at FROM users AS owner LEFT JOIN LATERAL ( SELECT id, filename, content_type, user_id, created_at, updated_at FROM files WHERE files.user_id = owner.id AND (created_at, id) < ($1, $2) ORDER BY created_at DESC, id DESC LIMIT $3 ) AS file ON true WHERE owner.id = $4 AND owner.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $5 AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now()) ORDER BY file.created_at DESC, file.id DESC",
        None,
    )
}
impl FilesSeenByOwnerAfterStmt {
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
        before_created_at: &'a chrono::DateTime<chrono::Utc>,
        before_id: &'a i64,
        page_size: &'a i64,
        user_id: &'a i64,
        session_id: &'a i64,
    ) -> FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 5> {
        FileSeenByOwnerQuery {
            client,
            params: [before_created_at, before_id, page_size, user_id, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<FileSeenByOwnerBorrowed, tokio_postgres::Error> {
                Ok(FileSeenByOwnerBorrowed {
                    id: row.try_get(0)?,
                    filename: row.try_get(1)?,
                    content_type: row.try_get(2)?,
                    user_id: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                    updated_at: row.try_get(5)?,
                })
            },
            mapper: |it| FileSeenByOwner::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        FilesSeenByOwnerAfterParams,
        FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 5>,
        C,
    > for FilesSeenByOwnerAfterStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a FilesSeenByOwnerAfterParams,
    ) -> FileSeenByOwnerQuery<'c, 'a, 's, C, FileSeenByOwner, 5> {
        self.bind(
            client,
            &params.before_created_at,
            &params.before_id,
            &params.page_size,
            &params.user_id,
            &params.session_id,
        )
    }
}
pub struct UpdateFileOfActiveOwnerStmt(&'static str, Option<tokio_postgres::Statement>);
/// Changes the given fields of a file its active owner asks to change; NULL
/// fields stay as they are. No row: no such file for this owner, or the
/// owner is not active.
pub fn update_file_of_active_owner() -> UpdateFileOfActiveOwnerStmt {
    UpdateFileOfActiveOwnerStmt(
        "UPDATE files SET filename = coalesce($1, filename), content_type = coalesce($2, content_type) FROM users AS owner WHERE files.id = $3 AND files.user_id = $4 AND owner.id = files.user_id AND owner.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $5 AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now()) RETURNING files.id, files.filename, files.content_type, files.user_id, files.created_at, files.updated_at",
        None,
    )
}
impl UpdateFileOfActiveOwnerStmt {
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
        filename: &'a Option<T1>,
        content_type: &'a Option<T2>,
        id: &'a i64,
        user_id: &'a i64,
        session_id: &'a i64,
    ) -> FileQuery<'c, 'a, 's, C, File, 5> {
        FileQuery {
            client,
            params: [filename, content_type, id, user_id, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<FileBorrowed, tokio_postgres::Error> {
                Ok(FileBorrowed {
                    id: row.try_get(0)?,
                    filename: row.try_get(1)?,
                    content_type: row.try_get(2)?,
                    user_id: row.try_get(3)?,
                    created_at: row.try_get(4)?,
                    updated_at: row.try_get(5)?,
                })
            },
            mapper: |it| File::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        UpdateFileOfActiveOwnerParams<T1, T2>,
        FileQuery<'c, 'a, 's, C, File, 5>,
        C,
    > for UpdateFileOfActiveOwnerStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a UpdateFileOfActiveOwnerParams<T1, T2>,
    ) -> FileQuery<'c, 'a, 's, C, File, 5> {
        self.bind(
            client,
            &params.filename,
            &params.content_type,
            &params.id,
            &params.user_id,
            &params.session_id,
        )
    }
}
pub struct DeleteFileOfActiveOwnerStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes a file its active owner asks to delete; zero rows affected means no
/// such file for this owner, or the owner is not active.
pub fn delete_file_of_active_owner() -> DeleteFileOfActiveOwnerStmt {
    DeleteFileOfActiveOwnerStmt(
        "DELETE FROM files USING users AS owner WHERE files.id = $1 AND files.user_id = $2 AND owner.id = files.user_id AND owner.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $3 AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now())",
        None,
    )
}
impl DeleteFileOfActiveOwnerStmt {
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
        user_id: &'a i64,
        session_id: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[id, user_id, session_id]).await
    }
}
impl<'a, C: GenericClient + Send + Sync>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        DeleteFileOfActiveOwnerParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for DeleteFileOfActiveOwnerStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a DeleteFileOfActiveOwnerParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.id, &params.user_id, &params.session_id))
    }
}
