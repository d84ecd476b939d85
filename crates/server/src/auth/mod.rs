//! Log-in, sessions and re-authentication.

use std::net::IpAddr;

use espace_pro_contract::api::{LoginRequest, LoginResponse};
use espace_pro_contract::{LoginEmail, Secret};
use time::{Duration, OffsetDateTime};

use crate::captcha;
use crate::crypto::{new_token, token_hash};
use crate::dates::parse_date;
use crate::errors::AuthError;
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{
    AccountRead, AccountRow, AuditEvent, Guard, OpenedAtOnce, SessionRow, Store, from_ts, ts,
};
use crate::throttle::{Refusal, client_subject};

mod fresh;

pub use fresh::{
    Fresh, confirm_password, reauth_subject, reauthenticate, reauthenticated_account,
    require_fresh, verify_current_password,
};

/// A live session presented with a request.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: Vec<u8>,
    pub account_id: i64,
    pub auth_time: OffsetDateTime,
    /// The password has expired: only a password change (or log-out) is allowed.
    pub password_only: bool,
    /// The account's pages, as read with the session (the home screen needs nothing more).
    pub read: std::sync::Arc<AccountRead>,
}

pub fn password_expired(account: &AccountRow, today: time::Date) -> bool {
    parse_date(&account.password_valid_until).is_none_or(|until| today > until)
}

pub async fn login(
    svc: &Services,
    req: &LoginRequest,
    client: IpAddr,
) -> Result<LoginResponse, AuthError> {
    // Before anything is counted: a malformed device is the app's fault, not a guess.
    let device = crate::new_devices::device_of(req)?;
    // An address that cannot exist still goes through throttling and a hash verification, so
    // neither the answer nor its timing depends on what was typed.
    let key = LoginEmail::parse(&req.email)
        .map(|e| e.key().to_owned())
        .unwrap_or_else(|_| req.email.trim().to_lowercase());
    let by_email = svc.throttle.email_subject(&key);
    let by_client = client_subject(client);
    // A CAPTCHA solved with the attempt lets the owner in while someone else's guesses hold the
    // address over its limit (SPEC §4); it is used up whatever the answer.
    let person_proven = match (&req.captcha_id, &req.captcha_answer) {
        (Some(id), Some(answer)) => {
            if !captcha::solve(svc, id, answer).await? {
                return Err(AuthError::InvalidCaptcha);
            }
            true
        }
        _ => false,
    };
    let reservation = match svc
        .throttle
        .reserve_attempt(&by_email, &by_client, person_proven)
        .await?
    {
        Ok(r) => r,
        Err(refusal) => {
            svc.metrics.login("throttled");
            return Err(match refusal {
                Refusal::Client(retry_after) | Refusal::Proven(retry_after) => {
                    AuthError::Throttled { retry_after }
                }
                Refusal::Address(_) => AuthError::CaptchaRequired,
            });
        }
    };
    let account = svc.store.account_by_email_key(&key).await?;
    let ok = svc
        .hasher
        .verify(
            req.password.expose(),
            account.as_ref().map(|a| a.password_hash.as_str()),
        )
        .await?;
    let now = svc.now();
    let account_id = account.as_ref().map(|a| a.id);
    let Some(account) = account.filter(|_| ok) else {
        return Err(failed_login(svc, reservation, account_id, client, now).await?);
    };
    let expired = password_expired(&account, svc.config.time_zone.date(now));
    let (token, hash) = new_token();
    let expires_at =
        now + Duration::try_from(svc.config.session_absolute).unwrap_or(Duration::HOUR);
    let idle = Duration::try_from(svc.config.session_idle).unwrap_or(Duration::minutes(30));
    let kind = if expired {
        AuditKind::LoginPasswordExpired
    } else {
        AuditKind::Login
    };
    let detail = device.name.clone().unwrap_or_default();
    let session = SessionRow {
        token_hash: hash,
        account_id: account.id,
        created_at: ts(now),
        last_seen_at: ts(now),
        auth_time: ts(now),
        expires_at: ts(expires_at),
        revoked_at: None,
        password_only: expired,
        public_id: hex::encode(rand::random::<[u8; 16]>()),
        device_name: device.name.clone(),
        client_ip: Some(client.to_canonical().to_string()),
        device_hash: device.hash.clone(),
    };
    let event = AuditEvent::new(account.id, kind, now)
        .from(client)
        .detail(detail);
    let response = LoginResponse {
        token: Secret::new(token),
        expires_at,
        idle_expires_at: (now + idle).min(expires_at),
        must_change_password: expired,
        subscriber_number: account.subscriber_number.parse().ok(),
    };
    let guards = [Guard::Account(account.id), Guard::Subject(&by_email)];
    // Nothing to send and no code given (no second factor, a device the account knows): on
    // PostgreSQL, what the transaction below does, in one call.
    if req.totp_code.is_none() && req.recovery_code.is_none() {
        match svc
            .store
            .try_open_session(
                &guards,
                &account.password_hash,
                &account.login_email_key,
                reservation.ids(),
                &by_email,
                &session,
                &event,
            )
            .await?
        {
            Some(OpenedAtOnce::Opened) => {
                let _taken_back = reservation.into_ids();
                svc.metrics.login("success");
                return Ok(response);
            }
            Some(OpenedAtOnce::Changed) => {
                return Err(failed_login(svc, reservation, Some(account.id), client, now).await?);
            }
            None => {}
        }
    }
    // One transaction: the attempt taken back, the address's failures forgotten, the session and
    // its audit line, all or nothing.
    let mut tx = svc.store.begin_write(&guards).await?;
    // The password was verified before this transaction: a change that committed meanwhile (a
    // new password, a recovery, an activation) makes it the old one, which opens nothing.
    // The second factor is read with them: one turned on meanwhile is asked too.
    let (unchanged, second_factor) = Store::login_state_in(
        &mut tx,
        account.id,
        &account.password_hash,
        &account.login_email_key,
    )
    .await?;
    if !unchanged {
        drop(tx);
        return Err(failed_login(svc, reservation, Some(account.id), client, now).await?);
    }
    // A right password without the code the second factor asks counts neither way; a wrong
    // code counts as a failed log-in.
    match crate::totp::at_login(svc, &mut tx, &account, second_factor, req, client, now).await? {
        crate::totp::AtLogin::Passed => {}
        crate::totp::AtLogin::Required => {
            drop(tx);
            svc.throttle.release(reservation).await?;
            svc.metrics.login("second_factor_required");
            return Err(AuthError::SecondFactorRequired);
        }
        crate::totp::AtLogin::Refused(refusal) => {
            // The failure's line (and the owner's warning) committed.
            svc.commit_mail(tx).await?;
            svc.throttle.keep(reservation).await?;
            svc.metrics.login("failure");
            return Err(refusal);
        }
    }
    // The attempt taken back and the address's failures forgotten (the owner got in), the
    // session, its audit line and its device: one statement on PostgreSQL.
    let device_was_new = Store::open_session_in(
        &mut tx,
        &reservation.into_ids(),
        &by_email,
        &session,
        &event,
    )
    .await?;
    // A device the account never used (or one that does not say which it is): told to the login
    // address in this transaction, so the session exists only if the alert will be sent.
    if crate::new_devices::tell_if_new(svc, &mut tx, &account, &device, device_was_new, client, now)
        .await?
    {
        svc.commit_mail(tx).await?;
    } else {
        svc.store.commit(tx).await?;
    }
    svc.metrics.login("success");
    Ok(response)
}

/// A wrong password (or an unknown address): the attempt stays counted and is audited; gives
/// back the error to answer.
async fn failed_login(
    svc: &Services,
    reservation: crate::throttle::Reservation,
    account_id: Option<i64>,
    client: IpAddr,
    now: OffsetDateTime,
) -> Result<AuthError, AuthError> {
    svc.throttle.keep(reservation).await?;
    // Written for unknown addresses too (without an account), so a failure costs the same
    // work, and the same time, whether the address has an account or not.
    svc.store
        .audit_now(&AuditEvent::new(account_id, AuditKind::LoginFailed, now).from(client))
        .await?;
    svc.metrics.login("failure");
    Ok(AuthError::InvalidCredentials)
}

/// Checks a bearer token: known, not revoked, within its absolute and idle limits. Extends the
/// idle limit.
pub async fn authenticate(svc: &Services, token: &str) -> Result<Session, AuthError> {
    if token.is_empty() || token.len() > espace_pro_contract::api::TOKEN_MAX_CHARS {
        return Err(AuthError::Unauthorized);
    }
    let hash = token_hash(token);
    let (row, read) = svc
        .store
        .session_read(&hash)
        .await?
        .ok_or(AuthError::Unauthorized)?;
    let now = ts(svc.now());
    let idle = svc.config.session_idle.as_secs() as i64;
    if row.revoked_at.is_some() || now >= row.expires_at || now >= row.last_seen_at + idle {
        return Err(AuthError::Unauthorized);
    }
    // The idle clock moves at most once a minute: reading a page is not a write each time.
    if now - row.last_seen_at >= 60 {
        svc.store.touch_session(row.account_id, &hash, now).await?;
    }
    Ok(Session {
        token_hash: hash,
        account_id: row.account_id,
        auth_time: from_ts(row.auth_time),
        password_only: row.password_only,
        read,
    })
}

/// Revokes the session in a write transaction, ordered with every other: once the log-out has
/// committed, no write of this session's (checked in theirs, [`begin_write_as`]) can commit.
pub async fn logout(svc: &Services, session: &Session) -> Result<(), AuthError> {
    let now = svc.now();
    let mut tx = svc
        .store
        .begin_write(&[Guard::Account(session.account_id)])
        .await?;
    Store::revoke_session_in(&mut tx, &session.token_hash, ts(now)).await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(session.account_id, AuditKind::Logout, now),
    )
    .await?;
    svc.store.commit(tx).await?;
    Ok(())
}

/// A write transaction on behalf of `session`, guarding its account, which is checked again
/// inside it: a session revoked after its request was let in (a password changed meanwhile, a
/// log-out) writes nothing. Every revocation guards the account too (see [`Guard`]), so once
/// one has committed no such transaction can commit a write of the revoked session.
pub async fn begin_write_as(
    svc: &Services,
    session: &Session,
) -> Result<crate::store::Tx, AuthError> {
    let mut tx = svc
        .store
        .begin_write(&[Guard::Account(session.account_id)])
        .await?;
    if !Store::session_live_in(&mut tx, &session.token_hash, ts(svc.now())).await? {
        return Err(AuthError::Unauthorized);
    }
    Ok(tx)
}

/// The session's account as the database has it now, for a procedure that checks a secret
/// against it, shows what it protects, or writes from it: read with the session, which must
/// not have been revoked meanwhile (on another replica, say, whose announcement this one has not
/// heard yet).
pub async fn require_account(
    store: &Store,
    session: &Session,
) -> Result<std::sync::Arc<AccountRow>, AuthError> {
    store
        .account_of_live_session(&session.token_hash)
        .await?
        .filter(|a| a.id == session.account_id)
        .ok_or(AuthError::Unauthorized)
}

/// A session that may do more than change its expired password.
pub fn require_full(session: Session) -> Result<Session, AuthError> {
    if session.password_only {
        Err(AuthError::PasswordExpired)
    } else {
        Ok(session)
    }
}
