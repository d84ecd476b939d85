//! A log-in's write transaction in as few round trips as it can be: what it reads after its
//! locks in one statement, and what it writes when it gets in in one more (on PostgreSQL; SQLite
//! runs in this process, where a statement costs no round trip, and writes them one by one).

use super::{AuditEvent, Conn, SessionRow, Store, StoreResult, on_tx};

impl Store {
    /// In a log-in's transaction, after its locks: whether the credentials it verified before
    /// are still the account's (not changed meanwhile: a new password, a recovery, another login
    /// address), and the second factor's secret in use (sealed), if any. One statement.
    pub async fn login_state_in(
        conn: &mut Conn,
        account_id: i64,
        password_hash: &str,
        login_email_key: &str,
    ) -> StoreResult<(bool, Option<Vec<u8>>)> {
        let sql = "SELECT (SELECT COUNT(*) FROM accounts
                            WHERE id = $1 AND password_hash = $2 AND login_email_key = $3),
                          (SELECT secret_sealed FROM second_factors WHERE account_id = $1)";
        let (found, sealed): (i64, Option<Vec<u8>>) = on_tx!(conn, |c| sqlx::query_as(sql)
            .bind(account_id)
            .bind(password_hash)
            .bind(login_email_key)
            .fetch_one(&mut *c)
            .await)?;
        Ok((found == 1, sealed))
    }

    /// A log-in that got in, in its transaction: the attempt's events (`taken_back`) and every
    /// event of the address's subject (`forget`) deleted, the session inserted with its audit
    /// line, and its device (`row.device_hash`) remembered for the account. Whether the device
    /// was new to the account (one that does not say which it is always is). One statement on
    /// PostgreSQL (data-modifying `WITH`, each part run once whatever the others do).
    pub async fn open_session_in(
        conn: &mut Conn,
        taken_back: &[i64],
        forget: &str,
        row: &SessionRow,
        event: &AuditEvent,
    ) -> StoreResult<bool> {
        #[cfg(feature = "postgres")]
        if let super::TxInner::Postgres(t) = &mut conn.inner {
            let sql = "WITH forgotten AS (
                    DELETE FROM throttle_events WHERE subject = $1 OR rowid = ANY($2)
                ), opened AS (
                    INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at,
                        auth_time, expires_at, revoked_at, password_only, public_id, device_name,
                        client_ip, device_hash)
                    VALUES ($3, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12, $13)
                ), audited AS (
                    INSERT INTO audit_events (account_id, kind, at, client_ip, detail)
                    VALUES ($14, $15, $16, $17, $18)
                ), remembered AS (
                    INSERT INTO known_devices (account_id, device_hash, first_seen_at)
                    SELECT $4, $13, $5 WHERE $13::BYTEA IS NOT NULL
                    ON CONFLICT (account_id, device_hash) DO NOTHING
                    RETURNING 1
                )
                SELECT COUNT(*) FROM remembered";
            let added: i64 = sqlx::query_scalar(sql)
                .bind(forget)
                .bind(taken_back)
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
                .bind(event.account_id)
                .bind(event.kind)
                .bind(event.at)
                .bind(&event.client_ip)
                .bind(&event.detail)
                .fetch_one(&mut **t)
                .await?;
            return Ok(row.device_hash.is_none() || added == 1);
        }
        Self::forget_events_in(conn, taken_back, forget).await?;
        Self::insert_session(conn, row).await?;
        Self::audit(conn, event).await?;
        match &row.device_hash {
            Some(hash) => {
                Self::remember_device_in(conn, row.account_id, hash, row.created_at).await
            }
            None => Ok(true),
        }
    }
}
