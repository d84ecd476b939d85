//! E-mails waiting for delivery: queued in the transaction of the change they announce.

use super::{Conn, Store, StoreResult, on_pool, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
}

/// How long a claimed message is left to the worker that claimed it: past this (that worker
/// crashed, or its replica was killed), any worker may send it again. Three times the longest
/// a delivery may take (`mail::worker::SEND_TIMEOUT`, 15 s).
pub const CLAIM_LEASE_SECS: i64 = 45;

impl Store {
    /// Queues a message in the caller's transaction. On PostgreSQL the delivery workers of
    /// every replica are told when it commits (`NOTIFY`).
    /// How many e-mails with `subject` about the account were written since `since`, counting
    /// no further than `at_most`.
    pub async fn count_mails_in(
        conn: &mut Conn,
        account_id: i64,
        subject: &str,
        since: i64,
        at_most: i64,
    ) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM (SELECT 1 FROM outbox
             WHERE account_id = $1 AND subject = $2 AND created_at >= $3 LIMIT $4) AS recent";
        Ok(on_tx!(conn, |c| sqlx::query_scalar(sql)
            .bind(account_id)
            .bind(subject)
            .bind(since)
            .bind(at_most)
            .fetch_one(&mut *c)
            .await)?)
    }

    /// An e-mail about `account` (the account whose procedure wrote it) to `recipient`.
    pub async fn enqueue_mail(
        conn: &mut Conn,
        account: impl Into<Option<i64>>,
        recipient: &str,
        subject: &str,
        body: &str,
        now: i64,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at,
                account_id)
             VALUES ($1, $2, $3, $4, 0, $5) RETURNING id";
        let account: Option<i64> = account.into();
        let id = on_tx!(&mut *conn, |c| sqlx::query_scalar(sql)
            .bind(recipient)
            .bind(subject)
            .bind(body)
            .bind(now)
            .bind(account)
            .fetch_one(&mut *c)
            .await)?;
        #[cfg(feature = "postgres")]
        if let super::TxInner::Postgres(tx) = &mut conn.inner {
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(OUTBOX_CHANNEL)
                .execute(&mut **tx)
                .await?;
        }
        Ok(id)
    }

    /// Claims up to `limit` due messages for this worker: each is put off by
    /// [`CLAIM_LEASE_SECS`] in the same statement, so no other worker (of this replica or
    /// another) takes it while it is being sent. On PostgreSQL, rows another worker is claiming
    /// at the same moment are skipped, not waited for.
    pub async fn claim_due_mail(
        &self,
        worker: &str,
        wall_now: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxRow>> {
        let skip_locked = match self.backend() {
            super::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET next_attempt_at = $1 + $3, claimed_by = $4
             WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1
                          ORDER BY id LIMIT $2 {skip_locked})
               AND sent_at IS NULL AND next_attempt_at <= $1
             RETURNING id, recipient, subject, body, created_at, attempts"
        );
        let mut rows: Vec<OutboxRow> =
            on_pool!(self.pool, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(wall_now)
                .bind(limit)
                .bind(CLAIM_LEASE_SECS)
                .bind(worker)
                .fetch_all(p)
                .await)?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// Gives back what `worker` claimed and has not settled (it is stopping): due again at once.
    pub async fn release_mail(&self, worker: &str, wall_now: i64) -> StoreResult<u64> {
        let sql = "UPDATE outbox SET next_attempt_at = $1, claimed_by = NULL
             WHERE claimed_by = $2 AND sent_at IS NULL";
        Ok(on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(wall_now)
            .bind(worker)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?)
    }

    pub async fn next_mail_attempt(&self) -> StoreResult<Option<i64>> {
        let sql = "SELECT MIN(next_attempt_at) FROM outbox WHERE sent_at IS NULL";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await)?)
    }

    /// Marks a message accepted by the relay. Its body (which may hold a one-time code) is
    /// erased: the outbox keeps secrets only until they are delivered.
    pub async fn mark_mail_sent(&self, id: i64, wall_now: i64) -> StoreResult<()> {
        let sql = "UPDATE outbox SET sent_at = $1, body = '', last_error = NULL, claimed_by = NULL
             WHERE id = $2";
        on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(wall_now)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn mark_mail_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<()> {
        let sql =
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2,
                claimed_by = NULL
             WHERE id = $3";
        on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(next_attempt_at)
            .bind(error)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// When the oldest e-mail still waiting was queued (wall time), if any waits.
    pub async fn oldest_unsent_mail(&self) -> StoreResult<Option<i64>> {
        let sql = "SELECT MIN(created_at) FROM outbox WHERE sent_at IS NULL";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await)?)
    }

    pub async fn unsent_mail_count(&self) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await)?)
    }

    /// On PostgreSQL, a stream that yields whenever a transaction queued mail on any replica
    /// (`None` on SQLite, whose writers all live in this process).
    #[cfg(feature = "postgres")]
    pub async fn mail_notifications(&self) -> StoreResult<Option<MailNotifications>> {
        let super::Pool::Postgres(pool) = &self.pool else {
            return Ok(None);
        };
        // A pool of its own: the listener keeps its connection, which `Store::close` (and the
        // requests) must not wait for.
        let own = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(pool.connect_options().as_ref().clone());
        let mut listener = sqlx::postgres::PgListener::connect_with(&own).await?;
        listener.listen(OUTBOX_CHANNEL).await?;
        Ok(Some(MailNotifications(listener)))
    }

    /// Built without PostgreSQL: SQLite's writers all live in this process.
    #[cfg(not(feature = "postgres"))]
    pub async fn mail_notifications(&self) -> StoreResult<Option<MailNotifications>> {
        Ok(None)
    }
}

/// Mail queued on another replica, announced by PostgreSQL.
pub struct MailNotifications(
    #[cfg(feature = "postgres")] sqlx::postgres::PgListener,
    #[cfg(not(feature = "postgres"))] std::convert::Infallible,
);

impl MailNotifications {
    /// The next announcement.
    pub async fn next(&mut self) -> StoreResult<()> {
        #[cfg(feature = "postgres")]
        {
            self.0.try_recv().await?;
            Ok(())
        }
        #[cfg(not(feature = "postgres"))]
        match self.0 {}
    }
}

/// The PostgreSQL channel on which queued mail is announced.
#[cfg(feature = "postgres")]
const OUTBOX_CHANNEL: &str = "espace_pro_outbox";
