-- Registrations, counted per client address in fixed windows: each one
-- costs an argon2 hash, so registrations alone could otherwise fill the
-- hashing queue and turn every login away. A new table only (expand): safe
-- while v1.1 servers run. Keys as in login_throttle: `client:<address>`
-- (an IPv6 client's /64).
CREATE TABLE registration_throttle (
    key            text PRIMARY KEY,
    requests       integer NOT NULL,
    window_started timestamptz NOT NULL
);

CREATE INDEX ix_registration_throttle_window_started ON registration_throttle (window_started);
