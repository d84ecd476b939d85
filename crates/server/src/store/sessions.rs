//! Session tokens (stored as hashes).

use super::{Conn, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: Vec<u8>,
    pub account_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub auth_time: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub password_only: bool,
}

impl Store {
    pub async fn insert_session(conn: &mut Conn, row: &SessionRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, auth_time,
                expires_at, revoked_at, password_only)
             VALUES (?, ?, ?, ?, ?, ?, NULL, ?)",
        )
        .bind(&row.token_hash)
        .bind(row.account_id)
        .bind(row.created_at)
        .bind(row.last_seen_at)
        .bind(row.auth_time)
        .bind(row.expires_at)
        .bind(row.password_only)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Served from the read cache while nothing was written since it was read.
    pub async fn session(
        &self,
        token_hash: &[u8],
    ) -> StoreResult<Option<std::sync::Arc<SessionRow>>> {
        let generation = self.cache.generation();
        if let Some(row) = self.cache.sessions.get(token_hash, generation) {
            return Ok(Some(row));
        }
        let row: Option<SessionRow> = sqlx::query_as("SELECT * FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        let row = row.map(std::sync::Arc::new);
        if let Some(row) = &row {
            self.cache
                .sessions
                .put(token_hash.to_vec(), generation, row.clone());
        }
        Ok(row)
    }

    pub async fn touch_session(&self, token_hash: &[u8], now: i64) -> StoreResult<()> {
        let written = sqlx::query(
            "UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE token_hash = ?",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&self.pool)
        .await;
        self.cache.changed();
        written?;
        Ok(())
    }

    pub async fn revoke_session(&self, token_hash: &[u8], now: i64) -> StoreResult<()> {
        let written = sqlx::query(
            "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&self.pool)
        .await;
        self.cache.changed();
        written?;
        Ok(())
    }

    /// Revokes every live session of the account but `keep` (if any); returns how many.
    pub async fn revoke_account_sessions(
        conn: &mut Conn,
        account_id: i64,
        keep: Option<&[u8]>,
        now: i64,
    ) -> StoreResult<u64> {
        Ok(sqlx::query(
            "UPDATE sessions SET revoked_at = ?
             WHERE account_id = ? AND revoked_at IS NULL AND (? IS NULL OR token_hash <> ?)",
        )
        .bind(now)
        .bind(account_id)
        .bind(keep)
        .bind(keep)
        .execute(conn)
        .await?
        .rows_affected())
    }

    /// The password was just entered on this session: re-authentication clock restarts, and an
    /// expired-password session becomes a full one.
    pub async fn mark_session_authenticated(
        conn: &mut Conn,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET auth_time = ?, password_only = 0 WHERE token_hash = ?")
            .bind(now)
            .bind(token_hash)
            .execute(conn)
            .await?;
        Ok(())
    }

    pub async fn set_auth_time(&self, token_hash: &[u8], now: i64) -> StoreResult<()> {
        let written = sqlx::query("UPDATE sessions SET auth_time = ? WHERE token_hash = ?")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await;
        self.cache.changed();
        written?;
        Ok(())
    }
}
