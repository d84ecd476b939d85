//! Tests only (feature `test-switches`): looking into the database to check what a request wrote.

use sqlx::Row;

use super::{Store, StoreResult};
use crate::kinds::AuditKind;

impl Store {
    /// The kinds of the account's security events, oldest first.
    pub async fn audit_kinds(&self, account_id: i64) -> StoreResult<Vec<AuditKind>> {
        Ok(
            sqlx::query_scalar("SELECT kind FROM audit_events WHERE account_id = ? ORDER BY id")
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Every throttling subject counted, and the database's `secure_delete` setting.
    pub async fn throttle_subjects_and_secure_delete(&self) -> StoreResult<(Vec<String>, i64)> {
        let subjects = sqlx::query_scalar("SELECT DISTINCT subject FROM throttle_events")
            .fetch_all(&self.pool)
            .await?;
        let secure: i64 = sqlx::query_scalar("PRAGMA secure_delete")
            .fetch_one(&self.pool)
            .await?;
        Ok((subjects, secure))
    }

    /// Whether each of the account's e-mail changes still holds a password hash, by state.
    pub async fn change_hashes(&self, account_id: i64) -> StoreResult<Vec<(String, bool)>> {
        let rows = sqlx::query(
            "SELECT state, new_password_hash IS NOT NULL FROM email_changes WHERE account_id = ? ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Row counts of every table the migrations made, for tests that check a refused request
    /// wrote nothing. The list is read from the database, so a new table is counted too.
    pub async fn row_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%' ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut counts = Vec::new();
        for table in tables {
            let sql = format!("SELECT COUNT(*) FROM \"{table}\"");
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
            counts.push((table, n));
        }
        Ok(counts)
    }
}
