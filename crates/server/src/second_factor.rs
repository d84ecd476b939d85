//! "Double authentification" (SPEC §4): turning the second factor on (the current password,
//! a new secret, its first code, the recovery codes) and off (the password and a code), the
//! password and a code as a fresh proof, and its state. The codes themselves are in `totp`.

use std::net::IpAddr;

use espace_pro_contract::Secret;
use espace_pro_contract::api::{
    RECOVERY_CODE_COUNT, RecoveryCodes, SecondFactorState, TotpEnrolment,
};
use rand::RngCore;
use time::{Duration, OffsetDateTime};

use crate::auth::{Session, begin_write_as, require_account};
use crate::errors::AuthError;
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{AccountRow, AuditEvent, Guard, Store, Tx, from_ts, ts};
use crate::throttle::{Refusal, client_subject};
use crate::totp::{
    ENROLMENT_MINUTES, SECRET_BYTES, Taken, base32, matching_step, new_recovery_code, open_secret,
    otpauth_uri, recovery_code_hash, seal_context, take_code,
};

/// Whether the account's second factor is on, since when, and its recovery codes left.
pub async fn state(svc: &Services, account_id: i64) -> Result<SecondFactorState, AuthError> {
    let row = svc
        .store
        .second_factor(account_id)
        .await?
        .unwrap_or_default();
    let left = if row.enabled() {
        svc.store.recovery_codes_left(account_id).await?
    } else {
        0
    };
    Ok(SecondFactorState {
        enabled: row.enabled(),
        enabled_at: row
            .enabled_at
            .map(|t| espace_pro_contract::api::Instant(from_ts(t))),
        recovery_codes_left: u32::try_from(left).unwrap_or(0),
    })
}

/// Enrolment, step 1: the current password again (always: a stolen session alone cannot put
/// its own authenticator on the account), then a new secret, kept sealed until its first code
/// confirms it.
pub async fn start(
    svc: &Services,
    session: &Session,
    current_password: &Secret,
    client: IpAddr,
) -> Result<TotpEnrolment, AuthError> {
    if current_password.expose().is_empty() {
        return Err(AuthError::ReauthenticationRequired);
    }
    let account = require_account(&svc.store, session).await?;
    crate::auth::verify_current_password(svc, session, &account, current_password, client).await?;
    let now = svc.now();
    let mut secret = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let text = base32(&secret);
    let sealed = svc.key.seal(&seal_context(&account), &text);
    let mut tx = begin_write_as(svc, session).await?;
    if Store::second_factor_in(&mut tx, account.id)
        .await?
        .is_some_and(|r| r.enabled())
    {
        return Err(AuthError::SecondFactorAlreadyOn);
    }
    Store::set_pending_second_factor(&mut tx, account.id, &sealed, ts(now)).await?;
    svc.store.commit(tx).await?;
    Ok(TotpEnrolment {
        otpauth_uri: Secret::new(otpauth_uri(
            &svc.config.public_name,
            &account.login_email,
            &text,
        )),
        secret: Secret::new(text),
        expires_at: now + Duration::minutes(ENROLMENT_MINUTES),
    })
}

/// The second factor on with a secret chosen here (the demo account's): no enrolment, no
/// recovery codes, no e-mail.
pub async fn enable_with_secret(
    svc: &Services,
    account: &AccountRow,
    secret_base32: &str,
) -> Result<(), AuthError> {
    let sealed = svc.key.seal(&seal_context(account), secret_base32);
    let now = ts(svc.now());
    let mut tx = svc.store.begin_write(&[Guard::Account(account.id)]).await?;
    Store::set_pending_second_factor(&mut tx, account.id, &sealed, now).await?;
    Store::enable_second_factor(&mut tx, account.id, &sealed, 0, now).await?;
    svc.store.commit(tx).await?;
    Ok(())
}

/// The enrolment's first codes, per session and client (the pending secret is new: its codes
/// are not the account's yet).
async fn reserve(
    svc: &Services,
    session: &Session,
    client: IpAddr,
) -> Result<crate::throttle::Reservation, AuthError> {
    let by_session = format!("totp-enrol:{}", hex::encode(&session.token_hash[..12]));
    match svc
        .throttle
        .reserve_attempt(&by_session, &client_subject(client), false)
        .await?
    {
        Ok(r) => Ok(r),
        Err(Refusal::Client(r) | Refusal::Address(r) | Refusal::Proven(r)) => {
            Err(AuthError::Throttled { retry_after: r })
        }
    }
}

/// Enrolment, step 2: the authenticator's first code turns the second factor on, and gives the
/// recovery codes (shown this once). Told to the login address.
pub async fn confirm(
    svc: &Services,
    session: &Session,
    code: &Secret,
    client: IpAddr,
) -> Result<RecoveryCodes, AuthError> {
    let account = require_account(&svc.store, session).await?;
    let reservation = reserve(svc, session, client).await?;
    let result = confirm_reserved(svc, session, &account, code, client).await;
    // A wrong code counts; anything else (done, or refused for another reason) does not.
    if matches!(result, Err(AuthError::WrongSecondFactor(_))) {
        svc.throttle.keep(reservation).await?;
    } else {
        svc.throttle.release(reservation).await?;
    }
    result
}

async fn confirm_reserved(
    svc: &Services,
    session: &Session,
    account: &AccountRow,
    code: &Secret,
    client: IpAddr,
) -> Result<RecoveryCodes, AuthError> {
    let now = svc.now();
    let row = svc
        .store
        .second_factor(account.id)
        .await?
        .unwrap_or_default();
    if row.enabled() {
        return Err(AuthError::SecondFactorAlreadyOn);
    }
    let (Some(pending), Some(since)) = (row.pending_sealed.clone(), row.pending_at) else {
        return Err(AuthError::NoEnrolment);
    };
    if now - from_ts(since) > Duration::minutes(ENROLMENT_MINUTES) {
        return Err(AuthError::NoEnrolment);
    }
    let secret = open_secret(svc, account, &pending)?;
    let Some(step) = matching_step(&secret, code.expose(), now) else {
        svc.store
            .audit_now(
                &AuditEvent::new(account.id, AuditKind::SecondFactorSetupFailed, now).from(client),
            )
            .await?;
        return Err(AuthError::WrongSecondFactor("code"));
    };
    let codes: Vec<String> = (0..RECOVERY_CODE_COUNT)
        .map(|_| new_recovery_code())
        .collect();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .filter_map(|c| recovery_code_hash(account.id, c))
        .collect();
    let mut tx = begin_write_as(svc, session).await?;
    if !Store::enable_second_factor(&mut tx, account.id, &pending, step, ts(now)).await? {
        return Err(AuthError::NoEnrolment);
    }
    Store::replace_recovery_codes(&mut tx, account.id, &hashes).await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, AuditKind::SecondFactorEnabled, now).from(client),
    )
    .await?;
    tell(svc, &mut tx, account, true, client, now).await?;
    svc.commit_mail(tx).await?;
    Ok(RecoveryCodes {
        recovery_codes: codes.into_iter().map(Secret::new).collect(),
    })
}

/// Turning the second factor off: the password (checked as before any credential change) and a
/// code, the authenticator's or a recovery code. Told to the login address.
pub async fn disable(
    svc: &Services,
    session: &Session,
    current_password: &Secret,
    code: &Secret,
    client: IpAddr,
) -> Result<(), AuthError> {
    if current_password.expose().is_empty() {
        return Err(AuthError::ReauthenticationFailed);
    }
    let account = require_account(&svc.store, session).await?;
    crate::auth::verify_current_password(svc, session, &account, current_password, client).await?;
    let row = svc
        .store
        .second_factor(account.id)
        .await?
        .unwrap_or_default();
    let Some(sealed) = row.secret_sealed.clone() else {
        return Err(AuthError::SecondFactorNotOn);
    };
    let now = svc.now();
    let mut tx = begin_write_as(svc, session).await?;
    match take_code(svc, &mut tx, &account, &sealed, code.expose(), client, now).await? {
        Taken::Totp | Taken::Recovery => {}
        refused => {
            svc.commit_mail(tx).await?;
            return Err(refused.error("code", false));
        }
    }
    Store::disable_second_factor(&mut tx, account.id).await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, AuditKind::SecondFactorDisabled, now).from(client),
    )
    .await?;
    tell(svc, &mut tx, &account, false, client, now).await?;
    svc.commit_mail(tx).await?;
    Ok(())
}

/// The login address told that the second factor was turned on or off, and from where.
async fn tell(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    on: bool,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<(), AuthError> {
    let mail = crate::mail::templates::second_factor(
        &svc.config.public_name,
        &svc.config.support.hotline,
        on,
        &client.to_canonical().to_string(),
        now,
        &svc.config.time_zone,
    );
    Store::enqueue_mail(
        tx,
        account.id,
        &account.login_email,
        &mail.subject,
        &mail.body,
        ts(now),
    )
    .await?;
    Ok(())
}
