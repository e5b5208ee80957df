//! Mail settings: where outbox mail goes (SMTP, password kept out of every
//! printout), who it comes from, and what a password reset link and its
//! limits are.

use std::{fmt, time::Duration};

use lettre::message::Mailbox;
use url::Url;

use super::{ConfigError, Environment, RateLimits, values};

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
/// optional `user:password@` for AUTH. One addition of ours, `?tls=none`:
/// plain text, said on purpose, which prod accepts (a relay on the same
/// host, say) where it refuses a plain `smtp://` (see [`Self::is_secure`]).
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// As lettre takes it: without our `tls=none`.
    url: Url,
    security: SmtpSecurity,
}

/// How the conversation with the mail server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://` with no `tls`: plain text, perhaps by oversight.
    Plain,
    /// `?tls=none`: plain text, on purpose.
    PlainOnPurpose,
    /// `?tls=opportunistic`: STARTTLS when offered; an attacker on the path
    /// can strip the offer.
    Opportunistic,
    /// `?tls=required` or `smtps://`.
    Tls,
}

impl SmtpUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        let mut url = Url::parse(value).map_err(|error| format!("expected an smtp:// or smtps:// URL: {error}"))?;
        let tls = url.query_pairs().find(|(key, _)| key == "tls").map(|(_, value)| value.into_owned());
        let security = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => SmtpSecurity::Plain,
            ("smtp", Some("none")) => SmtpSecurity::PlainOnPurpose,
            ("smtp", Some("opportunistic")) => SmtpSecurity::Opportunistic,
            ("smtp", Some("required")) | ("smtps", None) => SmtpSecurity::Tls,
            ("smtp", Some(other)) => return Err(format!("tls={other} is not one of required, opportunistic, none")),
            (scheme, _) => return Err(format!("expected an smtp:// or smtps:// URL, got scheme {scheme:?}")),
        };
        if url.host_str().is_none_or(str::is_empty) {
            return Err("the URL names no host".into());
        }
        if security == SmtpSecurity::PlainOnPurpose {
            let others: Vec<(String, String)> = url
                .query_pairs()
                .filter(|(key, _)| key != "tls")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            url.set_query(None);
            if !others.is_empty() {
                url.query_pairs_mut().extend_pairs(others);
            }
        }
        Ok(Self { url, security })
    }

    pub fn security(&self) -> SmtpSecurity {
        self.security
    }

    /// Whether prod may use it: TLS, or plain text said on purpose.
    pub fn is_secure_or_plain_on_purpose(&self) -> bool {
        matches!(self.security, SmtpSecurity::Tls | SmtpSecurity::PlainOnPurpose)
    }

    /// The URL with its password, for the transport only.
    pub fn expose(&self) -> &str {
        self.url.as_str()
    }

    /// The URL with any password replaced by `***`, safe to log.
    pub fn redacted(&self) -> String {
        let mut url = self.url.clone();
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

/// Prod sends its mail: without a server to send to, password reset would
/// answer 202 and never mail anyone.
pub(super) fn smtp_url(
    lookup: &impl Fn(&str) -> Option<String>,
    environment: Environment,
) -> Result<Option<SmtpUrl>, ConfigError> {
    let variable = "REVIEWPOINT_SMTP_URL";
    match values::optional(lookup, variable, SmtpUrl::parse)? {
        None if environment == Environment::Prod => Err(ConfigError {
            variable,
            reason: "is required in prod: password reset mail is sent over SMTP (e.g. smtps://user:password@mail.example.com)"
                .into(),
        }),
        // Reset links (and any AUTH password) would cross the network in
        // the clear, or an attacker could strip an opportunistic STARTTLS.
        Some(smtp) if environment == Environment::Prod && !smtp.is_secure_or_plain_on_purpose() => Err(ConfigError {
            variable,
            reason: format!(
                "must use TLS in prod: smtps://host or smtp://host?tls=required; for a relay on a trusted \
                 network, say smtp://host?tls=none on purpose (got {})",
                smtp.redacted()
            ),
        }),
        smtp => Ok(smtp),
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
