//! What `GET /v1/account/export` reads: every row the service keeps about one account, without
//! its hashes or sealed values (not selected here).

use super::{Store, StoreResult, on_pool};
use crate::kinds::AuditKind;

/// A session: public id, device, address, created, last seen, expires, revoked.
pub type SessionExport = (
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    Option<i64>,
);
/// An e-mail change: new address, requested, expires, state, ended.
pub type ChangeExport = (String, i64, i64, String, Option<i64>);
/// A recovery: requested, expires, state, ended.
pub type RecoveryExport = (i64, i64, String, Option<i64>);
/// An e-mail: recipient, subject, written, sent.
pub type MailExport = (String, String, i64, Option<i64>);
/// A security event: kind, when, address, detail.
pub type EventExport = (AuditKind, i64, Option<String>, String);

impl Store {
    pub async fn export_sessions(&self, account_id: i64) -> StoreResult<Vec<SessionExport>> {
        let sql = "SELECT public_id, device_name, client_ip, created_at, last_seen_at, expires_at,
                revoked_at
             FROM sessions WHERE account_id = $1 ORDER BY created_at, public_id";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .fetch_all(p)
            .await)?)
    }

    pub async fn export_devices(&self, account_id: i64) -> StoreResult<Vec<i64>> {
        let sql = "SELECT first_seen_at FROM known_devices WHERE account_id = $1
             ORDER BY first_seen_at";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .bind(account_id)
            .fetch_all(p)
            .await)?)
    }

    /// Every security event of the account, oldest first.
    pub async fn export_events(&self, account_id: i64) -> StoreResult<Vec<EventExport>> {
        let sql = "SELECT kind, at, client_ip, detail FROM audit_events WHERE account_id = $1
             ORDER BY at, id";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .fetch_all(p)
            .await)?)
    }

    pub async fn export_changes(&self, account_id: i64) -> StoreResult<Vec<ChangeExport>> {
        let sql = "SELECT new_email, requested_at, expires_at, state, ended_at
             FROM email_changes WHERE account_id = $1 ORDER BY id";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .fetch_all(p)
            .await)?)
    }

    pub async fn export_recoveries(&self, account_id: i64) -> StoreResult<Vec<RecoveryExport>> {
        let sql = "SELECT requested_at, expires_at, state, ended_at
             FROM password_recoveries WHERE account_id = $1 ORDER BY id";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .fetch_all(p)
            .await)?)
    }

    /// The outbox's e-mails about the account (whoever they went to: the login address, or an
    /// address it asked to change to), oldest first. Never chosen by address: another account's
    /// mail to the same address is not this account's.
    pub async fn export_mail(&self, account_id: i64) -> StoreResult<Vec<MailExport>> {
        let sql = "SELECT recipient, subject, created_at, sent_at FROM outbox
             WHERE account_id = $1 ORDER BY id";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .fetch_all(p)
            .await)?)
    }
}
