-- Idempotency keys of creates (see migrations/*_idempotency_keys).

--! claim_idempotency_key
--- Claims `key` for a new attempt: a new key, or one whose record expired
--- (older than `ttl_seconds`). Returns no row while a live record holds it.
INSERT INTO idempotency_keys AS k (user_id, key, fingerprint)
VALUES (:user_id, :key, :fingerprint)
ON CONFLICT (user_id, key) DO UPDATE
    SET fingerprint = EXCLUDED.fingerprint, outcome = NULL, created_at = now()
    WHERE k.created_at <= now() - make_interval(secs => :ttl_seconds)
RETURNING k.user_id;

--! idempotent_outcome : (fingerprint, outcome?)
--- The live record of `key`: what the first attempt sent and got. No row
--- when the user is not active or session `session_id` is not live: a
--- replay is an answer to the caller, confirmed like any other.
SELECT k.fingerprint, k.outcome
FROM idempotency_keys AS k
JOIN users AS u ON u.id = k.user_id AND u.is_active
WHERE k.user_id = :user_id AND k.key = :key
  AND EXISTS (SELECT 1 FROM sessions AS s
              WHERE s.id = :session_id AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now());

--! record_idempotent_outcome
--- Stores the outcome of the attempt that claimed `key`.
UPDATE idempotency_keys
SET outcome = :outcome
WHERE user_id = :user_id AND key = :key;

--! sweep_idempotency_keys
--- Removes up to `batch` records older than `ttl_seconds` (through the
--- index on `created_at`; the rows are locked by the subquery, so their
--- ctid cannot change before they are deleted).
DELETE FROM idempotency_keys
WHERE ctid = ANY (ARRAY(
    SELECT ctid FROM idempotency_keys
    WHERE created_at <= now() - make_interval(secs => :ttl_seconds)
    ORDER BY created_at
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
));
