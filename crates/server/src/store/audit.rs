//! Security events (SPEC §3): what happened to an account, when, from where.

use sqlx::Row;

use super::{Conn, Store, StoreResult};
use crate::kinds::AuditKind;

impl Store {
    pub async fn audit(
        conn: &mut Conn,
        account_id: Option<i64>,
        kind: AuditKind,
        at: i64,
        client_ip: Option<&str>,
        detail: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO audit_events (account_id, kind, at, client_ip, detail) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(kind)
        .bind(at)
        .bind(client_ip)
        .bind(detail)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Audit event outside any other write.
    pub async fn audit_now(
        &self,
        account_id: Option<i64>,
        kind: AuditKind,
        at: i64,
        client_ip: Option<&str>,
        detail: &str,
    ) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await?;
        Self::audit(&mut conn, account_id, kind, at, client_ip, detail).await
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
