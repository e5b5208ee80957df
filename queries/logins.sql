-- Login: the credentials to check, and the throttle that may refuse to check
-- them (see migrations/*_login_throttle for the windows and keys).
--
-- Every attempt is counted *before* its password is checked, in the statement
-- that decides whether it may be checked at all: the count is taken on the
-- throttle row's lock, so however many attempts race, on however many
-- instances, at most `max` passwords are checked per key and window. A wrong
-- password keeps its count; a right one gives it back (sessions.sql,
-- start_session). `failures` therefore counts attempts checked or being
-- checked, and stops at `max` + 1, which marks a key that refused one.
--
-- The account key is made here, from the same `lower()` the account lookup
-- uses, so every spelling that finds one account counts against one key
-- whatever the database's collation (Rust's lower-casing and PostgreSQL's
-- can disagree, e.g. on 'İ').

--! reserve_login_attempt : (user_id?, password_hash?, is_active?, account_window?, client_window?, retry_at?)
--- Counts one login attempt for `email` from client `client_key` against
--- both keys, each only while it is under its limit, and returns the
--- credentials of the account with that email in any letter case (NULL when
--- there is none). `retry_at` is set when either key is at its limit: the
--- attempt is refused, and the caller gives back the other key's count
--- (refund_login_attempt). `account_window` and `client_window` are when
--- the keys' windows started, which a refund names.
WITH limits (key, max_failures) AS (
    VALUES ('account:' || encode(sha256(convert_to(lower(:email), 'UTF8')), 'hex'), CAST(:max_per_account AS integer)),
           (CAST(:client_key AS text), CAST(:max_per_client AS integer))
), counted AS (
    INSERT INTO login_throttle AS t (key, failures, window_started, locked_until)
    SELECT key, 1, now(), CASE WHEN max_failures <= 1 THEN now() + make_interval(secs => :window_seconds) END
    FROM limits
    -- Rows are locked in key order (account, then client), as every other
    -- statement that locks both does: no two wait on each other in a cycle.
    ORDER BY key
    ON CONFLICT (key) DO UPDATE SET
        failures = CASE
            WHEN t.window_started + make_interval(secs => :window_seconds) <= now() THEN 1
            ELSE least(t.failures + 1, (SELECT max_failures + 1 FROM limits WHERE limits.key = t.key))
        END,
        window_started = CASE
            WHEN t.window_started + make_interval(secs => :window_seconds) <= now() THEN now()
            ELSE t.window_started
        END,
        -- Kept for v1.1 servers running beside this one during an upgrade.
        locked_until = CASE
            WHEN t.window_started + make_interval(secs => :window_seconds) <= now()
                THEN CASE WHEN (SELECT max_failures FROM limits WHERE limits.key = t.key) <= 1
                          THEN now() + make_interval(secs => :window_seconds) END
            WHEN t.failures + 1 >= (SELECT max_failures FROM limits WHERE limits.key = t.key)
                THEN t.window_started + make_interval(secs => :window_seconds)
            ELSE t.locked_until
        END
    RETURNING t.key, t.failures, t.window_started
), refused AS (
    SELECT max(c.window_started + make_interval(secs => :window_seconds)) AS retry_at
    FROM counted AS c JOIN limits AS l ON l.key = c.key
    WHERE c.failures > l.max_failures
)
SELECT u.id AS user_id, u.hashed_password AS password_hash, u.is_active,
       (SELECT c.window_started FROM counted AS c WHERE c.key LIKE 'account:%') AS account_window,
       (SELECT c.window_started FROM counted AS c WHERE c.key = :client_key) AS client_window,
       (SELECT retry_at FROM refused) AS retry_at
FROM (VALUES (1)) AS one (n)
LEFT JOIN users AS u ON lower(u.email) = lower(:email);

--! refund_login_attempt (account_window?, client_window?)
--- Gives back the attempt that reserve_login_attempt counted against the
--- keys of `email` and `client_key` in the windows it returned: the attempt
--- was refused by the other key. A key at its limit + 1 refused it and is
--- left as it is, and so is a key whose window has started again.
UPDATE login_throttle AS t
SET failures = t.failures - 1,
    locked_until = CASE WHEN t.failures - 1 >= k.max_failures THEN t.locked_until END
FROM (VALUES ('account:' || encode(sha256(convert_to(lower(:email), 'UTF8')), 'hex'),
              CAST(:account_window AS timestamptz), CAST(:max_per_account AS integer)),
             (CAST(:client_key AS text), CAST(:client_window AS timestamptz), CAST(:max_per_client AS integer)))
     AS k (key, window_started, max_failures)
WHERE t.key = k.key AND t.window_started = k.window_started AND t.failures BETWEEN 1 AND k.max_failures
  -- Locked in key order first, as reserve_login_attempt locks them.
  AND t.key IN (SELECT l.key FROM login_throttle AS l WHERE l.key IN (SELECT key FROM (VALUES
          ('account:' || encode(sha256(convert_to(lower(:email), 'UTF8')), 'hex')), (CAST(:client_key AS text))) AS both_keys (key))
      ORDER BY l.key FOR UPDATE);

--! sweep_login_throttle
--- Removes up to `batch` windows that ended, and their locks with them
--- (through the index on `window_started`).
DELETE FROM login_throttle
WHERE key = ANY (ARRAY(
    SELECT key FROM login_throttle
    WHERE window_started <= now() - make_interval(secs => :window_seconds)
    ORDER BY window_started
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
));
