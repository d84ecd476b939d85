//! E-mails waiting for delivery: queued in the transaction of the change they announce.

use sqlx::Row;

use super::{Conn, Store, StoreResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
}

impl Store {
    pub async fn enqueue_mail(
        conn: &mut Conn,
        recipient: &str,
        subject: &str,
        body: &str,
        now: i64,
    ) -> StoreResult<i64> {
        Ok(sqlx::query(
            "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at)
             VALUES (?, ?, ?, ?, 0)",
        )
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(now)
        .execute(conn)
        .await?
        .last_insert_rowid())
    }

    pub async fn due_mail(&self, wall_now: i64, limit: i64) -> StoreResult<Vec<OutboxRow>> {
        Ok(sqlx::query_as(
            "SELECT id, recipient, subject, body, created_at, attempts FROM outbox
             WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
        )
        .bind(wall_now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn next_mail_attempt(&self) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query("SELECT MIN(next_attempt_at) FROM outbox WHERE sent_at IS NULL")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }

    /// Marks a message accepted by the relay. Its body (which may hold a one-time code) is
    /// erased: the outbox keeps secrets only until they are delivered.
    pub async fn mark_mail_sent(&self, id: i64, wall_now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE outbox SET sent_at = ?, body = '', last_error = NULL WHERE id = ?")
            .bind(wall_now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn mark_mail_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// When the oldest e-mail still waiting was queued (wall time), if any waits.
    pub async fn oldest_unsent_mail(&self) -> StoreResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn unsent_mail_count(&self) -> StoreResult<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }
}
