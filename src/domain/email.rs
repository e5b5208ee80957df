//! An email address, validated once. Stored as typed; compared without regard
//! to letter case (the database's unique index is on `lower(email)`).

use std::fmt;

use super::limits::EMAIL_MAX;

#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {EMAIL_MAX} characters")]
    TooLong,
    #[error("must look like name@example.com")]
    Malformed,
}

impl Email {
    /// Accepts `local@domain.tld` without spaces or control characters; the
    /// surrounding whitespace is trimmed. Deliverability is not checked here.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let email = input.trim();
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.chars().count() > EMAIL_MAX {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = email.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if well_formed { Ok(Self(email.to_owned())) } else { Err(EmailError::Malformed) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_are_kept_as_typed_but_trimmed() {
        assert_eq!(Email::parse("  Ann.Lee+rv@Example.COM ").map(|e| e.0), Ok("Ann.Lee+rv@Example.COM".into()));
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for bad in [
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann@@example.com",
            "a nn@example.com",
            "ann@.com",
            "ann@example..com",
            "ann@example.com.",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn the_column_width_is_the_limit() {
        let at_limit = format!("{}@example.com", "a".repeat(EMAIL_MAX - 12));
        assert_eq!(at_limit.len(), EMAIL_MAX);
        assert!(Email::parse(&at_limit).is_err_and(|e| e == EmailError::Malformed), "local part over 64");
        let domain = format!("a@{}.com", "b".repeat(EMAIL_MAX - 6));
        assert_eq!(Email::parse(&domain), Ok(Email(domain.clone())));
        assert_eq!(Email::parse(&format!("a{domain}")), Err(EmailError::TooLong));
    }
}
