//! A password as typed at registration, login or change: kept only until it
//! is hashed or checked, and never printed.

use std::fmt;

pub const PASSWORD_MIN: usize = 8;
/// Long enough for any passphrase, short enough that hashing cannot be abused.
pub const PASSWORD_MAX: usize = 128;

#[derive(Clone)]
pub struct Password(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("must be at least {PASSWORD_MIN} characters")]
    TooShort,
    #[error("must be at most {PASSWORD_MAX} characters")]
    TooLong,
}

impl Password {
    /// Counts characters, not bytes; whitespace is significant and kept.
    pub fn parse(input: &str) -> Result<Self, PasswordError> {
        match input.chars().count() {
            n if n < PASSWORD_MIN => Err(PasswordError::TooShort),
            n if n > PASSWORD_MAX => Err(PasswordError::TooLong),
            _ => Ok(Self(input.to_owned())),
        }
    }

    /// For login, where a password of any length is checked rather than
    /// reported; see [`Password::is_acceptable`].
    pub fn unchecked(input: &str) -> Self {
        Self(input.to_owned())
    }

    /// Whether `parse` would have taken it: no stored password is longer
    /// than [`PASSWORD_MAX`], so a longer one never matches (it is never
    /// shortened to fit, which would let any suffix log in).
    pub fn is_acceptable(&self) -> bool {
        (PASSWORD_MIN..=PASSWORD_MAX).contains(&self.0.chars().count())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters_within_bounds() {
        assert_eq!(Password::parse("1234567").err(), Some(PasswordError::TooShort));
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"é".repeat(PASSWORD_MAX)).is_ok());
        assert_eq!(Password::parse(&"a".repeat(PASSWORD_MAX + 1)).err(), Some(PasswordError::TooLong));
    }

    #[test]
    fn a_login_password_is_kept_whole_and_judged_by_the_same_bounds() {
        let long = "a".repeat(PASSWORD_MAX + 1);
        assert_eq!(Password::unchecked(&long).expose(), long, "never truncated");
        assert!(!Password::unchecked(&long).is_acceptable());
        assert!(!Password::unchecked("short").is_acceptable());
        assert!(Password::unchecked(&"é".repeat(PASSWORD_MAX)).is_acceptable());
    }

    #[test]
    fn debug_never_shows_the_password() {
        assert_eq!(format!("{:?}", Password::parse("hunter2hunter2").expect("valid")), "Password(<redacted>)");
    }
}
