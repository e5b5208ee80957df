-- Registrations and their throttle (see migrations/*_registration_throttle):
-- each registration costs an argon2 hash, so it is counted per client
-- address before the password is hashed.

--! count_registration : (retry_at?)
--- Counts one registration from `client_key` while the client is under
--- `max_per_client` in its window; `retry_at` is when the window ends once
--- the client is at its limit (the registration is refused), NULL otherwise.
WITH counted AS (
    INSERT INTO registration_throttle AS t (key, requests, window_started)
    VALUES (:client_key, 1, now())
    ON CONFLICT (key) DO UPDATE SET
        requests = CASE
            WHEN t.window_started + make_interval(secs => :window_seconds) <= now() THEN 1
            ELSE least(t.requests + 1, CAST(:max_per_client AS integer) + 1)
        END,
        window_started = CASE
            WHEN t.window_started + make_interval(secs => :window_seconds) <= now() THEN now()
            ELSE t.window_started
        END
    RETURNING t.requests, t.window_started
)
SELECT CASE WHEN requests > :max_per_client THEN window_started + make_interval(secs => :window_seconds) END AS retry_at
FROM counted;

--! sweep_registration_throttle
--- Removes up to `batch` windows that have ended (through the index on
--- `window_started`).
DELETE FROM registration_throttle
WHERE key = ANY (ARRAY(
    SELECT key FROM registration_throttle
    WHERE window_started <= now() - make_interval(secs => :window_seconds)
    ORDER BY window_started
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
));
