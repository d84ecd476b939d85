//! Throttling events: failed attempts and counted requests, by subject.

use sqlx::Row;

use super::{Store, StoreResult};

#[derive(Debug, Clone, Copy, Default)]
pub struct FailureStats {
    pub count: i64,
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
}

impl Store {
    pub async fn failure_stats(&self, subject: &str, since: i64) -> StoreResult<FailureStats> {
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

    pub async fn record_failures(&self, subjects: &[&str], at: i64) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for subject in subjects {
            sqlx::query("INSERT INTO throttle_events (subject, at) VALUES (?, ?)")
                .bind(*subject)
                .bind(at)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx.commit().await?)
    }

    pub async fn clear_failures(&self, subject: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM throttle_events WHERE subject = ?")
            .bind(subject)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn prune_failures(&self, before: i64) -> StoreResult<u64> {
        Ok(sqlx::query("DELETE FROM throttle_events WHERE at < ?")
            .bind(before)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}
