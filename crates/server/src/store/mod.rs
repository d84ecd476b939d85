//! All SQL lives here, one file per group of tables. Procedures call these functions and see
//! [`StoreError`], never the driver's own error: moving to another database means changing this
//! module only.
//!
//! - `accounts`: accounts, their dossiers, subscriber numbers, coordinates;
//! - `sessions`: session tokens;
//! - `throttle`: throttling events;
//! - `outbox`: e-mails waiting for delivery;
//! - `audit`: security events;
//! - `codes`: one-time codes (e-mail changes, password recoveries) and tickets;
//! - `captchas`: CAPTCHAs.

use std::sync::Arc;
#[cfg(test)]
use std::time::Duration;

use sqlx::SqlitePool;
#[cfg(feature = "postgres")]
use sqlx::postgres::PgPool;
use time::OffsetDateTime;

mod accounts;
mod audit;
mod cache;
mod captchas;
mod codes;
mod commit;
mod copy;
mod error;
mod export;
mod guards;
#[cfg(any(test, feature = "test-switches"))]
mod inspect;
mod keyed;
#[cfg(feature = "postgres")]
mod listen;
mod log_in;
mod open;
mod outbox;
#[cfg(feature = "postgres")]
mod pg_url;
mod reads;
mod replicas;
mod second_factor;
mod sessions;
mod throttle;

pub use accounts::{AccountRow, NewAccountRow};
pub use audit::AuditEvent;
pub use captchas::CaptchaRow;
pub use codes::{CodeRow, EmailChangeRow, TicketRow};
pub use copy::CopyReport;
pub use error::{StoreError, StoreResult};
pub use guards::Guard;
pub use keyed::Forgotten;
pub use log_in::OpenedAtOnce;
pub use outbox::OutboxRow;
pub use reads::AccountRead;
pub use second_factor::SecondFactorRow;
pub use sessions::{OpenSession, SessionRow};
pub use throttle::FailureStats;

/// The two databases the service runs on. Every statement is written once, in the SQL both
/// understand (`$1` parameters, `RETURNING`, `ON CONFLICT`), and compiled once per backend by
/// [`on_pool!`] and [`on_tx!`]; the few that must differ ask [`Backend`].
#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(PgPool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A transaction on either backend, with what it guards (see [`Guard`]). Functions that write
/// inside the caller's transaction take `&mut Conn` (the same thing).
pub struct Tx {
    inner: TxInner,
    guarded: guards::Guarded,
}
pub type Conn = Tx;

pub(crate) enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    async fn commit(self) -> Result<(), sqlx::Error> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await,
            #[cfg(feature = "postgres")]
            TxInner::Postgres(tx) => tx.commit().await,
        }
    }
}

/// `$body` with `$c` bound to the transaction's connection, compiled for each backend.
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match &mut ($tx).inner {
            $crate::store::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            #[cfg(feature = "postgres")]
            $crate::store::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// `$body` with `$p` bound to the backend's pool, compiled for each backend.
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match &$pool {
            $crate::store::Pool::Sqlite($p) => $body,
            #[cfg(feature = "postgres")]
            $crate::store::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use {on_pool, on_tx};

/// Whether a connection given back to the pool may be handed out again. One whose COMMIT or
/// ROLLBACK failed (a full disk, an I/O error, a server gone) still believes it is in a
/// transaction: it is closed instead. Only then (rare) is it pinged, which lets a rollback queued
/// by a dropped transaction finish before it is judged; a healthy release costs nothing.
async fn still_usable<C: sqlx::Connection>(conn: &mut C) -> Result<bool, sqlx::Error> {
    if !conn.is_in_transaction() {
        return Ok(true);
    }
    Ok(conn.ping().await.is_ok() && !conn.is_in_transaction())
}

/// Whether a text can be stored or looked up on both backends (PostgreSQL refuses NUL): a key
/// that cannot be stored matches nothing.
fn storable(text: &str) -> bool {
    !text.contains('\0')
}

pub fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

pub fn from_ts(secs: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    cache: Arc<cache::ReadCache>,
    /// On PostgreSQL, the connection that hears other replicas' writes (`listen.rs`).
    #[cfg(feature = "postgres")]
    listening: Option<PgPool>,
}

/// The database URLs the service takes, said the same way everywhere it refuses one.
pub const DATABASE_URL_FORMS: &str =
    "sqlite:///path/to/file.sqlite or postgres://user@host:port/database";

impl Store {
    /// Opens the database (creating an SQLite file if needed) and applies migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let store = Self::open(url, 8).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without touching its schema.
    pub async fn open(url: &str, connections: u32) -> StoreResult<Self> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            #[cfg(feature = "postgres")]
            {
                Pool::Postgres(Self::open_postgres(url, connections).await?)
            }
            #[cfg(not(feature = "postgres"))]
            return Err(StoreError::Other(
                "this build runs on SQLite only (built without the `postgres` feature)".into(),
            ));
        } else if url.starts_with("sqlite:") {
            Pool::Sqlite(Self::open_sqlite(url, connections).await?)
        } else {
            // sqlx would take any other URL for a file name (`./mysql:/…`): refuse it instead.
            // Only a scheme is repeated: what follows may hold a password.
            let scheme = url
                .split_once(':')
                .map(|(scheme, _)| scheme)
                .filter(|s| {
                    s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
                })
                .filter(|s| !s.is_empty() && s.len() <= 20);
            return Err(StoreError::Other(match scheme {
                Some(scheme) => {
                    format!("--database takes {DATABASE_URL_FORMS}, not a {scheme}: URL")
                }
                None => format!(
                    "--database takes {DATABASE_URL_FORMS} (what was given is not repeated)"
                ),
            }));
        };
        // Replicas write to PostgreSQL behind each other's back: the cache serves only while
        // it hears of their writes.
        let cache = Arc::new(match pool {
            Pool::Sqlite(_) => cache::ReadCache::new(),
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => cache::ReadCache::deaf(),
        });
        #[cfg(feature = "postgres")]
        let listening = match &pool {
            Pool::Postgres(p) => Some(listen::start(p, cache.clone())),
            Pool::Sqlite(_) => None,
        };
        Ok(Self {
            pool,
            cache,
            #[cfg(feature = "postgres")]
            listening,
        })
    }

    /// Applies this build's migrations (on PostgreSQL, under sqlx's lock: replicas starting
    /// together do not race).
    pub async fn migrate(&self) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            #[cfg(feature = "postgres")]
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// A transaction for reads (and writes that need no ordering with others).
    pub async fn begin(&self) -> StoreResult<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin().await?),
            #[cfg(feature = "postgres")]
            Pool::Postgres(p) => {
                let p = p.clone();
                // To its end, as in `begin_write`.
                commit::to_the_end(async move { Ok(TxInner::Postgres(p.begin().await?)) }).await?
            }
        };
        Ok(Tx {
            inner,
            guarded: guards::Guarded::nothing(),
        })
    }

    /// A write transaction that protects `guards` (see [`Guard`]): a writer that names one of
    /// them waits until this one ends, on every replica, and the others do not. Two writers that
    /// read then write the same thing (code redemption, limits, credentials) wait for each
    /// other instead of both acting on what they read. SQLite has one writer at a time
    /// (`IMMEDIATE`: the write lock at once).
    pub async fn begin_write(&self, guards: &[Guard<'_>]) -> StoreResult<Tx> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            #[cfg(feature = "postgres")]
            Pool::Postgres(p) => {
                let (sql, keys) = guards::lock_statement(guards);
                let p = p.clone();
                // To its end on a task of its own, as a commit: a request dropped while its BEGIN
                // was on its way (its client gone) left a connection in a transaction that the
                // pool did not know of, whose next user's statements were never committed.
                commit::to_the_end(async move {
                    // READ COMMITTED whatever the server's default: what a writer reads after
                    // the locks must include what the writer before it committed (a REPEATABLE
                    // READ snapshot would be taken before the wait).
                    let mut tx = p.begin_with("BEGIN ISOLATION LEVEL READ COMMITTED").await?;
                    let mut lock = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for key in keys {
                        lock = lock.bind(key);
                    }
                    lock.execute(&mut *tx).await?;
                    Ok(TxInner::Postgres(tx))
                })
                .await?
            }
        };
        Ok(Tx {
            inner,
            guarded: guards::Guarded::of(guards),
        })
    }

    pub async fn ping(&self) -> StoreResult<()> {
        on_pool!(self.pool, |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// One write, committed: whether the database takes writes now. The readiness table is not
    /// one the read cache serves: what it holds stays served.
    pub async fn probe_write(&self, now: i64) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE readiness SET at = $1 WHERE id = 1"
        )
        .bind(now)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        Self::commit_uncached(tx).await
    }

    /// How many writes the read cache was told of since the start (its own and, on
    /// PostgreSQL, the other replicas').
    pub fn cache_invalidations(&self) -> u64 {
        self.cache.generation() - 1
    }

    /// Whether the read cache serves: always on SQLite; on PostgreSQL, while it hears the
    /// other replicas' writes.
    pub fn cache_serving(&self) -> bool {
        self.cache.is_listening()
    }

    /// Every migration this build knows is applied (another build may have left the database
    /// behind, or ahead).
    pub async fn migrations_applied(&self) -> StoreResult<bool> {
        let known = match self.pool {
            Pool::Sqlite(_) => sqlx::migrate!("./migrations/sqlite").iter().count(),
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => sqlx::migrate!("./migrations/postgres").iter().count(),
        } as i64;
        let sql = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success";
        let applied: i64 = on_pool!(self.pool, |p| sqlx::query_scalar(sql).fetch_one(p).await)?;
        Ok(applied == known)
    }

    /// Connections of the pool: open, of which idle.
    pub fn pool_usage(&self) -> (u32, usize) {
        on_pool!(self.pool, |p| (p.size(), p.num_idle()))
    }

    pub async fn close(&self) {
        #[cfg(feature = "postgres")]
        if let Some(listening) = &self.listening {
            listening.close().await;
        }
        on_pool!(self.pool, |p| p.close().await)
    }
}

#[cfg(test)]
impl Store {
    /// Tests: a store on a new SQLite file, in a folder removed when the returned guard drops.
    pub async fn temporary() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db.sqlite").display());
        let store = Store::connect(&url).await.unwrap();
        (dir, store)
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::task::{Context, Waker};

    use super::*;

    /// A store whose cached reads go stale only through a write (the generation), never through
    /// their age, with one account and one live session (token hash `[7; 32]`).
    async fn store_with_a_session() -> (tempfile::TempDir, Store, i64) {
        let (dir, mut store) = Store::temporary().await;
        store.cache = Arc::new(cache::ReadCache::keeping_for(Duration::from_secs(3600)));
        let mut tx = store.begin_write(&[]).await.unwrap();
        let account = Store::insert_account(
            &mut tx,
            &NewAccountRow {
                subscriber_number: "000000001",
                login_email: "a@example.fr",
                login_email_key: "a@example.fr",
                civility: "M.",
                first_name: "A",
                last_name: "B",
                phone: "",
                address: "",
                security_question: "",
                security_answer_sealed: None,
                password_hash: "",
                password_valid_until: "2099-01-01",
                now: 0,
            },
        )
        .await
        .unwrap()
        .unwrap();
        let session = SessionRow {
            token_hash: vec![7; 32],
            account_id: account,
            created_at: 0,
            last_seen_at: 0,
            auth_time: 0,
            expires_at: i64::MAX,
            revoked_at: None,
            password_only: false,
            public_id: "0".repeat(32),
            device_name: None,
            client_ip: None,
            device_hash: None,
        };
        Store::insert_session(&mut tx, &session).await.unwrap();
        store.commit(tx).await.unwrap();
        (dir, store, account)
    }

    /// Polls `work` once, then drops it: a request whose client hung up (or that timed out)
    /// while its write was on its way to the database. False when it was done at once.
    fn given_up_after_one_poll(work: impl Future) -> bool {
        let mut work = pin!(work);
        work.as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending()
    }

    /// The live session of [`store_with_a_session`] is revoked by `revoke`, whose write is
    /// given up while in flight (it says whether it caught it so): once the revocation lands,
    /// the cache must stop serving the session as live, or it would until its entry aged out.
    async fn a_revocation_given_up_in_flight_is_not_cached(
        revoke: impl AsyncFn(&Store, i64) -> bool,
    ) {
        for _ in 0..20 {
            let (_dir, store, account) = store_with_a_session().await;
            let token = [7u8; 32];
            let live = async || {
                store
                    .session(&token)
                    .await
                    .unwrap()
                    .unwrap()
                    .revoked_at
                    .is_none()
            };
            assert!(live().await);
            if !revoke(&store, account).await {
                continue;
            }
            let Pool::Sqlite(pool) = &store.pool else {
                unreachable!()
            };
            let landed = "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NOT NULL";
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            while sqlx::query_scalar::<_, i64>(landed)
                .fetch_one(pool)
                .await
                .unwrap()
                == 0
            {
                assert!(
                    std::time::Instant::now() < deadline,
                    "the write never landed"
                );
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            let deadline = std::time::Instant::now() + Duration::from_secs(2);
            while live().await {
                assert!(
                    std::time::Instant::now() < deadline,
                    "a revoked session is still served from the cache"
                );
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            return;
        }
        panic!("the write was never caught in flight");
    }

    /// A COMMIT already sent lands even if its request is dropped (a password change's
    /// revocation of the other sessions, here).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_commit_whose_request_was_dropped_still_makes_the_cache_forget() {
        a_revocation_given_up_in_flight_is_not_cached(async |store, account| {
            let mut tx = store.begin_write(&[]).await.unwrap();
            Store::revoke_account_sessions(&mut tx, account, None, 5)
                .await
                .unwrap();
            given_up_after_one_poll(store.commit(tx))
        })
        .await;
    }

    /// The same for a write made outside a transaction (a log-out).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_log_out_whose_request_was_dropped_still_makes_the_cache_forget() {
        a_revocation_given_up_in_flight_is_not_cached(async |store, account| {
            given_up_after_one_poll(store.revoke_session(account, &[7; 32], 5))
        })
        .await;
    }

    /// What follows a commit (waking the mail worker) happens even when its request is dropped
    /// while the COMMIT is on its way, and only once it landed.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn what_follows_a_commit_runs_even_when_its_request_was_dropped() {
        let (_dir, store, account) = store_with_a_session().await;
        for siren in 100_000_000..100_000_020 {
            let (done, after) = tokio::sync::oneshot::channel();
            let mut tx = store.begin_write(&[]).await.unwrap();
            Store::insert_dossier(&mut tx, account, &siren.to_string(), "A")
                .await
                .unwrap();
            let then = move || {
                let _ = done.send(());
            };
            if !given_up_after_one_poll(store.commit_then(tx, then)) {
                continue;
            }
            tokio::time::timeout(Duration::from_secs(5), after)
                .await
                .expect("what follows the commit never ran")
                .unwrap();
            let landed = store.dossiers(account).await.unwrap();
            assert!(landed.iter().any(|(s, _)| *s == siren.to_string()));
            return;
        }
        panic!("the commit was never caught in flight");
    }

    #[tokio::test]
    async fn a_database_missing_a_migration_is_told() {
        let (_dir, store) = Store::temporary().await;
        assert!(store.migrations_applied().await.unwrap());
        let sql = "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)";
        on_pool!(store.pool, |p| sqlx::query(sql)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))
        .unwrap();
        assert!(!store.migrations_applied().await.unwrap());
    }
}
