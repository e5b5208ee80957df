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
    #[error("must look like name@example.com, in ASCII (an internationalised domain in its xn-- form)")]
    Malformed,
}

/// Characters of an unquoted local part besides letters and digits (RFC 5322 `atext`).
const ATEXT_SYMBOLS: &str = "!#$%&'*+/=?^_`{|}~-";

impl Email {
    /// The grammar of [`Email::parse`] as an ECMA-262 regular expression, the
    /// spec's `pattern` (with `maxLength` [`EMAIL_MAX`]). The local part's
    /// limit of 64 characters is a *negative* lookahead: Hypothesis (so
    /// schemathesis) generates strings for one and filters them by it, while
    /// a positive one makes it write the lookahead's own text.
    pub const PATTERN: &str = concat!(
        r"^(?![^@]{65})",
        r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*",
        r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$",
    );

    /// Accepts `local@domain`, in ASCII, that every mail server can be sent
    /// to unchanged: a local part of 1 to 64 characters made of dot-separated
    /// atoms (RFC 5321 `Dot-string`: no quoted forms, no display names, no
    /// `<...>`), and a domain of two or more labels of letters, digits and
    /// inner hyphens, 1 to 63 characters each (RFC 1035; no address
    /// literals). A subset of what the mailer (lettre) accepts: non-ASCII
    /// addresses need a server that speaks SMTPUTF8, so they are refused
    /// rather than registered and never mailed; browsers send internationalised
    /// domains in their xn-- form already. Deliverability is not checked.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        if input.is_empty() {
            return Err(EmailError::Empty);
        }
        if input.chars().count() > EMAIL_MAX {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = input.split_once('@').ok_or(EmailError::Malformed)?;
        let atom = |atom: &str| {
            !atom.is_empty() && atom.bytes().all(|b| b.is_ascii_alphanumeric() || ATEXT_SYMBOLS.as_bytes().contains(&b))
        };
        let label = |label: &str| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        };
        let well_formed = local.len() <= 64
            && local.split('.').all(atom)
            && domain.split('.').count() >= 2
            && domain.split('.').all(label);
        if well_formed { Ok(Self(input.to_owned())) } else { Err(EmailError::Malformed) }
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
        for good in ["Ann.Lee+rv@Example.COM", "a@b.c", "o'brien!#$%&*/=?^_`{|}~-@xn--bcher-kva.example", "a@1-2.x9"] {
            assert_eq!(Email::parse(good).map(|e| e.0), Ok(good.into()));
        }
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
            "<victim@example.com>",
            "Ann <victim@example.com>",
            "\"ann\"@example.com",
            ".ann@example.com",
            "ann.@example.com",
            "a..nn@example.com",
            "ann@-example.com",
            "ann@example-.com",
            "ann@ex_ample.com",
            "ann@[127.0.0.1]",
            "anné@example.com",
            "ann@bücher.de",
            "ann(comment)@example.com",
            "a,b@example.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
        assert_eq!(Email::parse(""), Err(EmailError::Empty));
    }

    #[test]
    fn the_local_part_and_labels_have_their_rfc_limits_and_the_column_width_bounds_the_whole() {
        let at = |local: usize, label: usize| format!("{}@{}.com", "a".repeat(local), "b".repeat(label));
        assert!(Email::parse(&at(64, 63)).is_ok());
        assert_eq!(Email::parse(&at(65, 1)), Err(EmailError::Malformed));
        assert_eq!(Email::parse(&at(1, 64)), Err(EmailError::Malformed));
        let domain = [63, 63, 63, 61].map(|length| "b".repeat(length)).join(".");
        assert_eq!(Email::parse(&format!("a@{domain}")).map(|e| e.0.len()), Ok(EMAIL_MAX));
        assert_eq!(Email::parse(&format!("aa@{domain}")), Err(EmailError::TooLong));
    }
}
