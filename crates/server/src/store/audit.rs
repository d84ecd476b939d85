//! Security events (SPEC §3): what happened to an account, when, from where.

use std::net::IpAddr;

use sqlx::Row;
use time::OffsetDateTime;

use super::{Conn, Store, StoreResult, ts};
use crate::kinds::AuditKind;

/// One security event, as it is recorded.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub account_id: Option<i64>,
    pub kind: AuditKind,
    pub at: i64,
    pub client_ip: Option<String>,
    pub detail: String,
}

impl AuditEvent {
    /// `kind` happened to the account (if known) at `now`.
    pub fn new(account_id: impl Into<Option<i64>>, kind: AuditKind, now: OffsetDateTime) -> Self {
        Self {
            account_id: account_id.into(),
            kind,
            at: ts(now),
            client_ip: None,
            detail: String::new(),
        }
    }

    /// Asked from this client address.
    pub fn from(mut self, client: IpAddr) -> Self {
        self.client_ip = Some(client.to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

impl Store {
    pub async fn audit(conn: &mut Conn, event: &AuditEvent) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_events (account_id, kind, at, client_ip, detail) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(event.account_id)
        .bind(event.kind)
        .bind(event.at)
        .bind(&event.client_ip)
        .bind(&event.detail)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// An event outside any other write.
    pub async fn audit_now(&self, event: &AuditEvent) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        Self::audit(&mut conn, event).await
    }

    /// The account's latest security events, newest first.
    pub async fn recent_events(
        &self,
        account_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<(AuditKind, i64, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT kind, at, client_ip FROM audit_events WHERE account_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }
}
