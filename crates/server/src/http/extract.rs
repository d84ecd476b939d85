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
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Le corps de la requête doit être du JSON (Content-Type: application/json).",
        ),
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::invalid_request("Le corps de la requête n'est pas un JSON valide.")
        }
        JsonRejection::JsonDataError(_) => ApiError::invalid_request(
            "Le corps de la requête ne correspond pas au format attendu (champ manquant, inconnu ou de mauvais type).",
        ),
        JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            payload_too_large()
        }
        _ => ApiError::invalid_request("Le corps de la requête n'a pas pu être lu."),
    }
}

pub fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        "La requête dépasse la taille autorisée.",
    )
}

/// The peer address of the connection. Proxies are not trusted: a deployment behind one sets
/// per-client limits there.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip()),
        ))
    }
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
