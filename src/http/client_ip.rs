//! `ClientIp`: who is calling, for per-IP limits.
//!
//! Behind a tunnel (ngrok on this machine) every request arrives from loopback; behind a load
//! balancer or in a container, from the proxy's address. The proxy names the real client in
//! `X-Forwarded-For`. That header is believed only from a trusted peer (loopback, including its
//! IPv4-mapped IPv6 form, or an address in `TRUSTED_PROXIES`), and it is read from the right:
//! the first entry not added by a trusted proxy is the client. Entries further left are whatever
//! the client claimed.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::state::AppState;

/// The client's IP address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Through the extractor, so a test's `MockConnectInfo` stands in for the socket.
        let peer = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let state = AppState::from_ref(state);
        Ok(Self(client_ip(
            peer,
            &parts.headers,
            &state.config.server.trusted_proxies,
        )))
    }
}

/// The peer, or, when the peer is a trusted proxy, the right-most `X-Forwarded-For` entry that
/// is not a trusted proxy itself.
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let trusts = |ip: IpAddr| ip.is_loopback() || trusted.iter().any(|net| net.contains(&ip));
    let mut nearest = peer.to_canonical();
    if !trusts(nearest) {
        return nearest;
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for entry in entries.iter().rev() {
        let Ok(hop) = entry.trim().parse::<IpAddr>().map(|ip| ip.to_canonical()) else {
            // An entry we cannot read: nothing to its left can be trusted either.
            return nearest;
        };
        if !trusts(hop) {
            return hop;
        }
        nearest = hop;
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().expect("header"));
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn the_tunnels_entry_is_used_only_from_loopback() {
        let loopback = ip("127.0.0.1");
        let remote = ip("198.51.100.7");
        assert_eq!(
            client_ip(loopback, &headers("203.0.113.9"), &[]),
            ip("203.0.113.9")
        );
        // A client-supplied entry before the tunnel's is ignored.
        assert_eq!(
            client_ip(loopback, &headers("1.1.1.1, 203.0.113.9"), &[]),
            ip("203.0.113.9")
        );
        // A direct remote client cannot pick its own key.
        assert_eq!(client_ip(remote, &headers("203.0.113.9"), &[]), remote);
        assert_eq!(client_ip(loopback, &HeaderMap::new(), &[]), loopback);
        assert_eq!(client_ip(loopback, &headers("garbage"), &[]), loopback);
    }

    #[test]
    fn an_ipv4_mapped_loopback_peer_counts_as_loopback() {
        let mapped = ip("::ffff:127.0.0.1");
        assert_eq!(
            client_ip(mapped, &headers("203.0.113.9"), &[]),
            ip("203.0.113.9")
        );
        // And a mapped client address is reported as plain IPv4, one key per client.
        assert_eq!(
            client_ip(ip("::ffff:198.51.100.7"), &HeaderMap::new(), &[]),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_trusted_balancer_is_believed_and_skipped() {
        let balancer = ip("10.1.2.3");
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr")];
        // Not trusted: the balancer itself is the client, whatever it forwards.
        assert_eq!(client_ip(balancer, &headers("203.0.113.9"), &[]), balancer);
        assert_eq!(
            client_ip(balancer, &headers("203.0.113.9"), &trusted),
            ip("203.0.113.9")
        );
        // Two trusted hops (an ingress behind the balancer): the first untrusted from the right.
        assert_eq!(
            client_ip(
                balancer,
                &headers("6.6.6.6, 203.0.113.9, 10.9.9.9"),
                &trusted
            ),
            ip("203.0.113.9")
        );
        // A client claiming to be a trusted address gets nothing from it.
        assert_eq!(
            client_ip(balancer, &headers("10.0.0.1, 203.0.113.9"), &trusted),
            ip("203.0.113.9")
        );
    }
}
