-- Login: the credentials to check, and the throttle that may refuse to check
-- them (see migrations/*_login_throttle for the windows and keys).

--! login_attempt : (user_id?, password_hash?, is_active?, locked_until?)
--- One round trip before any password is checked: the credentials of the
--- account named `email` in any letter case (NULL when there is none), and
--- until when the account or the client is locked (NULL when neither is).
--- A successful login forgets the account's failures as it starts the
--- session (sessions.sql, start_session).
SELECT u.id AS user_id, u.hashed_password AS password_hash, u.is_active,
       (SELECT max(t.locked_until) FROM login_throttle AS t
        WHERE t.key IN (:account_key, :client_key) AND t.locked_until > now()) AS locked_until
FROM (VALUES (1)) AS one (n)
LEFT JOIN users AS u ON lower(u.email) = lower(:email);

--! record_login_failure
--- Counts one failed login against `key`: a new window when the last one has
--- ended, and a lock until the window ends once `max_failures` are reached.
INSERT INTO login_throttle AS t (key, failures, window_started, locked_until)
VALUES (:key, 1, now(), CASE WHEN :max_failures <= 1 THEN now() + make_interval(secs => :window_seconds) END)
ON CONFLICT (key) DO UPDATE SET
    failures = CASE
        WHEN t.window_started + make_interval(secs => :window_seconds) <= now() THEN 1
        ELSE t.failures + 1
    END,
    window_started = CASE
        WHEN t.window_started + make_interval(secs => :window_seconds) <= now() THEN now()
        ELSE t.window_started
    END,
    locked_until = CASE
        WHEN t.window_started + make_interval(secs => :window_seconds) <= now()
            THEN CASE WHEN :max_failures <= 1 THEN now() + make_interval(secs => :window_seconds) END
        WHEN t.failures + 1 >= :max_failures
            THEN t.window_started + make_interval(secs => :window_seconds)
    END;

--! sweep_login_throttle
--- Removes the windows that have ended, and their locks with them.
DELETE FROM login_throttle
WHERE window_started + make_interval(secs => :window_seconds) <= now();
