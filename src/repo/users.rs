//! Accounts: `queries/users.sql`.

use reviewpoint_codegen::queries::users as q;

use crate::{
    db::{self, DbError, Executor},
    domain::{Credentials, Email, PasswordHash, User, UserChanges},
};

pub struct UserRepository;

fn user(row: q::User) -> User {
    User {
        id: row.id,
        email: row.email,
        is_active: row.is_active,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

impl UserRepository {
    /// Fails with a `Conflict` on `ux_users_email_lower` when the email is
    /// taken in any letter case.
    pub async fn create(db: &impl Executor, email: &Email, password_hash: &PasswordHash) -> Result<User, DbError> {
        let (email, hash) = (email.as_str(), password_hash.expose());
        db::run(db, async |c| q::insert_user().bind(c, &email, &hash).one().await).await.map(user)
    }

    pub async fn by_id(db: &impl Executor, id: i64) -> Result<Option<User>, DbError> {
        let found = db::run(db, async |c| q::user_by_id().bind(c, &id).opt().await).await?;
        Ok(found.map(user))
    }

    /// Looks the email up in any letter case.
    pub async fn credentials(db: &impl Executor, email: &Email) -> Result<Option<Credentials>, DbError> {
        let email = email.as_str();
        let found = db::run(db, async |c| q::credentials_by_email().bind(c, &email).opt().await).await?;
        Ok(found.map(|row| Credentials {
            user_id: row.id,
            password_hash: PasswordHash::new(row.hashed_password),
            is_active: row.is_active,
        }))
    }

    /// Applies the given changes; `None` when there is no such user.
    pub async fn update(db: &impl Executor, id: i64, changes: &UserChanges) -> Result<Option<User>, DbError> {
        let email = changes.email.as_ref().map(Email::as_str);
        let hash = changes.password_hash.as_ref().map(PasswordHash::expose);
        let is_active = changes.is_active;
        let params = q::UpdateUserParams { email, hashed_password: hash, is_active, id };
        let found = db::run(db, async |c| {
            q::update_user().bind(c, &params.email, &params.hashed_password, &params.is_active, &params.id).opt().await
        })
        .await?;
        Ok(found.map(user))
    }

    /// `false` when there is no such user; a `Conflict` on the files foreign
    /// key while the user still owns files (nothing is deleted then).
    pub async fn delete(db: &impl Executor, id: i64) -> Result<bool, DbError> {
        let deleted = db::run(db, async |c| q::delete_user().bind(c, &id).await).await?;
        Ok(deleted == 1)
    }
}
