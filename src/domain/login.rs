//! Who a login attempt or a reset request counts against, besides the email:
//! the client's network address. See `migrations/*_login_throttle`; the
//! email's key is made in SQL, from the same `lower()` that finds the
//! account (`queries/logins.sql`).

use std::net::IpAddr;

/// `client:` and the client's address; for IPv6, its /64 network, the
/// smallest block one subscriber is usually given, so that an attacker
/// cannot take a fresh key from each of the 2^64 addresses of one network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientKey(String);

impl ClientKey {
    pub fn new(client: IpAddr) -> Self {
        match client.to_canonical() {
            IpAddr::V4(address) => Self(format!("client:{address}")),
            IpAddr::V6(address) => {
                let network = u128::from(address) & !(u128::MAX >> 64);
                Self(format!("client:{}/64", std::net::Ipv6Addr::from(network)))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(address: &str) -> String {
        ClientKey::new(address.parse().expect("address")).as_str().to_owned()
    }

    #[test]
    fn an_ipv4_client_is_its_address_and_an_ipv6_client_its_64_network() {
        assert_eq!(key("192.0.2.7"), "client:192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "client:192.0.2.7", "a mapped IPv4 address is that address");
        assert_eq!(key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "client:2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"), "one /64, one key");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    }
}
