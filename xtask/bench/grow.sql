-- `cargo xtask bench`, growth phase: adds $2 rows to `files` in one set-based
-- statement. One row in a hundred belongs to user $1 (the measured caller);
-- the others are spread over 99 new filler users. Creation times are spaced
-- a millisecond apart, so the caller's list is long and totally ordered.
WITH fillers AS (
    INSERT INTO users (email, hashed_password)
    SELECT format('filler-%s-%s@bench.invalid', $1::bigint, n), '!'
    FROM generate_series(1, 99) AS n
    RETURNING id
), owners AS (
    SELECT array_agg(id) AS ids FROM fillers
)
INSERT INTO files (filename, content_type, user_id, created_at, updated_at)
SELECT format('grown-%s.pdf', n), 'application/pdf',
       CASE WHEN n % 100 = 0 THEN $1::bigint ELSE owners.ids[1 + n % 99] END,
       now() - make_interval(secs => n / 1000.0),
       now() - make_interval(secs => n / 1000.0)
FROM owners, generate_series(1, $2::int) AS n
