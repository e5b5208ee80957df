-- Sessions: one per login, ended by logout, by the owner from another
-- session, by a password change or reset, or by presenting a spent refresh
-- token (theft). Access tokens name their session (`sid`); the statement each
-- request runs to confirm its caller also checks the session is live, so a
-- session ends on every instance at once. New tables only: a running v1
-- server never touches them.

CREATE TABLE sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   varchar(512),
    created_at   timestamptz NOT NULL DEFAULT now(),
    -- Moved at refresh, never by a plain request: reads write nothing.
    last_used_at timestamptz NOT NULL DEFAULT now(),
    -- When its newest refresh token expires; moved forward at each refresh.
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);

-- "Your sessions, newest first", and ending all of a user's sessions.
CREATE INDEX ix_sessions_user_id ON sessions (user_id, created_at DESC, id DESC);
-- The purge finds finished sessions by these.
CREATE INDEX ix_sessions_expires_at ON sessions (expires_at);
CREATE INDEX ix_sessions_ended_at ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- Refresh tokens, stored only as SHA-256 of the opaque token (256 random
-- bits, so a plain hash cannot be reversed by guessing). Each refresh spends
-- its token and adds the next; spent ones stay until they expire, so that
-- presenting one again is recognised as reuse and ends the session.
CREATE TABLE refresh_tokens (
    token_hash bytea PRIMARY KEY,
    session_id bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    spent_at   timestamptz
);

CREATE INDEX ix_refresh_tokens_session_id ON refresh_tokens (session_id);
CREATE INDEX ix_refresh_tokens_expires_at ON refresh_tokens (expires_at);
