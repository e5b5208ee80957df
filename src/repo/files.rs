//! Document metadata: `queries/files.sql`. Every method is scoped by owner.

use reviewpoint_codegen::queries::files as q;

use crate::{
    db::{self, DbError, Executor},
    domain::{ContentType, Cursor, File, FileChanges, Filename, NewFile, Page},
};

pub struct FileRepository;

fn file(row: q::File) -> File {
    File {
        id: row.id,
        filename: row.filename,
        content_type: row.content_type,
        user_id: row.user_id,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

impl FileRepository {
    /// A `Conflict` on the `files_user_id_fkey` foreign key when the owner does not exist.
    pub async fn create(db: &impl Executor, owner: i64, new: &NewFile) -> Result<File, DbError> {
        let (name, kind) = (new.filename.as_str(), new.content_type.as_str());
        db::run(db, async |c| q::insert_file().bind(c, &name, &kind, &owner).one().await).await.map(file)
    }

    pub async fn get(db: &impl Executor, owner: i64, id: i64) -> Result<Option<File>, DbError> {
        let found = db::run(db, async |c| q::file_of_owner().bind(c, &id, &owner).opt().await).await?;
        Ok(found.map(file))
    }

    /// Up to `size` of the owner's files, newest first, strictly after `after`.
    pub async fn page(db: &impl Executor, owner: i64, after: Option<Cursor>, size: u32) -> Result<Page<File>, DbError> {
        // One extra row tells whether another page follows, without a count query.
        let fetch = i64::from(size) + 1;
        let mut items = match after {
            None => db::run(db, async |c| q::files_of_owner_first_page().bind(c, &owner, &fetch).all().await).await?,
            Some(cursor) => {
                db::run(db, async |c| {
                    q::files_of_owner_after().bind(c, &owner, &cursor.created_at, &cursor.id, &fetch).all().await
                })
                .await?
            }
        };
        let more = items.len() > size as usize;
        items.truncate(size as usize);
        let next = match items.last() {
            Some(last) if more => Some(Cursor { created_at: last.created_at, id: last.id }),
            _ => None,
        };
        Ok(Page { items: items.into_iter().map(file).collect(), next })
    }

    /// Applies the given changes; `None` when the owner has no such file.
    pub async fn update(
        db: &impl Executor,
        owner: i64,
        id: i64,
        changes: &FileChanges,
    ) -> Result<Option<File>, DbError> {
        let name = changes.filename.as_ref().map(Filename::as_str);
        let kind = changes.content_type.as_ref().map(ContentType::as_str);
        let found =
            db::run(db, async |c| q::update_file_of_owner().bind(c, &name, &kind, &id, &owner).opt().await).await?;
        Ok(found.map(file))
    }

    /// `false` when the owner has no such file.
    pub async fn delete(db: &impl Executor, owner: i64, id: i64) -> Result<bool, DbError> {
        let deleted = db::run(db, async |c| q::delete_file_of_owner().bind(c, &id, &owner).await).await?;
        Ok(deleted == 1)
    }
}
