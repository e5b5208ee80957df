//! Who is calling, by network address, for the login throttle: the peer,
//! unless the peer is a configured trusted proxy, in which case the right-most
//! `X-Forwarded-For` entry that is not itself a trusted proxy. By default no
//! proxy is trusted, so a client cannot pick its own address with the header.

use std::net::IpAddr;

use ipnet::IpNet;
use poem::Request;

pub fn client_address(request: &Request, trusted_proxies: &[IpNet]) -> IpAddr {
    let peer = request.remote_addr().as_socket_addr().map(|addr| addr.ip().to_canonical());
    let forwarded = request.headers().get_all("x-forwarded-for").iter().filter_map(|value| value.to_str().ok());
    resolve(peer.unwrap_or(IpAddr::from([0, 0, 0, 0])), forwarded, trusted_proxies)
}

fn resolve<'a>(peer: IpAddr, forwarded: impl Iterator<Item = &'a str>, trusted_proxies: &[IpNet]) -> IpAddr {
    let trusted = |address: &IpAddr| trusted_proxies.iter().any(|net| net.contains(address));
    if !trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> =
        forwarded.flat_map(|value| value.split(',')).filter_map(|hop| hop.trim().parse().ok()).collect();
    hops.into_iter().rev().find(|hop| !trusted(hop)).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str, forwarded: Option<&str>, trusted: &[&str]) -> String {
        let trusted: Vec<IpNet> = trusted.iter().map(|net| net.parse().expect("network")).collect();
        resolve(peer.parse().expect("address"), forwarded.into_iter(), &trusted).to_string()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy_and_only_its_untrusted_end() {
        assert_eq!(from("192.0.2.1", Some("203.0.113.9"), &[]), "192.0.2.1", "nothing is trusted by default");
        assert_eq!(from("10.0.0.2", Some("203.0.113.9"), &["10.0.0.0/8"]), "203.0.113.9");
        assert_eq!(from("10.0.0.2", Some("6.6.6.6, 203.0.113.9, 10.0.0.3"), &["10.0.0.0/8"]), "203.0.113.9");
        assert_eq!(from("10.0.0.2", Some("garbage"), &["10.0.0.0/8"]), "10.0.0.2");
        assert_eq!(from("10.0.0.2", None, &["10.0.0.0/8"]), "10.0.0.2");
    }
}
