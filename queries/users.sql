-- People who sign in. Rows never carry the password hash except
-- `UserCredentials`, which only login reads.
--
-- Requests authenticate with a token checked without the database; the
-- statements below confirm in the same round trip that the caller is still an
-- active user and that the token's session is live (not ended, not expired),
-- so a read costs one statement.

--: User(name?, bio?, avatar_url?, last_login_at?)
--: UserCredentials()

--! insert_user : User
--- Creates a user; a taken email (in any letter case) fails on ux_users_email_lower.
INSERT INTO users (email, hashed_password)
VALUES (:email, :hashed_password)
RETURNING id, email, is_active, created_at, updated_at, name, bio, avatar_url, preferences, last_login_at;

--! user_by_id : User
--- One user by id, without the password hash.
SELECT id, email, is_active, created_at, updated_at, name, bio, avatar_url, preferences, last_login_at
FROM users
WHERE id = :id;

--! caller_in_session : User
--- The user behind a token, only while the account is active and the
--- token's session `session_id` is live.
SELECT id, email, is_active, created_at, updated_at, name, bio, avatar_url, preferences, last_login_at
FROM users AS u
WHERE u.id = :id AND u.is_active
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now());

--! user_seen_by_caller
--- Whether `caller_id` is an active user in a live session `session_id`, and
--- whether user `target_id` exists, in one round trip: a row for each of the
--- two that exists, and nothing of the target but its id (the caller may not
--- see it). `caller_live` is only meaningful on the caller's row.
SELECT u.id,
       u.is_active AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now()) AS caller_live
FROM users AS u
WHERE u.id IN (:caller_id, :target_id);

--! credentials_by_email : UserCredentials
--- What login needs to check a password; the email matches in any letter case.
SELECT id, hashed_password, is_active
FROM users
WHERE lower(email) = lower(:email);

--! lock_user_for_password_change
--- Locks user `id` until the transaction ends, before update_active_user
--- sets a new password in it: a login that locked the user first
--- (sessions.sql, start_session) has then committed its session, which
--- update_active_user's own snapshot sees and ends.
SELECT 1 AS locked FROM users WHERE id = :id FOR NO KEY UPDATE;

--! update_active_user (email?, hashed_password?, is_active?, name?, bio?, avatar_url?, preferences?) : User
--- Changes an active user in a live session: `email`, `hashed_password` and
--- `is_active` when not NULL; `name`, `bio`, `avatar_url` and `preferences`
--- when their `set_*` flag is true (NULL then clears them; `preferences`
--- clears to `{}`). A new password ends every other session of the user, in
--- the same statement.
WITH changed AS (
    UPDATE users AS u
    SET email = coalesce(:email, email),
        hashed_password = coalesce(:hashed_password, hashed_password),
        is_active = coalesce(:is_active, is_active),
        name = CASE WHEN :set_name THEN :name ELSE name END,
        bio = CASE WHEN :set_bio THEN :bio ELSE bio END,
        avatar_url = CASE WHEN :set_avatar_url THEN :avatar_url ELSE avatar_url END,
        preferences = CASE WHEN :set_preferences THEN coalesce(:preferences, '{}'::jsonb) ELSE preferences END
    WHERE u.id = :id AND u.is_active
      AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now())
    RETURNING u.id, u.email, u.is_active, u.created_at, u.updated_at, u.name, u.bio, u.avatar_url, u.preferences, u.last_login_at
), others_ended AS (
    UPDATE sessions
    SET ended_at = now()
    WHERE user_id IN (SELECT id FROM changed) AND :hashed_password IS NOT NULL
      AND id <> :session_id AND ended_at IS NULL
)
SELECT id, email, is_active, created_at, updated_at, name, bio, avatar_url, preferences, last_login_at
FROM changed;

--! delete_active_user
--- Deletes an active user in a live session, and their sessions with them;
--- fails on files_user_id_fkey while they still own files.
DELETE FROM users AS u
WHERE u.id = :id AND u.is_active
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now());
