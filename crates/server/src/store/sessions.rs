//! Session tokens (stored as hashes).

use super::{Conn, Store, StoreResult, on_pool, on_tx};

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
    /// What the account's list of sessions names it by (random, 128 bits): never the token's
    /// hash.
    pub public_id: String,
    /// As the app named its computer at log-in ("Espace Pro 0.2 — Linux — poste-14"), if it did.
    pub device_name: Option<String>,
    /// The client's address at log-in, canonical.
    pub client_ip: Option<String>,
    /// The SHA-256 of the device id the log-in gave, if it gave one.
    pub device_hash: Option<Vec<u8>>,
}

/// One of an account's open sessions, for its list ("Appareils connectés").
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenSession {
    pub token_hash: Vec<u8>,
    pub public_id: String,
    pub device_name: Option<String>,
    pub client_ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

impl Store {
    pub async fn insert_session(conn: &mut Conn, row: &SessionRow) -> StoreResult<()> {
        let sql =
            "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, auth_time,
                expires_at, revoked_at, password_only, public_id, device_name, client_ip,
                device_hash)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11)";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(&row.token_hash)
            .bind(row.account_id)
            .bind(row.created_at)
            .bind(row.last_seen_at)
            .bind(row.auth_time)
            .bind(row.expires_at)
            .bind(row.password_only)
            .bind(&row.public_id)
            .bind(&row.device_name)
            .bind(&row.client_ip)
            .bind(&row.device_hash)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Whether the session is neither revoked nor past its absolute limit, read inside the
    /// caller's write transaction (never from the read cache).
    pub async fn session_live_in(
        conn: &mut Conn,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM sessions
             WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2";
        let live: i64 = on_tx!(conn, |c| sqlx::query_scalar(sql)
            .bind(token_hash)
            .bind(now)
            .fetch_one(&mut *c)
            .await)?;
        Ok(live == 1)
    }

    /// Revokes one session inside the caller's transaction.
    pub async fn revoke_session_in(
        conn: &mut Conn,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        let sql =
            "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(now)
            .bind(token_hash)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn touch_session(
        &self,
        account_id: i64,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        let sql =
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1";
        self.update_session(sql, account_id, token_hash, now).await
    }

    pub async fn revoke_session(
        &self,
        account_id: i64,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        let sql =
            "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL";
        self.update_session(sql, account_id, token_hash, now).await
    }

    /// Revokes every live session of the account but `keep` (if any); returns how many.
    pub async fn revoke_account_sessions(
        conn: &mut Conn,
        account_id: i64,
        keep: Option<&[u8]>,
        now: i64,
    ) -> StoreResult<u64> {
        let sql = "UPDATE sessions SET revoked_at = $1
             WHERE account_id = $2 AND revoked_at IS NULL AND expires_at > $1
               AND ($3::BYTEA IS NULL OR token_hash <> $3)";
        // SQLite knows no `::` cast; PostgreSQL must be told the type of a parameter it sees
        // only next to NULL.
        let sql = match conn.backend() {
            super::Backend::Postgres => sql,
            super::Backend::Sqlite => {
                "UPDATE sessions SET revoked_at = $1
             WHERE account_id = $2 AND revoked_at IS NULL AND expires_at > $1
               AND ($3 IS NULL OR token_hash <> $3)"
            }
        };
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(now)
            .bind(account_id)
            .bind(keep)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))
        .map_err(Into::into)
    }

    /// The account's sessions that still open its space at `now`: not revoked, within their
    /// absolute limit and not idle since `idle_since`; the most recently used first.
    pub async fn open_sessions(
        &self,
        account_id: i64,
        now: i64,
        idle_since: i64,
    ) -> StoreResult<Vec<OpenSession>> {
        let sql = "SELECT token_hash, public_id, device_name, client_ip, created_at, last_seen_at
             FROM sessions
             WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2
               AND last_seen_at > $3
             ORDER BY last_seen_at DESC, created_at DESC";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .bind(now)
            .bind(idle_since)
            .fetch_all(p)
            .await)?)
    }

    /// Revokes the account's live session named `public_id`, inside the caller's transaction;
    /// whether there was one (another account's id, or an ended session, is none).
    pub async fn revoke_public_session_in(
        conn: &mut Conn,
        account_id: i64,
        public_id: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE sessions SET revoked_at = $1
             WHERE account_id = $2 AND public_id = $3 AND revoked_at IS NULL AND expires_at > $1";
        let ended = on_tx!(conn, |c| sqlx::query(sql)
            .bind(now)
            .bind(account_id)
            .bind(public_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(ended == 1)
    }

    /// Forgets the devices the account logged in from but the one of the session `keep`: after
    /// its sessions were ended (a credential change, "Déconnecter les autres appareils"), a
    /// log-in from any of them is told again, an intruder's first.
    pub async fn forget_devices_in(
        conn: &mut Conn,
        account_id: i64,
        keep: Option<&[u8]>,
    ) -> StoreResult<u64> {
        let sql = "DELETE FROM known_devices WHERE account_id = $1 AND device_hash NOT IN
             (SELECT device_hash FROM sessions WHERE token_hash = $2 AND device_hash IS NOT NULL)";
        Ok(on_tx!(conn, |c| sqlx::query(sql)
            .bind(account_id)
            .bind(keep.unwrap_or_default())
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?)
    }

    /// Records that the account logged in from the device whose id hashes to `device_hash`;
    /// whether it never had before.
    pub async fn remember_device_in(
        conn: &mut Conn,
        account_id: i64,
        device_hash: &[u8],
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO known_devices (account_id, device_hash, first_seen_at)
             VALUES ($1, $2, $3) ON CONFLICT (account_id, device_hash) DO NOTHING";
        let added = on_tx!(conn, |c| sqlx::query(sql)
            .bind(account_id)
            .bind(device_hash)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(added == 1)
    }

    /// The password was just entered on this session: re-authentication clock restarts, and an
    /// expired-password session becomes a full one.
    pub async fn mark_session_authenticated(
        conn: &mut Conn,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        let sql = "UPDATE sessions SET auth_time = $1, password_only = FALSE WHERE token_hash = $2";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(now)
            .bind(token_hash)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn set_auth_time(
        &self,
        account_id: i64,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        let sql = "UPDATE sessions SET auth_time = $1 WHERE token_hash = $2";
        self.update_session(sql, account_id, token_hash, now).await
    }

    /// `sql`, with the time for `$1` and the token's hash for `$2`, outside any transaction;
    /// then the read cache drops the session's account.
    async fn update_session(
        &self,
        sql: &'static str,
        account_id: i64,
        token_hash: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        let (pool, token_hash) = (self.pool.clone(), token_hash.to_vec());
        let guarded = super::guards::Guarded::of(&[super::Guard::Account(account_id)]);
        self.write_cached(guarded, async move {
            on_pool!(pool, |p| sqlx::query(sql)
                .bind(now)
                .bind(token_hash)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))
        })
        .await?;
        Ok(())
    }
}
