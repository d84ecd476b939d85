//! Security events (SPEC §3): what happened to an account, when, from where.

use std::net::IpAddr;

use time::OffsetDateTime;

use super::{Conn, Store, StoreResult, on_pool, on_tx, ts};
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
        self.client_ip = Some(client.to_canonical().to_string());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// One event, in or outside a transaction.
const INSERT_EVENT: &str = "INSERT INTO audit_events (account_id, kind, at, client_ip, detail)
     VALUES ($1, $2, $3, $4, $5)";

impl Store {
    pub async fn audit(conn: &mut Conn, event: &AuditEvent) -> StoreResult<()> {
        let sql = INSERT_EVENT;
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(event.account_id)
            .bind(event.kind)
            .bind(event.at)
            .bind(&event.client_ip)
            .bind(&event.detail)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// An event outside any other write: one statement, committed on its own.
    pub async fn audit_now(&self, event: &AuditEvent) -> StoreResult<()> {
        let sql = INSERT_EVENT;
        let event = event.clone();
        let pool = self.pool.clone();
        // To its end, as a commit: a failure's line is written even if its client hangs up.
        super::commit::to_the_end(async move {
            on_pool!(pool, |p| sqlx::query(sql)
                .bind(event.account_id)
                .bind(event.kind)
                .bind(event.at)
                .bind(&event.client_ip)
                .bind(&event.detail)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
            Ok(())
        })
        .await
    }

    /// The account's latest security events, newest first.
    pub async fn recent_events(
        &self,
        account_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<(AuditKind, i64, Option<String>, String)>> {
        let sql = "SELECT kind, at, client_ip, detail FROM audit_events WHERE account_id = $1
             ORDER BY at DESC, id DESC LIMIT $2";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .bind(limit)
            .fetch_all(p)
            .await)?)
    }

    /// How many `kind` events the account had since `since`, counting no further than
    /// `at_most`; in a write transaction, so that parallel requests count each other.
    pub async fn count_events_in(
        conn: &mut Conn,
        account_id: i64,
        kind: AuditKind,
        since: i64,
        at_most: i64,
    ) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM (SELECT 1 FROM audit_events
             WHERE account_id = $1 AND kind = $2 AND at >= $3 LIMIT $4) AS recent";
        Ok(on_tx!(conn, |c| sqlx::query_scalar(sql)
            .bind(account_id)
            .bind(kind)
            .bind(since)
            .bind(at_most)
            .fetch_one(&mut *c)
            .await)?)
    }

    /// Forgets events older than `before`, and those of no account (failures for addresses
    /// that have none) older than `anonymous_before`; returns how many.
    pub async fn prune_audit(&self, before: i64, anonymous_before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM audit_events
             WHERE at < $1 OR (account_id IS NULL AND at < $2)";
        Ok(on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(before)
            .bind(anonymous_before)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
