-- People who sign in. Rows never carry the password hash except
-- `UserCredentials`, which only login reads.
--
-- Requests authenticate with a token checked without the database; the
-- statements below confirm in the same round trip that the caller is still an
-- active user, so a read costs one statement.

--: User()
--: UserCredentials()

--! insert_user : User
--- Creates a user; a taken email (in any letter case) fails on ux_users_email_lower.
INSERT INTO users (email, hashed_password)
VALUES (:email, :hashed_password)
RETURNING id, email, is_active, created_at, updated_at;

--! user_by_id : User
--- One user by id, without the password hash.
SELECT id, email, is_active, created_at, updated_at
FROM users
WHERE id = :id;

--! active_user_by_id : User
--- The user behind a token, only while the account is active.
SELECT id, email, is_active, created_at, updated_at
FROM users
WHERE id = :id AND is_active;

--! user_seen_by_caller
--- Whether `caller_id` is an active user and whether user `target_id` exists,
--- in one round trip and one index scan: a row for each of the two that
--- exists, and nothing of the target but its id (the caller may not see it).
SELECT id, is_active
FROM users
WHERE id IN (:caller_id, :target_id);

--! credentials_by_email : UserCredentials
--- What login needs to check a password; the email matches in any letter case.
SELECT id, hashed_password, is_active
FROM users
WHERE lower(email) = lower(:email);

--! update_active_user (email?, hashed_password?, is_active?) : User
--- Changes the given fields of an active user and leaves the NULL ones as they are.
UPDATE users
SET email = coalesce(:email, email),
    hashed_password = coalesce(:hashed_password, hashed_password),
    is_active = coalesce(:is_active, is_active)
WHERE id = :id AND is_active
RETURNING id, email, is_active, created_at, updated_at;

--! delete_active_user
--- Deletes an active user; fails on files_user_id_fkey while they still own files.
DELETE FROM users
WHERE id = :id AND is_active;
