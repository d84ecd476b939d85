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

    /// Every sealed second-factor secret, in account order.
    pub async fn second_factor_sealed_for_tests(&self) -> Vec<Vec<u8>> {
        let sql = "SELECT secret_sealed FROM second_factors WHERE secret_sealed IS NOT NULL
             ORDER BY account_id";
        on_pool!(self.pool, |p| sqlx::query_scalar(sql).fetch_all(p).await).unwrap()
    }

    /// The subjects of every e-mail written to the outbox, oldest first (kept after delivery,
    /// when the body is erased).
    pub async fn outbox_subjects(&self) -> StoreResult<Vec<String>> {
        let sql = "SELECT subject FROM outbox ORDER BY id";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .fetch_all(p)
            .await)?)
    }

    /// A database that refuses every new e-mail (`on`) or takes them again: what makes a
    /// procedure's e-mail fail inside its transaction, to show nothing else of it is kept.
    pub async fn refuse_mail(&self, on: bool) -> StoreResult<()> {
        let statements: &[&str] = match (&self.pool, on) {
            (super::Pool::Sqlite(_), true) => {
                &["CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox
                 BEGIN SELECT RAISE(ABORT, 'the outbox refuses mail'); END"]
            }
            (super::Pool::Sqlite(_), false) => &["DROP TRIGGER refuse_mail"],
            #[cfg(feature = "postgres")]
            (super::Pool::Postgres(_), true) => &[
                "CREATE FUNCTION refuse_mail() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'the outbox refuses mail'; END $$",
                "CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox
                 FOR EACH ROW EXECUTE FUNCTION refuse_mail()",
            ],
            #[cfg(feature = "postgres")]
            (super::Pool::Postgres(_), false) => &[
                "DROP TRIGGER refuse_mail ON outbox",
                "DROP FUNCTION refuse_mail()",
            ],
        };
        for sql in statements {
            on_pool!(self.pool, |p| sqlx::raw_sql(*sql)
                .execute(p)
                .await
                .map(|_| ()))?;
        }
        Ok(())
    }
}
