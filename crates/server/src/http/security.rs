//! The handlers of the account's security (SPEC §4): its sessions and devices, its data, its
//! second factor. Each parses, calls a procedure, answers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use espace_pro_contract::ErrorBody;
use espace_pro_contract::api::{
    AccountExport, OpenSessions, RecoveryCodes, SecondFactorState, SessionsEnded,
    TotpConfirmRequest, TotpDisableRequest, TotpEnrolment, TotpStartRequest,
};

use super::error::ApiError;
use super::extract::{ApiJson, ClientIp, FullSession};
use crate::services::AppState;
use crate::{auth, devices, export, second_factor};

/// The account's open sessions ("Appareils connectés"): device, address, since, last seen.
#[utoipa::path(get, path = "/v1/account/sessions", tag = "sessions",
    security(("bearer" = [])), responses((status = 200, body = OpenSessions), (status = 401, body = ErrorBody)))]
pub async fn list_sessions(
    State(svc): State<AppState>,
    FullSession(session): FullSession,
) -> Result<Json<OpenSessions>, ApiError> {
    Ok(Json(devices::list(&svc, &session).await?))
}

/// Ends every open session of the account but the current one.
#[utoipa::path(delete, path = "/v1/account/sessions", tag = "sessions",
    security(("bearer" = [])), responses((status = 200, body = SessionsEnded), (status = 401, body = ErrorBody)))]
pub async fn end_other_sessions(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    FullSession(session): FullSession,
) -> Result<Json<SessionsEnded>, ApiError> {
    let ended = devices::end_others(&svc, &session, ip).await?;
    Ok(Json(SessionsEnded { ended }))
}

/// Ends one open session of the account: its next request is refused.
#[utoipa::path(delete, path = "/v1/account/sessions/{id}", tag = "sessions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "a session's `id` from `GET /v1/account/sessions`")),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 404, description = "not_found: no open session of this account has this id", body = ErrorBody)))]
pub async fn end_session(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    FullSession(session): FullSession,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    devices::end_one(&svc, &session, &id, ip).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Télécharger mes données": everything the service keeps about the account (never a hash or
/// a sealed value); the password entered within the re-authentication delay, as for the summary.
#[utoipa::path(get, path = "/v1/account/export", tag = "account",
    security(("bearer" = [])), responses((status = 200, body = AccountExport), (status = 401, body = ErrorBody)))]
pub async fn export_account(
    State(svc): State<AppState>,
    FullSession(session): FullSession,
) -> Result<Json<AccountExport>, ApiError> {
    Ok(Json(
        export::export(&svc, auth::require_fresh(&svc, &session)?).await?,
    ))
}

/// Whether the second factor is on, and how many recovery codes are left.
#[utoipa::path(get, path = "/v1/account/totp", tag = "account",
    security(("bearer" = [])), responses((status = 200, body = SecondFactorState), (status = 401, body = ErrorBody)))]
pub async fn second_factor_state(
    State(svc): State<AppState>,
    FullSession(session): FullSession,
) -> Result<Json<SecondFactorState>, ApiError> {
    Ok(Json(second_factor::state(&svc, session.account_id).await?))
}

/// A second factor, step 1 (the current password, always): a new secret for the authenticator
/// app, confirmed by its first code within 10 minutes.
#[utoipa::path(post, path = "/v1/account/totp", tag = "account",
    security(("bearer" = [])), request_body = TotpStartRequest,
    responses((status = 201, body = TotpEnrolment), (status = 401, body = ErrorBody),
        (status = 403, description = "reauthentication_failed or reauthentication_required", body = ErrorBody),
        (status = 409, description = "second_factor_enabled", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn start_second_factor(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    FullSession(session): FullSession,
    ApiJson(req): ApiJson<TotpStartRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let enrolment = second_factor::start(&svc, &session, &req.current_password, ip).await?;
    Ok((StatusCode::CREATED, Json(enrolment)))
}

/// A second factor, step 2: the authenticator's first code turns it on; the 10 recovery codes,
/// shown once.
#[utoipa::path(post, path = "/v1/account/totp/confirm", tag = "account",
    security(("bearer" = [])), request_body = TotpConfirmRequest,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = ErrorBody),
        (status = 409, description = "code_expired (no enrolment in progress) or second_factor_enabled", body = ErrorBody),
        (status = 422, description = "invalid_code", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn confirm_second_factor(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    FullSession(session): FullSession,
    ApiJson(req): ApiJson<TotpConfirmRequest>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    Ok(Json(
        second_factor::confirm(&svc, &session, &req.code, ip).await?,
    ))
}

/// Turning the second factor off: the password and a code (or a recovery code).
#[utoipa::path(delete, path = "/v1/account/totp", tag = "account",
    security(("bearer" = [])), request_body = TotpDisableRequest,
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, description = "reauthentication_failed", body = ErrorBody),
        (status = 409, description = "second_factor_disabled", body = ErrorBody),
        (status = 422, description = "invalid_code", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn disable_second_factor(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    FullSession(session): FullSession,
    ApiJson(req): ApiJson<TotpDisableRequest>,
) -> Result<StatusCode, ApiError> {
    second_factor::disable(&svc, &session, &req.current_password, &req.code, ip).await?;
    Ok(StatusCode::NO_CONTENT)
}
