//! A log-in's write transaction in as few round trips as it can be: what it reads after its
//! locks in one statement, and what it writes when it gets in in one more (on PostgreSQL; SQLite
//! runs in this process, where a statement costs no round trip, and writes them one by one).

use super::{AuditEvent, Conn, Guard, SessionRow, Store, StoreResult, on_tx};

/// What the log-in's one call did ([`Store::try_open_session`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenedAtOnce {
    /// The session is open, its audit line written and the attempt's events taken back.
    Opened,
    /// The credentials verified before are no longer the account's: nothing written.
    Changed,
}

impl Store {
    /// A log-in that got in, when nothing is to be sent (no second factor, a device the account
    /// knows), in one round trip on PostgreSQL (`espace_pro_open_session`, migration
    /// `postgres/0007`): under the locks of `guards` (the account's and the address's), the
    /// credentials checked as [`Store::login_state_in`] does, then what
    /// [`Store::open_session_in`] writes, committed. `None` on SQLite, and when the general path must run (a second factor, a new
    /// device, a device not named), with nothing written.
    #[allow(clippy::too_many_arguments)]
    pub async fn try_open_session(
        &self,
        guards: &[Guard<'_>],
        password_hash: &str,
        login_email_key: &str,
        taken_back: &[i64],
        forget: &str,
        row: &SessionRow,
        event: &AuditEvent,
    ) -> StoreResult<Option<OpenedAtOnce>> {
        #[cfg(feature = "postgres")]
        if let super::Pool::Postgres(pool) = &self.pool {
            // The one call writes a new session as a log-in opens it, and its audit line with the
            // session's account, time and address: anything else takes the general path.
            let (Some(device), true, true) = (
                &row.device_hash,
                row.last_seen_at == row.created_at && row.auth_time == row.created_at,
                row.revoked_at.is_none()
                    && event.account_id == Some(row.account_id)
                    && event.at == row.created_at
                    && event.client_ip == row.client_ip,
            ) else {
                return Ok(None);
            };
            let query = sqlx::query_scalar::<_, String>(
                "SELECT espace_pro_open_session($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                 $12, $13, $14, $15, $16, $17)",
            )
            .bind(super::guards::SHARED_KEY)
            .bind(super::guards::lock_keys(guards))
            .bind(row.account_id)
            .bind(password_hash.to_owned())
            .bind(login_email_key.to_owned())
            .bind(forget.to_owned())
            .bind(taken_back.to_vec())
            .bind(row.token_hash.clone())
            .bind(row.created_at)
            .bind(row.expires_at)
            .bind(row.password_only)
            .bind(row.public_id.clone())
            .bind(row.device_name.clone())
            .bind(row.client_ip.clone())
            .bind(device.clone())
            .bind(event.kind)
            .bind(event.detail.clone());
            let pool = pool.clone();
            // To its end, with the cache told, as a commit.
            let outcome = self
                .write_cached(super::guards::Guarded::of(guards), async move {
                    query.fetch_one(&pool).await
                })
                .await?;
            return Ok(match outcome.as_str() {
                "opened" => Some(OpenedAtOnce::Opened),
                "changed" => Some(OpenedAtOnce::Changed),
                _ => None,
            });
        }
        let _ = (
            guards,
            password_hash,
            login_email_key,
            taken_back,
            forget,
            row,
            event,
        );
        Ok(None)
    }

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
