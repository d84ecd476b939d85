//! Throttling events: failed attempts, attempts in progress and counted requests, by subject.
//! Limits are checked and the attempt counted in one write transaction, so requests that arrive
//! together (on one replica or several) cannot all slip under a limit.

use sqlx::Row;

use super::{Conn, Store, StoreResult};

#[derive(Debug, Clone, Copy, Default)]
pub struct FailureStats {
    /// Failures (and requests) counted, attempts in flight past their lease included.
    pub count: i64,
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
    /// Attempts in flight, within their lease: not failures yet.
    pub in_flight: i64,
}

impl Store {
    /// Events of `subject` after `since`; attempts in flight that started before `lease_start`
    /// count as failures.
    pub async fn failure_stats(
        conn: &mut Conn,
        subject: &str,
        since: i64,
        lease_start: i64,
    ) -> StoreResult<FailureStats> {
        let row = sqlx::query(
            "SELECT COUNT(*) FILTER (WHERE pending = 0 OR at < ?1),
                    MIN(at) FILTER (WHERE pending = 0 OR at < ?1),
                    MAX(at) FILTER (WHERE pending = 0 OR at < ?1),
                    COUNT(*) FILTER (WHERE pending = 1 AND at >= ?1)
             FROM throttle_events WHERE subject = ?2 AND at > ?3",
        )
        .bind(lease_start)
        .bind(subject)
        .bind(since)
        .fetch_one(conn)
        .await?;
        Ok(FailureStats {
            count: row.try_get(0)?,
            oldest: row.try_get(1)?,
            newest: row.try_get(2)?,
            in_flight: row.try_get(3)?,
        })
    }

    /// Counts one event for each subject (`in_flight`: an attempt not judged yet); returns the
    /// events' ids, to settle or take them back.
    pub async fn insert_events(
        conn: &mut Conn,
        subjects: &[&str],
        at: i64,
        in_flight: bool,
    ) -> StoreResult<Vec<i64>> {
        let mut ids = Vec::with_capacity(subjects.len());
        for subject in subjects {
            let id = sqlx::query_scalar(
                "INSERT INTO throttle_events (subject, at, pending) VALUES (?, ?, ?) RETURNING rowid",
            )
            .bind(*subject)
            .bind(at)
            .bind(in_flight)
            .fetch_one(&mut *conn)
            .await?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Attempts in flight that failed: failures from now on.
    pub async fn settle_events(&self, ids: &[i64]) -> StoreResult<()> {
        self.each_event(
            ids,
            "UPDATE throttle_events SET pending = 0 WHERE rowid = ?",
        )
        .await
    }

    /// Takes back counted events (an attempt that succeeded).
    pub async fn delete_events(&self, ids: &[i64]) -> StoreResult<()> {
        self.each_event(ids, "DELETE FROM throttle_events WHERE rowid = ?")
            .await
    }

    /// [`Store::delete_events`] inside the caller's transaction.
    pub async fn delete_events_in(conn: &mut Conn, ids: &[i64]) -> StoreResult<()> {
        for id in ids {
            sqlx::query("DELETE FROM throttle_events WHERE rowid = ?")
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Forgets every event of a subject, inside the caller's transaction.
    pub async fn clear_failures_in(conn: &mut Conn, subject: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM throttle_events WHERE subject = ?")
            .bind(subject)
            .execute(conn)
            .await?;
        Ok(())
    }

    async fn each_event(&self, ids: &[i64], sql: &'static str) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
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
