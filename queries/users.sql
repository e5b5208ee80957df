-- People who sign in. Rows never carry the password hash except
-- `UserCredentials`, which only login and password checks read.

--: User()
--: UserCredentials()

--! insert_user : User
--- Creates a user; a taken email (in any letter case) fails on ux_users_email_lower.
INSERT INTO users (email, hashed_password)
VALUES (:email, :hashed_password)
RETURNING id, email, is_active, created_at, updated_at;

--! user_by_id : User
--- One user by id, without the password hash.
SELECT id, email, is_active, created_at, updated_at
FROM users
WHERE id = :id;

--! credentials_by_email : UserCredentials
--- What login needs to check a password; the email matches in any letter case.
SELECT id, hashed_password, is_active
FROM users
WHERE lower(email) = lower(:email);

--! update_user (email?, hashed_password?, is_active?) : User
--- Changes the given fields and leaves the NULL ones as they are.
UPDATE users
SET email = coalesce(:email, email),
    hashed_password = coalesce(:hashed_password, hashed_password),
    is_active = coalesce(:is_active, is_active)
WHERE id = :id
RETURNING id, email, is_active, created_at, updated_at;

--! delete_user
--- Deletes a user; fails on the files foreign key while they still own files.
DELETE FROM users
WHERE id = :id;
