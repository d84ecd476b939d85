//! Sessions and devices (SPEC §4): the account's open sessions, as its owner sees them, and
//! ending one or all the others. (The alert for a new device is sent at log-in: `auth::login`.)

use espace_pro_contract::api::{OpenSession, OpenSessions};

use crate::auth::{Session, begin_write_as};
use crate::errors::AuthError;
use crate::kinds::AuditKind;
use crate::services::Services;
use crate::store::{AuditEvent, Store, from_ts, ts};

/// The account's sessions that still open it: the current one marked.
pub async fn list(svc: &Services, session: &Session) -> Result<OpenSessions, AuthError> {
    let now = ts(svc.now());
    let idle = i64::try_from(svc.config.session_idle.as_secs()).unwrap_or(i64::MAX);
    let rows = svc
        .store
        .open_sessions(session.account_id, now, now.saturating_sub(idle))
        .await?;
    Ok(OpenSessions {
        sessions: rows
            .into_iter()
            .map(|row| OpenSession {
                current: row.token_hash == session.token_hash,
                id: row.public_id,
                device_name: row.device_name,
                client_ip: row.client_ip,
                created_at: from_ts(row.created_at),
                last_seen_at: from_ts(row.last_seen_at),
            })
            .collect(),
    })
}

/// Ends the account's open session `id`: its next request is refused. Another account's id, an
/// ended session's or a made-up one are all [`AuthError::UnknownSession`].
pub async fn end_one(
    svc: &Services,
    session: &Session,
    id: &str,
    client: std::net::IpAddr,
) -> Result<(), AuthError> {
    // Ids are 32 hexadecimal digits; anything else names no session (and is not looked up).
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AuthError::UnknownSession);
    }
    let now = svc.now();
    let mut tx = begin_write_as(svc, session).await?;
    if !Store::revoke_public_session_in(&mut tx, session.account_id, id, ts(now)).await? {
        return Err(AuthError::UnknownSession);
    }
    Store::audit(
        &mut tx,
        &AuditEvent::new(session.account_id, AuditKind::SessionEnded, now)
            .from(client)
            .detail(id.to_owned()),
    )
    .await?;
    svc.store.commit(tx).await?;
    Ok(())
}

/// Ends every open session of the account but this one; how many.
pub async fn end_others(
    svc: &Services,
    session: &Session,
    client: std::net::IpAddr,
) -> Result<u64, AuthError> {
    let now = svc.now();
    let mut tx = begin_write_as(svc, session).await?;
    let ended = Store::revoke_account_sessions(
        &mut tx,
        session.account_id,
        Some(&session.token_hash),
        ts(now),
    )
    .await?;
    Store::forget_devices_in(&mut tx, session.account_id, Some(&session.token_hash)).await?;
    Store::audit(
        &mut tx,
        &AuditEvent::new(session.account_id, AuditKind::OtherSessionsEnded, now)
            .from(client)
            .detail(ended.to_string()),
    )
    .await?;
    svc.store.commit(tx).await?;
    Ok(ended)
}
