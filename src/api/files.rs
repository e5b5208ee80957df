//! `/api/v1/files`: metadata of the caller's uploaded documents. Another
//! user's file answers 404, exactly like a missing one.

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    types::Example,
};
use serde::Serialize;

use super::{
    ApiTags,
    body::{Fields, JsonBody, Validate},
    error::{ApiError, Errors, status::*},
    json::Json,
    rule_text::RuleText,
    security::{BearerAuth, user_gone},
    timestamp::Timestamp,
};
use crate::{
    db::{self, Access},
    domain::{ContentType, Cursor, File, FileChanges, Filename, NewFile, Principal},
    repo::{Caller, FileRepository, Once, UserRepository},
    state::AppState,
};

/// Page sizes: `limit` defaults to 20 and must be 1 to 100.
const DEFAULT_PAGE: u32 = 20;

/// Metadata of an uploaded document.
#[derive(Debug, Object, Serialize)]
#[oai(rename = "File")]
pub struct FileBody {
    pub id: i64,
    #[oai(validator(max_length = 255))]
    pub filename: String,
    /// A media type, `type/subtype`.
    #[oai(validator(max_length = 128))]
    pub content_type: String,
    /// The owner's id.
    pub user_id: i64,
    pub created_at: Timestamp,
    /// Moves forward on every change.
    pub updated_at: Timestamp,
}

impl From<File> for FileBody {
    fn from(file: File) -> Self {
        Self {
            id: file.id,
            filename: file.filename,
            content_type: file.content_type,
            user_id: file.user_id,
            created_at: Timestamp(file.created_at),
            updated_at: Timestamp(file.updated_at),
        }
    }
}

/// A page of your files, newest first.
#[derive(Debug, Object, Serialize)]
#[oai(rename = "FilePage")]
pub struct FilePage {
    pub items: Vec<FileBody>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
}

/// A document to record.
#[derive(Debug, Object)]
#[oai(rename = "NewFile", deny_unknown_fields, example)]
pub struct NewFileBody {
    pub filename: RuleText<Filename>,
    pub content_type: RuleText<ContentType>,
}

impl Example for NewFileBody {
    fn example() -> Self {
        Self { filename: "contract.pdf".into(), content_type: "application/pdf".into() }
    }
}

impl Validate for NewFileBody {
    type Valid = NewFile;

    fn validate(fields: &mut Fields<'_>) -> Option<NewFile> {
        let filename = fields.required("filename", Filename::parse);
        let content_type = fields.required("content_type", ContentType::parse);
        Some(NewFile { filename: filename?, content_type: content_type? })
    }
}

/// Changes to a file; omitted (or null) fields stay as they are.
#[derive(Debug, Object)]
#[oai(rename = "FilePatch", deny_unknown_fields)]
pub struct FilePatch {
    #[oai(nullable)]
    pub filename: Option<RuleText<Filename>>,
    #[oai(nullable)]
    pub content_type: Option<RuleText<ContentType>>,
}

impl Validate for FilePatch {
    type Valid = FileChanges;

    fn validate(fields: &mut Fields<'_>) -> Option<FileChanges> {
        let filename = fields.optional("filename", Filename::parse);
        let content_type = fields.optional("content_type", ContentType::parse);
        Some(FileChanges { filename: filename?, content_type: content_type? })
    }
}

#[derive(ApiResponse)]
pub enum CreatedResponse {
    /// The file was recorded, owned by you (or, repeating an `Idempotency-Key`, it had been).
    #[oai(status = 201)]
    Created(
        Json<FileBody>,
        /// Where the new file can be read.
        #[oai(header = "Location")]
        String,
        /// `true` when this answer repeats the first one for the same `Idempotency-Key`.
        #[oai(header = "Idempotent-Replayed")]
        Option<bool>,
    ),
}

impl CreatedResponse {
    fn of(file: File, replayed: bool) -> Self {
        let location = format!("/api/v1/files/{}", file.id);
        Self::Created(Json(file.into()), location, replayed.then_some(true))
    }
}

#[derive(ApiResponse)]
pub enum FileResponse {
    /// The file.
    #[oai(status = 200)]
    Ok(Json<FileBody>),
}

#[derive(ApiResponse)]
pub enum PageResponse {
    /// A page of your files.
    #[oai(status = 200)]
    Ok(Json<FilePage>),
}

#[derive(ApiResponse)]
pub enum DeletedResponse {
    /// The file is gone.
    #[oai(status = 204)]
    Deleted,
}

pub struct FilesApi;

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Files")]
impl FilesApi {
    /// Record a file
    ///
    /// Safe to retry with an `Idempotency-Key`: a repeat with the same key and
    /// body, from the same user, within 24 hours (by default), creates nothing
    /// and gets the first answer again, even when the attempts race or reach
    /// different servers. The same key with another body is a 422.
    #[oai(path = "/files", method = "post", operation_id = "create_file")]
    async fn create_file(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// A key of your choosing, unique per file you mean to create (a UUID, say): 1 to 255
        /// visible ASCII characters, compared exactly as sent.
        #[oai(name = "Idempotency-Key", validator(max_length = 255, pattern = r"^[!-~]{1,255}$"))]
        idempotency_key: Header<Option<String>>,
        body: JsonBody<NewFileBody>,
    ) -> Result<CreatedResponse, Errors<{ UNAUTHORIZED | JSON_BODY | DATABASE }>> {
        let (owner, new) = (auth.0, &body.0);
        let Some(key) = idempotency_key.0 else {
            return match db::retry!(state.db.writer(), Access::Write, |db| FileRepository::create(db, owner, new))? {
                Caller::Active(file) => Ok(CreatedResponse::of(file, false)),
                Caller::Inactive => Err(user_gone().into()),
            };
        };
        let ttl = state.idempotency_ttl;
        match db::retry!(state.db.writer(), Access::Write, |db| FileRepository::create_once(db, owner, new, &key, ttl))?
        {
            Caller::Active(Once::Created(file)) => Ok(CreatedResponse::of(file, false)),
            Caller::Active(Once::Replayed(file)) => Ok(CreatedResponse::of(file, true)),
            Caller::Active(Once::KeyReused) => {
                Err(ApiError::invalid("Idempotency-Key", "was used before with a different body").into())
            }
            Caller::Inactive => Err(user_gone().into()),
        }
    }

    /// List your files
    ///
    /// Newest first, `limit` per page. Follow `next_cursor` for the next page:
    /// files added or deleted meanwhile cause neither duplicates nor gaps.
    #[oai(path = "/files", method = "get", operation_id = "list_files")]
    async fn list_files(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// Files per page, 1 to 100 (default 20).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` from the previous page; omit for the first page.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
    ) -> Result<PageResponse, Errors<{ UNAUTHORIZED | UNPROCESSABLE | DATABASE }>> {
        let after = match cursor.0.as_deref() {
            Some(token) => Some(Cursor::decode(token).map_err(|error| ApiError::invalid("cursor", error))?),
            None => None,
        };
        let size = limit.0.unwrap_or(DEFAULT_PAGE);
        match db::retry!(state.db.reader(), Access::Read, |db| FileRepository::page(db, auth.0, after, size))? {
            Caller::Active(page) => Ok(PageResponse::Ok(Json(FilePage {
                items: page.items.into_iter().map(FileBody::from).collect(),
                next_cursor: page.next.map(|cursor| cursor.encode()),
            }))),
            Caller::Inactive => Err(user_gone().into()),
        }
    }

    /// Get one of your files
    #[oai(path = "/files/:id", method = "get", operation_id = "get_file")]
    async fn get_file(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// The file's id.
        id: Path<i64>,
    ) -> Result<FileResponse, Errors<{ UNAUTHORIZED | NOT_FOUND | UNPROCESSABLE | DATABASE }>> {
        match db::retry!(state.db.reader(), Access::Read, |db| FileRepository::get(db, auth.0, id.0))? {
            Caller::Active(Some(file)) => Ok(FileResponse::Ok(Json(file.into()))),
            Caller::Active(None) => Err(no_such_file().into()),
            Caller::Inactive => Err(user_gone().into()),
        }
    }

    /// Change one of your files
    #[oai(path = "/files/:id", method = "patch", operation_id = "update_file")]
    async fn update_file(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// The file's id.
        id: Path<i64>,
        body: JsonBody<FilePatch>,
    ) -> Result<FileResponse, Errors<{ UNAUTHORIZED | NOT_FOUND | JSON_BODY | DATABASE }>> {
        match db::retry!(state.db.writer(), Access::Write, |db| FileRepository::update(db, auth.0, id.0, &body.0))? {
            Some(file) => Ok(FileResponse::Ok(Json(file.into()))),
            None => Err(missing_or_gone(&state, auth.0).await?.into()),
        }
    }

    /// Delete one of your files
    #[oai(path = "/files/:id", method = "delete", operation_id = "delete_file")]
    async fn delete_file(
        &self,
        auth: BearerAuth,
        state: Data<&AppState>,
        /// The file's id.
        id: Path<i64>,
    ) -> Result<DeletedResponse, Errors<{ UNAUTHORIZED | NOT_FOUND | UNPROCESSABLE | DATABASE }>> {
        if db::retry!(state.db.writer(), Access::Write, |db| FileRepository::delete(db, auth.0, id.0))? {
            Ok(DeletedResponse::Deleted)
        } else {
            Err(missing_or_gone(&state, auth.0).await?.into())
        }
    }
}

fn no_such_file() -> ApiError {
    ApiError::NotFound("no such file")
}

/// After a write touched no file: 404, unless the caller's account is gone (401).
async fn missing_or_gone(state: &AppState, caller: Principal) -> Result<ApiError, ApiError> {
    Ok(match db::retry!(state.db.reader(), Access::Read, |db| UserRepository::me(db, caller))? {
        Caller::Active(_) => no_such_file(),
        Caller::Inactive => user_gone(),
    })
}
