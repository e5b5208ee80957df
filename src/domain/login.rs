//! A login attempt as the throttle sees it: which account and which client
//! address it counts against. See `migrations/*_login_throttle`.

use std::net::IpAddr;

use sha2::{Digest, Sha256};

/// The throttle's keys for one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleKeys {
    /// `account:` and the SHA-256 of the email as typed, lower-cased: every
    /// spelling of one address counts together, an address that has no
    /// account counts like one that has (a lock tells nothing), and the
    /// table holds no address in the clear.
    pub account: String,
    /// `client:` and the client's address.
    pub client: String,
}

impl ThrottleKeys {
    pub fn new(email: &str, client: IpAddr) -> Self {
        let digest = Sha256::digest(email.to_lowercase().as_bytes());
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        Self { account: format!("account:{hex}"), client: format!("client:{client}") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_letter_case_of_an_email_shares_one_key_and_the_address_is_not_kept() {
        let client: IpAddr = "192.0.2.7".parse().expect("address");
        let keys = ThrottleKeys::new("Ann@Example.com", client);

        assert_eq!(keys, ThrottleKeys::new("ann@example.COM", client));
        assert_ne!(keys.account, ThrottleKeys::new("bob@example.com", client).account);
        assert!(!keys.account.contains("ann") && keys.account.len() == "account:".len() + 64);
        assert_eq!(keys.client, "client:192.0.2.7");
    }
}
