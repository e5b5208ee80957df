DROP TRIGGER users_set_updated_at ON users;
CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE users
    DROP COLUMN name,
    DROP COLUMN bio,
    DROP COLUMN avatar_url,
    DROP COLUMN preferences,
    DROP COLUMN last_login_at;
