//! Extractors: JSON bodies whose every rejection is a JSON 4xx, the bearer session, the client
//! address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use espace_pro_contract::ErrorCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::auth::{self, Session};
use crate::config::ForwardedHeader;
use crate::services::AppState;

/// `axum::Json` with our error body on every rejection. Serde's own message is not echoed: it
/// may quote the value, and values here are passwords.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Read as a JSON value first: a request body is an object, and serde would otherwise take
        // an array in place of a struct (`["a@b.fr", "pw"]` for a log-in).
        let value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(value)) => value,
            Err(rejection) => return Err(json_rejection(&rejection)),
        };
        if !value.is_object() {
            return Err(ApiError::invalid_request(
                "Le corps de la requête doit être un objet JSON ({ … }).",
                "The request body must be a JSON object ({ … }).",
            ));
        }
        serde_json::from_value(value).map(Self).map_err(|_| {
            ApiError::invalid_request(
                "Le corps de la requête ne correspond pas au format attendu (champ manquant, inconnu ou de mauvais type).",
                "The request body does not have the expected shape (a field missing, unknown or of the wrong type).",
            )
        })
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Le corps de la requête doit être du JSON (Content-Type: application/json).",
            "The request body must be JSON (Content-Type: application/json).",
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::invalid_request(
            "Le corps de la requête n'est pas un JSON valide.",
            "The request body is not valid JSON.",
        ),
        JsonRejection::JsonDataError(_) => ApiError::invalid_request(
            "Le corps de la requête ne correspond pas au format attendu (champ manquant, inconnu ou de mauvais type).",
            "The request body does not have the expected shape (a field missing, unknown or of the wrong type).",
        ),
        JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            payload_too_large()
        }
        _ => ApiError::invalid_request(
            "Le corps de la requête n'a pas pu être lu.",
            "The request body could not be read.",
        ),
    }
}

pub fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        "La requête dépasse la taille autorisée.",
        "The request is larger than allowed.",
    )
}

/// The client's address: the connection's peer, or, when the peer is a trusted proxy
/// (`--trusted-proxy`), the nearest address that is not one of the trusted proxies in the one
/// header `--forwarded-header` names. Always canonical: an IPv4 client on a dual-stack socket
/// (`::ffff:a.b.c.d`) is that IPv4 address.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let config = &state.config;
        let client = client_address(
            peer,
            &parts.headers,
            &config.trusted_proxies,
            config.forwarded_header,
        );
        if client == peer.to_canonical() && !config.trusted_proxies.is_empty() {
            warn_if_the_other_header_is_used(peer, &parts.headers, config);
        }
        Ok(Self(client))
    }
}

/// A trusted proxy that writes the client's address in the header the service does not read
/// makes every client one (the proxy): said in the log, at most once a minute.
fn warn_if_the_other_header_is_used(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    config: &crate::config::Config,
) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static LAST_WARNED: AtomicU64 = AtomicU64::new(0);
    let peer = peer.to_canonical();
    if !config.trusted_proxies.iter().any(|n| n.contains(&peer)) {
        return;
    }
    let (read, other) = match config.forwarded_header {
        ForwardedHeader::XForwardedFor => ("x-forwarded-for", "forwarded"),
        ForwardedHeader::Forwarded => ("forwarded", "x-forwarded-for"),
    };
    if headers.contains_key(read) || !headers.contains_key(other) {
        return;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let last = LAST_WARNED.load(Ordering::Relaxed);
    if now >= last + 60
        && LAST_WARNED
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
    {
        tracing::warn!(
            proxy = %peer,
            "a trusted proxy sent the client's address in `{other}`, which is not read: every client counts as the proxy; set --forwarded-header {other} if that is the header it writes"
        );
    }
}

/// One `for=` of `Forwarded` (quoted, bracketed, with a port or not), or one entry of
/// `X-Forwarded-For`.
fn forwarded_address(raw: &str) -> Option<IpAddr> {
    let value = raw.trim().trim_matches('"');
    if let Some(v6) = value.strip_prefix('[') {
        return v6.split(']').next()?.parse().ok();
    }
    value.parse().ok().or_else(|| {
        value
            .rsplit_once(':')
            .and_then(|(host, _)| host.parse::<std::net::Ipv4Addr>().ok())
            .map(IpAddr::V4)
    })
}

/// The chain of addresses `header` gives, nearest last (`None` for an entry that cannot be read).
/// Entries are split on the raw bytes, then read one by one: a proxy that appends the peer's
/// address to the client's own line (nginx's `$proxy_add_x_forwarded_for`) leaves it readable
/// even when the client's part is not UTF-8.
fn forwarded_chain(
    headers: &axum::http::HeaderMap,
    header: ForwardedHeader,
) -> Vec<Option<IpAddr>> {
    let name = match header {
        ForwardedHeader::Forwarded => header::FORWARDED,
        ForwardedHeader::XForwardedFor => axum::http::HeaderName::from_static("x-forwarded-for"),
    };
    let mut chain = Vec::new();
    for value in headers.get_all(name) {
        for element in value.as_bytes().split(|b| *b == b',') {
            let element = std::str::from_utf8(element).ok();
            chain.push(element.and_then(|text| {
                match header {
                    ForwardedHeader::Forwarded => text
                        .split(';')
                        .find_map(|pair| {
                            let (name, value) = pair.split_once('=')?;
                            name.trim().eq_ignore_ascii_case("for").then_some(value)
                        })
                        .and_then(forwarded_address),
                    ForwardedHeader::XForwardedFor => forwarded_address(text),
                }
            }));
        }
    }
    chain
}

pub fn client_address(
    peer: IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
    header: ForwardedHeader,
) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Only the header the proxy writes: the other one is whatever the client sent, passed on.
    // Walk back from the nearest hop while it is a trusted proxy; a hop that cannot be read
    // stops the walk at the last one known.
    let mut client = peer;
    for hop in forwarded_chain(headers, header).into_iter().rev() {
        match hop.map(|ip| ip.to_canonical()) {
            Some(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            None => break,
        }
    }
    client
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Any live session, including one whose password has expired (it may only change it).
pub struct AnySession(pub Session);

impl FromRequestParts<AppState> for AnySession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        Ok(Self(auth::authenticate(state, token).await?))
    }
}

/// A live session with a valid password.
pub struct FullSession(pub Session);

impl FromRequestParts<AppState> for FullSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AnySession(session) = AnySession::from_request_parts(parts, state).await?;
        Ok(Self(auth::require_full(session)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_static(value));
        }
        h
    }

    const XFF: ForwardedHeader = ForwardedHeader::XForwardedFor;
    const FWD: ForwardedHeader = ForwardedHeader::Forwarded;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_headers_count_only_from_trusted_proxies() {
        let proxy = ip("10.0.0.5");
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.7, 10.0.0.9")]);
        assert_eq!(
            client_address(proxy, &xff, &trusted, XFF),
            ip("203.0.113.7")
        );
        // From a peer that is not a proxy, the header is the client's own claim: ignored.
        let stranger = ip("198.51.100.1");
        assert_eq!(client_address(stranger, &xff, &trusted, XFF), stranger);
        assert_eq!(client_address(proxy, &xff, &[], XFF), proxy);
        // A client forging a first hop does not get past the proxy's own entry.
        let forged = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7")]);
        assert_eq!(
            client_address(proxy, &forged, &trusted, XFF),
            ip("203.0.113.7")
        );
        let fwd = headers(&[(
            "forwarded",
            "for=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.9",
        )]);
        assert_eq!(
            client_address(proxy, &fwd, &trusted, FWD),
            ip("2001:db8:cafe::17")
        );
        let ported = headers(&[("forwarded", "for=192.0.2.60:8080")]);
        assert_eq!(
            client_address(proxy, &ported, &trusted, FWD),
            ip("192.0.2.60")
        );
    }

    /// Review finding 2: behind a proxy that appends to `X-Forwarded-For` and passes
    /// `Forwarded` through, the client's own `Forwarded` chose its address.
    #[test]
    fn only_the_header_the_proxy_writes_counts() {
        let proxy = ip("127.0.0.1");
        let trusted = ["127.0.0.1/32".parse().unwrap()];
        let both = headers(&[
            ("forwarded", "for=198.51.100.7"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        assert_eq!(
            client_address(proxy, &both, &trusted, XFF),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(proxy, &both, &trusted, FWD),
            ip("198.51.100.7")
        );
        // The named header missing: the proxy itself.
        let only_forwarded = headers(&[("forwarded", "for=198.51.100.7")]);
        assert_eq!(client_address(proxy, &only_forwarded, &trusted, XFF), proxy);
    }

    /// A client's own bytes that are not UTF-8, on the line the proxy appended to, spoil only
    /// its own entry: the proxy's entry for it still names it.
    #[test]
    fn a_client_entry_that_is_not_text_does_not_hide_the_client() {
        let proxy = ip("127.0.0.1");
        let trusted = ["127.0.0.1/32".parse().unwrap()];
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\xff\xfe, 203.0.113.9").unwrap(),
        );
        assert_eq!(client_address(proxy, &h, &trusted, XFF), ip("203.0.113.9"));
        let mut h = HeaderMap::new();
        h.append(
            "forwarded",
            HeaderValue::from_bytes(b"for=\xff, for=203.0.113.9").unwrap(),
        );
        assert_eq!(client_address(proxy, &h, &trusted, FWD), ip("203.0.113.9"));
    }

    /// Review finding 3: IPv4 peers on a dual-stack socket arrive as `::ffff:a.b.c.d`.
    #[test]
    fn addresses_are_canonical() {
        let mapped = ip("::ffff:127.0.0.1");
        assert_eq!(
            client_address(mapped, &HeaderMap::new(), &[], XFF),
            ip("127.0.0.1")
        );
        // An IPv4 proxy matches its mapped form, and a mapped forwarded hop is canonical too.
        let trusted = ["127.0.0.1/32".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "::ffff:203.0.113.9")]);
        assert_eq!(
            client_address(mapped, &xff, &trusted, XFF),
            ip("203.0.113.9")
        );
    }
}
