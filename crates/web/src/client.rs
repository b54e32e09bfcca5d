//! The address of the client behind a request: the TCP peer, or, only when that peer is one of the operator's
//! trusted proxies (`--trusted-proxies`), the rightmost address in `X-Forwarded-For` (else `Forwarded`) that is not
//! itself a trusted proxy. Everything left of that hop was written by the client and can be forged, so it is
//! never read. Without trusted proxies those headers are ignored altogether.
//!
//! The one address is computed once per request (the `resolve` middleware) and used by sign-in throttling, the
//! audit log and the loopback-only `/metrics`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::state::AppState;

/// The client's address as the server believes it (`None` when the server runs without connection info).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// One trusted proxy: an address (`127.0.0.1`, `::1`) or a network (`10.0.0.0/8`).
pub fn parse_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| format!("`{text}` is neither an IP address nor a network like 10.0.0.0/8"))
}

fn trusted(address: IpAddr, proxies: &[IpNet]) -> bool {
    let address = address.to_canonical();
    proxies.iter().any(|net| net.contains(&address))
}

/// One `for=` value or X-Forwarded-For entry: `192.0.2.1`, `192.0.2.1:4711`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    if let Ok(address) = text.parse::<IpAddr>() {
        return Some(address);
    }
    // Only IPv4 takes a bare `:port` (an IPv6 address with a port is bracketed).
    let (host, _port) = text.rsplit_once(':')?;
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

/// The hops the proxies recorded, leftmost (the original client, as claimed) first. `X-Forwarded-For` wins when
/// present, as nginx, Caddy, HAProxy and Traefik all set it: a proxy that sets it but passes a client's own
/// `Forwarded` through must not let that header choose the address. `Forwarded` (RFC 7239) is read only without
/// `X-Forwarded-For`. An entry that is no address (`unknown`, an obfuscated name) is kept as `None`.
fn hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
    };
    let forwarded_for = values("x-forwarded-for");
    if !forwarded_for.is_empty() {
        return forwarded_for.iter().flat_map(|v| v.split(',')).map(parse_hop).collect();
    }
    values("forwarded")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim().eq_ignore_ascii_case("for").then(|| parse_hop(value))
            })
        })
        .map(Option::flatten)
        .collect()
}

/// The client's address, given the TCP peer, the request's headers and the trusted proxies.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, proxies: &[IpNet]) -> Option<IpAddr> {
    let peer = peer.map(|p| p.to_canonical());
    let mut client = peer?;
    if !trusted(client, proxies) {
        return Some(client);
    }
    // Walk from the right: each trusted hop vouches for the one before it.
    for hop in hops(headers).into_iter().rev() {
        match hop {
            Some(address) => {
                client = address.to_canonical();
                if !trusted(client, proxies) {
                    break;
                }
            }
            // A trusted proxy wrote something that is no address: stop at the last address we can vouch for.
            None => break,
        }
    }
    Some(client)
}

/// Middleware: puts the [`ClientAddress`] into the request for handlers and the other middleware.
pub async fn attach(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip());
    let address = resolve(peer, request.headers(), &state.config.trusted_proxies);
    request.extensions_mut().insert(ClientAddress(address));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxies = vec![parse_proxy("127.0.0.1").unwrap(), parse_proxy("10.0.0.0/8").unwrap()];
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.1.2.3")]);
        // From a trusted proxy: the rightmost untrusted hop (6.6.6.6 was written by the client: not read).
        assert_eq!(resolve(ip("127.0.0.1"), &xff, &proxies), ip("203.0.113.7"));
        // From anyone else: the peer, whatever the headers say.
        assert_eq!(resolve(ip("198.51.100.1"), &xff, &proxies), ip("198.51.100.1"));
        assert_eq!(resolve(ip("127.0.0.1"), &xff, &[]), ip("127.0.0.1"));
        // IPv4-mapped IPv6 peers count as their IPv4 address.
        assert_eq!(resolve(ip("::ffff:127.0.0.1"), &xff, &proxies), ip("203.0.113.7"));
        // Several header lines are one list.
        let two = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.8")]);
        assert_eq!(resolve(ip("127.0.0.1"), &two, &proxies), ip("203.0.113.8"));
        // Forwarded (RFC 7239), with ports, quotes and IPv6.
        let fwd = headers(&[("forwarded", "for=6.6.6.6, for=\"[2001:db8::17]:4711\";proto=https")]);
        assert_eq!(resolve(ip("127.0.0.1"), &fwd, &proxies), ip("2001:db8::17"));
        let fwd = headers(&[("forwarded", "for=192.0.2.60:8080;by=10.0.0.1")]);
        assert_eq!(resolve(ip("10.0.0.1"), &fwd, &proxies), ip("192.0.2.60"));
        // With both, X-Forwarded-For (what the proxy set) wins over a Forwarded the client may have sent.
        let both = headers(&[("forwarded", "for=6.6.6.6"), ("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(resolve(ip("127.0.0.1"), &both, &proxies), ip("203.0.113.9"));
        // Garbage from the proxy itself: the last address vouched for (the proxy).
        assert_eq!(resolve(ip("127.0.0.1"), &headers(&[("forwarded", "for=unknown")]), &proxies), ip("127.0.0.1"));
        // No header: the peer.
        assert_eq!(resolve(ip("127.0.0.1"), &HeaderMap::new(), &proxies), ip("127.0.0.1"));
        assert_eq!(resolve(None, &xff, &proxies), None);
    }

    #[test]
    fn proxies_are_addresses_or_networks() {
        assert_eq!(parse_proxy(" ::1 ").unwrap().to_string(), "::1/128");
        assert_eq!(parse_proxy("10.1.2.3/8").unwrap().to_string(), "10.0.0.0/8");
        assert!(parse_proxy("localhost").is_err());
        assert!(parse_proxy("10.0.0.0/33").is_err());
    }
}
