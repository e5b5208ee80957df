//! Accounts: `queries/users.sql`.

use reviewpoint_codegen::queries::users as q;

use super::Caller;
use crate::{
    db::{self, DbError, Executor},
    domain::{Credentials, Email, PasswordHash, User, UserChanges},
};

pub struct UserRepository;

/// What a caller may see of an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserSeen {
    Yourself(User),
    SomeoneElse,
    Nobody,
}

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
    /// A `Conflict` on `ux_users_email_lower` when the email is taken in any letter case.
    pub async fn create(db: &impl Executor, email: &Email, password_hash: &PasswordHash) -> Result<User, DbError> {
        let (email, hash) = (email.as_str(), password_hash.expose());
        db::run!(db, |c| q::insert_user().bind(c, &email, &hash).one()).map(user)
    }

    /// Any account, active or not (for checks and administration).
    pub async fn by_id(db: &impl Executor, id: i64) -> Result<Option<User>, DbError> {
        Ok(db::run!(db, |c| q::user_by_id().bind(c, &id).opt())?.map(user))
    }

    /// The caller's own account.
    pub async fn me(db: &impl Executor, caller: i64) -> Result<Caller<User>, DbError> {
        let found = db::run!(db, |c| q::active_user_by_id().bind(c, &caller).opt())?;
        Ok(found.map_or(Caller::Inactive, |row| Caller::Active(user(row))))
    }

    /// Account `target` as `caller` may see it, in one statement. Reading
    /// your own account, the usual case, is the cheaper lookup of [`Self::me`].
    pub async fn seen_by(db: &impl Executor, caller: i64, target: i64) -> Result<Caller<UserSeen>, DbError> {
        if target == caller {
            return Ok(match Self::me(db, caller).await? {
                Caller::Active(user) => Caller::Active(UserSeen::Yourself(user)),
                Caller::Inactive => Caller::Inactive,
            });
        }
        let rows = db::run!(db, |c| q::user_seen_by_caller().bind(c, &caller, &target).all())?;
        if !rows.iter().any(|row| row.id == caller && row.is_active) {
            return Ok(Caller::Inactive);
        }
        let seen = if rows.iter().any(|row| row.id == target) { UserSeen::SomeoneElse } else { UserSeen::Nobody };
        Ok(Caller::Active(seen))
    }

    /// Looks the email up in any letter case.
    pub async fn credentials(db: &impl Executor, email: &Email) -> Result<Option<Credentials>, DbError> {
        let email = email.as_str();
        let found = db::run!(db, |c| q::credentials_by_email().bind(c, &email).opt())?;
        Ok(found.map(|row| Credentials {
            user_id: row.id,
            password_hash: PasswordHash::new(row.hashed_password),
            is_active: row.is_active,
        }))
    }

    /// Applies the given changes to an active account; a `Conflict` on
    /// `ux_users_email_lower` when the new email is taken.
    pub async fn update(db: &impl Executor, id: i64, changes: &UserChanges) -> Result<Caller<User>, DbError> {
        let email = changes.email.as_ref().map(Email::as_str);
        let hash = changes.password_hash.as_ref().map(PasswordHash::expose);
        let found = db::run!(db, |c| q::update_active_user().bind(c, &email, &hash, &changes.is_active, &id).opt())?;
        Ok(found.map_or(Caller::Inactive, |row| Caller::Active(user(row))))
    }

    /// Deletes an active account; a `Conflict` on `files_user_id_fkey` while
    /// it still owns files (nothing is deleted then).
    pub async fn delete(db: &impl Executor, id: i64) -> Result<Caller<()>, DbError> {
        let deleted = db::run!(db, |c| q::delete_active_user().bind(c, &id))?;
        Ok(if deleted == 1 { Caller::Active(()) } else { Caller::Inactive })
    }
}
