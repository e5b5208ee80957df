//! Refresh tokens: a session's token family followed by a fresh secret, so
//! that any earlier token of a session is recognised from its family alone
//! and spent tokens need not be stored (see migrations/*_refresh_token_families).

use std::fmt;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};

use super::{SecretToken, TokenHash};

/// Bytes of the family id: 128 random bits, shared by every token of one session.
const FAMILY_BYTES: usize = 16;
/// Bytes of each token's own secret: 256 random bits.
const SECRET_BYTES: usize = 32;

/// A refresh token, base64url of family id and secret. Only hashes are
/// stored: of the family, and of the whole token (as for a [`SecretToken`]).
/// A presented text that is not of this shape may be a token issued before
/// families (256 random bits, no family), looked up by its hash alone.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(SecretToken);

impl RefreshToken {
    /// The first token of a new family: a login.
    pub fn first() -> Self {
        Self::of_family(&random())
    }

    /// A token as a client presented it; any text.
    pub fn presented(text: &str) -> Self {
        Self(SecretToken::presented(text))
    }

    /// The token that replaces this one: of the same family, or of a new
    /// one when this token has none (issued before families).
    pub fn successor(&self) -> Self {
        self.family_id().map_or_else(Self::first, |family| Self::of_family(&family))
    }

    /// The hash of its family id; `None` for a token issued before families.
    pub fn family(&self) -> Option<TokenHash> {
        self.family_id().map(|family| TokenHash::from_digest(Sha256::digest(family).to_vec()))
    }

    pub fn hash(&self) -> TokenHash {
        self.0.hash()
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    fn of_family(family: &[u8; FAMILY_BYTES]) -> Self {
        let secret: [u8; SECRET_BYTES] = random();
        let bytes: Vec<u8> = family.iter().chain(&secret).copied().collect();
        Self(SecretToken::presented(&URL_SAFE_NO_PAD.encode(bytes)))
    }

    fn family_id(&self) -> Option<[u8; FAMILY_BYTES]> {
        let bytes = URL_SAFE_NO_PAD.decode(self.0.expose()).ok()?;
        (bytes.len() == FAMILY_BYTES + SECRET_BYTES).then(|| bytes[..FAMILY_BYTES].try_into().expect("16 bytes"))
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_keeps_its_id_and_each_token_its_own_secret() {
        let first = RefreshToken::first();
        let next = first.successor();
        assert_eq!(URL_SAFE_NO_PAD.decode(first.expose()).expect("base64url").len(), 48, "128 + 256 random bits");
        assert_eq!(first.family(), next.family());
        assert!(first.family().is_some());
        assert_ne!(first.hash(), next.hash());
        assert_ne!(first.family(), RefreshToken::first().family());
        assert_eq!(RefreshToken::presented(next.expose()).family(), next.family());
        assert!(!format!("{next:?}").contains(next.expose()));
    }

    #[test]
    fn a_token_from_before_families_has_none_and_its_successor_starts_one() {
        let legacy = RefreshToken::presented(SecretToken::generate().expose());
        assert_eq!(legacy.family(), None);
        assert!(legacy.successor().family().is_some());
        assert_eq!(RefreshToken::presented("not base64 at all!").family(), None);
    }
}
