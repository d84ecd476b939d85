//! The v1 handlers: each parses, calls a procedure, answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use espace_pro_contract::ErrorBody;
use espace_pro_contract::api::{
    AccountView, LoginRequest, LoginResponse, PasswordChangeRequest, PasswordChangeResponse,
    ServiceInfo,
};

use super::error::ApiError;
use super::extract::{AnySession, ApiJson, ClientIp, FullSession};
use crate::services::AppState;
use crate::{accounts, auth};

/// Service name, support contacts and policy numbers.
#[utoipa::path(get, path = "/v1/service-info", tag = "service",
    responses((status = 200, body = ServiceInfo)))]
pub async fn service_info(State(svc): State<AppState>) -> Json<ServiceInfo> {
    let c = &svc.config;
    Json(ServiceInfo {
        name: c.public_name.clone(),
        support: c.support.clone(),
        password_policy: c.policy,
        max_email_chars: espace_pro_contract::email::MAX_EMAIL_CHARS,
        password_validity_years: c.password_validity_years,
        reauthentication_after_seconds: c.reauthentication_after.as_secs(),
        activation_code_validity_hours: 48,
        test_mode: c.test_mode(),
    })
}

/// Log in ("Connexion"). One generic answer for every wrong address or password.
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", request_body = LoginRequest,
    responses(
        (status = 201, body = LoginResponse),
        (status = 401, description = "invalid_credentials", body = ErrorBody),
        (status = 429, description = "too_many_attempts, with Retry-After", body = ErrorBody)))]
pub async fn create_session(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let response = auth::login(&svc, &req, ip).await?;
    Ok((StatusCode::CREATED, Json(response)))
}

/// Log out ("Quitter"): the token stops working.
#[utoipa::path(delete, path = "/v1/sessions/current", tag = "sessions",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn delete_current_session(
    State(svc): State<AppState>,
    AnySession(session): AnySession,
) -> Result<StatusCode, ApiError> {
    auth::logout(&svc, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Home data ("Espace professionnel").
#[utoipa::path(get, path = "/v1/account", tag = "account",
    security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = ErrorBody),
        (status = 403, description = "password_expired", body = ErrorBody)))]
pub async fn get_account(
    State(svc): State<AppState>,
    FullSession(session): FullSession,
) -> Result<Json<AccountView>, ApiError> {
    accounts::account_view(&svc, &session).await.map(Json)
}

/// Change the password only (SPEC §2.5).
#[utoipa::path(put, path = "/v1/account/password", tag = "account",
    security(("bearer" = [])), request_body = PasswordChangeRequest,
    responses(
        (status = 200, body = PasswordChangeResponse),
        (status = 401, body = ErrorBody),
        (status = 403, description = "reauthentication_required or reauthentication_failed", body = ErrorBody),
        (status = 422, description = "password_policy, with per-field codes", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn change_password(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    AnySession(session): AnySession,
    ApiJson(req): ApiJson<PasswordChangeRequest>,
) -> Result<Json<PasswordChangeResponse>, ApiError> {
    accounts::change_password(&svc, &session, &req, ip)
        .await
        .map(Json)
}
