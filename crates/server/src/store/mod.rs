//! All SQL lives here, one file per group of tables. Procedures call these functions and see
//! [`StoreError`], never the driver's own error: moving to another database means changing this
//! module only.
//!
//! - `accounts`: accounts, their dossiers, subscriber numbers, coordinates;
//! - `sessions`: session tokens;
//! - `throttle`: throttling events;
//! - `outbox`: e-mails waiting for delivery;
//! - `audit`: security events;
//! - `codes`: one-time codes (e-mail changes, password recoveries), tickets and CAPTCHAs.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use time::OffsetDateTime;

mod accounts;
mod audit;
mod cache;
mod codes;
#[cfg(any(test, feature = "test-switches"))]
mod inspect;
mod outbox;
mod sessions;
mod throttle;

pub use accounts::{AccountRow, NewAccountRow};
pub use audit::AuditEvent;
pub use codes::{CaptchaRow, CodeRow, EmailChangeRow, TicketRow};
pub use outbox::OutboxRow;
pub use sessions::SessionRow;
pub use throttle::FailureStats;

pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;
pub(crate) type Conn = sqlx::SqliteConnection;

/// What can go wrong with the database, in terms the rest of the service can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer holds the database, or no connection was free in time: worth retrying.
    #[error("the database is busy: {0}")]
    Busy(String),
    /// A write broke a uniqueness or integrity rule that the caller did not expect.
    #[error("a write conflicts with the data already stored: {0}")]
    Conflict(String),
    /// The database cannot be reached or written (I/O, disk full, pool closed).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// What was read is not what the service wrote (a column, a type or a state it does not know).
    #[error("the stored data is not as expected: {0}")]
    Corrupt(String),
    #[error("database failure: {0}")]
    Other(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        let text = e.to_string();
        match &e {
            E::PoolTimedOut => Self::Busy(text),
            E::Database(db) => {
                let message = db.message().to_ascii_lowercase();
                if message.contains("locked") || message.contains("busy") {
                    Self::Busy(text)
                } else if matches!(
                    db.kind(),
                    sqlx::error::ErrorKind::UniqueViolation
                        | sqlx::error::ErrorKind::ForeignKeyViolation
                        | sqlx::error::ErrorKind::NotNullViolation
                        | sqlx::error::ErrorKind::CheckViolation
                ) {
                    Self::Conflict(text)
                } else if message.contains("disk")
                    || message.contains("i/o")
                    || message.contains("readonly")
                    || message.contains("full")
                {
                    Self::Unavailable(text)
                } else {
                    Self::Other(text)
                }
            }
            E::Io(_) | E::Tls(_) | E::PoolClosed | E::WorkerCrashed | E::BeginFailed => {
                Self::Unavailable(text)
            }
            E::RowNotFound
            | E::TypeNotFound { .. }
            | E::ColumnIndexOutOfBounds { .. }
            | E::ColumnNotFound(_)
            | E::ColumnDecode { .. }
            | E::Decode(_) => Self::Corrupt(text),
            _ => Self::Other(text),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Other(format!("migrations: {e}"))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

pub fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

pub fn from_ts(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    cache: Arc<cache::ReadCache>,
}

impl Store {
    /// Opens (creating if needed) the database and applies migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        // sqlx would take any other URL for a file name (`./postgres:/…`): refuse it instead.
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Err(StoreError::Other(
                "this build stores its data in SQLite only: --database takes sqlite:///path/to/file.sqlite (PostgreSQL is not supported yet)".into(),
            ));
        }
        if !url.starts_with("sqlite:") {
            return Err(StoreError::Other(format!(
                "--database takes sqlite:///path/to/file.sqlite, not {:?}",
                url.split("://").next().unwrap_or(url)
            )));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Deleted rows (spent codes, CAPTCHAs, tickets, sent mail bodies) are overwritten,
            // not left readable in free pages.
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(5));
        let file = options.get_filename().to_path_buf();
        let unavailable =
            |e: std::io::Error| StoreError::Unavailable(format!("{}: {e}", file.display()));
        if let Some(parent) = file.parent() {
            crate::files::private_dir(parent).map_err(unavailable)?;
        }
        if file.as_os_str() != ":memory:" {
            crate::files::touch_private(&file).map_err(unavailable)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            // A connection whose COMMIT or ROLLBACK failed (a full disk, an I/O error) still
            // believes it is in a transaction: it is closed, never handed out again. Only then
            // (rare) is it pinged, which lets a rollback queued by a dropped transaction finish
            // before it is judged; a healthy release costs nothing.
            .after_release(|conn, _| {
                Box::pin(async move {
                    use sqlx::Connection as _;
                    if !conn.is_in_transaction() {
                        return Ok(true);
                    }
                    Ok(conn.ping().await.is_ok() && !conn.is_in_transaction())
                })
            })
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self {
            pool,
            cache: Arc::new(cache::ReadCache::new()),
        })
    }

    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.pool.begin().await?)
    }

    /// An `IMMEDIATE` transaction: takes the write lock at once, so two writers that read then
    /// write (code redemption, sequence numbers) serialize instead of failing at commit.
    pub async fn begin_write(&self) -> StoreResult<Tx> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Commits, then tells the read cache that what it holds may be stale (even when the commit
    /// failed: it may have reached the disk).
    pub async fn commit(&self, tx: Tx) -> StoreResult<()> {
        let committed = tx.commit().await;
        self.cache.changed();
        Ok(committed?)
    }

    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// One write, committed: whether the database takes writes now.
    pub async fn probe_write(&self, now: i64) -> StoreResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE readiness SET at = ? WHERE id = 1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await
    }

    /// Every migration this build knows is applied (another build may have left the database
    /// behind, or ahead).
    pub async fn migrations_applied(&self) -> StoreResult<bool> {
        let known = sqlx::migrate!("./migrations").iter().count() as i64;
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(applied == known)
    }

    /// Connections of the pool: open, of which idle.
    pub fn pool_usage(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_database_missing_a_migration_is_told() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let store = Store::connect(&url).await.unwrap();
        assert!(store.migrations_applied().await.unwrap());
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
            .execute(&store.pool)
            .await
            .unwrap();
        assert!(!store.migrations_applied().await.unwrap());
    }
}
