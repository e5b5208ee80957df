-- Metadata of uploaded documents. Every statement is scoped by the owner, so
-- another user's file is indistinguishable from a missing one, and checks in
-- the same round trip that the owner is an active user whose token's session
-- `session_id` is live (the token itself is verified without the database).

--: File()
--: FileSeenByOwner(id?, filename?, content_type?, user_id?, created_at?, updated_at?)

--! insert_file_for_active_owner : File
--- Records a document owned by `user_id`; no row when that user is not active.
INSERT INTO files (filename, content_type, user_id)
SELECT :filename, :content_type, id
FROM users
WHERE id = :user_id AND is_active
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = users.id AND s.ended_at IS NULL AND s.expires_at > now())
RETURNING id, filename, content_type, user_id, created_at, updated_at;

--! file_seen_by_owner : FileSeenByOwner
--- No row when `user_id` is not an active user; otherwise one row whose file
--- columns are NULL unless that user owns file `id`.
SELECT file.id, file.filename, file.content_type, file.user_id, file.created_at, file.updated_at
FROM users AS owner
LEFT JOIN files AS file ON file.user_id = owner.id AND file.id = :id
WHERE owner.id = :user_id AND owner.is_active
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now());

--! files_seen_by_owner_first_page : FileSeenByOwner
--- The newest `page_size` files of an active owner (served by ix_files_user_id).
--- No row when the owner is not active; one all-NULL row when they have no files.
SELECT file.id, file.filename, file.content_type, file.user_id, file.created_at, file.updated_at
FROM users AS owner
LEFT JOIN LATERAL (
    SELECT id, filename, content_type, user_id, created_at, updated_at
    FROM files
    WHERE files.user_id = owner.id
    ORDER BY created_at DESC, id DESC
    LIMIT :page_size
) AS file ON true
WHERE owner.id = :user_id AND owner.is_active
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now())
ORDER BY file.created_at DESC, file.id DESC;

--! files_seen_by_owner_after : FileSeenByOwner
--- Like the first page, for files strictly older than the keyset
--- (before_created_at, before_id): inserts and deletes meanwhile cause neither
--- duplicates nor gaps.
SELECT file.id, file.filename, file.content_type, file.user_id, file.created_at, file.updated_at
FROM users AS owner
LEFT JOIN LATERAL (
    SELECT id, filename, content_type, user_id, created_at, updated_at
    FROM files
    WHERE files.user_id = owner.id
      AND (created_at, id) < (:before_created_at, :before_id)
    ORDER BY created_at DESC, id DESC
    LIMIT :page_size
) AS file ON true
WHERE owner.id = :user_id AND owner.is_active
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now())
ORDER BY file.created_at DESC, file.id DESC;

--! update_file_of_active_owner (filename?, content_type?) : File
--- Changes the given fields of a file its active owner asks to change; NULL
--- fields stay as they are. No row: no such file for this owner, or the
--- owner is not active.
UPDATE files
SET filename = coalesce(:filename, filename),
    content_type = coalesce(:content_type, content_type)
FROM users AS owner
WHERE files.id = :id AND files.user_id = :user_id
  AND owner.id = files.user_id AND owner.is_active
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now())
RETURNING files.id, files.filename, files.content_type, files.user_id, files.created_at, files.updated_at;

--! delete_file_of_active_owner
--- Deletes a file its active owner asks to delete; zero rows affected means no
--- such file for this owner, or the owner is not active.
DELETE FROM files
USING users AS owner
WHERE files.id = :id AND files.user_id = :user_id
  AND owner.id = files.user_id AND owner.is_active
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = owner.id AND s.ended_at IS NULL AND s.expires_at > now());
