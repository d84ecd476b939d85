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
        let [stats] = Self::failure_stats_of(conn, [(subject, since)], lease_start).await?;
        Ok(stats)
    }

    /// [`Store::failure_stats`] of several distinct subjects (each with its own `since`), in one
    /// statement: a log-in reads its address's and its client's in one round trip.
    pub async fn failure_stats_of<const N: usize>(
        conn: &mut Conn,
        subjects: [(&str, i64); N],
        lease_start: i64,
    ) -> StoreResult<[FailureStats; N]> {
        let counted = "(NOT pending OR at < $1)";
        let which: Vec<String> = (0..N)
            .map(|i| format!("(subject = ${} AND at > ${})", 2 * i + 2, 2 * i + 3))
            .collect();
        let sql = format!(
            "SELECT subject, COUNT(*) FILTER (WHERE {counted}), MIN(at) FILTER (WHERE {counted}),
                    MAX(at) FILTER (WHERE {counted}), COUNT(*) FILTER (WHERE pending AND at >= $1)
             FROM throttle_events WHERE {} GROUP BY subject",
            which.join(" OR ")
        );
        let mut stats = [FailureStats::default(); N];
        // The statement holds placeholders only: what is looked up is bound.
        on_tx!(conn, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(lease_start);
            for (subject, since) in subjects {
                query = query.bind(subject).bind(since);
            }
            for row in query.fetch_all(&mut *c).await? {
                let subject: String = row.try_get(0)?;
                let found = FailureStats {
                    count: row.try_get(1)?,
                    oldest: row.try_get(2)?,
                    newest: row.try_get(3)?,
                    in_flight: row.try_get(4)?,
                };
                for (i, (wanted, _)) in subjects.iter().enumerate() {
                    if *wanted == subject {
                        stats[i] = found;
                    }
                }
            }
            Ok::<_, sqlx::Error>(())
        })?;
        Ok(stats)
    }

    /// Counts one event for each subject (`in_flight`: an attempt not judged yet), in one
    /// statement; returns the events' ids, to settle or take them back.
    pub async fn insert_events(
        conn: &mut Conn,
        subjects: &[&str],
        at: i64,
        in_flight: bool,
    ) -> StoreResult<Vec<i64>> {
        if subjects.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<String> = (0..subjects.len())
            .map(|i| format!("(${}, $1, $2)", i + 3))
            .collect();
        // Placeholders only, as below: what is written is bound.
        let sql = format!(
            "INSERT INTO throttle_events (subject, at, pending) VALUES {} RETURNING rowid",
            rows.join(", ")
        );
        let ids = on_tx!(conn, |c| {
            let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(at)
                .bind(in_flight);
            for subject in subjects {
                query = query.bind(*subject);
            }
            query.fetch_all(&mut *c).await
        })?;
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
        Self::commit_uncached(tx).await
    }

    /// Takes back counted events (an attempt that succeeded).
    pub async fn delete_events(&self, ids: &[i64]) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        Self::delete_events_in(&mut tx, ids).await?;
        Self::commit_uncached(tx).await
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

    /// Takes back the events `ids` and forgets every event of `subject`, in one statement
    /// inside the caller's transaction (a log-in that got in).
    pub async fn forget_events_in(conn: &mut Conn, ids: &[i64], subject: &str) -> StoreResult<()> {
        let sql = if ids.is_empty() {
            "DELETE FROM throttle_events WHERE subject = $1".to_owned()
        } else {
            let listed: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
            format!(
                "DELETE FROM throttle_events WHERE subject = $1 OR rowid IN ({})",
                listed.join(", ")
            )
        };
        on_tx!(conn, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(subject);
            for id in ids {
                query = query.bind(*id);
            }
            query.execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
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

    /// Deletes every event of `subject`, and of the subjects that start with `prefix`.
    pub async fn forget_subjects_in(
        conn: &mut Conn,
        subject: &str,
        prefix: &str,
    ) -> StoreResult<()> {
        // The prefix is made of a fixed word and a hex digest: nothing LIKE reads as a wildcard.
        debug_assert!(!prefix.contains(['%', '_']));
        let sql = "DELETE FROM throttle_events WHERE subject = $1 OR subject LIKE $2";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(subject)
            .bind(format!("{prefix}%"))
            .execute(&mut *c)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn several_subjects_are_counted_and_forgotten_in_one_statement_each() {
        let (_dir, store) = Store::temporary().await;
        let mut tx = store.begin_write(&[]).await.unwrap();
        // "a": failures at 100 and 200, an attempt in flight at 300; "b": one failure at 150.
        let a1 = Store::insert_events(&mut tx, &["a", "b"], 100, false)
            .await
            .unwrap();
        assert_eq!(a1.len(), 2);
        Store::insert_events(&mut tx, &["a"], 200, false)
            .await
            .unwrap();
        let in_flight = Store::insert_events(&mut tx, &["a"], 300, true)
            .await
            .unwrap();
        Store::insert_events(&mut tx, &["b"], 150, false)
            .await
            .unwrap();

        // Each subject with its own window; "b" since 120 sees only its event at 150; "c" has
        // none.
        let [a, b, c] = Store::failure_stats_of(&mut tx, [("a", 50), ("b", 120), ("c", 0)], 250)
            .await
            .unwrap();
        assert_eq!(
            (a.count, a.oldest, a.newest, a.in_flight),
            (2, Some(100), Some(200), 1)
        );
        assert_eq!(
            (b.count, b.oldest, b.newest, b.in_flight),
            (1, Some(150), Some(150), 0)
        );
        assert_eq!(
            (c.count, c.oldest, c.newest, c.in_flight),
            (0, None, None, 0)
        );
        // Past its lease (started before 350), the attempt in flight counts as a failure.
        let [a] = Store::failure_stats_of(&mut tx, [("a", 50)], 350)
            .await
            .unwrap();
        assert_eq!((a.count, a.newest, a.in_flight), (3, Some(300), 0));

        // The attempt in flight taken back and every event of "b" forgotten: "a" keeps its two
        // failures.
        Store::forget_events_in(&mut tx, &in_flight, "b")
            .await
            .unwrap();
        let [a, b] = Store::failure_stats_of(&mut tx, [("a", 0), ("b", 0)], 0)
            .await
            .unwrap();
        assert_eq!((a.count, a.in_flight, b.count), (2, 0, 0));
        store.commit(tx).await.unwrap();
    }
}
