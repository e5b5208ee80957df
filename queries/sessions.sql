-- Sessions and their refresh tokens (see migrations/*_sessions and
-- *_refresh_token_families). A session is live while it has not ended and its
-- newest refresh token has not expired. A session holds the SHA-256 of its
-- token family and of its newest token; refresh_tokens holds the tokens
-- issued before families, until they expire. Nothing is stored in the clear.

--: Session(user_agent?)

--! start_session (user_agent?, client_window?) : (id, expires_at)
--- Login as `email`: a session for active user `user_id` whose password hash is still
--- `password_hash`, the one the password was checked against, of refresh
--- token family `family_hash` with first token `token_hash`; the login recorded on the account, the account's
--- attempts forgotten and the one counted against `client_key` in the window
--- that started at `client_window` given back; in one statement. No row when
--- the user is not active or their password changed since it was checked.
---
--- The user's row is locked first, and a lock re-reads a row changed since
--- the statement began: a password reset or change that committed while the
--- password was being checked is seen, and no session starts with the old
--- password. One that comes after waits for this statement, locks the same
--- row first (lock_reset_token_user, lock_user_for_password_change), and
--- then sees this session and ends it.
WITH account AS (
    SELECT id
    FROM users
    WHERE id = :user_id AND is_active AND hashed_password = :password_hash
    FOR NO KEY UPDATE
), session AS (
    INSERT INTO sessions (user_id, user_agent, expires_at, refresh_family, refresh_hash)
    SELECT id, :user_agent, now() + make_interval(secs => :ttl_seconds), :family_hash, :token_hash
    FROM account
    RETURNING id, user_id, expires_at
), login AS (
    UPDATE users SET last_login_at = now() WHERE id IN (SELECT user_id FROM session)
), throttle AS (
    -- The throttle rows this login settles, locked in key order as
    -- reserve_login_attempt locks them (account, then client): two
    -- statements that lock both rows never wait on each other in a cycle.
    SELECT key
    FROM login_throttle
    WHERE key IN ('account:' || encode(sha256(convert_to(lower(:email), 'UTF8')), 'hex'), :client_key)
      AND EXISTS (SELECT 1 FROM session)
    ORDER BY key
    FOR UPDATE
), attempts_settled AS (
    -- The account's attempts are forgotten; the client's one is given back.
    UPDATE login_throttle AS t
    SET failures = CASE WHEN t.key = :client_key THEN t.failures - 1 ELSE 0 END,
        locked_until = CASE WHEN t.key = :client_key AND t.failures - 1 >= :max_per_client THEN t.locked_until END
    WHERE t.key IN (SELECT key FROM throttle)
      AND (t.key <> :client_key OR (t.window_started = :client_window AND t.failures BETWEEN 1 AND :max_per_client))
)
SELECT id, expires_at FROM session;

--! rotate_refresh_token : (id, user_id, expires_at)
--- Spends `token_hash`, the newest token of refresh token family
--- `family_hash`, and gives its session `next_hash` (of the same family),
--- expiring `ttl_seconds` from now, as does the session. No row when the
--- token is not its family's newest, the session is not live or its user
--- not active. Two refreshes with one token take turns on the session's
--- row, and the second, re-reading it, finds the token spent.
UPDATE sessions AS s
SET refresh_hash = :next_hash, last_used_at = now(), expires_at = now() + make_interval(secs => :ttl_seconds)
FROM users AS u
WHERE s.refresh_family = :family_hash AND s.refresh_hash = :token_hash
  AND s.ended_at IS NULL AND s.expires_at > now()
  AND u.id = s.user_id AND u.is_active
RETURNING s.id, s.user_id, s.expires_at;

--! end_reused_refresh_family : (id)
--- Ends the session of refresh token family `family_hash` when its newest
--- token is not `token_hash`: an earlier token of the family was presented
--- again, so two holders have it (theft). No row when there is no such
--- session or it has ended already.
UPDATE sessions
SET ended_at = now()
WHERE refresh_family = :family_hash AND refresh_hash <> :token_hash AND ended_at IS NULL
RETURNING id;

--! legacy_refresh_token_for_update : (session_id, user_id, spent, usable)
--- The refresh token issued before token families with hash `token_hash`, locked until the transaction
--- ends so that two refreshes with one token take turns: whether it was
--- spent already, and whether it could be spent now (unexpired, its session
--- live, its user active).
SELECT t.session_id, s.user_id, t.spent_at IS NOT NULL AS spent,
       (t.expires_at > now() AND s.ended_at IS NULL AND s.expires_at > now() AND u.is_active) AS usable
FROM refresh_tokens AS t
JOIN sessions AS s ON s.id = t.session_id
JOIN users AS u ON u.id = s.user_id
WHERE t.token_hash = :token_hash
FOR UPDATE OF t;

--! rotate_legacy_refresh_token : (expires_at)
--- Spends refresh token `old_hash`, issued before token families, and moves
--- its session to family `family_hash` with newest token `next_hash`, which
--- expires `ttl_seconds` from now, as does the session. The spent row stays
--- until it expires, so presenting it again still ends the session.
WITH spent AS (
    UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = :old_hash
)
UPDATE sessions
SET refresh_family = :family_hash, refresh_hash = :next_hash,
    last_used_at = now(), expires_at = now() + make_interval(secs => :ttl_seconds)
WHERE id = :session_id
RETURNING expires_at;

--! end_session_by_id
--- Ends session `session_id` (a spent refresh token issued before token
--- families was presented again).
UPDATE sessions
SET ended_at = now()
WHERE id = :session_id AND ended_at IS NULL;

--! end_own_session : (caller_live, ended)
--- Ends live session `session_id` of user `user_id`, asked from the caller's
--- live session `caller_session_id` (the same one for logout). `caller_live`
--- is false when the caller is not an active user in a live session; then
--- nothing ends.
WITH caller AS (
    SELECT 1
    FROM sessions AS s
    JOIN users AS u ON u.id = s.user_id
    WHERE s.id = :caller_session_id AND s.user_id = :user_id AND u.is_active
      AND s.ended_at IS NULL AND s.expires_at > now()
), ended AS (
    UPDATE sessions
    SET ended_at = now()
    WHERE id = :session_id AND user_id = :user_id AND ended_at IS NULL AND expires_at > now()
      AND EXISTS (SELECT 1 FROM caller)
    RETURNING id
)
SELECT EXISTS (SELECT 1 FROM caller) AS caller_live, EXISTS (SELECT 1 FROM ended) AS ended;

--! live_sessions : Session
--- The newest `max_sessions` live sessions of active user `user_id`, newest
--- first, asked from session `session_id`: no row when the caller is not an
--- active user in that live session (a live caller always has one).
SELECT s.id, s.created_at, s.last_used_at, s.user_agent
FROM sessions AS s
JOIN users AS u ON u.id = s.user_id AND u.is_active
WHERE s.user_id = :user_id AND s.ended_at IS NULL AND s.expires_at > now()
  AND EXISTS (SELECT 1 FROM sessions AS caller
              WHERE caller.id = :session_id AND caller.user_id = :user_id
                AND caller.ended_at IS NULL AND caller.expires_at > now())
ORDER BY s.created_at DESC, s.id DESC
LIMIT :max_sessions;

--! purge_sessions
--- Deletes up to `batch` sessions that ended or expired and whose rows in
--- refresh_tokens are already gone (purge_refresh_tokens goes first), so
--- that the delete cascades through nothing: a session refreshed every 15
--- minutes for a month before token families has thousands of spent rows.
--- SKIP LOCKED: instances purging at once share the work instead of waiting
--- for each other.
DELETE FROM sessions
WHERE id = ANY (ARRAY(
    SELECT s.id FROM sessions AS s
    WHERE (s.ended_at IS NOT NULL OR s.expires_at <= now())
      AND NOT EXISTS (SELECT 1 FROM refresh_tokens AS t WHERE t.session_id = s.id)
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
));

--! purge_refresh_tokens
--- Deletes up to `batch` rows of refresh_tokens (tokens issued before
--- token families) that nothing needs any more: expired
--- ones (refused anyway), and those of ended sessions (an ended session
--- refuses every token, so reuse detection needs none of them). Spent
--- tokens of a live session stay until they expire: presenting one again
--- is how theft is recognised.
DELETE FROM refresh_tokens
WHERE token_hash = ANY (ARRAY(
    SELECT token_hash FROM refresh_tokens
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
) || ARRAY(
    SELECT t.token_hash
    FROM sessions AS s
    JOIN refresh_tokens AS t ON t.session_id = s.id
    WHERE s.ended_at IS NOT NULL
    LIMIT :batch
    FOR UPDATE OF t SKIP LOCKED
));
