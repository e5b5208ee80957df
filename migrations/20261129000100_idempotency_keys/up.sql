-- Idempotency-Key (IETF httpapi draft): a client that retries a create with
-- the same key gets the first response back and creates nothing new, even
-- when the retry reaches another instance or races the first attempt.
--
-- The key is claimed in the same transaction as the write it guards, so the
-- outcome and its record commit together or not at all; a racing attempt
-- waits on the claim's unique index until the first commits, then replays.
-- `fingerprint` identifies the request body: the same key with another body
-- is refused. `outcome` is the created resource as JSON, NULL only inside the
-- claiming transaction. Keys are per user and die with their user.
CREATE TABLE idempotency_keys (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key         text NOT NULL,
    fingerprint bytea NOT NULL,
    outcome     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- Expired keys are swept by age.
CREATE INDEX ix_idempotency_keys_created_at ON idempotency_keys (created_at);
