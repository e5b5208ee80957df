// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct InsertFileParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub filename: T1,
    pub content_type: T2,
    pub user_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct FileOfOwnerParams {
    pub id: i64,
    pub user_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct FilesOfOwnerFirstPageParams {
    pub user_id: i64,
    pub page_size: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct FilesOfOwnerAfterParams {
    pub user_id: i64,
    pub before_created_at: chrono::DateTime<chrono::Utc>,
    pub before_id: i64,
    pub page_size: i64,
}
#[derive(Debug)]
pub struct UpdateFileOfOwnerParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub filename: Option<T1>,
    pub content_type: Option<T2>,
    pub id: i64,
    pub user_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct DeleteFileOfOwnerParams {
    pub id: i64,
    pub user_id: i64,
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
pub struct InsertFileStmt(&'static str, Option<tokio_postgres::Statement>);
/// Records a document owned by `user_id`.
pub fn insert_file() -> InsertFileStmt {
    InsertFileStmt(
        "INSERT INTO files (filename, content_type, user_id) VALUES ($1, $2, $3) RETURNING id, filename, content_type, user_id, created_at, updated_at",
        None,
    )
}
impl InsertFileStmt {
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
    ) -> FileQuery<'c, 'a, 's, C, File, 3> {
        FileQuery {
            client,
            params: [filename, content_type, user_id],
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
        InsertFileParams<T1, T2>,
        FileQuery<'c, 'a, 's, C, File, 3>,
        C,
    > for InsertFileStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a InsertFileParams<T1, T2>,
    ) -> FileQuery<'c, 'a, 's, C, File, 3> {
        self.bind(
            client,
            &params.filename,
            &params.content_type,
            &params.user_id,
        )
    }
}
pub struct FileOfOwnerStmt(&'static str, Option<tokio_postgres::Statement>);
/// One file, only when `user_id` owns it.
pub fn file_of_owner() -> FileOfOwnerStmt {
    FileOfOwnerStmt(
        "SELECT id, filename, content_type, user_id, created_at, updated_at FROM files WHERE id = $1 AND user_id = $2",
        None,
    )
}
impl FileOfOwnerStmt {
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
    ) -> FileQuery<'c, 'a, 's, C, File, 2> {
        FileQuery {
            client,
            params: [id, user_id],
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
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        FileOfOwnerParams,
        FileQuery<'c, 'a, 's, C, File, 2>,
        C,
    > for FileOfOwnerStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a FileOfOwnerParams,
    ) -> FileQuery<'c, 'a, 's, C, File, 2> {
        self.bind(client, &params.id, &params.user_id)
    }
}
pub struct FilesOfOwnerFirstPageStmt(&'static str, Option<tokio_postgres::Statement>);
/// The newest `page_size` files of an owner (served by ix_files_user_id).
pub fn files_of_owner_first_page() -> FilesOfOwnerFirstPageStmt {
    FilesOfOwnerFirstPageStmt(
        "SELECT id, filename, content_type, user_id, created_at, updated_at FROM files WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        None,
    )
}
impl FilesOfOwnerFirstPageStmt {
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
        page_size: &'a i64,
    ) -> FileQuery<'c, 'a, 's, C, File, 2> {
        FileQuery {
            client,
            params: [user_id, page_size],
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
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        FilesOfOwnerFirstPageParams,
        FileQuery<'c, 'a, 's, C, File, 2>,
        C,
    > for FilesOfOwnerFirstPageStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a FilesOfOwnerFirstPageParams,
    ) -> FileQuery<'c, 'a, 's, C, File, 2> {
        self.bind(client, &params.user_id, &params.page_size)
    }
}
pub struct FilesOfOwnerAfterStmt(&'static str, Option<tokio_postgres::Statement>);
/// The next `page_size` files strictly older than the keyset (created_at, id):
/// rows inserted or deleted meanwhile cause neither duplicates nor gaps.
pub fn files_of_owner_after() -> FilesOfOwnerAfterStmt {
    FilesOfOwnerAfterStmt(
        "SELECT id, filename, content_type, user_id, created_at, updated_at FROM files WHERE user_id = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $4",
        None,
    )
}
impl FilesOfOwnerAfterStmt {
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
        before_created_at: &'a chrono::DateTime<chrono::Utc>,
        before_id: &'a i64,
        page_size: &'a i64,
    ) -> FileQuery<'c, 'a, 's, C, File, 4> {
        FileQuery {
            client,
            params: [user_id, before_created_at, before_id, page_size],
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
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        FilesOfOwnerAfterParams,
        FileQuery<'c, 'a, 's, C, File, 4>,
        C,
    > for FilesOfOwnerAfterStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a FilesOfOwnerAfterParams,
    ) -> FileQuery<'c, 'a, 's, C, File, 4> {
        self.bind(
            client,
            &params.user_id,
            &params.before_created_at,
            &params.before_id,
            &params.page_size,
        )
    }
}
pub struct UpdateFileOfOwnerStmt(&'static str, Option<tokio_postgres::Statement>);
/// Changes the given fields of an owned file and leaves the NULL ones as they are.
pub fn update_file_of_owner() -> UpdateFileOfOwnerStmt {
    UpdateFileOfOwnerStmt(
        "UPDATE files SET filename = coalesce($1, filename), content_type = coalesce($2, content_type) WHERE id = $3 AND user_id = $4 RETURNING id, filename, content_type, user_id, created_at, updated_at",
        None,
    )
}
impl UpdateFileOfOwnerStmt {
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
    ) -> FileQuery<'c, 'a, 's, C, File, 4> {
        FileQuery {
            client,
            params: [filename, content_type, id, user_id],
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
        UpdateFileOfOwnerParams<T1, T2>,
        FileQuery<'c, 'a, 's, C, File, 4>,
        C,
    > for UpdateFileOfOwnerStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a UpdateFileOfOwnerParams<T1, T2>,
    ) -> FileQuery<'c, 'a, 's, C, File, 4> {
        self.bind(
            client,
            &params.filename,
            &params.content_type,
            &params.id,
            &params.user_id,
        )
    }
}
pub struct DeleteFileOfOwnerStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes an owned file; zero rows affected means no such file for this owner.
pub fn delete_file_of_owner() -> DeleteFileOfOwnerStmt {
    DeleteFileOfOwnerStmt("DELETE FROM files WHERE id = $1 AND user_id = $2", None)
}
impl DeleteFileOfOwnerStmt {
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
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[id, user_id]).await
    }
}
impl<'a, C: GenericClient + Send + Sync>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        DeleteFileOfOwnerParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for DeleteFileOfOwnerStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a DeleteFileOfOwnerParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.id, &params.user_id))
    }
}
