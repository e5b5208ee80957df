//! Mail that leaves through the outbox: what a change writes, and what a
//! sender later claims to deliver.

use std::time::Duration;

use url::Url;

use super::SecretToken;

/// A mail to put in the outbox; the recipient comes from the account row
/// the same statement finds, so no address is trusted from the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMail {
    pub subject: String,
    pub body: String,
}

/// A mail claimed for delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    /// What it is for (`password_reset`).
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// Deliveries tried before this one.
    pub attempts: i32,
}

impl NewMail {
    /// The password reset mail: a link to `page` carrying `token=<token>`,
    /// good for `ttl`.
    pub fn password_reset(page: &Url, token: &SecretToken, ttl: Duration) -> Self {
        let mut link = page.clone();
        link.query_pairs_mut().append_pair("token", token.expose());
        let minutes = ttl.as_secs().div_ceil(60);
        Self {
            subject: "Reset your ReViewPoint password".to_owned(),
            body: format!(
                "Someone asked to reset the password of the ReViewPoint account with this email address.\r\n\
                 \r\n\
                 To choose a new password, open this link within {minutes} minutes:\r\n\
                 \r\n\
                 {link}\r\n\
                 \r\n\
                 The link works once, and choosing a new password signs you out everywhere.\r\n\
                 If you did not ask for this, ignore this mail: your password stays as it is.\r\n"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reset_mail_links_to_the_page_with_the_token_in_its_query() {
        let token = SecretToken::generate();
        let page = Url::parse("https://app.example.com/reset?lang=en").expect("url");
        let mail = NewMail::password_reset(&page, &token, Duration::from_secs(3600));
        let expected = format!("https://app.example.com/reset?lang=en&token={}", token.expose());
        assert!(mail.body.contains(&expected), "{}", mail.body);
        assert!(mail.body.contains("within 60 minutes"));
    }
}
