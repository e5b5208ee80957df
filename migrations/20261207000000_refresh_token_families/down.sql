-- Back to a row per refresh token: each live session's newest token gets its
-- row (its hash is of the whole token, as refresh_tokens hashes tokens), so
-- a v1.1 server takes the tokens issued since the up migration. What is
-- lost is reuse detection for their spent predecessors, which had no rows.
INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
SELECT refresh_hash, id, expires_at
FROM sessions
WHERE refresh_hash IS NOT NULL AND ended_at IS NULL AND expires_at > now()
ON CONFLICT (token_hash) DO NOTHING;

DROP INDEX ux_sessions_refresh_family;

ALTER TABLE sessions
    DROP COLUMN refresh_family,
    DROP COLUMN refresh_hash;
