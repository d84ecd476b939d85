//! SQL of the e-mail change, activation, CAPTCHA, recovery, profile and activity.

use sqlx::{Row, SqliteConnection};

use super::{Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmailChangeRow {
    pub id: i64,
    pub account_id: i64,
    pub new_email: String,
    pub new_email_key: String,
    pub new_password_hash: Option<String>,
    pub requested_at: i64,
    pub expires_at: i64,
    pub wrong_addresses: i64,
    pub state: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecoveryRow {
    pub id: i64,
    pub account_id: i64,
    pub requested_at: i64,
    pub expires_at: i64,
    pub wrong_answers: i64,
    pub state: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub purpose: String,
    pub ref_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaptchaRow {
    pub answer_hash: String,
    pub expires_at: i64,
}

const CHANGE_COLUMNS: &str = "id, account_id, new_email, new_email_key, new_password_hash, requested_at, expires_at, wrong_addresses, state";

impl Store {
    // ---- e-mail changes -------------------------------------------------------------------

    /// Ends the account's pending change, if any, with `state`; returns whether one was ended.
    pub async fn end_pending_change(
        conn: &mut SqliteConnection,
        account_id: i64,
        state: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        sqlx::query(
            "UPDATE email_changes SET state = ?, ended_at = ? WHERE account_id = ? AND state = 'pending'",
        )
        .bind(state)
        .bind(now)
        .bind(account_id)
        .execute(conn)
        .await
        .map(|r| r.rows_affected() > 0)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_email_change(
        conn: &mut SqliteConnection,
        account_id: i64,
        new_email: &str,
        new_email_key: &str,
        new_password_hash: Option<&str>,
        code_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<i64, StoreError> {
        sqlx::query(
            "INSERT INTO email_changes (account_id, new_email, new_email_key, new_password_hash,
                code_hash, requested_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(new_email)
        .bind(new_email_key)
        .bind(new_password_hash)
        .bind(code_hash)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await
        .map(|r| r.last_insert_rowid())
    }

    pub async fn pending_change(
        &self,
        account_id: i64,
    ) -> Result<Option<EmailChangeRow>, StoreError> {
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM email_changes WHERE account_id = ? AND state = 'pending'"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn change_by_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<EmailChangeRow>, StoreError> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM email_changes WHERE code_hash = ?");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(code_hash)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn change_by_id(
        conn: &mut SqliteConnection,
        id: i64,
    ) -> Result<Option<EmailChangeRow>, StoreError> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM email_changes WHERE id = ?");
        sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(conn)
            .await
    }

    /// Counts a wrong address at the second step; locks the change at `limit`. Returns the count.
    pub async fn count_wrong_address(
        conn: &mut SqliteConnection,
        id: i64,
        limit: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        let count: i64 = sqlx::query(
            "UPDATE email_changes SET wrong_addresses = wrong_addresses + 1 WHERE id = ? AND state = 'pending'
             RETURNING wrong_addresses",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()?
        .unwrap_or(limit);
        if count >= limit {
            sqlx::query("UPDATE email_changes SET state = 'locked', ended_at = ? WHERE id = ? AND state = 'pending'")
                .bind(now)
                .bind(id)
                .execute(conn)
                .await?;
        }
        Ok(count)
    }

    /// Marks a pending change activated; false if it was no longer pending (a concurrent
    /// completion won).
    pub async fn mark_change_activated(
        conn: &mut SqliteConnection,
        id: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        sqlx::query("UPDATE email_changes SET state = 'activated', ended_at = ? WHERE id = ? AND state = 'pending'")
            .bind(now)
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected() == 1)
    }

    /// Swaps the login address; false when another account already has it.
    pub async fn update_login_email(
        conn: &mut SqliteConnection,
        account_id: i64,
        email: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        let taken: Option<i64> =
            sqlx::query("SELECT id FROM accounts WHERE login_email_key = ? AND id <> ?")
                .bind(key)
                .bind(account_id)
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| r.try_get(0))
                .transpose()?;
        if taken.is_some() {
            return Ok(false);
        }
        sqlx::query("UPDATE accounts SET login_email = ?, login_email_key = ? WHERE id = ?")
            .bind(email)
            .bind(key)
            .bind(account_id)
            .execute(conn)
            .await?;
        Ok(true)
    }

    // ---- tickets --------------------------------------------------------------------------

    pub async fn insert_ticket(
        &self,
        token_hash: &[u8],
        purpose: &str,
        ref_id: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tickets (token_hash, purpose, ref_id, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(purpose)
        .bind(ref_id)
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    pub async fn ticket(&self, token_hash: &[u8]) -> Result<Option<TicketRow>, StoreError> {
        sqlx::query_as(
            "SELECT purpose, ref_id, expires_at, used_at FROM tickets WHERE token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn use_ticket(
        conn: &mut SqliteConnection,
        token_hash: &[u8],
        now: i64,
    ) -> Result<bool, StoreError> {
        sqlx::query("UPDATE tickets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL")
            .bind(now)
            .bind(token_hash)
            .execute(conn)
            .await
            .map(|r| r.rows_affected() == 1)
    }

    // ---- CAPTCHAs -------------------------------------------------------------------------

    pub async fn insert_captcha(
        &self,
        id: &str,
        answer_hash: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO captchas (id, answer_hash, expires_at) VALUES (?, ?, ?)")
            .bind(id)
            .bind(answer_hash)
            .bind(expires_at)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Removes and returns a CAPTCHA: whatever the answer, it cannot be tried twice.
    pub async fn take_captcha(&self, id: &str) -> Result<Option<CaptchaRow>, StoreError> {
        sqlx::query_as("DELETE FROM captchas WHERE id = ? RETURNING answer_hash, expires_at")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn prune_expired(&self, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM captchas WHERE expires_at < ?")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM tickets WHERE expires_at < ?")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- recoveries -----------------------------------------------------------------------

    pub async fn end_pending_recovery(
        conn: &mut SqliteConnection,
        account_id: i64,
        state: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE password_recoveries SET state = ?, ended_at = ? WHERE account_id = ? AND state = 'pending'",
        )
        .bind(state)
        .bind(now)
        .bind(account_id)
        .execute(conn)
        .await
        .map(|_| ())
    }

    pub async fn insert_recovery(
        conn: &mut SqliteConnection,
        account_id: i64,
        code_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<i64, StoreError> {
        sqlx::query(
            "INSERT INTO password_recoveries (account_id, code_hash, requested_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(code_hash)
        .bind(now)
        .bind(expires_at)
        .execute(conn)
        .await
        .map(|r| r.last_insert_rowid())
    }

    pub async fn recovery_by_code(
        &self,
        code_hash: &str,
    ) -> Result<Option<RecoveryRow>, StoreError> {
        sqlx::query_as(
            "SELECT id, account_id, requested_at, expires_at, wrong_answers, state FROM password_recoveries
             WHERE code_hash = ?",
        )
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn recovery_by_id(
        conn: &mut SqliteConnection,
        id: i64,
    ) -> Result<Option<RecoveryRow>, StoreError> {
        sqlx::query_as(
            "SELECT id, account_id, requested_at, expires_at, wrong_answers, state FROM password_recoveries
             WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(conn)
        .await
    }

    /// Counts a wrong answer; locks the recovery at `limit`. Returns the count.
    pub async fn count_wrong_answer(
        &self,
        id: i64,
        limit: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let count: i64 = sqlx::query(
            "UPDATE password_recoveries SET wrong_answers = wrong_answers + 1 WHERE id = ? RETURNING wrong_answers",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        if count >= limit {
            sqlx::query(
                "UPDATE password_recoveries SET state = 'locked', ended_at = ? WHERE id = ? AND state = 'pending'",
            )
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(count)
    }

    pub async fn mark_recovery_used(
        conn: &mut SqliteConnection,
        id: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        sqlx::query("UPDATE password_recoveries SET state = 'used', ended_at = ? WHERE id = ? AND state = 'pending'")
            .bind(now)
            .bind(id)
            .execute(conn)
            .await
            .map(|r| r.rows_affected() == 1)
    }

    // ---- profile and activity -------------------------------------------------------------

    pub async fn update_profile(
        conn: &mut SqliteConnection,
        account_id: i64,
        phone: &str,
        address: &str,
        question: &str,
        answer_sealed: Option<&[u8]>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE accounts SET phone = ?, address = ?, security_question = ?, security_answer_sealed = ?
             WHERE id = ?",
        )
        .bind(phone)
        .bind(address)
        .bind(question)
        .bind(answer_sealed)
        .bind(account_id)
        .execute(conn)
        .await
        .map(|_| ())
    }

    /// The account's latest security events, newest first.
    pub async fn recent_events(
        &self,
        account_id: i64,
        limit: i64,
    ) -> Result<Vec<(String, i64, Option<String>)>, StoreError> {
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
