//! The services running on this database, each seen every few seconds (see `app::heartbeat`).

use super::{Store, StoreResult, on_pool};

impl Store {
    /// This service is running: its row, written or refreshed.
    pub async fn heartbeat(
        &self,
        id: &str,
        host: &str,
        started_at: i64,
        now: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO replicas (id, host, started_at, seen_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at";
        on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(id)
            .bind(host)
            .bind(started_at)
            .bind(now)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// This service stops: its row goes (with those no service refreshed for a day).
    pub async fn leave(&self, id: &str, now: i64) -> StoreResult<()> {
        let sql = "DELETE FROM replicas WHERE id = $1 OR seen_at < $2";
        on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(id)
            .bind(now - 24 * 3600)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The services seen since `since`: host and when last seen.
    pub async fn live_replicas(&self, since: i64) -> StoreResult<Vec<(String, i64)>> {
        let sql = "SELECT host, seen_at FROM replicas WHERE seen_at >= $1 ORDER BY host";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(since)
            .fetch_all(p)
            .await)?)
    }
}
