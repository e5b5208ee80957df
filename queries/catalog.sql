-- The schema as the catalog sees it, for comparing two databases (the
-- migration round-trip test). Bookkeeping of the migration runner is left out.

--! schema_objects
--- One line of text per table, column, constraint, index, trigger and function
--- of the public schema, sorted: equal lists mean equal schemas.
SELECT object FROM (
    SELECT format('table %s', c.relname) AS object
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
    UNION ALL
    SELECT format('column %s.%s %s %s default %s identity %s',
                  c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END,
                  coalesce(pg_get_expr(d.adbin, d.adrelid), '-'), a.attidentity)
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0
      AND NOT a.attisdropped
    UNION ALL
    SELECT format('constraint %s.%s %s', c.relname, con.conname, pg_get_constraintdef(con.oid))
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public'
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public'
    UNION ALL
    SELECT format('trigger %s', pg_get_triggerdef(t.oid))
    FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND NOT t.tgisinternal
    UNION ALL
    SELECT format('function %s', pg_get_functiondef(p.oid))
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    -- pg_get_functiondef() rejects aggregates, whatever the namespace filter.
    WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
) AS objects
WHERE object NOT LIKE '%schema_migrations%'
ORDER BY object;

--! database_exists
--- Whether a database of this name exists on the server.
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :name) AS exists;

--! databases_named_like
--- Databases whose name matches a LIKE pattern (the test harness finds its leftovers).
SELECT datname::text AS name FROM pg_database WHERE datname LIKE :pattern ORDER BY datname;

--! backend_pid
--- The server process behind this connection.
SELECT pg_backend_pid() AS pid;

--! terminate_backend
--- Ends another session, as an operator would (the fault tests cut pooled connections with it).
SELECT pg_terminate_backend(:pid) AS terminated;

--! is_waiting_for_lock
--- Whether server process `pid` is blocked on a lock (the retry tests wait for
--- the first half of a deadlock before they complete it).
SELECT coalesce((SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid), false) AS waiting;
