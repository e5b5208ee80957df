//! Who is calling, by network address, for the login and reset throttles:
//! the peer, unless the peer is a configured trusted proxy, in which case the
//! right-most `X-Forwarded-For` entry that is not itself a trusted proxy. By
//! default no proxy is trusted, so a client cannot pick its own address with
//! the header; behind a proxy that is not configured as trusted, every client
//! is the proxy and shares its limits (a warning says so, once).

use std::{
    net::IpAddr,
    sync::atomic::{AtomicBool, Ordering},
};

use ipnet::IpNet;
use poem::Request;

pub fn client_address(request: &Request, trusted_proxies: &[IpNet]) -> IpAddr {
    let peer = request.remote_addr().as_socket_addr().map(|addr| addr.ip().to_canonical());
    let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let forwarded = request.headers().get_all("x-forwarded-for");
    if trusted_proxies.is_empty() {
        if forwarded.iter().next().is_some() {
            warn_untrusted_forwarding(peer);
        }
        return peer;
    }
    resolve(peer, forwarded.iter().map(|value| value.to_str().unwrap_or("")), trusted_proxies)
}

/// Requests arrive through a proxy this service was not told to trust: every
/// client counts as that proxy. Said once per process.
fn warn_untrusted_forwarding(peer: IpAddr) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            %peer,
            "requests carry X-Forwarded-For but REVIEWPOINT_TRUSTED_PROXIES is unset: every client behind \
             that proxy shares its login and reset limits; set it to the proxy's addresses"
        );
    }
}

/// Walks the hops from the right while they are trusted proxies; the first
/// that is not is the client. A hop that is not an address stops the walk:
/// whatever stands left of it was written by nobody trusted, so the trusted
/// proxy that passed it on stands for the client.
fn resolve<'a>(peer: IpAddr, forwarded: impl Iterator<Item = &'a str>, trusted_proxies: &[IpNet]) -> IpAddr {
    let trusted = |address: &IpAddr| trusted_proxies.iter().any(|net| net.contains(address));
    if !trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = forwarded.flat_map(|value| value.split(',')).collect();
    let mut nearest_trusted = peer;
    for hop in hops.into_iter().rev() {
        let Ok(address) = hop.trim().parse::<IpAddr>().map(|address| address.to_canonical()) else {
            return nearest_trusted;
        };
        if !trusted(&address) {
            return address;
        }
        nearest_trusted = address;
    }
    peer
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

    #[test]
    fn a_hop_that_is_not_an_address_never_lets_the_one_left_of_it_be_the_client() {
        let trusted = &["10.0.0.0/8"];
        assert_eq!(from("10.0.0.2", Some("6.6.6.6, garbage"), trusted), "10.0.0.2", "the proxy stands for it");
        assert_eq!(from("10.0.0.2", Some("6.6.6.6, unknown, 10.0.0.3"), trusted), "10.0.0.3");
        assert_eq!(from("10.0.0.2", Some("6.6.6.6, ::ffff:203.0.113.9"), trusted), "203.0.113.9", "mapped IPv4");
    }
}
