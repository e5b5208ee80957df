-- The seed schema: people and the metadata of the documents they upload.

-- updated_at is kept by the database, not by each UPDATE statement, so no
-- query can forget it. It moves strictly forward even when two updates of a
-- row share one transaction (now() would repeat) or the clock steps back.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := greatest(clock_timestamp(), OLD.updated_at + interval '1 microsecond');
    RETURN NEW;
END
$$;

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           varchar(255) NOT NULL,
    hashed_password varchar(255) NOT NULL,
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Emails are stored as the person typed them but are unique regardless of
-- letter case: "Ann@x.io" and "ann@x.io" are one mailbox in practice, and a
-- second account for it would let someone squat on another's address. An
-- expression index (rather than citext or a lowered copy) keeps the type
-- plain text for the driver and serves lookups by lower(email).
CREATE UNIQUE INDEX ux_users_email_lower ON users (lower(email));

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    filename     varchar(255) NOT NULL,
    content_type varchar(128) NOT NULL,
    -- RESTRICT, not CASCADE: deleting a person who still owns documents must
    -- fail loudly instead of silently destroying their files.
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Leads with user_id, so it serves the foreign key check on user deletion;
-- the trailing (created_at, id) serves "a user's files, newest first" keyset
-- pagination straight from the index.
CREATE INDEX ix_files_user_id ON files (user_id, created_at DESC, id DESC);

CREATE TRIGGER files_set_updated_at
    BEFORE UPDATE ON files
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
