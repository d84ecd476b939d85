//! The v1 handlers: each parses, calls a procedure, answers.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use espace_pro_contract::ErrorBody;
use espace_pro_contract::api::{
    AccountSummary, AccountView, ActivationResult, Activity, Captcha, CompleteActivationRequest,
    EmailChangeRequest, EmailChangeResponse, LoginRequest, LoginResponse, PasswordChangeRequest,
    PasswordChangeResponse, Profile, ProfileUpdate, ReauthenticateRequest, RecoveryAccepted,
    RecoveryCompleteRequest, RecoveryQuestionRequest, RecoveryRequest, ServiceInfo, TicketResponse,
    VerifyCodeRequest,
};

use super::error::ApiError;
use super::extract::{AnySession, ApiJson, ClientIp, FullSession};
use crate::services::AppState;
use crate::{accounts, activation, auth, captcha, email_change, profile, recovery};

/// Service name, support contacts and policy numbers.
#[utoipa::path(get, path = "/v1/service-info", tag = "service",
    responses((status = 200, body = ServiceInfo)))]
pub async fn service_info(State(svc): State<AppState>) -> Response {
    let bodies = svc.service_info.get_or_init(|| {
        [super::lang::Lang::Fr, super::lang::Lang::En].map(|lang| {
            serde_json::to_vec(&service_info_in(&svc.config, lang))
                .unwrap_or_default()
                .into()
        })
    });
    let body = match super::lang::current() {
        super::lang::Lang::Fr => &bodies[0],
        super::lang::Lang::En => &bodies[1],
    };
    (
        [(header::CONTENT_TYPE, "application/json")],
        axum::body::Bytes::from_owner(body.clone()),
    )
        .into_response()
}

fn service_info_in(c: &crate::config::Config, lang: super::lang::Lang) -> ServiceInfo {
    ServiceInfo {
        name: c.public_name.clone(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        support: match lang {
            super::lang::Lang::Fr => c.support.clone(),
            super::lang::Lang::En => c.support.in_english(),
        },
        password_policy: c.policy,
        max_email_chars: espace_pro_contract::email::MAX_EMAIL_CHARS,
        password_validity_years: c.password_validity_years,
        reauthentication_after_seconds: c.reauthentication_after.as_secs(),
        activation_code_validity_hours: espace_pro_contract::code::ACTIVATION_VALIDITY_HOURS,
        limits: espace_pro_contract::api::Limits::default(),
        time_zone: c.time_zone.name().to_owned(),
        expiry_reminder_days: c.expiry_reminder_days.clone(),
        test_mode: c.test_mode(),
    }
}

/// Log in ("Connexion"). One generic answer for every wrong address or password.
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", request_body = LoginRequest,
    responses(
        (status = 201, body = LoginResponse),
        (status = 401, description = "invalid_credentials; invalid_code: a wrong, used or stale second-factor code", body = ErrorBody),
        (status = 403, description = "captcha_required: this address has failed too often; send captcha_id and captcha_answer; second_factor_required: the password is right, send totp_code or recovery_code too", body = ErrorBody),
        (status = 422, description = "invalid_captcha: the CAPTCHA is unknown, used, expired or wrongly copied", body = ErrorBody),
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

/// The current password again, without a change: the session may then see the security answer
/// for the re-authentication delay.
#[utoipa::path(post, path = "/v1/sessions/current/reauthenticate", tag = "sessions",
    security(("bearer" = [])), request_body = ReauthenticateRequest,
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, description = "reauthentication_failed", body = ErrorBody),
        (status = 422, description = "invalid_code: the password was right, the code is not", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn reauthenticate(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    AnySession(session): AnySession,
    ApiJson(req): ApiJson<ReauthenticateRequest>,
) -> Result<StatusCode, ApiError> {
    match (&req.current_password, &req.totp_code) {
        (Some(password), code) => {
            auth::confirm_password(&svc, &session, password, code.as_ref(), ip).await?
        }
        // A code is never the proof alone.
        (None, _) => return Err(crate::errors::AuthError::ReauthenticationRequired.into()),
    }
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
) -> Result<Response, ApiError> {
    let view = accounts::account_view(&svc, &session)?;
    // The most read answer, written at once into a buffer of its size (axum's `Json` starts at
    // 128 bytes and grows).
    let mut body = Vec::with_capacity(512);
    serde_json::to_writer(&mut body, &view)
        .map_err(|e| ApiError::internal(format!("account view: {e}")))?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        axum::body::Bytes::from(body),
    )
        .into_response())
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
    Ok(Json(
        accounts::change_password(&svc, &session, &req, ip).await?,
    ))
}

/// Ask to change the login address (SPEC §2.6 step 1): the code goes to the new address.
#[utoipa::path(post, path = "/v1/account/email-change", tag = "email change",
    security(("bearer" = [])), request_body = EmailChangeRequest,
    responses(
        (status = 202, body = EmailChangeResponse),
        (status = 401, body = ErrorBody),
        (status = 403, description = "reauthentication_required or reauthentication_failed", body = ErrorBody),
        (status = 422, description = "invalid_email, email_mismatch, same_as_current_email or password_policy", body = ErrorBody)))]
pub async fn request_email_change(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    FullSession(session): FullSession,
    ApiJson(req): ApiJson<EmailChangeRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let response = email_change::request(&svc, &session, &req, ip).await?;
    Ok((StatusCode::ACCEPTED, Json(response)))
}

/// Cancel the pending change.
#[utoipa::path(delete, path = "/v1/account/email-change", tag = "email change",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, description = "reauthentication_required: the password was last entered too long ago", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn cancel_email_change(
    State(svc): State<AppState>,
    FullSession(session): FullSession,
) -> Result<StatusCode, ApiError> {
    email_change::cancel(&svc, auth::require_fresh(&svc, &session)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new CAPTCHA: 6 characters, as an image and as sound. Single use, valid 10 minutes.
#[utoipa::path(post, path = "/v1/captchas", tag = "activation",
    responses((status = 201, body = Captcha), (status = 429, body = ErrorBody)))]
pub async fn create_captcha(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
) -> Result<impl IntoResponse, ApiError> {
    let captcha = captcha::create(&svc, ip).await?;
    Ok((StatusCode::CREATED, Json(captcha)))
}

/// Activation step 1: the code and a fresh CAPTCHA give a short-lived ticket.
#[utoipa::path(post, path = "/v1/activations/verify-code", tag = "activation", request_body = VerifyCodeRequest,
    responses(
        (status = 200, body = TicketResponse),
        (status = 410, description = "code_expired (used, replaced, cancelled or older than 48 h) or code_locked", body = ErrorBody),
        (status = 422, description = "invalid_captcha or invalid_code", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn verify_activation_code(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<VerifyCodeRequest>,
) -> Result<Json<TicketResponse>, ApiError> {
    Ok(Json(activation::verify_code(&svc, &req, ip).await?))
}

/// Activation step 2: the new address typed again; swaps the login address.
#[utoipa::path(post, path = "/v1/activations/complete", tag = "activation", request_body = CompleteActivationRequest,
    responses(
        (status = 200, body = ActivationResult),
        (status = 409, description = "email_taken", body = ErrorBody),
        (status = 410, description = "ticket_expired, code_expired or code_locked", body = ErrorBody),
        (status = 422, description = "email_mismatch", body = ErrorBody)))]
pub async fn complete_activation(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<CompleteActivationRequest>,
) -> Result<Json<ActivationResult>, ApiError> {
    Ok(Json(activation::complete(&svc, &req, ip).await?))
}

/// "Gérer vos coordonnées".
#[utoipa::path(get, path = "/v1/account/profile", tag = "account",
    security(("bearer" = [])), responses((status = 200, body = Profile), (status = 401, body = ErrorBody)))]
pub async fn get_profile(
    State(svc): State<AppState>,
    FullSession(session): FullSession,
) -> Result<Json<Profile>, ApiError> {
    Ok(Json(
        profile::get(&svc, auth::require_fresh(&svc, &session)?).await?,
    ))
}

/// Update coordinates; the security question or answer needs re-authentication.
#[utoipa::path(put, path = "/v1/account/profile", tag = "account",
    security(("bearer" = [])), request_body = ProfileUpdate,
    responses((status = 200, body = Profile), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, description = "invalid_profile", body = ErrorBody)))]
pub async fn update_profile(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    FullSession(session): FullSession,
    ApiJson(req): ApiJson<ProfileUpdate>,
) -> Result<Json<Profile>, ApiError> {
    Ok(Json(profile::update(&svc, &session, &req, ip).await?))
}

/// The data of the summary PDF (SPEC §2.8).
#[utoipa::path(get, path = "/v1/account/summary", tag = "account",
    security(("bearer" = [])), responses((status = 200, body = AccountSummary), (status = 401, body = ErrorBody)))]
pub async fn get_summary(
    State(svc): State<AppState>,
    FullSession(session): FullSession,
) -> Result<Json<AccountSummary>, ApiError> {
    Ok(Json(
        profile::summary(&svc, auth::require_fresh(&svc, &session)?).await?,
    ))
}

/// Recent security events, newest first.
#[utoipa::path(get, path = "/v1/account/activity", tag = "account",
    security(("bearer" = [])), responses((status = 200, body = Activity), (status = 401, body = ErrorBody)))]
pub async fn get_activity(
    State(svc): State<AppState>,
    FullSession(session): FullSession,
) -> Result<Json<Activity>, ApiError> {
    Ok(Json(profile::activity(&svc, &session).await?))
}

/// Forgotten password, step 1: the same answer for every address.
#[utoipa::path(post, path = "/v1/password-recovery", tag = "recovery", request_body = RecoveryRequest,
    responses((status = 202, body = RecoveryAccepted), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn request_recovery(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<RecoveryRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let mut accepted = recovery::request(&svc, &req, ip).await?;
    if super::lang::current() == super::lang::Lang::En {
        accepted.message = recovery::accepted_en();
    }
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}

/// Forgotten password, step 2: address and code give the security question and a ticket.
#[utoipa::path(post, path = "/v1/password-recovery/question", tag = "recovery", request_body = RecoveryQuestionRequest,
    responses((status = 200, body = TicketResponse), (status = 410, body = ErrorBody),
        (status = 422, description = "invalid_code", body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn recovery_question(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<RecoveryQuestionRequest>,
) -> Result<Json<TicketResponse>, ApiError> {
    Ok(Json(recovery::question(&svc, &req, ip).await?))
}

/// Forgotten password, step 3: the answer and the new password.
#[utoipa::path(post, path = "/v1/password-recovery/complete", tag = "recovery", request_body = RecoveryCompleteRequest,
    responses((status = 200, body = PasswordChangeResponse), (status = 410, body = ErrorBody),
        (status = 422, description = "invalid_security_answer or password_policy", body = ErrorBody),
        (status = 429, body = ErrorBody)))]
pub async fn complete_recovery(
    State(svc): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<RecoveryCompleteRequest>,
) -> Result<Json<PasswordChangeResponse>, ApiError> {
    Ok(Json(recovery::complete(&svc, &req, ip).await?))
}
