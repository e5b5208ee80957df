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
    /// Accepts `local@domain.tld` (a local part of 1 to 64 characters, a
    /// domain of two or more non-empty labels) without whitespace or control
    /// characters anywhere, exactly the `pattern` the spec states so clients
    /// can check before sending. Deliverability is not checked here.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let email = input;
        if email.is_empty() {
            return Err(EmailError::Empty);
        }
        if email.chars().count() > EMAIL_MAX {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = email.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let well_formed = !local.is_empty()
            && local.chars().count() <= 64
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
    fn valid_addresses_are_kept_as_typed() {
        assert_eq!(Email::parse("Ann.Lee+rv@Example.COM").map(|e| e.0), Ok("Ann.Lee+rv@Example.COM".into()));
        assert!(Email::parse(&format!("{}@example.com", "é".repeat(64))).is_ok(), "64 characters, not bytes");
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
            " ann@example.com",
            "ann@example.com\n",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
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
