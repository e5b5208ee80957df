//! Sessions: who a request acts for, the secret that renews it, and what
//! the owner sees of each.

use std::fmt;

use chrono::{DateTime, Utc};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// The caller a valid access token names: a user, in one of their sessions.
/// The token is checked without the database; whether the user is active
/// and the session live is checked by the statement each operation runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i64,
    pub session_id: i64,
}

/// An opaque refresh token: 256 random bits, base64url. Only its hash is
/// stored; the token itself is shown once, to the client, and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

/// SHA-256 of a refresh token, the only form the database holds. A plain
/// hash suffices: the input is 256 random bits, not a guessable password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshTokenHash(Vec<u8>);

/// A live session as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// The last refresh, or the login.
    pub last_used_at: DateTime<Utc>,
    pub user_agent: Option<String>,
}

/// Bytes of randomness in a refresh token.
const REFRESH_TOKEN_BYTES: usize = 32;

impl RefreshToken {
    /// A new token from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = [0u8; REFRESH_TOKEN_BYTES];
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as a client presented it; any text, looked up by its hash.
    pub fn presented(text: &str) -> Self {
        Self(text.to_owned())
    }

    pub fn hash(&self) -> RefreshTokenHash {
        RefreshTokenHash(Sha256::digest(self.0.as_bytes()).to_vec())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

impl RefreshTokenHash {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_and_never_printed() {
        let (a, b) = (RefreshToken::generate(), RefreshToken::generate());
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).expect("base64url").len(), 32);
        assert_eq!(a.hash(), RefreshToken::presented(a.expose()).hash());
        assert_eq!(a.hash().as_bytes().len(), 32);
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
