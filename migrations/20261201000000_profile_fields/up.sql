-- v1.1 profile fields. Expand only, so a running v1 server keeps working:
-- nullable columns and one with a constant default, which PostgreSQL (11+)
-- adds without rewriting the table; v1's statements name their columns, so
-- its cached plans are re-planned rather than broken.

ALTER TABLE users
    ADD COLUMN name          varchar(128),
    ADD COLUMN bio           varchar(512),
    ADD COLUMN avatar_url    varchar(255),
    ADD COLUMN preferences   jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN last_login_at timestamptz;

-- Only objects, as the API promises. NOT VALID skips checking the existing
-- rows under the table lock: they all hold the default `{}`. New and updated
-- rows are checked all the same.
ALTER TABLE users
    ADD CONSTRAINT users_preferences_is_object CHECK (jsonb_typeof(preferences) = 'object') NOT VALID;

-- Recording a login is not a change to the account: updated_at moves on
-- every update except one that sets last_login_at (login does nothing
-- else). A column list (`UPDATE OF ...`) would say the same but pin the
-- listed columns' types: PostgreSQL refuses to alter a column a trigger
-- names, and this names only last_login_at.
DROP TRIGGER users_set_updated_at ON users;
CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW
    WHEN (NEW.last_login_at IS NOT DISTINCT FROM OLD.last_login_at)
    EXECUTE FUNCTION set_updated_at();
