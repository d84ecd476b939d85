//! Changing the login e-mail, step 2 (SPEC §2.6): CAPTCHA, code, address, and the swap.

use std::io::Cursor;
use std::net::IpAddr;

use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use espace_pro_contract::api::{
    ActivationResult, Captcha, CompleteActivationRequest, TicketResponse, VerifyCodeRequest,
};
use espace_pro_contract::{ActivationCode, ErrorCode, LoginEmail, Secret};
use rand::RngCore;
use time::Duration;

use crate::crypto::{new_token, token_hash};
use crate::dates::password_valid_until;
use crate::http::error::ApiError;
use crate::mail::templates;
use crate::services::Services;
use crate::store::{EmailChangeRow, Store, ts};
use crate::throttle::client_subject;

pub const CAPTCHA_LENGTH: usize = 6;
pub const CAPTCHA_VALIDITY: Duration = Duration::minutes(10);
pub const TICKET_VALIDITY: Duration = Duration::minutes(15);
/// Wrong addresses at the second step before the pending change is void.
pub const WRONG_ADDRESS_LIMIT: i64 = 5;

/// Lower-case letters only, without the look-alikes i, l and o.
const CAPTCHA_CHARS: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'j', 'k', 'm', 'n', 'p', 'q', 'r', 's', 't', 'u', 'v',
    'w', 'x', 'y', 'z',
];

pub fn code_subject(client: IpAddr) -> String {
    format!("code:{}", client_subject(client))
}

/// Wrong codes (activation or recovery) are limited per client address: refuses when the limit
/// is reached, else gives the subject under which a failure is to be recorded.
pub async fn code_attempts_allowed(svc: &Services, client: IpAddr) -> Result<String, ApiError> {
    let subject = code_subject(client);
    let t = &svc.config.throttle;
    match svc
        .throttle
        .check_window(&subject, t.code_failures_per_window, t.client_window)
        .await?
    {
        Ok(()) => Ok(subject),
        Err(wait) => Err(ApiError::too_many_attempts(wait)),
    }
}

fn normalize_captcha(answer: &str) -> String {
    answer.trim().to_lowercase()
}

/// Draws a CAPTCHA: its answer, a PNG and a WAV reading the characters one by one.
fn draw_captcha() -> Result<(String, Vec<u8>, Vec<u8>), String> {
    use captcha::filters::{Dots, Noise, Wave};
    let mut c = captcha::Captcha::new();
    c.set_chars(CAPTCHA_CHARS)
        .add_chars(CAPTCHA_LENGTH as u32)
        .apply_filter(Noise::new(0.15))
        .apply_filter(Wave::new(2.0, 12.0))
        .view(240, 96)
        .apply_filter(Dots::new(6));
    let answer = c.chars_as_string();
    let png = c.as_png().ok_or("the CAPTCHA image could not be encoded")?;
    let letters: Vec<Vec<u8>> = c
        .as_wav()
        .into_iter()
        .collect::<Option<_>>()
        .ok_or("a CAPTCHA letter has no sound")?;
    Ok((answer, png, join_wavs(&letters)?))
}

/// One WAV from the letters' WAVs, with 0.6 s of silence before each letter.
fn join_wavs(letters: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 22_050,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut out, spec).map_err(|e| e.to_string())?;
        for letter in letters {
            for _ in 0..(spec.sample_rate * 6 / 10) {
                writer.write_sample(0i16).map_err(|e| e.to_string())?;
            }
            let mut reader = hound::WavReader::new(letter.as_slice()).map_err(|e| e.to_string())?;
            for sample in reader.samples::<i16>() {
                writer
                    .write_sample(sample.map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            }
        }
        writer.finalize().map_err(|e| e.to_string())?;
    }
    Ok(out.into_inner())
}

pub async fn create_captcha(svc: &Services, client: IpAddr) -> Result<Captcha, ApiError> {
    let subject = format!("captcha:{}", client_subject(client));
    let t = &svc.config.throttle;
    if let Err(wait) = svc
        .throttle
        .take_window(&subject, t.captchas_per_window, t.client_window)
        .await?
    {
        return Err(ApiError::too_many_attempts(wait));
    }
    let (answer, png, wav) = tokio::task::spawn_blocking(draw_captcha)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let id = hex::encode(id);
    let expires_at = svc.now() + CAPTCHA_VALIDITY;
    svc.store
        .insert_captcha(
            &id,
            &svc.key.code_hash("captcha", &normalize_captcha(&answer)),
            ts(expires_at),
        )
        .await?;
    Ok(Captcha {
        id,
        image_png: STANDARD.encode(png),
        audio_wav: STANDARD.encode(wav),
        length: CAPTCHA_LENGTH,
        expires_at,
    })
}

/// Consumes the CAPTCHA (single use, whatever the answer) and says whether it was solved.
pub async fn solve_captcha(svc: &Services, id: &str, answer: &str) -> Result<bool, ApiError> {
    if id.is_empty() || id.len() > 64 || answer.len() > 64 {
        return Ok(false);
    }
    let Some(row) = svc.store.take_captcha(id).await? else {
        return Ok(false);
    };
    if row.expires_at <= ts(svc.now()) {
        return Ok(false);
    }
    let answer = normalize_captcha(answer);
    if svc
        .config
        .captcha_test_answer
        .as_deref()
        .is_some_and(|test| normalize_captcha(test) == answer)
    {
        return Ok(true);
    }
    Ok(svc.key.code_hash("captcha", &answer) == row.answer_hash)
}

pub fn invalid_captcha() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidCaptcha,
        "Les caractères saisis ne correspondent pas à l'image. Recopiez les caractères de la nouvelle image.",
    )
    .with_field("captcha_answer", "incorrect")
}

pub fn invalid_code() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidCode,
        "Ce code d'activation n'est pas reconnu. Recopiez les 12 lettres reçues par courriel, en respectant les majuscules et les minuscules.",
    )
    .with_field("code", "invalid")
}

pub fn code_expired() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        ErrorCode::CodeExpired,
        "Ce code d'activation n'est plus valable : il a déjà été utilisé, remplacé par une demande plus récente, annulé, ou son délai de 48 heures est dépassé. Recommencez la demande de modification pour recevoir un nouveau code.",
    )
    .with_field("code", "expired")
}

pub fn code_locked() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        ErrorCode::CodeLocked,
        "Trop d'adresses erronées ont été saisies : la demande de modification est annulée. Recommencez-la depuis votre espace.",
    )
}

pub fn ticket_expired() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        ErrorCode::TicketExpired,
        "Votre saisie a expiré. Saisissez de nouveau le code reçu par courriel.",
    )
}

/// Checks a code against a pending change's state and age.
fn usable(change: &EmailChangeRow, now: i64) -> Result<(), ApiError> {
    match change.state.as_str() {
        "pending" if now < change.expires_at => Ok(()),
        "locked" => Err(code_locked()),
        _ => Err(code_expired()),
    }
}

pub async fn verify_code(
    svc: &Services,
    req: &VerifyCodeRequest,
    client: IpAddr,
) -> Result<TicketResponse, ApiError> {
    let subject = code_attempts_allowed(svc, client).await?;
    if !solve_captcha(svc, &req.captcha_id, &req.captcha_answer).await? {
        svc.throttle.record(&[&subject]).await?;
        return Err(invalid_captcha());
    }
    let Ok(code) = ActivationCode::parse(req.code.expose()) else {
        svc.throttle.record(&[&subject]).await?;
        return Err(invalid_code());
    };
    let Some(change) = svc
        .store
        .change_by_code(&svc.key.code_hash("activation", code.expose()))
        .await?
    else {
        svc.throttle.record(&[&subject]).await?;
        return Err(invalid_code());
    };
    let now = svc.now();
    if let Err(e) = usable(&change, ts(now)) {
        svc.store
            .audit_now(
                Some(change.account_id),
                "activation_code_refused",
                ts(now),
                Some(&client.to_string()),
                e.code.as_str(),
            )
            .await?;
        return Err(e);
    }
    let (ticket, hash) = new_token();
    let expires_at = now + TICKET_VALIDITY;
    svc.store
        .insert_ticket(&hash, "activation", change.id, ts(expires_at))
        .await?;
    Ok(TicketResponse {
        ticket: Secret::new(ticket),
        expires_at,
        security_question: None,
    })
}

pub async fn complete(
    svc: &Services,
    req: &CompleteActivationRequest,
    client: IpAddr,
) -> Result<ActivationResult, ApiError> {
    let ticket_hash = token_hash(req.ticket.expose());
    let now = svc.now();
    let ticket = svc
        .store
        .ticket(&ticket_hash)
        .await?
        .filter(|t| t.purpose == "activation" && t.used_at.is_none() && t.expires_at > ts(now))
        .ok_or_else(ticket_expired)?;
    let typed = LoginEmail::parse(&req.email).ok();

    let mut tx = svc.store.begin_write().await?;
    let change = Store::change_by_id(&mut tx, ticket.ref_id)
        .await?
        .ok_or_else(ticket_expired)?;
    usable(&change, ts(now))?;
    if typed.as_ref().map(LoginEmail::key) != Some(change.new_email_key.as_str()) {
        let count =
            Store::count_wrong_address(&mut tx, change.id, WRONG_ADDRESS_LIMIT, ts(now)).await?;
        let locked = count >= WRONG_ADDRESS_LIMIT;
        Store::audit(
            &mut tx,
            Some(change.account_id),
            if locked {
                "email_change_locked"
            } else {
                "activation_wrong_address"
            },
            ts(now),
            Some(&client.to_string()),
            "",
        )
        .await?;
        tx.commit().await?;
        if locked {
            return Err(code_locked());
        }
        let left = WRONG_ADDRESS_LIMIT - count;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::EmailMismatch,
            format!(
                "Cette adresse ne correspond pas à la nouvelle adresse demandée. Saisissez l'adresse à laquelle vous avez reçu le code ({left} essai{} restant{}).",
                if left > 1 { "s" } else { "" },
                if left > 1 { "s" } else { "" }
            ),
        )
        .with_field("email", "mismatch"));
    }
    let account = svc
        .store
        .account_by_id(change.account_id)
        .await?
        .ok_or_else(ticket_expired)?;
    if !Store::update_login_email(
        &mut tx,
        account.id,
        &change.new_email,
        &change.new_email_key,
    )
    .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::EmailTaken,
            "Cette adresse électronique est déjà celle d'un autre espace professionnel : la modification ne peut pas être activée. Recommencez la demande avec une autre adresse.",
        )
        .with_field("email", "taken"));
    }
    if let Some(hash) = &change.new_password_hash {
        let until = password_valid_until(now.date(), svc.config.password_validity_years);
        Store::update_password(
            &mut tx,
            account.id,
            hash,
            ts(now),
            &crate::accounts::format_date(until),
        )
        .await?;
    }
    if !Store::mark_change_activated(&mut tx, change.id, ts(now)).await?
        || !Store::use_ticket(&mut tx, &ticket_hash, ts(now)).await?
    {
        return Err(code_expired());
    }
    Store::revoke_account_sessions(&mut tx, account.id, None, ts(now)).await?;
    let notice = templates::email_changed_notice(
        &svc.config.public_name,
        &svc.config.support.hotline,
        &change.new_email,
        now,
    );
    Store::enqueue_mail(
        &mut tx,
        &account.login_email,
        &notice.subject,
        &notice.body,
        ts(now),
    )
    .await?;
    Store::audit(
        &mut tx,
        Some(account.id),
        "email_change_activated",
        ts(now),
        Some(&client.to_string()),
        &format!("with_password={}", change.new_password_hash.is_some()),
    )
    .await?;
    tx.commit().await?;
    svc.outbox.wake();

    let account = svc
        .store
        .account_by_id(account.id)
        .await?
        .ok_or_else(ticket_expired)?;
    Ok(ActivationResult {
        summary: crate::profile::summary_data(svc, &account)?,
        activated_on: now.date(),
    })
}
