-- Password reset (see migrations/*_password_reset): single-use tokens,
-- looked up by their SHA-256, and the throttle on asking for them.

--! request_password_reset : (retry_at?)
--- Someone asks to reset the password of `email`: counts the request
--- against the email (its key made from the same `lower()` the account
--- lookup uses, as in logins.sql) and the client (`client_key`), and,
--- when both are within their limits and an active account has that email
--- in any letter case, stores reset token `token_hash` and puts the mail in
--- the outbox, in one statement and so one transaction: the mail exists
--- exactly when the token does. `retry_at` is when the key over its limit
--- frees up; NULL when within the limits, whether or not the account exists.
WITH keys (account_key) AS (
    VALUES ('account:' || encode(sha256(convert_to(lower(:email), 'UTF8')), 'hex'))
), counted AS (
    INSERT INTO password_reset_throttle AS t (key, requests, window_started)
    SELECT account_key, 1, now() FROM keys
    UNION ALL
    SELECT CAST(:client_key AS text), 1, now()
    ON CONFLICT (key) DO UPDATE SET
        requests = CASE
            WHEN t.window_started + make_interval(secs => :window_seconds) <= now() THEN 1
            ELSE t.requests + 1
        END,
        window_started = CASE
            WHEN t.window_started + make_interval(secs => :window_seconds) <= now() THEN now()
            ELSE t.window_started
        END
    RETURNING t.key, t.requests, t.window_started + make_interval(secs => :window_seconds) AS window_ends
), over_limit AS (
    SELECT max(window_ends) AS retry_at
    FROM counted
    WHERE requests > CASE WHEN key LIKE 'account:%' THEN CAST(:max_per_account AS integer) ELSE CAST(:max_per_client AS integer) END
), account AS (
    SELECT u.id, u.email
    FROM users AS u
    WHERE lower(u.email) = lower(:email) AND u.is_active
      AND (SELECT retry_at FROM over_limit) IS NULL
), token AS (
    INSERT INTO password_reset_tokens (token_hash, user_id, expires_at)
    SELECT :token_hash, id, now() + make_interval(secs => :ttl_seconds) FROM account
), mail AS (
    INSERT INTO outbox (kind, recipient, subject, body, discard_after)
    SELECT 'password_reset', email, :subject, :body, now() + make_interval(secs => :ttl_seconds) FROM account
)
SELECT retry_at FROM over_limit;

--! usable_reset_token : (user_id)
--- The active user whose reset token `token_hash` is neither spent nor
--- expired; no row otherwise.
SELECT t.user_id
FROM password_reset_tokens AS t
JOIN users AS u ON u.id = t.user_id
WHERE t.token_hash = :token_hash AND t.spent_at IS NULL AND t.expires_at > now() AND u.is_active;

--! lock_reset_token_user : (user_id)
--- Locks the user of reset token `token_hash` until the transaction ends,
--- before reset_password runs in it: a login that locked the user first
--- (sessions.sql, start_session) has then committed its session, which
--- reset_password's own snapshot now sees and ends. No row for an unknown
--- token.
SELECT u.id AS user_id
FROM password_reset_tokens AS t
JOIN users AS u ON u.id = t.user_id
WHERE t.token_hash = :token_hash
FOR NO KEY UPDATE OF u;

--! reset_password : (user_id)
--- Spends reset token `token_hash` while it is still usable and, in the
--- same statement, gives its user the password `hashed_password`, spends
--- the user's other reset tokens and ends every session of the user. No row
--- when the token was not usable (two confirmations take turns on its row
--- lock: the second finds it spent).
WITH token AS (
    UPDATE password_reset_tokens AS t
    SET spent_at = now()
    FROM users AS u
    WHERE t.token_hash = :token_hash AND t.spent_at IS NULL AND t.expires_at > now()
      AND u.id = t.user_id AND u.is_active
    RETURNING t.user_id
), new_password AS (
    UPDATE users SET hashed_password = :hashed_password WHERE id IN (SELECT user_id FROM token)
), other_tokens AS (
    UPDATE password_reset_tokens
    SET spent_at = now()
    WHERE user_id IN (SELECT user_id FROM token) AND spent_at IS NULL AND token_hash <> :token_hash
), sessions_ended AS (
    UPDATE sessions
    SET ended_at = now()
    WHERE user_id IN (SELECT user_id FROM token) AND ended_at IS NULL
)
SELECT user_id FROM token;

--! purge_password_reset_tokens
--- Deletes up to `batch` spent or expired reset tokens; SKIP LOCKED lets
--- instances purging at once share the work.
DELETE FROM password_reset_tokens
WHERE token_hash IN (
    SELECT token_hash FROM password_reset_tokens
    WHERE spent_at IS NOT NULL OR expires_at <= now()
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
);

--! sweep_password_reset_throttle
--- Removes up to `batch` windows that have ended (through the index on
--- `window_started`).
DELETE FROM password_reset_throttle
WHERE key = ANY (ARRAY(
    SELECT key FROM password_reset_throttle
    WHERE window_started <= now() - make_interval(secs => :window_seconds)
    ORDER BY window_started
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
));
