-- Refresh token families. Every refresh token of a session now begins with
-- the session's family id (128 random bits, stored only as its SHA-256), so
-- presenting an earlier token is recognised as reuse from its family alone:
-- a session keeps the hashes of its family and of its newest token instead
-- of a row for every token it ever had (a session refreshed every 15 minutes
-- left ~2,900 spent rows a month, each kept 30 days).
--
-- Expand only, safe while v1.1 servers run: refresh_tokens stays, and is
-- still read for tokens issued before this migration (spent ones included,
-- so their reuse still ends the session) until they expire; a later
-- migration drops it. A v1.1 server looks the new tokens up there and finds
-- nothing, so during a rollout a client refreshing on an old instance is
-- asked to log in again (401), never given a second token of one family.
--
-- The index is partial and starts empty (no session has a family yet), so
-- building it costs one scan of sessions, under a lock that holds back
-- logins and refreshes, not reads, for that long.
ALTER TABLE sessions
    ADD COLUMN refresh_family bytea,
    ADD COLUMN refresh_hash bytea;

CREATE UNIQUE INDEX ux_sessions_refresh_family ON sessions (refresh_family) WHERE refresh_family IS NOT NULL;
