//! `ClientIp`: who is calling, for per-IP limits.
//!
//! Behind a tunnel (ngrok runs on this machine) every request arrives from loopback, and the
//! tunnel names the real client in `X-Forwarded-For`. That header is trusted only from a
//! loopback peer, and only its last entry (the one the tunnel added; earlier ones are whatever
//! the client claimed).

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

/// The client's IP address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Self(client_ip(peer, &parts.headers)))
    }
}

/// The peer, or for a loopback peer the last `X-Forwarded-For` entry.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !peer.is_loopback() {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .last()
        .and_then(|last| last.trim().parse().ok())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().expect("header"));
        h
    }

    #[test]
    fn the_tunnels_entry_is_used_only_from_loopback() {
        let loopback: IpAddr = "127.0.0.1".parse().expect("ip");
        let remote: IpAddr = "198.51.100.7".parse().expect("ip");
        assert_eq!(
            client_ip(loopback, &headers("203.0.113.9")),
            "203.0.113.9".parse::<IpAddr>().expect("ip")
        );
        // A client-supplied entry before the tunnel's is ignored.
        assert_eq!(
            client_ip(loopback, &headers("1.1.1.1, 203.0.113.9")),
            "203.0.113.9".parse::<IpAddr>().expect("ip")
        );
        // A direct remote client cannot pick its own key.
        assert_eq!(client_ip(remote, &headers("203.0.113.9")), remote);
        assert_eq!(client_ip(loopback, &HeaderMap::new()), loopback);
        assert_eq!(client_ip(loopback, &headers("garbage")), loopback);
    }
}
