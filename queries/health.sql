-- Liveness of the database itself.

--! ping
--- The cheapest round trip that proves the server answers queries.
SELECT 1 AS alive;
