//! Tests only (feature `test-switches`): looking into the database to check what a request wrote.

use super::{Store, StoreResult, on_pool};
use crate::kinds::AuditKind;

impl Store {
    /// The kinds of the account's security events, oldest first.
    pub async fn audit_kinds(&self, account_id: i64) -> StoreResult<Vec<AuditKind>> {
        let sql = "SELECT kind FROM audit_events WHERE account_id = $1 ORDER BY id";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .bind(account_id)
            .fetch_all(p)
            .await)?)
    }

    /// Security events stored, of every account and of none.
    pub async fn audit_rows(&self) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM audit_events";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await)?)
    }

    /// Every throttling subject counted, and whether deleted rows are overwritten (SQLite's
    /// `secure_delete`; PostgreSQL leaves that to the file system and says 1 for "not
    /// applicable").
    pub async fn throttle_subjects_and_secure_delete(&self) -> StoreResult<(Vec<String>, i64)> {
        let sql = "SELECT DISTINCT subject FROM throttle_events";
        let subjects = on_pool!(self.pool, |p| sqlx::query_scalar(sql).fetch_all(p).await)?;
        let secure = match &self.pool {
            super::Pool::Sqlite(p) => {
                sqlx::query_scalar("PRAGMA secure_delete")
                    .fetch_one(p)
                    .await?
            }
            #[cfg(feature = "postgres")]
            super::Pool::Postgres(_) => 1,
        };
        Ok((subjects, secure))
    }

    /// Whether each of the account's e-mail changes still holds a password hash, by state.
    pub async fn change_hashes(&self, account_id: i64) -> StoreResult<Vec<(String, bool)>> {
        let sql = "SELECT state, new_password_hash IS NOT NULL FROM email_changes
             WHERE account_id = $1 ORDER BY id";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .fetch_all(p)
            .await)?)
    }

    /// Row counts of every table the migrations made, for tests that check a refused request
    /// wrote nothing. The list is read from the database, so a new table is counted too.
    pub async fn row_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let mut counts = Vec::new();
        for table in self.tables().await? {
            let n = self.count(&table).await?;
            counts.push((table, n));
        }
        Ok(counts)
    }

    /// The bodies kept in the outbox, oldest first.
    pub async fn outbox_bodies(&self) -> StoreResult<Vec<String>> {
        let sql = "SELECT body FROM outbox ORDER BY id";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .fetch_all(p)
            .await)?)
    }
}
