//! Throttling events: failed attempts, attempts in progress and counted requests, by subject.
//! Limits are checked and the attempt counted in one write transaction, so requests that arrive
//! together (on one replica or several) cannot all slip under a limit.

use sqlx::Row;

use super::{Conn, Guard, Store, StoreResult, on_pool, on_tx};

/// What `espace_pro_reserve` answers: each subject's count, oldest, newest and attempts in
/// flight, then the ids of the events it counted.
#[cfg(feature = "postgres")]
type ReserveRow = (
    Vec<i64>,
    Vec<Option<i64>>,
    Vec<Option<i64>>,
    Vec<i64>,
    Option<Vec<i64>>,
);

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

    /// An attempt's reservation in one round trip, on PostgreSQL (`espace_pro_reserve`,
    /// migration `postgres/0006`): under the locks of `guards`, the stats of `subjects` (as
    /// [`Store::failure_stats_of`], each with a ceiling: `None`, none); then, only if every
    /// subject's failures and attempts in flight together stay under its ceiling, one event at
    /// `at` for each of `counted` (as [`Store::insert_events`]), committed. The events' ids
    /// when they were counted. `None` on SQLite, where a write transaction costs no round trip:
    /// the caller takes its general path.
    #[allow(clippy::too_many_arguments)]
    pub async fn try_reserve<const N: usize>(
        &self,
        guards: &[Guard<'_>],
        subjects: [(&str, i64, Option<i64>); N],
        lease_start: i64,
        counted: &[&str],
        at: i64,
        in_flight: bool,
    ) -> StoreResult<Option<([FailureStats; N], Option<Vec<i64>>)>> {
        #[cfg(feature = "postgres")]
        if let super::Pool::Postgres(pool) = &self.pool {
            if guards.contains(&Guard::Everything) {
                return Err(super::StoreError::Other(
                    "a reservation does not guard everything".into(),
                ));
            }
            let keys = super::guards::lock_keys(guards);
            let names: Vec<String> = subjects.iter().map(|(s, _, _)| (*s).to_owned()).collect();
            let sinces: Vec<i64> = subjects.iter().map(|(_, since, _)| *since).collect();
            let ceilings: Vec<Option<i64>> = subjects.iter().map(|(_, _, c)| *c).collect();
            let counted: Vec<String> = counted.iter().map(|s| (*s).to_owned()).collect();
            let pool = pool.clone();
            // To its end, as a commit: events counted are the caller's to settle.
            let (counts, oldest, newest, flying, ids) = super::commit::to_the_end(async move {
                let row = sqlx::query(
                    "SELECT counts, oldest, newest, flying, ids \
                     FROM espace_pro_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(super::guards::SHARED_KEY)
                .bind(keys)
                .bind(names)
                .bind(sinces)
                .bind(ceilings)
                .bind(lease_start)
                .bind(counted)
                .bind(at)
                .bind(in_flight)
                .fetch_one(&pool)
                .await?;
                let arrays: ReserveRow = (
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                    row.try_get(4)?,
                );
                Ok(arrays)
            })
            .await?;
            let mut stats = [FailureStats::default(); N];
            for (i, s) in stats.iter_mut().enumerate() {
                *s = FailureStats {
                    count: counts.get(i).copied().unwrap_or(0),
                    oldest: oldest.get(i).copied().flatten(),
                    newest: newest.get(i).copied().flatten(),
                    in_flight: flying.get(i).copied().unwrap_or(0),
                };
            }
            return Ok(Some((stats, ids)));
        }
        let _ = (guards, subjects, lease_start, counted, at, in_flight);
        Ok(None)
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

    /// Attempts in flight that failed: failures from now on. One statement.
    pub async fn settle_events(&self, ids: &[i64]) -> StoreResult<()> {
        self.each_event(ids, "UPDATE throttle_events SET pending = FALSE")
            .await
    }

    /// Takes back counted events (an attempt that succeeded, or that was refused). One
    /// statement.
    pub async fn delete_events(&self, ids: &[i64]) -> StoreResult<()> {
        self.each_event(ids, "DELETE FROM throttle_events").await
    }

    /// `action` on the events `ids`, in one statement outside any transaction.
    async fn each_event(&self, ids: &[i64], action: &'static str) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let listed: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        // Placeholders only: the ids are bound.
        let sql = format!("{action} WHERE rowid IN ({})", listed.join(", "));
        on_pool!(self.pool, |p| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in ids {
                query = query.bind(*id);
            }
            query.execute(p).await.map(|r| r.rows_affected())
        })?;
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

    /// An event's id is never given again, even once the highest was deleted: an attempt that
    /// settles late can only touch its own events.
    #[tokio::test]
    async fn event_ids_are_never_given_twice() {
        let (_dir, store) = Store::temporary().await;
        let mut tx = store.begin_write(&[]).await.unwrap();
        let first = Store::insert_events(&mut tx, &["a", "b"], 100, true)
            .await
            .unwrap();
        store.commit(tx).await.unwrap();
        let mut tx = store.begin_write(&[]).await.unwrap();
        Store::forget_subjects_in(&mut tx, "a", "proven:a")
            .await
            .unwrap();
        Store::forget_subjects_in(&mut tx, "b", "proven:b")
            .await
            .unwrap();
        let next = Store::insert_events(&mut tx, &["c"], 101, true)
            .await
            .unwrap();
        store.commit(tx).await.unwrap();
        assert!(
            next[0] > *first.iter().max().unwrap(),
            "{first:?} then {next:?}"
        );
    }

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
