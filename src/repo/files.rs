//! Document metadata: `queries/files.sql`. Every method is scoped by owner,
//! the caller in a live session.

use reviewpoint_codegen::queries::files as q;

use super::Caller;
use crate::{
    db::{self, DbError, Executor},
    domain::{ContentType, Cursor, File, FileChanges, Filename, NewFile, Page, Principal},
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

/// The file of an outer-joined row, if the row has one.
fn seen(row: q::FileSeenByOwner) -> Option<File> {
    Some(File {
        id: row.id?,
        filename: row.filename?,
        content_type: row.content_type?,
        user_id: row.user_id?,
        created_at: row.created_at?,
        updated_at: row.updated_at?,
    })
}

/// No row means an inactive caller; otherwise the files among the rows.
fn scoped(rows: Vec<q::FileSeenByOwner>) -> Caller<Vec<File>> {
    if rows.is_empty() { Caller::Inactive } else { Caller::Active(rows.into_iter().filter_map(seen).collect()) }
}

impl FileRepository {
    pub async fn create(db: &impl Executor, owner: Principal, new: &NewFile) -> Result<Caller<File>, DbError> {
        let (name, kind) = (new.filename.as_str(), new.content_type.as_str());
        let Principal { user_id, session_id } = owner;
        let created =
            db::run!(db, |c| q::insert_file_for_active_owner().bind(c, &name, &kind, &user_id, &session_id).opt());
        match created {
            Ok(row) => Ok(row.map_or(Caller::Inactive, |row| Caller::Active(file(row)))),
            // The owner was deleted between the check and the insert.
            Err(DbError::Conflict { constraint, .. }) if constraint == "files_user_id_fkey" => Ok(Caller::Inactive),
            Err(error) => Err(error),
        }
    }

    /// The owner's file `id`, or `None` (also when someone else owns it).
    pub async fn get(db: &impl Executor, owner: Principal, id: i64) -> Result<Caller<Option<File>>, DbError> {
        let Principal { user_id, session_id } = owner;
        let rows = db::run!(db, |c| q::file_seen_by_owner().bind(c, &id, &user_id, &session_id).all())?;
        Ok(match scoped(rows) {
            Caller::Inactive => Caller::Inactive,
            Caller::Active(mut files) => Caller::Active(files.pop()),
        })
    }

    /// Up to `size` of the owner's files, newest first, strictly after `after`.
    pub async fn page(
        db: &impl Executor,
        owner: Principal,
        after: Option<Cursor>,
        size: u32,
    ) -> Result<Caller<Page<File>>, DbError> {
        // One extra row tells whether another page follows, without a count query.
        let fetch = i64::from(size) + 1;
        let Principal { user_id, session_id } = owner;
        let rows = match after {
            None => db::run!(db, |c| q::files_seen_by_owner_first_page().bind(c, &fetch, &user_id, &session_id).all())?,
            Some(at) => db::run!(db, |c| q::files_seen_by_owner_after()
                .bind(c, &at.created_at, &at.id, &fetch, &user_id, &session_id)
                .all())?,
        };
        let Caller::Active(mut items) = scoped(rows) else { return Ok(Caller::Inactive) };
        let more = items.len() > size as usize;
        items.truncate(size as usize);
        let next = match items.last() {
            Some(last) if more => Some(Cursor { created_at: last.created_at, id: last.id }),
            _ => None,
        };
        Ok(Caller::Active(Page { items, next }))
    }

    /// Applies the changes; `None` when the owner has no such file or is not active.
    pub async fn update(
        db: &impl Executor,
        owner: Principal,
        id: i64,
        changes: &FileChanges,
    ) -> Result<Option<File>, DbError> {
        let name = changes.filename.as_ref().map(Filename::as_str);
        let kind = changes.content_type.as_ref().map(ContentType::as_str);
        let Principal { user_id, session_id } = owner;
        let found =
            db::run!(db, |c| q::update_file_of_active_owner().bind(c, &name, &kind, &id, &user_id, &session_id).opt())?;
        Ok(found.map(file))
    }

    /// `false` when the owner has no such file or is not active.
    pub async fn delete(db: &impl Executor, owner: Principal, id: i64) -> Result<bool, DbError> {
        let Principal { user_id, session_id } = owner;
        let deleted = db::run!(db, |c| q::delete_file_of_active_owner().bind(c, &id, &user_id, &session_id))?;
        Ok(deleted == 1)
    }
}
