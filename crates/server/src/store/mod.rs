//! All SQL lives here. Handlers and procedures call these functions; moving to another database
//! means changing this module only.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqliteConnection, SqlitePool};
use time::OffsetDateTime;

mod changes;

pub use changes::{CaptchaRow, EmailChangeRow, RecoveryRow, TicketRow};
pub use sqlx::Error as StoreError;

pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

pub fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

pub fn from_ts(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub subscriber_number: String,
    pub login_email: String,
    pub login_email_key: String,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub address: String,
    pub security_question: String,
    pub security_answer_sealed: Option<Vec<u8>>,
    pub password_hash: String,
    pub password_changed_at: i64,
    pub password_valid_until: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewAccountRow<'a> {
    pub subscriber_number: &'a str,
    pub login_email: &'a str,
    pub login_email_key: &'a str,
    pub civility: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub security_question: &'a str,
    pub security_answer_sealed: Option<&'a [u8]>,
    pub password_hash: &'a str,
    pub password_valid_until: &'a str,
    pub now: i64,
}

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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct FailureStats {
    pub count: i64,
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database and applies migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        if let Some(parent) = options.get_filename().parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(StoreError::Io)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        self.pool.begin().await
    }

    /// An `IMMEDIATE` transaction: takes the write lock at once, so two writers that read then
    /// write (code redemption, sequence numbers) serialize instead of failing at commit.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ---- accounts -------------------------------------------------------------------------

    pub async fn next_subscriber_sequence(
        conn: &mut SqliteConnection,
        day: &str,
    ) -> Result<i64, StoreError> {
        sqlx::query(
            "INSERT INTO subscriber_sequences (day, last) VALUES (?, 1)
             ON CONFLICT (day) DO UPDATE SET last = last + 1
             RETURNING last",
        )
        .bind(day)
        .fetch_one(conn)
        .await?
        .try_get(0)
    }

    /// Inserts an account; `Ok(None)` when the address is already taken.
    pub async fn insert_account(
        conn: &mut SqliteConnection,
        row: &NewAccountRow<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let result = sqlx::query(
            "INSERT INTO accounts (subscriber_number, login_email, login_email_key, civility,
                first_name, last_name, phone, address, security_question, security_answer_sealed,
                password_hash, password_changed_at, password_valid_until, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (login_email_key) DO NOTHING",
        )
        .bind(row.subscriber_number)
        .bind(row.login_email)
        .bind(row.login_email_key)
        .bind(row.civility)
        .bind(row.first_name)
        .bind(row.last_name)
        .bind(row.phone)
        .bind(row.address)
        .bind(row.security_question)
        .bind(row.security_answer_sealed)
        .bind(row.password_hash)
        .bind(row.now)
        .bind(row.password_valid_until)
        .bind(row.now)
        .execute(conn)
        .await?;
        Ok((result.rows_affected() == 1).then(|| result.last_insert_rowid()))
    }

    pub async fn insert_dossier(
        conn: &mut SqliteConnection,
        account_id: i64,
        siren: &str,
        name: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT OR REPLACE INTO dossiers (account_id, siren, name) VALUES (?, ?, ?)")
            .bind(account_id)
            .bind(siren)
            .bind(name)
            .execute(conn)
            .await
            .map(|_| ())
    }

    pub async fn account_by_email_key(&self, key: &str) -> Result<Option<AccountRow>, StoreError> {
        sqlx::query_as("SELECT * FROM accounts WHERE login_email_key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn account_by_id(&self, id: i64) -> Result<Option<AccountRow>, StoreError> {
        sqlx::query_as("SELECT * FROM accounts WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn dossiers(&self, account_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        let rows =
            sqlx::query("SELECT siren, name FROM dossiers WHERE account_id = ? ORDER BY siren")
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("siren")?, r.try_get("name")?)))
            .collect()
    }

    pub async fn update_password(
        conn: &mut SqliteConnection,
        account_id: i64,
        hash: &str,
        changed_at: i64,
        valid_until: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE accounts SET password_hash = ?, password_changed_at = ?, password_valid_until = ?
             WHERE id = ?",
        )
        .bind(hash)
        .bind(changed_at)
        .bind(valid_until)
        .bind(account_id)
        .execute(conn)
        .await
        .map(|_| ())
    }

    // ---- sessions -------------------------------------------------------------------------

    pub async fn insert_session(&self, row: &SessionRow) -> Result<(), StoreError> {
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
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    pub async fn session(&self, token_hash: &[u8]) -> Result<Option<SessionRow>, StoreError> {
        sqlx::query_as("SELECT * FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn touch_session(&self, token_hash: &[u8], now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE token_hash = ?")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn revoke_session(&self, token_hash: &[u8], now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Revokes every live session of the account but `keep` (if any); returns how many.
    pub async fn revoke_account_sessions(
        conn: &mut SqliteConnection,
        account_id: i64,
        keep: Option<&[u8]>,
        now: i64,
    ) -> Result<u64, StoreError> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = ?
             WHERE account_id = ? AND revoked_at IS NULL AND (? IS NULL OR token_hash <> ?)",
        )
        .bind(now)
        .bind(account_id)
        .bind(keep)
        .bind(keep)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
    }

    /// The password was just entered on this session: re-authentication clock restarts, and an
    /// expired-password session becomes a full one.
    pub async fn mark_session_authenticated(
        conn: &mut SqliteConnection,
        token_hash: &[u8],
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET auth_time = ?, password_only = 0 WHERE token_hash = ?")
            .bind(now)
            .bind(token_hash)
            .execute(conn)
            .await
            .map(|_| ())
    }

    pub async fn set_auth_time(&self, token_hash: &[u8], now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET auth_time = ? WHERE token_hash = ?")
            .bind(now)
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    // ---- throttling -----------------------------------------------------------------------

    pub async fn failure_stats(
        &self,
        subject: &str,
        since: i64,
    ) -> Result<FailureStats, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(at), MAX(at) FROM throttle_events WHERE subject = ? AND at > ?",
        )
        .bind(subject)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(FailureStats {
            count: row.try_get(0)?,
            oldest: row.try_get(1)?,
            newest: row.try_get(2)?,
        })
    }

    pub async fn record_failures(&self, subjects: &[&str], at: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for subject in subjects {
            sqlx::query("INSERT INTO throttle_events (subject, at) VALUES (?, ?)")
                .bind(*subject)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    pub async fn clear_failures(&self, subject: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM throttle_events WHERE subject = ?")
            .bind(subject)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn prune_failures(&self, before: i64) -> Result<u64, StoreError> {
        sqlx::query("DELETE FROM throttle_events WHERE at < ?")
            .bind(before)
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
    }

    // ---- outbox ---------------------------------------------------------------------------

    pub async fn enqueue_mail(
        conn: &mut SqliteConnection,
        recipient: &str,
        subject: &str,
        body: &str,
        now: i64,
    ) -> Result<i64, StoreError> {
        sqlx::query(
            "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at)
             VALUES (?, ?, ?, ?, 0)",
        )
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(now)
        .execute(conn)
        .await
        .map(|r| r.last_insert_rowid())
    }

    pub async fn due_mail(&self, wall_now: i64, limit: i64) -> Result<Vec<OutboxRow>, StoreError> {
        sqlx::query_as(
            "SELECT id, recipient, subject, body, created_at, attempts FROM outbox
             WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
        )
        .bind(wall_now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    pub async fn next_mail_attempt(&self) -> Result<Option<i64>, StoreError> {
        sqlx::query("SELECT MIN(next_attempt_at) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)
    }

    /// Marks a message accepted by the relay. Its body (which may hold a one-time code) is
    /// erased: the outbox keeps secrets only until they are delivered.
    pub async fn mark_mail_sent(&self, id: i64, wall_now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET sent_at = ?, body = '', last_error = NULL WHERE id = ?")
            .bind(wall_now)
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    pub async fn mark_mail_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    pub async fn unsent_mail_count(&self) -> Result<i64, StoreError> {
        sqlx::query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)
    }

    // ---- audit ----------------------------------------------------------------------------

    pub async fn audit(
        conn: &mut SqliteConnection,
        account_id: Option<i64>,
        kind: &str,
        at: i64,
        client_ip: Option<&str>,
        detail: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_events (account_id, kind, at, client_ip, detail) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(kind)
        .bind(at)
        .bind(client_ip)
        .bind(detail)
        .execute(conn)
        .await
        .map(|_| ())
    }

    /// Audit event outside any other write.
    pub async fn audit_now(
        &self,
        account_id: Option<i64>,
        kind: &str,
        at: i64,
        client_ip: Option<&str>,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        Self::audit(&mut conn, account_id, kind, at, client_ip, detail).await
    }

    pub async fn audit_kinds(&self, account_id: i64) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT kind FROM audit_events WHERE account_id = ? ORDER BY id")
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| r.try_get(0)).collect()
    }

    /// Row counts of every table, for tests that check a refused request wrote nothing.
    pub async fn row_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut counts = Vec::new();
        for table in [
            "accounts",
            "dossiers",
            "sessions",
            "outbox",
            "subscriber_sequences",
        ] {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
            counts.push((table.to_owned(), n));
        }
        Ok(counts)
    }
}
