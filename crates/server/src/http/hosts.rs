//! The host names a service answers to (DNS rebinding).

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use espace_pro_contract::ErrorCode;

use super::error::ApiError;

/// The `Host` names a service answers to; any other is answered 421 (a web page on another
/// site reaching a service on loopback through DNS rebinding names its own site).
#[derive(Debug)]
pub(super) struct Hosts {
    /// `name` or `name:port`, lower case.
    pub(super) names: Vec<String>,
    /// Whether a name given without a port matches it with any port.
    pub(super) any_port: bool,
}

impl Hosts {
    pub(super) fn allows(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        if self.names.contains(&host) {
            return true;
        }
        // `name:port` → `name` (an IPv6 literal keeps its brackets).
        let bare = match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty() => {
                name
            }
            _ => host.as_str(),
        };
        self.any_port && self.names.iter().any(|n| n == bare)
    }
}

/// Whether `req` names a host this service answers to. The probes answer whatever name a
/// balancer or an orchestrator uses (a pod's address).
pub(super) fn known_host(hosts: &Hosts, req: &Request) -> bool {
    if matches!(req.uri().path(), "/healthz" | "/readyz") {
        return true;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    // A request without a name (HTTP/1.0, a load balancer's health check) is no browser's: DNS
    // rebinding needs a page, and a page's requests always name their site.
    host.is_none_or(|host| hosts.allows(host))
}

pub(super) fn misdirected() -> Response {
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        ErrorCode::InvalidRequest,
        "Ce service ne répond pas à cette adresse : utilisez celle que votre organisation vous a indiquée.",
        "This service does not answer at this address: use the one your organisation gave you.",
    )
    .into_response()
}
