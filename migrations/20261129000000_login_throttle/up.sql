-- Failed logins, counted per account and per client address so that password
-- guessing is slowed down on every instance at once: the counts live here,
-- not in one process's memory.
--
-- A row is one fixed window of `window_started` + the window length the
-- service is configured with. Reaching `max_failures` inside it locks the key
-- until the window ends, so a lock is always bounded and nobody can be locked
-- out for longer than one window by a single burst.
--
-- `key` is `account:<sha256 of the lower-cased email>` (emails of accounts
-- that do not exist are counted too, so a lock reveals nothing, and the table
-- holds no address in the clear) or `client:<ip address>`.
CREATE TABLE login_throttle (
    key            text PRIMARY KEY,
    failures       integer NOT NULL,
    window_started timestamptz NOT NULL,
    locked_until   timestamptz
);

-- The sweep of finished windows scans by age.
CREATE INDEX ix_login_throttle_window_started ON login_throttle (window_started);
