//! Where a claimed mail goes: an SMTP server, or the log when none is
//! configured (dev and test; prod refuses to start without one).

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
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
    let to: Mailbox =
        mail.recipient.parse().map_err(|error| permanent(format!("the recipient cannot be addressed: {error}")))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.as_str())
        .message_id(Some(format!("<outbox-{}@{}>", mail.id, from.email.domain())))
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|error| permanent(format!("the mail cannot be built: {error}")))
}
