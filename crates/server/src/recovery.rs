//! "Mot de passe oublié" (SPEC §2.7, hardened): address → e-mailed one-time code → security
//! question → answer and new password.

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use espace_pro_contract::api::{
    PasswordChangeResponse, RecoveryAccepted, RecoveryCompleteRequest, RecoveryQuestionRequest,
    RecoveryRequest, TicketResponse,
};
use espace_pro_contract::{ActivationCode, ErrorCode, LoginEmail, Secret};
use time::Duration;
use unicode_normalization::UnicodeNormalization;

use crate::accounts::format_date;
use crate::activation::{TICKET_VALIDITY, code_attempts_allowed, invalid_code, ticket_expired};
use crate::crypto::{new_token, token_hash};
use crate::dates::password_valid_until;
use crate::email_change::new_code;
use crate::http::error::ApiError;
use crate::mail::templates;
use crate::profile::security_answer;
use crate::services::Services;
use crate::store::{Store, ts};
use crate::throttle::{client_subject, email_subject};

pub const CODE_VALIDITY_MINUTES: u32 = 60;
pub const WRONG_ANSWER_LIMIT: i64 = 5;

pub fn accepted() -> RecoveryAccepted {
    RecoveryAccepted {
        message: "Si cette adresse est celle d'un espace professionnel, un code vient d'y être envoyé. Il est valable une heure. Pensez à consulter le dossier « Courrier indésirable ».".into(),
        code_validity_minutes: CODE_VALIDITY_MINUTES,
    }
}

/// Answers the same whatever the address; the work for a real account is done after the answer,
/// so that the answer's timing says nothing either.
pub async fn request(
    svc: &Arc<Services>,
    req: &RecoveryRequest,
    client: IpAddr,
) -> Result<RecoveryAccepted, ApiError> {
    let email = LoginEmail::parse(&req.email).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidEmail,
            "Saisissez l'adresse électronique de connexion de votre espace, comme nom@domaine.fr.",
        )
        .with_field("email", e.code())
    })?;
    let by_client = format!("recovery:{}", client_subject(client));
    let t = &svc.config.throttle;
    if let Err(wait) = svc
        .throttle
        .take_window(&by_client, t.recovery_requests_per_window, t.client_window)
        .await?
    {
        return Err(ApiError::too_many_attempts(wait));
    }
    // Counted for every address, known or not, before answering: the limit says nothing about
    // which addresses have accounts, and concurrent requests cannot all slip under it.
    let by_address = format!("recovery-mail:{}", email_subject(email.key()));
    let hour = std::time::Duration::from_secs(3600);
    if svc
        .throttle
        .take_window(&by_address, t.recovery_mails_per_hour, hour)
        .await?
        .is_err()
    {
        return Ok(accepted());
    }
    let svc = svc.clone();
    tokio::spawn(async move {
        if let Err(e) = send_code(&svc, &email, client).await {
            tracing::warn!(error = ?e.code, "recovery request could not be recorded");
        }
    });
    Ok(accepted())
}

async fn send_code(svc: &Services, email: &LoginEmail, client: IpAddr) -> Result<(), ApiError> {
    let Some(account) = svc.store.account_by_email_key(email.key()).await? else {
        return Ok(());
    };
    let code = new_code();
    let now = svc.now();
    let mail = templates::recovery_code(
        &svc.config.public_name,
        code.expose(),
        CODE_VALIDITY_MINUTES,
    );
    let mut tx = svc.store.begin_write().await?;
    Store::end_pending_recovery(&mut tx, account.id, "superseded", ts(now)).await?;
    Store::insert_recovery(
        &mut tx,
        account.id,
        &svc.key.code_hash("recovery", code.expose()),
        ts(now),
        ts(now + Duration::minutes(i64::from(CODE_VALIDITY_MINUTES))),
    )
    .await?;
    Store::enqueue_mail(
        &mut tx,
        &account.login_email,
        &mail.subject,
        &mail.body,
        ts(now),
    )
    .await?;
    Store::audit(
        &mut tx,
        Some(account.id),
        "recovery_requested",
        ts(now),
        Some(&client.to_string()),
        "",
    )
    .await?;
    tx.commit().await?;
    svc.outbox.wake();
    Ok(())
}

pub async fn question(
    svc: &Services,
    req: &RecoveryQuestionRequest,
    client: IpAddr,
) -> Result<TicketResponse, ApiError> {
    let subject = code_attempts_allowed(svc, client).await?;
    let email = LoginEmail::parse(&req.email).ok();
    let code = ActivationCode::parse(req.code.expose()).ok();
    let found = match (&email, &code) {
        (Some(email), Some(code)) => {
            match svc
                .store
                .recovery_by_code(&svc.key.code_hash("recovery", code.expose()))
                .await?
            {
                Some(r) => svc
                    .store
                    .account_by_id(r.account_id)
                    .await?
                    .filter(|a| a.login_email_key == email.key())
                    .map(|a| (r, a)),
                None => None,
            }
        }
        _ => None,
    };
    let Some((recovery, account)) = found else {
        svc.throttle.record(&[&subject]).await?;
        return Err(invalid_code());
    };
    let now = svc.now();
    match recovery.state.as_str() {
        "pending" if ts(now) < recovery.expires_at => {}
        "locked" => return Err(crate::activation::code_locked()),
        _ => return Err(crate::activation::code_expired()),
    }
    if account.security_question.is_empty() || account.security_answer_sealed.is_none() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::RecoveryUnavailable,
            "Aucune question de confiance n'est enregistrée pour cet espace : contactez l'assistance pour retrouver l'accès.",
        ));
    }
    let (ticket, hash) = new_token();
    let expires_at = now + TICKET_VALIDITY;
    svc.store
        .insert_ticket(&hash, "recovery", recovery.id, ts(expires_at))
        .await?;
    Ok(TicketResponse {
        ticket: Secret::new(ticket),
        expires_at,
        security_question: Some(account.security_question),
    })
}

/// Answers compare without regard to case, accents' encoding, or surrounding and repeated spaces.
fn normalize_answer(answer: &str) -> String {
    answer
        .nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn same_answer(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    // Compare digests, so the time taken does not depend on where the strings differ.
    Sha256::digest(normalize_answer(a).as_bytes()) == Sha256::digest(normalize_answer(b).as_bytes())
}

pub async fn complete(
    svc: &Services,
    req: &RecoveryCompleteRequest,
    client: IpAddr,
) -> Result<PasswordChangeResponse, ApiError> {
    let ticket_hash = token_hash(req.ticket.expose());
    let now = svc.now();
    let ticket = svc
        .store
        .ticket(&ticket_hash)
        .await?
        .filter(|t| t.purpose == "recovery" && t.used_at.is_none() && t.expires_at > ts(now))
        .ok_or_else(ticket_expired)?;
    let mut conn = svc.store.begin().await?;
    let recovery = Store::recovery_by_id(&mut conn, ticket.ref_id)
        .await?
        .ok_or_else(ticket_expired)?;
    drop(conn);
    match recovery.state.as_str() {
        "pending" if ts(now) < recovery.expires_at => {}
        "locked" => return Err(crate::activation::code_locked()),
        _ => return Err(crate::activation::code_expired()),
    }
    let account = svc
        .store
        .account_by_id(recovery.account_id)
        .await?
        .ok_or_else(ticket_expired)?;

    // Wrong answers are throttled like log-ins, and void the code after five.
    let by_email = email_subject(&account.login_email_key);
    let by_client = client_subject(client);
    if let Err(wait) = svc.throttle.check(&by_email, &by_client).await? {
        return Err(ApiError::too_many_attempts(wait));
    }
    if !same_answer(
        req.security_answer.expose(),
        &security_answer(svc, &account)?,
    ) {
        svc.throttle.record_failure(&by_email, &by_client).await?;
        let count = svc
            .store
            .count_wrong_answer(recovery.id, WRONG_ANSWER_LIMIT, ts(now))
            .await?;
        svc.store
            .audit_now(
                Some(account.id),
                "recovery_wrong_answer",
                ts(now),
                Some(&client.to_string()),
                "",
            )
            .await?;
        if count >= WRONG_ANSWER_LIMIT {
            return Err(crate::activation::code_locked());
        }
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidSecurityAnswer,
            "La réponse ne correspond pas à votre réponse de confiance. Vérifiez l'orthographe, puis réessayez.",
        )
        .with_field("security_answer", "incorrect"));
    }

    let hash =
        crate::accounts::hash_new_password(svc, &account, &req.new_password, &req.confirm_password)
            .await?;
    let valid_until = password_valid_until(now.date(), svc.config.password_validity_years);
    let mail = templates::password_changed(&svc.config.public_name, valid_until);

    let mut tx = svc.store.begin_write().await?;
    if !Store::mark_recovery_used(&mut tx, recovery.id, ts(now)).await?
        || !Store::use_ticket(&mut tx, &ticket_hash, ts(now)).await?
    {
        return Err(crate::activation::code_expired());
    }
    Store::update_password(
        &mut tx,
        account.id,
        &hash,
        ts(now),
        &format_date(valid_until),
    )
    .await?;
    Store::revoke_account_sessions(&mut tx, account.id, None, ts(now)).await?;
    Store::enqueue_mail(
        &mut tx,
        &account.login_email,
        &mail.subject,
        &mail.body,
        ts(now),
    )
    .await?;
    Store::audit(
        &mut tx,
        Some(account.id),
        "recovery_completed",
        ts(now),
        Some(&client.to_string()),
        "",
    )
    .await?;
    tx.commit().await?;
    svc.throttle.clear(&by_email).await?;
    svc.outbox.wake();
    Ok(PasswordChangeResponse {
        valid_until,
        confirmation_sent_to: account.login_email,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_compare_loosely_on_form_strictly_on_content() {
        assert!(same_answer("  Paul ", "paul"));
        assert!(same_answer("Jean  Pierre", "jean pierre"));
        assert!(same_answer("Z\u{00E9}lie", "ze\u{0301}lie"));
        assert!(!same_answer("Paul", "Paule"));
        assert!(!same_answer("", "Paul"));
    }
}
