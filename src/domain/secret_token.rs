//! Opaque secrets handed to a client once and stored only as a hash:
//! password reset tokens, and the text of refresh tokens (see `RefreshToken`).

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

/// An opaque token: 256 random bits, base64url. Only its hash is stored;
/// the token itself is shown once, to the client, and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretToken(String);

/// SHA-256 of a token, the only form the database holds. A plain
/// hash suffices: the input is 256 random bits, not a guessable password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenHash(Vec<u8>);

/// Bytes of randomness in a token.
const TOKEN_BYTES: usize = 32;

impl SecretToken {
    /// A new token from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).expect("the operating system's random source works");
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as a client presented it; any text, looked up by its hash.
    pub fn presented(text: &str) -> Self {
        Self(text.to_owned())
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).to_vec())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretToken(<redacted>)")
    }
}

impl TokenHash {
    /// A SHA-256 digest computed elsewhere (a refresh token's family).
    pub(super) fn from_digest(digest: Vec<u8>) -> Self {
        Self(digest)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_and_never_printed() {
        let (a, b) = (SecretToken::generate(), SecretToken::generate());
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(a.expose()).expect("base64url").len(), 32);
        assert_eq!(a.hash(), SecretToken::presented(a.expose()).hash());
        assert_eq!(a.hash().as_bytes().len(), 32);
        assert!(!format!("{a:?}").contains(a.expose()));
    }
}
