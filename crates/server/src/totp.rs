//! The second factor (SPEC §4): time-based one-time codes (TOTP, RFC 6238: HMAC-SHA-1, 6
//! digits, 30-second steps, one step of drift either way) and 10 single-use recovery codes.
//!
//! The secret is sealed with the master key like the security answer (bound to `totp:` and the
//! subscriber number, so that neither seal can stand for the other). A code is accepted only for
//! a time step later than the last one accepted, by a conditional update in the transaction that
//! uses it: the same code twice, even on two replicas at once, opens one session. Checking a code
//! costs an HMAC, never an Argon2 hash.

use std::net::IpAddr;

use espace_pro_contract::Secret;
use espace_pro_contract::api::{
    RECOVERY_CODE_COUNT, RecoveryCodes, SecondFactorState, TOTP_DIGITS, TOTP_PERIOD_SECONDS,
    TotpEnrolment,
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use time::{Duration, OffsetDateTime};

use crate::auth::{Fresh, Session, begin_write_as, require_account};
use crate::errors::AuthError;
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{AccountRow, AuditEvent, SecondFactorRow, Store, Tx, from_ts, ts};
use crate::throttle::{Refusal, client_subject};

/// How long an enrolment waits for its first code.
pub const ENROLMENT_MINUTES: i64 = 10;
/// Steps of clock drift accepted either way.
const DRIFT_STEPS: i64 = 1;
/// Secrets are 160 bits, as RFC 4226 recommends.
const SECRET_BYTES: usize = 20;
/// Recovery codes: 16 characters of this alphabet (no 0/O, 1/I), 80 bits.
const RECOVERY_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const RECOVERY_CHARS: usize = 16;

/// RFC 4648 base32, without padding (what authenticator apps take).
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The inverse of [`base32`] (upper or lower case, spaces ignored); `None` for anything else.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The code of time step `step` (RFC 4226's HOTP with the step as counter).
pub fn code_at(secret: &[u8], step: i64) -> String {
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(secret).expect("any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", value % 1_000_000)
}

pub fn step_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(TOTP_PERIOD_SECONDS)
}

/// The time step whose code `code` is, within the drift accepted around `now`, latest first.
pub fn matching_step(secret: &[u8], code: &str, now: OffsetDateTime) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != TOTP_DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    (current - DRIFT_STEPS..=current + DRIFT_STEPS)
        .rev()
        .find(|&step| constant_time_eq(code_at(secret, step).as_bytes(), code.as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A new recovery code, as shown: `ABCD-EFGH-JKLM-NPQR`.
fn new_recovery_code() -> String {
    let mut bytes = [0u8; RECOVERY_CHARS];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| RECOVERY_ALPHABET[(b & 31) as usize] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// What is stored of a recovery code (as typed: case, spaces and dashes do not matter); `None`
/// when it cannot be one.
pub fn recovery_code_hash(typed: &str) -> Option<Vec<u8>> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == RECOVERY_CHARS && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
        .then(|| crate::crypto::token_hash(&format!("recovery-code:{code}")))
}

/// The `otpauth://` URI of a secret (Key Uri Format): label "issuer:address".
pub fn otpauth_uri(issuer: &str, email: &str, secret_base32: &str) -> String {
    let issuer_enc = percent(issuer);
    format!(
        "otpauth://totp/{issuer_enc}:{}?secret={secret_base32}&issuer={issuer_enc}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_PERIOD_SECONDS}",
        percent(email)
    )
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn seal_context(account: &AccountRow) -> String {
    format!("totp:{}", account.subscriber_number)
}

/// The secret of a sealed second factor.
fn open_secret(svc: &Services, account: &AccountRow, sealed: &[u8]) -> Result<Vec<u8>, AuthError> {
    let text = svc
        .key
        .open(&seal_context(account), sealed)
        .map_err(|_| crate::errors::Fault::Corrupt("second factor secret".into()))?;
    base32_decode(&text).ok_or_else(|| crate::errors::Fault::Corrupt("second factor secret".into()).into())
}

/// Whether the account's second factor is on, since when, and its recovery codes left.
pub async fn state(svc: &Services, account_id: i64) -> Result<SecondFactorState, AuthError> {
    let row = svc.store.second_factor(account_id).await?.unwrap_or_default();
    let left = if row.enabled() {
        svc.store.recovery_codes_left(account_id).await?
    } else {
        0
    };
    Ok(SecondFactorState {
        enabled: row.enabled(),
        enabled_at: row.enabled_at.map(|t| espace_pro_contract::api::Instant(from_ts(t))),
        recovery_codes_left: u32::try_from(left).unwrap_or(0),
    })
}

/// Enrolment, step 1 (the password entered within the re-authentication delay): a new secret,
/// kept sealed until its first code confirms it.
pub async fn start(svc: &Services, fresh: Fresh<'_>) -> Result<TotpEnrolment, AuthError> {
    let session = fresh.session();
    let account = require_account(&svc.store, session).await?;
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
    let mut tx = svc.store.begin_write().await?;
    Store::set_pending_second_factor(&mut tx, account.id, &sealed, now).await?;
    Store::enable_second_factor(&mut tx, account.id, &sealed, 0, now).await?;
    svc.store.commit(tx).await?;
    Ok(())
}

/// Attempts at a code on behalf of a session (enrolment, turning off, re-authentication) count
/// with its wrong current passwords: the same per-session and per-client limits.
async fn reserve(
    svc: &Services,
    session: &Session,
    client: IpAddr,
) -> Result<crate::throttle::Reservation, AuthError> {
    let by_session = crate::auth::reauth_subject(session);
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
    let now = svc.now();
    let row = svc.store.second_factor(account.id).await?.unwrap_or_default();
    if row.enabled() {
        svc.throttle.release(reservation).await?;
        return Err(AuthError::SecondFactorAlreadyOn);
    }
    let (Some(pending), Some(since)) = (row.pending_sealed.clone(), row.pending_at) else {
        svc.throttle.release(reservation).await?;
        return Err(AuthError::NoEnrolment);
    };
    if now - from_ts(since) > Duration::minutes(ENROLMENT_MINUTES) {
        svc.throttle.release(reservation).await?;
        return Err(AuthError::NoEnrolment);
    }
    let secret = open_secret(svc, &account, &pending)?;
    let Some(step) = matching_step(&secret, code.expose(), now) else {
        svc.throttle.keep(reservation).await?;
        audit_failure(svc, account.id, client, now).await?;
        return Err(AuthError::WrongSecondFactor("code"));
    };
    let codes: Vec<String> = (0..RECOVERY_CODE_COUNT).map(|_| new_recovery_code()).collect();
    let hashes: Vec<Vec<u8>> = codes
        .iter()
        .filter_map(|c| recovery_code_hash(c))
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
    tell(svc, &mut tx, &account, true, now).await?;
    svc.commit_mail(tx).await?;
    svc.throttle.release(reservation).await?;
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
    let (account, _fresh) =
        crate::auth::reauthenticated_account(svc, session, Some(current_password), client).await?;
    let row = svc.store.second_factor(account.id).await?.unwrap_or_default();
    let Some(sealed) = row.secret_sealed.clone() else {
        return Err(AuthError::SecondFactorNotOn);
    };
    let reservation = reserve(svc, session, client).await?;
    let now = svc.now();
    let mut tx = begin_write_as(svc, session).await?;
    let taken = take_code(svc, &mut tx, &account, &sealed, code.expose(), now).await?;
    if taken.is_none() {
        drop(tx);
        svc.throttle.keep(reservation).await?;
        audit_failure(svc, account.id, client, now).await?;
        return Err(AuthError::WrongSecondFactor("code"));
    }
    Store::disable_second_factor(&mut tx, account.id).await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(account.id, AuditKind::SecondFactorDisabled, now).from(client),
    )
    .await?;
    tell(svc, &mut tx, &account, false, now).await?;
    svc.commit_mail(tx).await?;
    svc.throttle.release(reservation).await?;
    Ok(())
}

/// The authenticator's current code instead of the password before a credential change: the
/// session is fresh for the re-authentication delay.
pub async fn reauthenticate(
    svc: &Services,
    session: &Session,
    code: &Secret,
    client: IpAddr,
) -> Result<(), AuthError> {
    let account = require_account(&svc.store, session).await?;
    let row = svc.store.second_factor(account.id).await?.unwrap_or_default();
    let Some(sealed) = row.secret_sealed.clone() else {
        return Err(AuthError::SecondFactorNotOn);
    };
    let reservation = reserve(svc, session, client).await?;
    let now = svc.now();
    let secret = open_secret(svc, &account, &sealed)?;
    let mut tx = begin_write_as(svc, session).await?;
    let taken = match matching_step(&secret, code.expose(), now) {
        Some(step) => Store::take_totp_step(&mut tx, account.id, &sealed, step).await?,
        None => false,
    };
    if !taken {
        drop(tx);
        svc.throttle.keep(reservation).await?;
        audit_failure(svc, account.id, client, now).await?;
        return Err(AuthError::ReauthenticationFailed);
    }
    svc.store.commit(tx).await?;
    svc.throttle.release(reservation).await?;
    // Only the re-authentication clock: an expired password still has to be changed.
    svc.store
        .set_auth_time(&session.token_hash, ts(now))
        .await?;
    Ok(())
}

/// Which kind of code a log-in or a turning off used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Used {
    Totp,
    RecoveryCode,
}

/// Uses `typed` (a 6-digit code of a step after the last one taken, or an unused recovery code)
/// in `tx`; what it was, or `None` when it opens nothing.
pub async fn take_code(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    sealed: &[u8],
    typed: &str,
    now: OffsetDateTime,
) -> Result<Option<Used>, AuthError> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == TOTP_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
        let secret = open_secret(svc, account, sealed)?;
        return Ok(match matching_step(&secret, &digits, now) {
            Some(step) if Store::take_totp_step(tx, account.id, sealed, step).await? => {
                Some(Used::Totp)
            }
            _ => None,
        });
    }
    let Some(hash) = recovery_code_hash(typed) else {
        return Ok(None);
    };
    if Store::take_recovery_code(tx, account.id, &hash, ts(now)).await? {
        Store::audit(
            tx,
            &AuditEvent::new(account.id, AuditKind::RecoveryCodeUsed, now),
        )
        .await?;
        Ok(Some(Used::RecoveryCode))
    } else {
        Ok(None)
    }
}

async fn audit_failure(
    svc: &Services,
    account_id: i64,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<(), AuthError> {
    svc.store
        .audit_now(&AuditEvent::new(account_id, AuditKind::SecondFactorFailed, now).from(client))
        .await?;
    Ok(())
}

/// The login address told that the second factor was turned on or off.
async fn tell(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    on: bool,
    now: OffsetDateTime,
) -> Result<(), AuthError> {
    let mail = crate::mail::templates::second_factor(
        &svc.config.public_name,
        &svc.config.support.hotline,
        on,
        now,
        &svc.config.time_zone,
    );
    Store::enqueue_mail(tx, account.id, &account.login_email, &mail.subject, &mail.body, ts(now)).await?;
    Ok(())
}

/// The second factor of an account at log-in, read again in the log-in's transaction.
pub async fn at_login(tx: &mut Tx, account_id: i64) -> Result<Option<SecondFactorRow>, AuthError> {
    Ok(Store::second_factor_in(tx, account_id)
        .await?
        .filter(|r| r.enabled()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's appendix B, SHA-1 (its 8-digit values, last 6 digits).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, expected) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(code_at(secret, t / 30), expected[2..], "t = {t}");
        }
    }

    #[test]
    fn base32_round_trip_and_rfc_4648_vectors() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert!(base32_decode("MZX1").is_none());
    }

    #[test]
    fn drift_of_one_step_either_way_only() {
        let secret = b"12345678901234567890";
        let now = OffsetDateTime::from_unix_timestamp(1_111_111_111).unwrap();
        let step = step_of(now);
        for d in -1..=1 {
            assert_eq!(matching_step(secret, &code_at(secret, step + d), now), Some(step + d));
        }
        for d in [-2, 2] {
            assert_eq!(matching_step(secret, &code_at(secret, step + d), now), None);
        }
        assert_eq!(matching_step(secret, "12345", now), None);
        assert_eq!(matching_step(secret, "１２３４５６", now), None);
    }

    #[test]
    fn recovery_codes_are_80_bits_and_typed_loosely() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 19);
        let hash = recovery_code_hash(&code).unwrap();
        assert_eq!(recovery_code_hash(&code.to_lowercase().replace('-', " ")), Some(hash));
        assert!(recovery_code_hash("ABCD-EFGH-IJKL-MNOP").is_none(), "I and O are not used");
        assert!(recovery_code_hash("123456").is_none());
    }

    #[test]
    fn otpauth_uri_escapes_its_label() {
        let uri = otpauth_uri("Espace Pro", "lila+x@example.fr", "MZXW6YTBOI");
        assert_eq!(
            uri,
            "otpauth://totp/Espace%20Pro:lila%2Bx%40example.fr?secret=MZXW6YTBOI&issuer=Espace%20Pro&algorithm=SHA1&digits=6&period=30"
        );
    }
}
