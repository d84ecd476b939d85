//! The HTTP surface: router, middleware, operational endpoints.

mod constraints;
mod doc;
pub mod error;
pub mod extract;
mod hosts;
pub mod lang;
pub mod routes;
pub mod security;
pub mod serve;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use espace_pro_contract::ErrorCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use self::error::ApiError;
use crate::services::{AppState, Services};

use self::doc::api_router;
pub use self::doc::openapi;
use self::hosts::{Hosts, known_host, misdirected};

/// The API on `addr` (the address it listens on, for the `Host` check): a service embedded in
/// the desktop app answers only to its own loopback address and port; a standalone one to its
/// `--public-host` names, or, when none is given and it listens on loopback with no trusted
/// proxy in front, to the loopback names. Behind a trusted proxy, which passes the public name
/// on, the proxy faces the browsers: without `--public-host`, any name.
pub fn router_at(state: AppState, addr: std::net::SocketAddr) -> Router {
    let port = addr.port();
    let hosts = if state.config.own_host_only {
        Some(Hosts {
            names: vec![
                format!("{addr}"),
                format!("localhost:{port}"),
                format!("127.0.0.1:{port}"),
                format!("[::1]:{port}"),
            ],
            any_port: false,
        })
    } else if !state.config.public_hosts.is_empty() {
        Some(Hosts {
            names: state
                .config
                .public_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
            any_port: true,
        })
    } else if addr.ip().is_loopback() && state.config.trusted_proxies.is_empty() {
        Some(Hosts {
            names: ["localhost", "127.0.0.1", "[::1]"]
                .map(String::from)
                .to_vec(),
            any_port: true,
        })
    } else {
        None
    };
    router_with(state, hosts.map(Arc::new))
}

/// The API, answering any host name.
pub fn router(state: AppState) -> Router {
    router_with(state, None)
}

/// What [`frame`] needs: the service, and the host names it answers to (any if `None`).
#[derive(Clone)]
struct Frame {
    svc: AppState,
    hosts: Option<Arc<Hosts>>,
}

fn router_with(state: AppState, hosts: Option<Arc<Hosts>>) -> Router {
    let (api, _) = api_router().split_for_parts();
    let doc = Arc::new(openapi(&state.config.policy));
    let timeout = state.config.request_timeout;
    api.route(
        "/v1/openapi.json",
        get(move || async move { Json(doc.as_ref().clone()) }),
    )
    .fallback(not_found)
    .method_not_allowed_fallback(method_not_allowed)
    // One stack, outermost first. Added one `Router::layer` at a time, each layer boxed the
    // route again, and every request paid a boxed clone and a boxed future per layer (as it
    // still does per `from_fn` middleware: hence one, `frame`).
    .layer(
        tower::ServiceBuilder::new()
            .layer(middleware::from_fn_with_state(
                Frame {
                    svc: state.clone(),
                    hosts,
                },
                frame,
            ))
            .layer(CatchPanicLayer::custom(|_| {
                ApiError::internal("handler panicked").into_response()
            }))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                timeout,
            ))
            .layer(DefaultBodyLimit::max(state.config.max_body_bytes)),
    )
    .with_state(state)
}

const REQUEST_ID: &str = "x-request-id";

/// A request id a proxy may pass on: short, and only characters that cannot forge a log line.
fn acceptable_request_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Every request gets an id, on every log line written while it is served (the `request` span)
/// and in its answer's `X-Request-Id`. A trusted proxy's (`--trusted-proxy`) id is kept, so
/// that its logs and ours tell of the same request; anyone else's is replaced.
fn assign_request_id(svc: &Services, req: &mut Request) -> header::HeaderValue {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_canonical());
    let from_proxy =
        peer.is_some_and(|ip| svc.config.trusted_proxies.iter().any(|n| n.contains(&ip)));
    let given = req
        .headers()
        .get(REQUEST_ID)
        .filter(|id| from_proxy && id.to_str().is_ok_and(acceptable_request_id))
        .cloned();
    let value = given.unwrap_or_else(|| {
        let id = hex::encode(rand::random::<[u8; 8]>());
        header::HeaderValue::from_str(&id).unwrap_or(header::HeaderValue::from_static("-"))
    });
    req.headers_mut().insert(REQUEST_ID, value.clone());
    value
}

/// What every request goes through around its route, in one middleware (each layer costs every
/// request a boxed clone and a boxed future): the host it names ([`known_host`]), the language
/// of its answer ([`lang`]), its id ([`assign_request_id`]) and the `request` span every log
/// line written while it is served is in, its count and duration in the metrics, a log line
/// when it failed (5xx), and a JSON error body whichever layer below answered ([`json_errors`]).
async fn frame(State(frame): State<Frame>, mut req: Request, next: Next) -> Response {
    use tracing::Instrument as _;
    let svc = &frame.svc;
    if svc.key_retired.load(std::sync::atomic::Ordering::Relaxed) {
        return ApiError::unavailable().into_response();
    }
    let lang = lang::of(&req);
    let id = assign_request_id(svc, &mut req);
    let span = tracing::info_span!(
        "request",
        id = %id.to_str().unwrap_or(""),
        method = %req.method(),
        path = %req.uri().path()
    );
    let known = frame.hosts.as_deref().is_none_or(|h| known_host(h, &req));
    let route = req.extensions().get::<MatchedPath>().cloned();
    let started = std::time::Instant::now();
    let mut response = lang::serve_in(
        lang,
        async {
            tracing::debug!("started");
            let response = if known {
                next.run(req).await
            } else {
                misdirected()
            };
            let status = response.status().as_u16();
            let route = route.as_ref().map(MatchedPath::as_str);
            let took = started.elapsed();
            svc.metrics.request(route, status, took);
            let latency_ms = took.as_millis() as u64;
            if status >= 500 {
                tracing::error!(status, latency_ms, "request failed");
            } else {
                tracing::debug!(status, latency_ms, "answered");
            }
            // Inside the request's language: the body is written in it.
            json_errors(response)
        }
        .instrument(span),
    )
    .await;
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID, id);
    lang::label(headers, lang);
    response
}

/// Alive: the process answers and its database answers a read.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "{\"status\": \"ok\"}")))]
async fn healthz(State(svc): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), svc.store.ping()).await {
        Ok(Ok(())) => Json(serde_json::json!({"status": "ok"})).into_response(),
        _ => ApiError::unavailable().into_response(),
    }
}

/// Ready: the database takes a write (a disk that is full or failing makes the service answer
/// 503 here, so a load balancer stops sending it requests), every migration of this build is
/// applied, and the mail delivery worker runs.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "{\"status\": \"ready\"}")))]
async fn readyz(State(svc): State<AppState>) -> Response {
    // The database's answer is reused for a second, and requests arriving while it is asked
    // wait for that one answer: a flood of probes costs one write a second, not one each.
    let mut last = svc.readiness.lock().await;
    let database = match &*last {
        Some((at, answer)) if at.elapsed() < READINESS_REUSE => answer.clone(),
        _ => {
            let answer = probe_database(&svc).await;
            *last = Some((std::time::Instant::now(), answer.clone()));
            answer
        }
    };
    drop(last);
    let problem = match database {
        None if !svc.outbox.worker_running() => {
            Some("the mail delivery worker has stopped".to_owned())
        }
        other => other,
    };
    match problem {
        None => Json(serde_json::json!({"status": "ready"})).into_response(),
        Some(problem) => {
            tracing::warn!(problem = %problem, "not ready");
            ApiError::unavailable().into_response()
        }
    }
}

/// How long `/readyz` answers from its last look at the database.
const READINESS_REUSE: Duration = Duration::from_secs(1);

/// What keeps the database from serving, if anything: a write, and this build's migrations.
async fn probe_database(svc: &Services) -> Option<String> {
    svc.metrics.readiness_probed();
    let now = svc.now().unix_timestamp();
    let checks = async {
        svc.store.probe_write(now).await?;
        svc.store.migrations_applied().await
    };
    match tokio::time::timeout(Duration::from_secs(2), checks).await {
        Ok(Ok(true)) => None,
        Ok(Ok(false)) => Some("the database's migrations are not this build's".to_owned()),
        Ok(Err(e)) => Some(format!("the database does not take writes: {e}")),
        Err(_) => Some("the database did not answer within 2 s".to_owned()),
    }
}

/// `/metrics` alone, for its own listener (`--metrics-listen`): operators' numbers stay off the
/// API's address.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .with_state(state)
}

async fn metrics(State(svc): State<AppState>) -> Response {
    let unsent = svc.store.unsent_mail_count().await.unwrap_or(-1);
    // Wall time, as the outbox's own timestamps (delivery timing is not a business rule).
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let oldest = svc.store.oldest_unsent_mail().await.ok().flatten();
    let age = oldest.map_or(0, |at| (now - at).max(0));
    let (connections, idle_connections) = svc.store.pool_usage();
    let reading = crate::metrics::StoreReading {
        unsent_mail: unsent,
        oldest_unsent_age: Duration::from_secs(age as u64),
        connections,
        idle_connections,
        cache_invalidations: svc.store.cache_invalidations(),
    };
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        svc.metrics.render(&reading),
    )
        .into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "Cette adresse n'existe pas dans l'API.",
        "This address does not exist in the API.",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "Cette méthode n'est pas acceptée à cette adresse.",
        "This method is not accepted at this address.",
    )
}

/// Gives any error that is not already JSON (from a layer: body limit, timeout) our error
/// body, so clients parse one shape.
fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => extract::payload_too_large(),
        StatusCode::REQUEST_TIMEOUT => ApiError::new(
            status,
            ErrorCode::Unavailable,
            "La requête a pris trop de temps. Réessayez.",
            "The request took too long. Try again.",
        ),
        s if s.is_server_error() => ApiError::unavailable(),
        s => ApiError::new(
            s,
            ErrorCode::InvalidRequest,
            "Requête refusée.",
            "Request refused.",
        ),
    };
    let mut rebuilt = error.into_response();
    *rebuilt.status_mut() = status;
    if let Some(v) = response.headers().get(header::RETRY_AFTER) {
        rebuilt.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    rebuilt
}

#[cfg(test)]
mod tests {
    use super::Hosts;

    #[test]
    fn host_names_match_with_or_without_their_port() {
        let public = Hosts {
            names: vec!["api.example.fr".into(), "10.0.0.5:8443".into()],
            any_port: true,
        };
        assert!(public.allows("api.example.fr"));
        assert!(public.allows("API.example.fr:443"));
        assert!(public.allows("10.0.0.5:8443"));
        assert!(!public.allows("10.0.0.5:8444"));
        assert!(!public.allows("attacker.example"));
        assert!(!public.allows("api.example.fr.attacker.example"));
        assert!(!public.allows(""));
        let loopback = Hosts {
            names: vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()],
            any_port: true,
        };
        assert!(loopback.allows("[::1]:8080"));
        assert!(loopback.allows("127.0.0.1:8080"));
        assert!(!loopback.allows("rebound.attacker.example:8080"));
    }
}
