//! Accounts: `queries/users.sql`.

use reviewpoint_codegen::queries::users as q;

use super::Caller;
use crate::{
    db::{self, Connection, DbError, Executor, in_transaction},
    domain::{AvatarUrl, Bio, Credentials, Email, Name, PasswordHash, Preferences, Principal, User, UserChanges},
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
        name: row.name,
        bio: row.bio,
        avatar_url: row.avatar_url,
        // The column is constrained to objects; anything else reads as `{}`.
        preferences: match row.preferences {
            serde_json::Value::Object(object) => object,
            _ => serde_json::Map::new(),
        },
        last_login_at: row.last_login_at,
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
    pub async fn me(db: &impl Executor, caller: Principal) -> Result<Caller<User>, DbError> {
        let Principal { user_id, session_id } = caller;
        let found = db::run!(db, |c| q::caller_in_session().bind(c, &user_id, &session_id).opt())?;
        Ok(found.map_or(Caller::Inactive, |row| Caller::Active(user(row))))
    }

    /// Account `target` as `caller` may see it, in one statement. Reading
    /// your own account, the usual case, is the cheaper lookup of [`Self::me`].
    pub async fn seen_by(db: &impl Executor, caller: Principal, target: i64) -> Result<Caller<UserSeen>, DbError> {
        if target == caller.user_id {
            return Ok(match Self::me(db, caller).await? {
                Caller::Active(user) => Caller::Active(UserSeen::Yourself(user)),
                Caller::Inactive => Caller::Inactive,
            });
        }
        let Principal { user_id, session_id } = caller;
        let rows = db::run!(db, |c| q::user_seen_by_caller().bind(c, &session_id, &user_id, &target).all())?;
        if !rows.iter().any(|row| row.id == user_id && row.caller_live) {
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

    /// Applies the given changes to the caller's account, as [`Self::update`]
    /// does; a new password in a transaction that first locks the user's
    /// row, so that a login racing with the change either sees the new
    /// password or has its session ended here (`queries/sessions.sql`,
    /// start_session).
    pub async fn change(
        connection: &mut Connection,
        caller: Principal,
        changes: &UserChanges,
    ) -> Result<Caller<User>, DbError> {
        if changes.password_hash.is_none() {
            return Self::update(&*connection, caller, changes).await;
        }
        in_transaction(connection, async |tx| {
            let user_id = caller.user_id;
            db::run!(tx, |c| q::lock_user_for_password_change().bind(c, &user_id).opt())?;
            Self::update(tx, caller, changes).await
        })
        .await
    }

    /// Applies the given changes to the caller's account in one statement; a
    /// new password ends its other sessions in it. A `Conflict` on
    /// `ux_users_email_lower` when the new email is taken.
    pub async fn update(db: &impl Executor, caller: Principal, changes: &UserChanges) -> Result<Caller<User>, DbError> {
        let Principal { user_id, session_id } = caller;
        let email = changes.email.as_ref().map(Email::as_str);
        let hash = changes.password_hash.as_ref().map(PasswordHash::expose);
        let profile = &changes.profile;
        // Borrowed, not copied: `Some(None)` clears a field, `None` keeps it.
        let (set_name, name) = (profile.name.is_some(), profile.name.as_ref().and_then(|name| name.as_ref()));
        let name = name.map(Name::as_str);
        let (set_bio, bio) = (profile.bio.is_some(), profile.bio.as_ref().and_then(|bio| bio.as_ref()));
        let bio = bio.map(Bio::as_str);
        let avatar = profile.avatar_url.as_ref().and_then(|url| url.as_ref());
        let (set_avatar, avatar) = (profile.avatar_url.is_some(), avatar.map(AvatarUrl::as_str));
        let set_preferences = profile.preferences.is_some();
        let preferences = profile.preferences.as_ref().and_then(|preferences| preferences.as_ref());
        let preferences = preferences.map(Preferences::as_value);
        let found = db::run!(db, |c| q::update_active_user()
            .bind(
                c,
                &email,
                &hash,
                &changes.is_active,
                &set_name,
                &name,
                &set_bio,
                &bio,
                &set_avatar,
                &avatar,
                &set_preferences,
                &preferences,
                &user_id,
                &session_id
            )
            .opt())?;
        Ok(found.map_or(Caller::Inactive, |row| Caller::Active(user(row))))
    }

    /// Deletes the caller's account and its sessions; a `Conflict` on
    /// `files_user_id_fkey` while it still owns files (nothing is deleted then).
    pub async fn delete(db: &impl Executor, caller: Principal) -> Result<Caller<()>, DbError> {
        let Principal { user_id, session_id } = caller;
        let deleted = db::run!(db, |c| q::delete_active_user().bind(c, &user_id, &session_id))?;
        Ok(if deleted == 1 { Caller::Active(()) } else { Caller::Inactive })
    }
}
