//! Re-authentication: the current password (and, for an account with a second factor, its
//! code) before a credential change, and the proof that a session is fresh.

use std::net::IpAddr;

use espace_pro_contract::Secret;
use time::Duration;

use super::{Session, require_account};
use crate::errors::AuthError;
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{AccountRow, AuditEvent, ts};
use crate::throttle::{Refusal, client_subject};

/// What a session's wrong current passwords (and second-factor codes) are counted under: per
/// session, not per address (someone else's failed log-ins must not keep the owner, already
/// logged in, from confirming).
pub fn reauth_subject(session: &Session) -> String {
    format!("reauth:{}", hex::encode(&session.token_hash[..12]))
}

/// Proof that the session's password was entered within the re-authentication delay, or just
/// now. Only [`require_fresh`] and [`reauthenticate`] make one (its field is private), and
/// whatever shows or changes the security answer, the phone or the postal address, or cancels a
/// pending change, takes one: a stale session cannot even call them.
#[derive(Debug, Clone, Copy)]
pub struct Fresh<'s> {
    session: &'s Session,
}

impl<'s> Fresh<'s> {
    pub fn session(&self) -> &'s Session {
        self.session
    }
}

/// Before a credential change: the current password, checked when given (and required when the
/// last password entry is older than the configured delay). Wrong answers count as failed
/// log-ins.
pub async fn reauthenticate<'s>(
    svc: &Services,
    session: &'s Session,
    account: &AccountRow,
    current_password: Option<&Secret>,
    totp_code: Option<&Secret>,
    client: IpAddr,
) -> Result<Fresh<'s>, AuthError> {
    if totp_code.is_some_and(crate::totp::too_long) {
        return Err(AuthError::WrongSecondFactor("totp_code"));
    }
    let Some(given) = current_password.filter(|p| !p.expose().is_empty()) else {
        // An expired-password session is no exception: its log-in may be hours old.
        return require_fresh(svc, session);
    };
    verify_current_password(svc, session, account, given, client).await?;
    // An account with a second factor asks its code too (SPEC §4): a stolen session that knows
    // the password does not change it, nor read what it protects.
    crate::totp::before_change(svc, &session.token_hash, account, totp_code, client).await?;
    svc.store
        .set_auth_time(session.account_id, &session.token_hash, ts(svc.now()))
        .await?;
    Ok(Fresh { session })
}

/// The session's account's current password, checked: wrong answers count as failed log-ins
/// (per session and client) and are audited. Does not make the session fresh.
pub async fn verify_current_password(
    svc: &Services,
    session: &Session,
    account: &AccountRow,
    given: &Secret,
    client: IpAddr,
) -> Result<(), AuthError> {
    let now = svc.now();
    // Limited per session (and per client), not per address: someone else's failed log-ins on
    // the address must not keep its owner, already logged in, from confirming the password.
    let by_session = reauth_subject(session);
    let by_client = client_subject(client);
    let reservation = match svc
        .throttle
        .reserve_attempt(&by_session, &by_client, false)
        .await?
    {
        Ok(r) => r,
        Err(
            Refusal::Client(retry_after)
            | Refusal::Address(retry_after)
            | Refusal::Proven(retry_after),
        ) => {
            return Err(AuthError::Throttled { retry_after });
        }
    };
    if !svc
        .hasher
        .verify(given.expose(), Some(&account.password_hash))
        .await?
    {
        svc.throttle.keep(reservation).await?;
        svc.store
            .audit_now(
                &AuditEvent::new(account.id, AuditKind::ReauthenticationFailed, now).from(client),
            )
            .await?;
        return Err(AuthError::ReauthenticationFailed);
    }
    svc.throttle.release(reservation).await?;
    svc.throttle.clear(&by_session).await?;
    Ok(())
}

/// The password was entered on this session within the re-authentication delay: what seeing the
/// security answer needs (SPEC §2.9).
pub fn require_fresh<'s>(svc: &Services, session: &'s Session) -> Result<Fresh<'s>, AuthError> {
    let delay =
        Duration::try_from(svc.config.reauthentication_after).unwrap_or(Duration::minutes(5));
    if svc.now() - session.auth_time <= delay {
        Ok(Fresh { session })
    } else {
        Err(AuthError::ReauthenticationRequired)
    }
}

/// The current password entered again, without a change: the session is fresh for a while.
pub async fn confirm_password(
    svc: &Services,
    session: &Session,
    current_password: &Secret,
    totp_code: Option<&Secret>,
    client: IpAddr,
) -> Result<(), AuthError> {
    if current_password.expose().is_empty() {
        return Err(AuthError::ReauthenticationRequired);
    }
    let account = require_account(&svc.store, session).await?;
    reauthenticate(
        svc,
        session,
        &account,
        Some(current_password),
        totp_code,
        client,
    )
    .await?;
    Ok(())
}

/// The session's account, after [`reauthenticate`]: what every credential change starts with.
pub async fn reauthenticated_account<'s>(
    svc: &Services,
    session: &'s Session,
    current_password: Option<&Secret>,
    totp_code: Option<&Secret>,
    client: IpAddr,
) -> Result<(std::sync::Arc<AccountRow>, Fresh<'s>), AuthError> {
    let account = require_account(&svc.store, session).await?;
    let fresh = reauthenticate(svc, session, &account, current_password, totp_code, client).await?;
    Ok((account, fresh))
}
