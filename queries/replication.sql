-- Where each server is in the write-ahead log, for routing reads to streaming
-- replicas without a client ever missing its own write. Positions are bytes
-- from 0/0 (pg_lsn arithmetic), so they compare as plain integers.

--! primary_wal_position
--- The primary's current WAL position: every commit acknowledged so far lies
--- before it.
SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS position;

--: ReplicaPosition(replayed?)
--! replica_position : ReplicaPosition
--- Whether this server is still a replica, and how far it has replayed the
--- primary's WAL (NULL once it is not a replica).
SELECT pg_is_in_recovery() AS in_recovery,
       (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS replayed;
