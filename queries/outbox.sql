-- The transactional outbox (see migrations/*_password_reset): mail written
-- with the change it reports, delivered by background senders.

--: DueMail()

--! next_pending_at : (next_attempt_at?)
--- When the earliest mail still to deliver is due; NULL when there is none.
SELECT min(next_attempt_at) AS next_attempt_at
FROM outbox
WHERE sent_at IS NULL AND failed_at IS NULL AND discard_after > now();

--! claim_due_mail : DueMail
--- Leases the mail due longest to this sender for `lease_seconds`: its next
--- attempt moves to the lease's end, so no other sender takes it while this
--- one talks to the mail server, and if this sender dies or hangs the mail
--- is due again when the lease ends. One short statement: no transaction
--- stays open across the network call. SKIP LOCKED passes over a mail
--- another sender is leasing at this very moment.
UPDATE outbox
SET next_attempt_at = now() + make_interval(secs => :lease_seconds)
WHERE id = (
    SELECT id
    FROM outbox
    WHERE sent_at IS NULL AND failed_at IS NULL
      AND next_attempt_at <= now() AND discard_after > now()
    ORDER BY next_attempt_at, id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
RETURNING id, kind, recipient, subject, body, attempts;

--! mark_mail_sent
--- The mail server accepted mail `id`; its body (a secret link) goes.
UPDATE outbox
SET sent_at = now(), attempts = attempts + 1, last_error = NULL, body = ''
WHERE id = :id;

--! mark_mail_failed
--- The mail server refused mail `id` for good; it is not retried.
UPDATE outbox
SET failed_at = now(), attempts = attempts + 1, last_error = :error, body = ''
WHERE id = :id;

--! postpone_mail
--- Sending mail `id` failed for now: retried `delay_seconds` from now
--- (unless a sender that took it over after the lease has settled it).
UPDATE outbox
SET attempts = attempts + 1, last_error = :error,
    next_attempt_at = now() + make_interval(secs => :delay_seconds)
WHERE id = :id AND sent_at IS NULL AND failed_at IS NULL;

--! purge_outbox : (undelivered)
--- Deletes up to `batch` settled mails and mails whose time ran out; for
--- each, whether it was never delivered (its link expired first).
DELETE FROM outbox
WHERE id IN (
    SELECT id FROM outbox
    WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL OR discard_after <= now()
    LIMIT :batch
    FOR UPDATE SKIP LOCKED
)
RETURNING sent_at IS NULL AND failed_at IS NULL AS undelivered;
