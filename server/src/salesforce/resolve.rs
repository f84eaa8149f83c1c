//! DNS with an SSRF guard (doc §1.6: "reject private/loopback resolved IPs"). A host that passed the domain
//! check could still resolve to an internal address (a hijacked record, DNS rebinding); such addresses are
//! dropped, and a name with nothing else left fails to resolve. IP-literal origins (the simulator, allowed
//! explicitly) never go through a resolver.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Default, Clone)]
pub struct PublicOnlyResolver {
    /// Host names of the origins an operator allowed explicitly (`KOMO_SALESFORCE_EXTRA_ORIGINS`): these
    /// may resolve anywhere, e.g. `localhost` for the simulator.
    exempt: Vec<String>,
}

impl PublicOnlyResolver {
    pub fn new(extra_allowed_origins: &[String]) -> Self {
        let exempt = extra_allowed_origins
            .iter()
            .filter_map(|origin| url::Url::parse(origin).ok())
            .filter_map(|url| url.host_str().map(str::to_ascii_lowercase))
            .collect();
        Self { exempt }
    }
}

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let exempt = self
            .exempt
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name.as_str()));
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all
                .into_iter()
                .filter(|a| exempt || is_public(a.ip()))
                .collect();
            if public.is_empty() {
                let message = format!(
                    "{host} resolves only to private or local addresses; refusing to connect"
                );
                return Err(message.into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// False for every address that is not a plain public one: loopback, private, link-local (cloud metadata
/// lives at 169.254.169.254), unspecified and "this network" (0/8), multicast, broadcast and reserved
/// (240/4), shared (100.64/10), benchmarking (198.18/15), documentation, IPv6 unique-local and site-local
/// (fec0::/10); and the IPv6 forms that carry an IPv4 address inside.
///
/// Of those, IPv4-mapped (`::ffff:a.b.c.d`) and the well-known NAT64 prefix (`64:ff9b::/96`) are judged by
/// the IPv4 address they carry: a server on an IPv6-only network with DNS64 reaches Salesforce through
/// NAT64, so refusing the prefix outright would cut it off, while `64:ff9b::7f00:1` (127.0.0.1) is refused
/// like 127.0.0.1. IPv4-compatible (`::a.b.c.d`), 6to4 (`2002::/16`), Teredo (`2001::/32`) and local-use
/// NAT64 (`64:ff9b:1::/48`, whose mapping only its network knows) are refused outright: deprecated or
/// tunnels, and no Salesforce host resolves to them.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || a == 0
                || v4.is_multicast()
                || a >= 240
                || v4.is_documentation()
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b & 0xfe) == 18))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [.., a, b, c, d] = v6.octets();
                return is_public(IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d)));
            }
            let first = segments[0];
            let ipv4_compatible = segments[..6] == [0; 6];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || ipv4_compatible
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first & 0xffc0) == 0xfec0
                || first == 0x2002
                || (first == 0x2001 && segments[1] == 0)
                || (first == 0x64 && segments[1] == 0xff9b && segments[2] == 1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "0.1.2.3",
            "198.18.0.1",
            "198.19.255.254",
            "240.0.0.1",
            "255.255.255.255",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::d6e:1",
            "::7f00:1",
            "::d6e:1",
            "2002:7f00:1::1",
            "2001:0:4136:e378::1",
            "fec0::1",
        ] {
            assert!(!is_public(ip.parse().expect("ip")), "{ip}");
        }
        for ip in [
            "13.110.0.1",
            "85.222.130.1",
            "2606:4700::1",
            "198.20.0.1",
            "64:ff9b::d6e:1",
            "2a00:1450::1",
        ] {
            assert!(is_public(ip.parse().expect("ip")), "{ip}");
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_only_to_loopback_is_refused() {
        let result = PublicOnlyResolver::default()
            .resolve("localhost".parse().expect("name"))
            .await;
        let error = result.err().expect("refused");
        assert!(error.to_string().contains("private or local"), "{error}");
    }

    #[tokio::test]
    async fn an_explicitly_allowed_origin_may_be_local() {
        let resolver = PublicOnlyResolver::new(&["http://localhost:4321".to_owned()]);
        let addrs = resolver
            .resolve("localhost".parse().expect("name"))
            .await
            .expect("allowed");
        assert!(addrs.into_iter().all(|a| a.ip().is_loopback()));
    }
}
