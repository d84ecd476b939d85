//! The services running on this database, each seen every few seconds (see `app::heartbeat`),
//! and the master key they must all use (its fingerprint).

use super::{Conn, Store, StoreResult, on_pool, on_tx};

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

    /// The fingerprint of the master key the data is sealed with, if recorded.
    pub async fn key_fingerprint(&self) -> StoreResult<Option<String>> {
        let sql = "SELECT value FROM settings WHERE name = 'key_fingerprint'";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .fetch_optional(p)
            .await)?)
    }

    /// Records the fingerprint of the master key the data is now sealed with.
    pub async fn set_key_fingerprint(conn: &mut Conn, fingerprint: &str) -> StoreResult<()> {
        let sql = "INSERT INTO settings (name, value) VALUES ('key_fingerprint', $1)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(fingerprint)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records `fingerprint` if none is, and says whether the recorded one is it.
    pub async fn adopt_key_fingerprint(&self, fingerprint: &str) -> StoreResult<bool> {
        let sql = "INSERT INTO settings (name, value) VALUES ('key_fingerprint', $1)
             ON CONFLICT (name) DO NOTHING";
        on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(fingerprint)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(self.key_fingerprint().await?.as_deref() == Some(fingerprint))
    }
}
