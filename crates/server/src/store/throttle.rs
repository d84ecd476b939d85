//! Throttling events: failed attempts, attempts in progress and counted requests, by subject.
//! Limits are checked and the attempt counted in one write transaction, so requests that arrive
//! together (on one replica or several) cannot all slip under a limit.

use sqlx::Row;

use super::{Conn, Store, StoreResult, on_pool, on_tx};

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
        let sql = "SELECT COUNT(*) FILTER (WHERE NOT pending OR at < $1),
                    MIN(at) FILTER (WHERE NOT pending OR at < $1),
                    MAX(at) FILTER (WHERE NOT pending OR at < $1),
                    COUNT(*) FILTER (WHERE pending AND at >= $1)
             FROM throttle_events WHERE subject = $2 AND at > $3";
        on_tx!(conn, |c| {
            let row = sqlx::query(sql)
                .bind(lease_start)
                .bind(subject)
                .bind(since)
                .fetch_one(&mut *c)
                .await?;
            Ok(FailureStats {
                count: row.try_get(0)?,
                oldest: row.try_get(1)?,
                newest: row.try_get(2)?,
                in_flight: row.try_get(3)?,
            })
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
        let sql = "INSERT INTO throttle_events (subject, at, pending) VALUES ($1, $2, $3) RETURNING rowid";
        let mut ids = Vec::with_capacity(subjects.len());
        for subject in subjects {
            let id: i64 = on_tx!(&mut *conn, |c| sqlx::query_scalar(sql)
                .bind(*subject)
                .bind(at)
                .bind(in_flight)
                .fetch_one(&mut *c)
                .await)?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Attempts in flight that failed: failures from now on.
    pub async fn settle_events(&self, ids: &[i64]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::each_event(
            &mut tx,
            ids,
            "UPDATE throttle_events SET pending = FALSE WHERE rowid = $1",
        )
        .await?;
        Ok(tx.commit().await?)
    }

    /// Takes back counted events (an attempt that succeeded).
    pub async fn delete_events(&self, ids: &[i64]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::delete_events_in(&mut tx, ids).await?;
        Ok(tx.commit().await?)
    }

    /// [`Store::delete_events`] inside the caller's transaction.
    pub async fn delete_events_in(conn: &mut Conn, ids: &[i64]) -> StoreResult<()> {
        Self::each_event(conn, ids, "DELETE FROM throttle_events WHERE rowid = $1").await
    }

    async fn each_event(conn: &mut Conn, ids: &[i64], sql: &'static str) -> StoreResult<()> {
        for id in ids {
            on_tx!(&mut *conn, |c| sqlx::query(sql)
                .bind(id)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// Forgets every event of a subject, inside the caller's transaction.
    pub async fn clear_failures_in(conn: &mut Conn, subject: &str) -> StoreResult<()> {
        let sql = "DELETE FROM throttle_events WHERE subject = $1";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(subject)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn clear_failures(&self, subject: &str) -> StoreResult<()> {
        let sql = "DELETE FROM throttle_events WHERE subject = $1";
        on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(subject)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn prune_failures(&self, before: i64) -> StoreResult<u64> {
        let sql = "DELETE FROM throttle_events WHERE at < $1";
        Ok(on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(before)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?)
    }
}
