//! A person's account, and the secret half of it that only login reads.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{Email, ProfileChanges};

/// An account as everyone but the password check sees it: no hash.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub name: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    /// Always a JSON object (`{}` by default).
    pub preferences: serde_json::Map<String, serde_json::Value>,
    pub last_login_at: Option<DateTime<Utc>>,
}

/// What a password is checked against.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub user_id: i64,
    pub password_hash: PasswordHash,
    pub is_active: bool,
}

/// An argon2 PHC string. Never printed: `Debug` and `Display` show a placeholder
/// and it has no `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn new(phc: String) -> Self {
        Self(phc)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// A partial update; `None` leaves the field as it is. A new password ends
/// the account's other sessions.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub email: Option<Email>,
    pub password_hash: Option<PasswordHash>,
    pub is_active: Option<bool>,
    pub profile: ProfileChanges,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password_hash() {
        let secret = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
        let credentials = Credentials { user_id: 1, password_hash: PasswordHash::new(secret.into()), is_active: true };
        let changes = UserChanges { password_hash: Some(PasswordHash::new(secret.into())), ..Default::default() };
        let printed = format!("{credentials:?} {changes:?} {credentials:#?}");
        assert!(!printed.contains("argon2"), "{printed}");
        assert!(printed.contains("<redacted>"));
    }
}
