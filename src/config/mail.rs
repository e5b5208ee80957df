//! Mail settings: where outbox mail goes (SMTP, password kept out of every
//! printout), who it comes from, and what a password reset link and its
//! limits are.

use std::{fmt, time::Duration};

use lettre::message::Mailbox;
use url::Url;

use super::RateLimits;

pub const DEFAULT_MAIL_FROM: &str = "ReViewPoint <no-reply@localhost>";
/// The web app's page that completes a reset (its dev server's address).
pub const DEFAULT_RESET_URL: &str = "http://localhost:5173/reset-password";

/// Where and how outbox mail is sent.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `None`: nothing is sent; dev and test log each mail instead, and prod
    /// refuses to start (see `Config::from_lookup`).
    pub smtp: Option<SmtpUrl>,
    pub from: Mailbox,
}

/// An SMTP server as lettre's URL names it: `smtp://host:port` in plain
/// text, `smtp://host:port?tls=required` (STARTTLS, or fail) or
/// `?tls=opportunistic`, `smtps://host:port` (TLS from the first byte), with
/// optional `user:password@` for AUTH.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(Url);

impl SmtpUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        let url = Url::parse(value).map_err(|error| format!("expected an smtp:// or smtps:// URL: {error}"))?;
        let tls = url.query_pairs().find(|(key, _)| key == "tls").map(|(_, value)| value.into_owned());
        match (url.scheme(), tls.as_deref()) {
            ("smtp", None | Some("required" | "opportunistic")) | ("smtps", None) => {}
            ("smtp", Some(other)) => return Err(format!("tls={other} is not one of required, opportunistic")),
            (scheme, _) => return Err(format!("expected an smtp:// or smtps:// URL, got scheme {scheme:?}")),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the URL names no host".into());
        }
        Ok(Self(url))
    }

    /// The URL with its password, for the transport only.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }

    /// The URL with any password replaced by `***`, safe to log.
    pub fn redacted(&self) -> String {
        let mut url = self.0.clone();
        if url.password().is_some() {
            let _ = url.set_password(Some("***"));
        }
        url.to_string()
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({})", self.redacted())
    }
}

/// What a password reset link is and how often one may be asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PasswordResetSettings {
    /// The page the mailed link opens; `token=<token>` is added to its query.
    pub link: Url,
    /// How long a reset token (and so its mail) is good for.
    pub ttl: Duration,
    pub limits: RateLimits,
}

impl Default for PasswordResetSettings {
    fn default() -> Self {
        Self {
            link: Url::parse(DEFAULT_RESET_URL).expect("the default reset URL parses"),
            ttl: Duration::from_secs(3600),
            limits: RateLimits::PASSWORD_RESET,
        }
    }
}

pub fn mailbox(value: &str) -> Result<Mailbox, String> {
    value.parse().map_err(|error| format!("expected an address such as {DEFAULT_MAIL_FROM:?}: {error}"))
}

pub fn web_url(value: &str) -> Result<Url, String> {
    match Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        _ => Err(format!("expected an absolute http:// or https:// URL, got {value:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_say_plain_or_tls_and_never_print_the_password() {
        for good in ["smtp://127.0.0.1:2525", "smtp://mail.example.com?tls=required", "smtps://u:p@mail.example.com"] {
            assert!(SmtpUrl::parse(good).is_ok(), "{good}");
        }
        for bad in ["http://mail.example.com", "smtp://mail.example.com?tls=maybe", "smtps://", "mail.example.com"] {
            assert!(SmtpUrl::parse(bad).is_err(), "{bad}");
        }
        let url = SmtpUrl::parse("smtps://ann:s3cret@mail.example.com:465").expect("valid");
        assert_eq!(url.redacted(), "smtps://ann:***@mail.example.com:465");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert!(url.expose().contains("s3cret"));
    }

    #[test]
    fn the_defaults_parse() {
        assert_eq!(mailbox(DEFAULT_MAIL_FROM).expect("valid").email.to_string(), "no-reply@localhost");
        assert!(web_url(DEFAULT_RESET_URL).is_ok());
        assert!(web_url("ftp://example.com/reset").is_err());
        assert!(web_url("/reset").is_err());
    }
}
