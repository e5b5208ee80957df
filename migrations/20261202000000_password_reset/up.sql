-- v1.1 password reset, and the outbox its mail leaves through. New tables
-- only: a running v1 server never touches them.

-- Reset tokens, stored only as SHA-256 of the opaque token (256 random
-- bits). Single use: confirming one spends it and every other of its user.
CREATE TABLE password_reset_tokens (
    token_hash bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    spent_at   timestamptz
);

-- Spending all of a user's tokens, and the purge of spent and expired ones.
CREATE INDEX ix_password_reset_tokens_user_id ON password_reset_tokens (user_id);
CREATE INDEX ix_password_reset_tokens_expires_at ON password_reset_tokens (expires_at);

-- Reset requests, counted per email and per client address in fixed windows
-- so that nobody floods an inbox or the outbox, on every instance at once.
-- Keys as in login_throttle: `account:<sha256 of the lower-cased email>`
-- (counted whether or not an account has it) or `client:<ip address>`.
CREATE TABLE password_reset_throttle (
    key            text PRIMARY KEY,
    requests       integer NOT NULL,
    window_started timestamptz NOT NULL
);

CREATE INDEX ix_password_reset_throttle_window_started ON password_reset_throttle (window_started);

-- The transactional outbox: mail is written here in the transaction that
-- makes it true (a reset token), so a rolled-back transaction sends
-- nothing, and a background sender delivers it at least once. Senders
-- claim a row with FOR UPDATE SKIP LOCKED and hold the lock while sending,
-- so no two instances send one mail at the same time.
CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- What the mail is for (`password_reset`), for logs and metrics.
    kind            text NOT NULL,
    recipient       varchar(255) NOT NULL,
    subject         text NOT NULL,
    -- Plain text; emptied once the mail is settled, since a reset mail
    -- carries its token in the clear.
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Past this the mail is not worth sending (its link has expired).
    discard_after   timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    sent_at         timestamptz,
    -- Refused for good by the mail server (a 5xx reply): not retried.
    failed_at       timestamptz
);

-- The senders' queue: mail still to deliver, by when it is due.
CREATE INDEX ix_outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
