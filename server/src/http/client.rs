//! Where a request came from, for the per-address sign-in limit.
//!
//! The connection's peer is the client, unless the peer is a reverse proxy we were told to trust
//! (`KOMO_TRUSTED_PROXIES`). Then `X-Forwarded-For` is read from the right: each trusted proxy appends the
//! address it saw, so the first address from the right that is not a trusted proxy is the client. Anything
//! further left was written by the client itself and proves nothing.

use axum::http::HeaderMap;
use std::net::IpAddr;

pub fn client_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted_proxies: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    // From the right; a hop that is not an address ends the walk, as nothing left of it can be believed.
    hops.iter()
        .rev()
        .map_while(|hop| hop.trim().parse::<IpAddr>().ok())
        .find(|hop| !trusted_proxies.contains(hop))
        .or(Some(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().expect("ip")
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let proxy = ip("10.0.0.2");
        let inner = ip("10.0.0.3");
        let table: [(&str, Option<&str>, &[IpAddr], &str); 6] = [
            ("a direct client", None, &[], "203.0.113.9"),
            (
                "a direct client's forged header",
                Some("198.51.100.1"),
                &[],
                "203.0.113.9",
            ),
            (
                "behind the proxy",
                Some("198.51.100.1"),
                &[ip("203.0.113.9")],
                "198.51.100.1",
            ),
            (
                "a forged hop left of the real one",
                Some("1.2.3.4, 198.51.100.1"),
                &[ip("203.0.113.9")],
                "198.51.100.1",
            ),
            (
                "two trusted proxies",
                Some("198.51.100.1, 10.0.0.3"),
                &[ip("203.0.113.9"), inner],
                "198.51.100.1",
            ),
            (
                "a trusted proxy without the header",
                None,
                &[ip("203.0.113.9"), proxy],
                "203.0.113.9",
            ),
        ];
        for (case, header, trusted, expected) in table {
            let mut headers = HeaderMap::new();
            if let Some(header) = header {
                headers.insert("x-forwarded-for", header.parse().expect("header"));
            }
            assert_eq!(
                client_address(Some(ip("203.0.113.9")), &headers, trusted),
                Some(ip(expected)),
                "{case}"
            );
        }
    }
}
