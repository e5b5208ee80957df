//! Where a claimed mail goes: an SMTP server, or the log when none is
//! configured (dev and test; prod refuses to start without one).

use std::time::Duration;

use lettre::{
    Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};

use crate::{config::MailSettings, domain::OutboxMail};

/// The longest one SMTP exchange (connect, greet, send) may take; a server
/// that hangs costs this much before the mail is retried later.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

pub enum Transport {
    /// lettre's pooled SMTP client, plain or TLS as the URL says.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server: each mail, reset link included, is written to the log
    /// for the developer to follow. Never in prod (`config` refuses).
    Log,
}

/// Why a mail was not delivered.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// The server refused it for good (a 5xx reply), or it cannot be
    /// addressed at all: retrying would not help.
    pub permanent: bool,
    pub message: String,
}

impl Transport {
    /// The transport the settings name.
    pub fn new(settings: &MailSettings) -> Result<Self, lettre::transport::smtp::Error> {
        match &settings.smtp {
            Some(url) => Ok(Self::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())?.timeout(Some(SMTP_TIMEOUT)).build(),
            )),
            None => Ok(Self::Log),
        }
    }

    /// Delivers `mail` from `from`; `Ok` once the server accepted it.
    pub async fn send(&self, from: &Mailbox, mail: &OutboxMail) -> Result<(), SendError> {
        let message = message(from, mail)?;
        match self {
            Self::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(drop)
                .map_err(|error| SendError { permanent: error.is_permanent(), message: error.to_string() }),
            Self::Log => {
                tracing::warn!(
                    mail = mail.id,
                    kind = mail.kind,
                    to = mail.recipient,
                    subject = mail.subject,
                    body = %mail.body,
                    "REVIEWPOINT_SMTP_URL is unset: this mail is logged instead of sent"
                );
                Ok(())
            }
        }
    }
}

/// The mail as sent: plain text, with a `Message-ID` that is the same on
/// every attempt, so a repeat delivery is recognisable as one.
fn message(from: &Mailbox, mail: &OutboxMail) -> Result<Message, SendError> {
    let permanent = |message: String| SendError { permanent: true, message };
    // A bare address, never a mailbox: `Ann <victim@example.com>` or
    // `<victim@example.com>` stored before the email grammar was narrowed
    // must not be mailed to the address inside it.
    let to: Address =
        mail.recipient.parse().map_err(|error| permanent(format!("the recipient cannot be addressed: {error}")))?;
    Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(mail.subject.as_str())
        .message_id(Some(format!("<outbox-{}@{}>", mail.id, from.email.domain())))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|error| permanent(format!("the mail cannot be built: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEFAULT_MAIL_FROM, SmtpUrl};

    fn settings(smtp: Option<&str>) -> MailSettings {
        let smtp = smtp.map(|url| SmtpUrl::parse(url).expect("an SMTP URL"));
        MailSettings { smtp, from: DEFAULT_MAIL_FROM.parse().expect("a mailbox") }
    }

    // On a runtime: lettre's connection pool starts a task of its own.
    #[tokio::test]
    async fn the_url_picks_plain_starttls_or_tls_and_no_url_picks_the_log() {
        // Building a TLS transport loads the system's roots and the crypto
        // provider: a missing piece would fail here, not at the first mail.
        for url in ["smtp://127.0.0.1:2525", "smtp://mail.example.com?tls=required", "smtps://u:p@mail.example.com"] {
            assert!(matches!(Transport::new(&settings(Some(url))), Ok(Transport::Smtp(_))), "{url}");
        }
        assert!(matches!(Transport::new(&settings(None)), Ok(Transport::Log)));
    }

    #[test]
    fn a_mail_keeps_one_message_id_across_attempts_and_an_unaddressable_one_fails_for_good() {
        let from: Mailbox = DEFAULT_MAIL_FROM.parse().expect("a mailbox");
        let mail = OutboxMail {
            id: 42,
            kind: "password_reset".into(),
            recipient: "ann@example.com".into(),
            subject: "Reset".into(),
            body: "a link".into(),
            attempts: 0,
        };
        let first = String::from_utf8(message(&from, &mail).expect("a message").formatted()).expect("text");
        let retried = OutboxMail { attempts: 3, ..mail.clone() };
        let again = String::from_utf8(message(&from, &retried).expect("a message").formatted()).expect("text");
        assert!(first.contains("Message-ID: <outbox-42@localhost>"), "{first}");
        assert!(again.contains("Message-ID: <outbox-42@localhost>"));
        for nowhere in ["not an address", "<victim@example.com>", "Ann <victim@example.com>"] {
            let mail = OutboxMail { recipient: nowhere.into(), ..mail.clone() };
            assert!(message(&from, &mail).is_err_and(|error| error.permanent), "{nowhere}");
        }
    }
}
