//! The key tokens are signed with, kept out of every printout.

use std::fmt;

use super::{ConfigError, Environment};

/// Key material that no `Debug` output shows.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Shorter keys make HS256 tokens guessable offline.
pub const JWT_SECRET_MIN_BYTES: usize = 32;

pub(super) fn jwt_secret(
    lookup: &impl Fn(&str) -> Option<String>,
    environment: Environment,
) -> Result<Option<Secret>, ConfigError> {
    let variable = "REVIEWPOINT_JWT_SECRET";
    match lookup(variable).filter(|value| !value.is_empty()) {
        Some(value) if value.len() >= JWT_SECRET_MIN_BYTES => Ok(Some(Secret(value.into_bytes()))),
        Some(value) => Err(ConfigError {
            variable,
            reason: format!("must be at least {JWT_SECRET_MIN_BYTES} bytes, got {}", value.len()),
        }),
        None if environment == Environment::Prod => Err(ConfigError { variable, reason: "is required in prod".into() }),
        None => Ok(None),
    }
}
