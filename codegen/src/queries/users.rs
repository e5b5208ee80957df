// This file was generated with `cornucopia`. Do not modify.

#[derive(Debug)]
pub struct InsertUserParams<T1: crate::StringSql, T2: crate::StringSql> {
    pub email: T1,
    pub hashed_password: T2,
}
#[derive(Clone, Copy, Debug)]
pub struct CallerInSessionParams {
    pub id: i64,
    pub session_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct UserSeenByCallerParams {
    pub session_id: i64,
    pub caller_id: i64,
    pub target_id: i64,
}
#[derive(Debug)]
pub struct UpdateActiveUserParams<
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::StringSql,
    T4: crate::StringSql,
    T5: crate::StringSql,
    T6: crate::JsonSql,
> {
    pub email: Option<T1>,
    pub hashed_password: Option<T2>,
    pub is_active: Option<bool>,
    pub set_name: bool,
    pub name: Option<T3>,
    pub set_bio: bool,
    pub bio: Option<T4>,
    pub set_avatar_url: bool,
    pub avatar_url: Option<T5>,
    pub set_preferences: bool,
    pub preferences: Option<T6>,
    pub id: i64,
    pub session_id: i64,
}
#[derive(Clone, Copy, Debug)]
pub struct DeleteActiveUserParams {
    pub id: i64,
    pub session_id: i64,
}
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub is_active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub name: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub preferences: serde_json::Value,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}
pub struct UserBorrowed<'a> {
    pub id: i64,
    pub email: &'a str,
    pub is_active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub name: Option<&'a str>,
    pub bio: Option<&'a str>,
    pub avatar_url: Option<&'a str>,
    pub preferences: postgres_types::Json<&'a serde_json::value::RawValue>,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}
impl<'a> From<UserBorrowed<'a>> for User {
    fn from(
        UserBorrowed {
            id,
            email,
            is_active,
            created_at,
            updated_at,
            name,
            bio,
            avatar_url,
            preferences,
            last_login_at,
        }: UserBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            email: email.into(),
            is_active,
            created_at,
            updated_at,
            name: name.map(|v| v.into()),
            bio: bio.map(|v| v.into()),
            avatar_url: avatar_url.map(|v| v.into()),
            preferences: serde_json::from_str(preferences.0.get()).unwrap(),
            last_login_at,
        }
    }
}
#[derive(Debug, Clone, PartialEq, Copy)]
pub struct UserSeenByCaller {
    pub id: i64,
    pub caller_live: bool,
}
#[derive(Debug, Clone, PartialEq)]
pub struct UserCredentials {
    pub id: i64,
    pub hashed_password: String,
    pub is_active: bool,
}
pub struct UserCredentialsBorrowed<'a> {
    pub id: i64,
    pub hashed_password: &'a str,
    pub is_active: bool,
}
impl<'a> From<UserCredentialsBorrowed<'a>> for UserCredentials {
    fn from(
        UserCredentialsBorrowed {
            id,
            hashed_password,
            is_active,
        }: UserCredentialsBorrowed<'a>,
    ) -> Self {
        Self {
            id,
            hashed_password: hashed_password.into(),
            is_active,
        }
    }
}
use crate::client::async_::GenericClient;
use futures::{self, StreamExt, TryStreamExt};
pub struct UserQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<UserBorrowed, tokio_postgres::Error>,
    mapper: fn(UserBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> UserQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(UserBorrowed) -> R) -> UserQuery<'c, 'a, 's, C, R, N> {
        UserQuery {
            client: self.client,
            params: self.params,
            query: self.query,
            cached: self.cached,
            extractor: self.extractor,
            mapper,
        }
    }
    pub async fn one(self) -> Result<T, tokio_postgres::Error> {
        let row =
            crate::client::async_::one(self.client, self.query, &self.params, self.cached).await?;
        Ok((self.mapper)((self.extractor)(&row)?))
    }
    pub async fn all(self) -> Result<Vec<T>, tokio_postgres::Error> {
        self.iter().await?.try_collect().await
    }
    pub async fn opt(self) -> Result<Option<T>, tokio_postgres::Error> {
        let opt_row =
            crate::client::async_::opt(self.client, self.query, &self.params, self.cached).await?;
        Ok(opt_row
            .map(|row| {
                let extracted = (self.extractor)(&row)?;
                Ok((self.mapper)(extracted))
            })
            .transpose()?)
    }
    pub async fn iter(
        self,
    ) -> Result<
        impl futures::Stream<Item = Result<T, tokio_postgres::Error>> + 'c,
        tokio_postgres::Error,
    > {
        let stream = crate::client::async_::raw(
            self.client,
            self.query,
            crate::slice_iter(&self.params),
            self.cached,
        )
        .await?;
        let mapped = stream
            .map(move |res| {
                res.and_then(|row| {
                    let extracted = (self.extractor)(&row)?;
                    Ok((self.mapper)(extracted))
                })
            })
            .into_stream();
        Ok(mapped)
    }
}
pub struct UserSeenByCallerQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<UserSeenByCaller, tokio_postgres::Error>,
    mapper: fn(UserSeenByCaller) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> UserSeenByCallerQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(UserSeenByCaller) -> R,
    ) -> UserSeenByCallerQuery<'c, 'a, 's, C, R, N> {
        UserSeenByCallerQuery {
            client: self.client,
            params: self.params,
            query: self.query,
            cached: self.cached,
            extractor: self.extractor,
            mapper,
        }
    }
    pub async fn one(self) -> Result<T, tokio_postgres::Error> {
        let row =
            crate::client::async_::one(self.client, self.query, &self.params, self.cached).await?;
        Ok((self.mapper)((self.extractor)(&row)?))
    }
    pub async fn all(self) -> Result<Vec<T>, tokio_postgres::Error> {
        self.iter().await?.try_collect().await
    }
    pub async fn opt(self) -> Result<Option<T>, tokio_postgres::Error> {
        let opt_row =
            crate::client::async_::opt(self.client, self.query, &self.params, self.cached).await?;
        Ok(opt_row
            .map(|row| {
                let extracted = (self.extractor)(&row)?;
                Ok((self.mapper)(extracted))
            })
            .transpose()?)
    }
    pub async fn iter(
        self,
    ) -> Result<
        impl futures::Stream<Item = Result<T, tokio_postgres::Error>> + 'c,
        tokio_postgres::Error,
    > {
        let stream = crate::client::async_::raw(
            self.client,
            self.query,
            crate::slice_iter(&self.params),
            self.cached,
        )
        .await?;
        let mapped = stream
            .map(move |res| {
                res.and_then(|row| {
                    let extracted = (self.extractor)(&row)?;
                    Ok((self.mapper)(extracted))
                })
            })
            .into_stream();
        Ok(mapped)
    }
}
pub struct UserCredentialsQuery<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<UserCredentialsBorrowed, tokio_postgres::Error>,
    mapper: fn(UserCredentialsBorrowed) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> UserCredentialsQuery<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(
        self,
        mapper: fn(UserCredentialsBorrowed) -> R,
    ) -> UserCredentialsQuery<'c, 'a, 's, C, R, N> {
        UserCredentialsQuery {
            client: self.client,
            params: self.params,
            query: self.query,
            cached: self.cached,
            extractor: self.extractor,
            mapper,
        }
    }
    pub async fn one(self) -> Result<T, tokio_postgres::Error> {
        let row =
            crate::client::async_::one(self.client, self.query, &self.params, self.cached).await?;
        Ok((self.mapper)((self.extractor)(&row)?))
    }
    pub async fn all(self) -> Result<Vec<T>, tokio_postgres::Error> {
        self.iter().await?.try_collect().await
    }
    pub async fn opt(self) -> Result<Option<T>, tokio_postgres::Error> {
        let opt_row =
            crate::client::async_::opt(self.client, self.query, &self.params, self.cached).await?;
        Ok(opt_row
            .map(|row| {
                let extracted = (self.extractor)(&row)?;
                Ok((self.mapper)(extracted))
            })
            .transpose()?)
    }
    pub async fn iter(
        self,
    ) -> Result<
        impl futures::Stream<Item = Result<T, tokio_postgres::Error>> + 'c,
        tokio_postgres::Error,
    > {
        let stream = crate::client::async_::raw(
            self.client,
            self.query,
            crate::slice_iter(&self.params),
            self.cached,
        )
        .await?;
        let mapped = stream
            .map(move |res| {
                res.and_then(|row| {
                    let extracted = (self.extractor)(&row)?;
                    Ok((self.mapper)(extracted))
                })
            })
            .into_stream();
        Ok(mapped)
    }
}
pub struct I32Query<'c, 'a, 's, C: GenericClient, T, const N: usize> {
    client: &'c C,
    params: [&'a (dyn postgres_types::ToSql + Sync); N],
    query: &'static str,
    cached: Option<&'s tokio_postgres::Statement>,
    extractor: fn(&tokio_postgres::Row) -> Result<i32, tokio_postgres::Error>,
    mapper: fn(i32) -> T,
}
impl<'c, 'a, 's, C, T: 'c, const N: usize> I32Query<'c, 'a, 's, C, T, N>
where
    C: GenericClient,
{
    pub fn map<R>(self, mapper: fn(i32) -> R) -> I32Query<'c, 'a, 's, C, R, N> {
        I32Query {
            client: self.client,
            params: self.params,
            query: self.query,
            cached: self.cached,
            extractor: self.extractor,
            mapper,
        }
    }
    pub async fn one(self) -> Result<T, tokio_postgres::Error> {
        let row =
            crate::client::async_::one(self.client, self.query, &self.params, self.cached).await?;
        Ok((self.mapper)((self.extractor)(&row)?))
    }
    pub async fn all(self) -> Result<Vec<T>, tokio_postgres::Error> {
        self.iter().await?.try_collect().await
    }
    pub async fn opt(self) -> Result<Option<T>, tokio_postgres::Error> {
        let opt_row =
            crate::client::async_::opt(self.client, self.query, &self.params, self.cached).await?;
        Ok(opt_row
            .map(|row| {
                let extracted = (self.extractor)(&row)?;
                Ok((self.mapper)(extracted))
            })
            .transpose()?)
    }
    pub async fn iter(
        self,
    ) -> Result<
        impl futures::Stream<Item = Result<T, tokio_postgres::Error>> + 'c,
        tokio_postgres::Error,
    > {
        let stream = crate::client::async_::raw(
            self.client,
            self.query,
            crate::slice_iter(&self.params),
            self.cached,
        )
        .await?;
        let mapped = stream
            .map(move |res| {
                res.and_then(|row| {
                    let extracted = (self.extractor)(&row)?;
                    Ok((self.mapper)(extracted))
                })
            })
            .into_stream();
        Ok(mapped)
    }
}
pub struct InsertUserStmt(&'static str, Option<tokio_postgres::Statement>);
/// Creates a user; a taken email (in any letter case) fails on ux_users_email_lower.
pub fn insert_user() -> InsertUserStmt {
    InsertUserStmt(
        "INSERT INTO users (email, hashed_password) VALUES ($1, $2) RETURNING id, email, is_active, created_at, updated_at, name, bio, avatar_url, preferences, last_login_at",
        None,
    )
}
impl InsertUserStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>(
        &'s self,
        client: &'c C,
        email: &'a T1,
        hashed_password: &'a T2,
    ) -> UserQuery<'c, 'a, 's, C, User, 2> {
        UserQuery {
            client,
            params: [email, hashed_password],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<UserBorrowed, tokio_postgres::Error> {
                Ok(UserBorrowed {
                    id: row.try_get(0)?,
                    email: row.try_get(1)?,
                    is_active: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                    updated_at: row.try_get(4)?,
                    name: row.try_get(5)?,
                    bio: row.try_get(6)?,
                    avatar_url: row.try_get(7)?,
                    preferences: row.try_get(8)?,
                    last_login_at: row.try_get(9)?,
                })
            },
            mapper: |it| User::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient, T1: crate::StringSql, T2: crate::StringSql>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        InsertUserParams<T1, T2>,
        UserQuery<'c, 'a, 's, C, User, 2>,
        C,
    > for InsertUserStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a InsertUserParams<T1, T2>,
    ) -> UserQuery<'c, 'a, 's, C, User, 2> {
        self.bind(client, &params.email, &params.hashed_password)
    }
}
pub struct UserByIdStmt(&'static str, Option<tokio_postgres::Statement>);
/// One user by id, without the password hash.
pub fn user_by_id() -> UserByIdStmt {
    UserByIdStmt(
        "SELECT id, email, is_active, created_at, updated_at, name, bio, avatar_url, preferences, last_login_at FROM users WHERE id = $1",
        None,
    )
}
impl UserByIdStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        id: &'a i64,
    ) -> UserQuery<'c, 'a, 's, C, User, 1> {
        UserQuery {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<UserBorrowed, tokio_postgres::Error> {
                Ok(UserBorrowed {
                    id: row.try_get(0)?,
                    email: row.try_get(1)?,
                    is_active: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                    updated_at: row.try_get(4)?,
                    name: row.try_get(5)?,
                    bio: row.try_get(6)?,
                    avatar_url: row.try_get(7)?,
                    preferences: row.try_get(8)?,
                    last_login_at: row.try_get(9)?,
                })
            },
            mapper: |it| User::from(it),
        }
    }
}
pub struct CallerInSessionStmt(&'static str, Option<tokio_postgres::Statement>);
/// The user behind a token, only while the account is active and the
/// token's session `session_id` is live.
pub fn caller_in_session() -> CallerInSessionStmt {
    CallerInSessionStmt(
        "SELECT id, email, is_active, created_at, updated_at, name, bio, avatar_url, preferences, last_login_at FROM users AS u WHERE u.id = $1 AND u.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $2 AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now())",
        None,
    )
}
impl CallerInSessionStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        id: &'a i64,
        session_id: &'a i64,
    ) -> UserQuery<'c, 'a, 's, C, User, 2> {
        UserQuery {
            client,
            params: [id, session_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<UserBorrowed, tokio_postgres::Error> {
                Ok(UserBorrowed {
                    id: row.try_get(0)?,
                    email: row.try_get(1)?,
                    is_active: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                    updated_at: row.try_get(4)?,
                    name: row.try_get(5)?,
                    bio: row.try_get(6)?,
                    avatar_url: row.try_get(7)?,
                    preferences: row.try_get(8)?,
                    last_login_at: row.try_get(9)?,
                })
            },
            mapper: |it| User::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        CallerInSessionParams,
        UserQuery<'c, 'a, 's, C, User, 2>,
        C,
    > for CallerInSessionStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a CallerInSessionParams,
    ) -> UserQuery<'c, 'a, 's, C, User, 2> {
        self.bind(client, &params.id, &params.session_id)
    }
}
pub struct UserSeenByCallerStmt(&'static str, Option<tokio_postgres::Statement>);
/// Whether `caller_id` is an active user in a live session `session_id`, and
/// whether user `target_id` exists, in one round trip: a row for each of the
/// two that exists, and nothing of the target but its id (the caller may not
/// see it). `caller_live` is only meaningful on the caller's row.
pub fn user_seen_by_caller() -> UserSeenByCallerStmt {
    UserSeenByCallerStmt(
        "SELECT u.id, u.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $1 AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now()) AS caller_live FROM users AS u WHERE u.id IN ($2, $3)",
        None,
    )
}
impl UserSeenByCallerStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        session_id: &'a i64,
        caller_id: &'a i64,
        target_id: &'a i64,
    ) -> UserSeenByCallerQuery<'c, 'a, 's, C, UserSeenByCaller, 3> {
        UserSeenByCallerQuery {
            client,
            params: [session_id, caller_id, target_id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor:
                |row: &tokio_postgres::Row| -> Result<UserSeenByCaller, tokio_postgres::Error> {
                    Ok(UserSeenByCaller {
                        id: row.try_get(0)?,
                        caller_live: row.try_get(1)?,
                    })
                },
            mapper: |it| UserSeenByCaller::from(it),
        }
    }
}
impl<'c, 'a, 's, C: GenericClient>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        UserSeenByCallerParams,
        UserSeenByCallerQuery<'c, 'a, 's, C, UserSeenByCaller, 3>,
        C,
    > for UserSeenByCallerStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a UserSeenByCallerParams,
    ) -> UserSeenByCallerQuery<'c, 'a, 's, C, UserSeenByCaller, 3> {
        self.bind(
            client,
            &params.session_id,
            &params.caller_id,
            &params.target_id,
        )
    }
}
pub struct CredentialsByEmailStmt(&'static str, Option<tokio_postgres::Statement>);
/// What login needs to check a password; the email matches in any letter case.
pub fn credentials_by_email() -> CredentialsByEmailStmt {
    CredentialsByEmailStmt(
        "SELECT id, hashed_password, is_active FROM users WHERE lower(email) = lower($1)",
        None,
    )
}
impl CredentialsByEmailStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient, T1: crate::StringSql>(
        &'s self,
        client: &'c C,
        email: &'a T1,
    ) -> UserCredentialsQuery<'c, 'a, 's, C, UserCredentials, 1> {
        UserCredentialsQuery {
            client,
            params: [email],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |
                row: &tokio_postgres::Row,
            | -> Result<UserCredentialsBorrowed, tokio_postgres::Error> {
                Ok(UserCredentialsBorrowed {
                    id: row.try_get(0)?,
                    hashed_password: row.try_get(1)?,
                    is_active: row.try_get(2)?,
                })
            },
            mapper: |it| UserCredentials::from(it),
        }
    }
}
pub struct LockUserForPasswordChangeStmt(&'static str, Option<tokio_postgres::Statement>);
/// Locks user `id` until the transaction ends, before update_active_user
/// sets a new password in it: a login that locked the user first
/// (sessions.sql, start_session) has then committed its session, which
/// update_active_user's own snapshot sees and ends.
pub fn lock_user_for_password_change() -> LockUserForPasswordChangeStmt {
    LockUserForPasswordChangeStmt(
        "SELECT 1 AS locked FROM users WHERE id = $1 FOR NO KEY UPDATE",
        None,
    )
}
impl LockUserForPasswordChangeStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        id: &'a i64,
    ) -> I32Query<'c, 'a, 's, C, i32, 1> {
        I32Query {
            client,
            params: [id],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row| Ok(row.try_get(0)?),
            mapper: |it| it,
        }
    }
}
pub struct UpdateActiveUserStmt(&'static str, Option<tokio_postgres::Statement>);
/// Changes an active user in a live session: `email`, `hashed_password` and
/// `is_active` when not NULL; `name`, `bio`, `avatar_url` and `preferences`
/// when their `set_*` flag is true (NULL then clears them; `preferences`
/// clears to `{}`). A new password ends every other session of the user, in
/// the same statement.
pub fn update_active_user() -> UpdateActiveUserStmt {
    UpdateActiveUserStmt(
        "WITH changed AS ( UPDATE users AS u SET email = coalesce($1, email), hashed_password = coalesce($2, hashed_password), is_active = coalesce($3, is_active), name = CASE WHEN $4 THEN $5 ELSE name END, bio = CASE WHEN $6 THEN $7 ELSE bio END, avatar_url = CASE WHEN $8 THEN $9 ELSE avatar_url END, preferences = CASE WHEN $10 THEN coalesce($11, '{}'::jsonb) ELSE preferences END WHERE u.id = $12 AND u.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $13 AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now()) RETURNING u.id, u.email, u.is_active, u.created_at, u.updated_at, u.name, u.bio, u.avatar_url, u.preferences, u.last_login_at ), others_ended AS ( UPDATE sessions SET ended_at = now() WHERE user_id IN (SELECT id FROM changed) AND $2 IS NOT NULL AND id <> $13 AND ended_at IS NULL ) SELECT id, email, is_active, created_at, updated_at, name, bio, avatar_url, preferences, last_login_at FROM changed",
        None,
    )
}
impl UpdateActiveUserStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub fn bind<
        'c,
        'a,
        's,
        C: GenericClient,
        T1: crate::StringSql,
        T2: crate::StringSql,
        T3: crate::StringSql,
        T4: crate::StringSql,
        T5: crate::StringSql,
        T6: crate::JsonSql,
    >(
        &'s self,
        client: &'c C,
        email: &'a Option<T1>,
        hashed_password: &'a Option<T2>,
        is_active: &'a Option<bool>,
        set_name: &'a bool,
        name: &'a Option<T3>,
        set_bio: &'a bool,
        bio: &'a Option<T4>,
        set_avatar_url: &'a bool,
        avatar_url: &'a Option<T5>,
        set_preferences: &'a bool,
        preferences: &'a Option<T6>,
        id: &'a i64,
        session_id: &'a i64,
    ) -> UserQuery<'c, 'a, 's, C, User, 13> {
        UserQuery {
            client,
            params: [
                email,
                hashed_password,
                is_active,
                set_name,
                name,
                set_bio,
                bio,
                set_avatar_url,
                avatar_url,
                set_preferences,
                preferences,
                id,
                session_id,
            ],
            query: self.0,
            cached: self.1.as_ref(),
            extractor: |row: &tokio_postgres::Row| -> Result<UserBorrowed, tokio_postgres::Error> {
                Ok(UserBorrowed {
                    id: row.try_get(0)?,
                    email: row.try_get(1)?,
                    is_active: row.try_get(2)?,
                    created_at: row.try_get(3)?,
                    updated_at: row.try_get(4)?,
                    name: row.try_get(5)?,
                    bio: row.try_get(6)?,
                    avatar_url: row.try_get(7)?,
                    preferences: row.try_get(8)?,
                    last_login_at: row.try_get(9)?,
                })
            },
            mapper: |it| User::from(it),
        }
    }
}
impl<
    'c,
    'a,
    's,
    C: GenericClient,
    T1: crate::StringSql,
    T2: crate::StringSql,
    T3: crate::StringSql,
    T4: crate::StringSql,
    T5: crate::StringSql,
    T6: crate::JsonSql,
>
    crate::client::async_::Params<
        'c,
        'a,
        's,
        UpdateActiveUserParams<T1, T2, T3, T4, T5, T6>,
        UserQuery<'c, 'a, 's, C, User, 13>,
        C,
    > for UpdateActiveUserStmt
{
    fn params(
        &'s self,
        client: &'c C,
        params: &'a UpdateActiveUserParams<T1, T2, T3, T4, T5, T6>,
    ) -> UserQuery<'c, 'a, 's, C, User, 13> {
        self.bind(
            client,
            &params.email,
            &params.hashed_password,
            &params.is_active,
            &params.set_name,
            &params.name,
            &params.set_bio,
            &params.bio,
            &params.set_avatar_url,
            &params.avatar_url,
            &params.set_preferences,
            &params.preferences,
            &params.id,
            &params.session_id,
        )
    }
}
pub struct DeleteActiveUserStmt(&'static str, Option<tokio_postgres::Statement>);
/// Deletes an active user in a live session, and their sessions with them;
/// fails on files_user_id_fkey while they still own files.
pub fn delete_active_user() -> DeleteActiveUserStmt {
    DeleteActiveUserStmt(
        "DELETE FROM users AS u WHERE u.id = $1 AND u.is_active AND EXISTS (SELECT 1 FROM sessions AS s WHERE s.id = $2 AND s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now())",
        None,
    )
}
impl DeleteActiveUserStmt {
    pub async fn prepare<'a, C: GenericClient>(
        mut self,
        client: &'a C,
    ) -> Result<Self, tokio_postgres::Error> {
        self.1 = Some(client.prepare(self.0).await?);
        Ok(self)
    }
    pub async fn bind<'c, 'a, 's, C: GenericClient>(
        &'s self,
        client: &'c C,
        id: &'a i64,
        session_id: &'a i64,
    ) -> Result<u64, tokio_postgres::Error> {
        client.execute(self.0, &[id, session_id]).await
    }
}
impl<'a, C: GenericClient + Send + Sync>
    crate::client::async_::Params<
        'a,
        'a,
        'a,
        DeleteActiveUserParams,
        std::pin::Pin<
            Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
        >,
        C,
    > for DeleteActiveUserStmt
{
    fn params(
        &'a self,
        client: &'a C,
        params: &'a DeleteActiveUserParams,
    ) -> std::pin::Pin<
        Box<dyn futures::Future<Output = Result<u64, tokio_postgres::Error>> + Send + 'a>,
    > {
        Box::pin(self.bind(client, &params.id, &params.session_id))
    }
}
