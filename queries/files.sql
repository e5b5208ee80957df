-- Metadata of uploaded documents. Every statement is scoped by the owner, so
-- another user's file is indistinguishable from a missing one.

--: File()

--! insert_file : File
--- Records a document owned by `user_id`.
INSERT INTO files (filename, content_type, user_id)
VALUES (:filename, :content_type, :user_id)
RETURNING id, filename, content_type, user_id, created_at, updated_at;

--! file_of_owner : File
--- One file, only when `user_id` owns it.
SELECT id, filename, content_type, user_id, created_at, updated_at
FROM files
WHERE id = :id AND user_id = :user_id;

--! files_of_owner_first_page : File
--- The newest `page_size` files of an owner (served by ix_files_user_id).
SELECT id, filename, content_type, user_id, created_at, updated_at
FROM files
WHERE user_id = :user_id
ORDER BY created_at DESC, id DESC
LIMIT :page_size;

--! files_of_owner_after : File
--- The next `page_size` files strictly older than the keyset (created_at, id):
--- rows inserted or deleted meanwhile cause neither duplicates nor gaps.
SELECT id, filename, content_type, user_id, created_at, updated_at
FROM files
WHERE user_id = :user_id
  AND (created_at, id) < (:before_created_at, :before_id)
ORDER BY created_at DESC, id DESC
LIMIT :page_size;

--! update_file_of_owner (filename?, content_type?) : File
--- Changes the given fields of an owned file and leaves the NULL ones as they are.
UPDATE files
SET filename = coalesce(:filename, filename),
    content_type = coalesce(:content_type, content_type)
WHERE id = :id AND user_id = :user_id
RETURNING id, filename, content_type, user_id, created_at, updated_at;

--! delete_file_of_owner
--- Deletes an owned file; zero rows affected means no such file for this owner.
DELETE FROM files
WHERE id = :id AND user_id = :user_id;
