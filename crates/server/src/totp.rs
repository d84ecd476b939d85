//! The second factor's codes (SPEC §4): time-based one-time codes (TOTP, RFC 6238: HMAC-SHA-1,
//! 6 digits, 30-second steps, one step of drift either way), 10 single-use recovery codes, and
//! taking one in a transaction (log-in, re-authentication, turning off). The procedures that
//! turn it on and off are in `second_factor`.
//!
//! The secret is sealed with the master key like the security answer (bound to `totp:` and the
//! subscriber number, so that neither seal can stand for the other). A code is accepted only for
//! a time step later than the last one accepted, by a conditional update in the transaction that
//! uses it: the same code twice, even on two replicas at once, opens one session. Checking a code
//! costs an HMAC, never an Argon2 hash.

use std::net::IpAddr;

use espace_pro_contract::Secret;
use espace_pro_contract::api::{LoginRequest, TOTP_DIGITS, TOTP_PERIOD_SECONDS};
use hmac::{Hmac, Mac};
use rand::RngCore;
use time::{Duration, OffsetDateTime};

use crate::errors::AuthError;
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{AccountRow, AuditEvent, Guard, Store, Tx, ts};

/// How long an enrolment waits for its first code.
pub const ENROLMENT_MINUTES: i64 = 10;
/// Steps of clock drift accepted either way.
const DRIFT_STEPS: i64 = 1;
/// Secrets are 160 bits, as RFC 4226 recommends.
pub(crate) const SECRET_BYTES: usize = 20;
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
pub(crate) fn new_recovery_code() -> String {
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

/// What is stored of a recovery code of `account_id` (as typed: case, spaces and dashes do not
/// matter): bound to the account, so that a stolen database cannot be searched for every
/// account's codes at once. `None` when it cannot be one.
pub fn recovery_code_hash(account_id: i64, typed: &str) -> Option<Vec<u8>> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == RECOVERY_CHARS && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
        .then(|| crate::crypto::token_hash(&format!("recovery-code:{account_id}:{code}")))
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

pub(crate) fn seal_context(account: &AccountRow) -> String {
    format!("totp:{}", account.subscriber_number)
}

/// The secret of a sealed second factor.
pub(crate) fn open_secret(
    svc: &Services,
    account: &AccountRow,
    sealed: &[u8],
) -> Result<Vec<u8>, AuthError> {
    let text = svc
        .key
        .open(&seal_context(account), sealed)
        .map_err(|_| crate::errors::Fault::Corrupt("second factor secret".into()))?;
    base32_decode(&text)
        .ok_or_else(|| crate::errors::Fault::Corrupt("second factor secret".into()).into())
}

/// At most this many wrong authenticator codes an account takes in 24 hours (wherever they are
/// typed, after a right password): past it, only a recovery code is taken. A password success
/// does not reset it, so someone who has the password cannot go through the million codes.
pub const WRONG_CODES_PER_DAY: i64 = 10;

/// What a code typed after a right password did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Totp,
    Recovery,
    /// Wrong, used, stale, or not a code: recorded (in the transaction) and told.
    Wrong,
    /// An authenticator code past the day's limit: not even looked at.
    Locked,
}

impl Taken {
    /// The refusal to answer for a code typed in `field` (at log-in, a 401 as a wrong
    /// password; elsewhere, a form's 422: the session is not at fault).
    pub fn error(self, field: &'static str, at_login: bool) -> AuthError {
        match self {
            Taken::Locked => AuthError::SecondFactorLocked(field),
            _ if at_login => AuthError::WrongLoginCode(field),
            _ => AuthError::WrongSecondFactor(field),
        }
    }
}

/// Uses `typed` (a 6-digit code of a step after the last one taken, or an unused recovery code)
/// in `tx`, the password having been found right. A wrong code is recorded in `tx` (commit it
/// with [`Services::commit_mail`]) and, the first in an hour, told to the login address: someone
/// has the password.
pub async fn take_code(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    sealed: &[u8],
    typed: &str,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<Taken, AuthError> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    let taken = if digits.len() == TOTP_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
        let wrong_lately = Store::count_events_in(
            tx,
            account.id,
            AuditKind::SecondFactorFailed,
            ts(now - Duration::DAY),
            WRONG_CODES_PER_DAY,
        )
        .await?;
        if wrong_lately >= WRONG_CODES_PER_DAY {
            return Ok(Taken::Locked);
        }
        let secret = open_secret(svc, account, sealed)?;
        match matching_step(&secret, &digits, now) {
            Some(step) if Store::take_totp_step(tx, account.id, sealed, step).await? => Taken::Totp,
            _ => Taken::Wrong,
        }
    } else {
        match recovery_code_hash(account.id, typed) {
            Some(hash) if Store::take_recovery_code(tx, account.id, &hash, ts(now)).await? => {
                Store::audit(
                    tx,
                    &AuditEvent::new(account.id, AuditKind::RecoveryCodeUsed, now).from(client),
                )
                .await?;
                Taken::Recovery
            }
            _ => Taken::Wrong,
        }
    };
    if taken == Taken::Wrong {
        Store::audit(
            tx,
            &AuditEvent::new(account.id, AuditKind::SecondFactorFailed, now).from(client),
        )
        .await?;
        let subject = crate::mail::templates::WRONG_CODE_SUBJECT;
        if Store::count_mails_in(tx, account.id, subject, ts(now - Duration::HOUR), 1).await? == 0 {
            let mail = crate::mail::templates::wrong_second_factor_code(
                &svc.config.public_name,
                &svc.config.support.hotline,
                &client.to_canonical().to_string(),
                now,
                &svc.config.time_zone,
            );
            Store::enqueue_mail(
                tx,
                account.id,
                &account.login_email,
                subject,
                &mail.body,
                ts(now),
            )
            .await?;
        }
    }
    Ok(taken)
}

/// Before a change, the current password found right: an account with a second factor asks its
/// code too, taken in a transaction of the session's (a wrong one recorded and told).
pub async fn before_change(
    svc: &Services,
    session_token_hash: &[u8],
    account: &AccountRow,
    code: Option<&Secret>,
    client: IpAddr,
) -> Result<(), AuthError> {
    if code.is_some_and(too_long) {
        return Err(AuthError::WrongSecondFactor("totp_code"));
    }
    let Some(sealed) = svc
        .store
        .second_factor(account.id)
        .await?
        .and_then(|r| r.secret_sealed)
    else {
        // No second factor: the password was the proof (a code sent anyway is not looked at).
        return Ok(());
    };
    let Some(code) = code.filter(|c| !c.expose().trim().is_empty()) else {
        return Err(AuthError::SecondFactorRequired);
    };
    let now = svc.now();
    let mut tx = svc.store.begin_write(&[Guard::Account(account.id)]).await?;
    if !Store::session_live_in(&mut tx, session_token_hash, ts(now)).await? {
        return Err(AuthError::Unauthorized);
    }
    match take_code(svc, &mut tx, account, &sealed, code.expose(), client, now).await? {
        Taken::Totp | Taken::Recovery => {
            svc.store.commit(tx).await?;
            Ok(())
        }
        refused => {
            svc.commit_mail(tx).await?;
            Err(refused.error("totp_code", false))
        }
    }
}

/// A code longer than any the service reads: refused whether or not the account has a second
/// factor (bad input is said, never ignored).
pub fn too_long(code: &Secret) -> bool {
    code.expose().chars().count() > espace_pro_contract::api::SECOND_FACTOR_CODE_MAX_CHARS
}

/// What the second factor says of a log-in whose password is right.
pub enum AtLogin {
    /// None asked, or its code taken.
    Passed,
    /// The account has one and the log-in gave no code.
    Required,
    /// A wrong, used or locked code (its line written in the transaction).
    Refused(AuthError),
}

/// The account's second factor at log-in (`sealed`: its secret in use, as the log-in's
/// transaction `tx` read it after its locks), and the code the log-in gave (`totp_code`, or
/// `recovery_code`) taken there.
pub async fn at_login(
    svc: &Services,
    tx: &mut Tx,
    account: &AccountRow,
    sealed: Option<Vec<u8>>,
    req: &LoginRequest,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<AtLogin, AuthError> {
    for (code, field) in [
        (&req.totp_code, "totp_code"),
        (&req.recovery_code, "recovery_code"),
    ] {
        if code.as_ref().is_some_and(too_long) {
            return Ok(AtLogin::Refused(AuthError::WrongLoginCode(field)));
        }
    }
    let Some(sealed) = sealed else {
        return Ok(AtLogin::Passed);
    };
    let given = |c: &Option<Secret>| {
        c.as_ref()
            .filter(|c| !c.expose().trim().is_empty())
            .cloned()
    };
    let (typed, field) = match (given(&req.totp_code), given(&req.recovery_code)) {
        (Some(code), _) => (code, "totp_code"),
        (None, Some(code)) => (code, "recovery_code"),
        (None, None) => return Ok(AtLogin::Required),
    };
    Ok(
        match take_code(svc, tx, account, &sealed, typed.expose(), client, now).await? {
            Taken::Totp | Taken::Recovery => AtLogin::Passed,
            refused => AtLogin::Refused(refused.error(field, true)),
        },
    )
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
            assert_eq!(
                matching_step(secret, &code_at(secret, step + d), now),
                Some(step + d)
            );
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
        let hash = recovery_code_hash(7, &code).unwrap();
        assert_eq!(
            recovery_code_hash(7, &code.to_lowercase().replace('-', " ")),
            Some(hash.clone())
        );
        assert_ne!(
            recovery_code_hash(8, &code),
            Some(hash),
            "bound to the account"
        );
        assert!(
            recovery_code_hash(7, "ABCD-EFGH-IJKL-MNOP").is_none(),
            "I and O are not used"
        );
        assert!(recovery_code_hash(7, "123456").is_none());
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
