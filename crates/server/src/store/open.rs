//! Opening the pools: SQLite files (private, WAL) and PostgreSQL servers.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
#[cfg(feature = "postgres")]
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::{Store, StoreError, StoreResult, still_usable};

impl Store {
    pub(super) async fn open_sqlite(url: &str, connections: u32) -> StoreResult<SqlitePool> {
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
        Ok(SqlitePoolOptions::new()
            .max_connections(connections.max(1))
            // sqlx pings a connection each time it is taken from the pool, by default: a round
            // trip to the connection's thread, for a file in this process that cannot hang up.
            // A connection left unusable is dropped when it is given back (`still_usable`).
            .test_before_acquire(false)
            .after_release(|conn, _| Box::pin(still_usable(conn)))
            .connect_with(options)
            .await?)
    }

    #[cfg(feature = "postgres")]
    pub(super) async fn open_postgres(url: &str, connections: u32) -> StoreResult<PgPool> {
        super::pg_url::url_shape(url)
            .map_err(|why| StoreError::Other(format!("the PostgreSQL URL: {why}")))?;
        let options = PgConnectOptions::from_str(url)?
            .application_name("espace-pro-server")
            // A statement stuck behind a lock gives up (503, retry) instead of holding a
            // request until the client goes away.
            .options([
                ("statement_timeout", "10s"),
                ("lock_timeout", "5s"),
                // Whatever the server's default: a statement that waits for locks then reads
                // (`espace_pro_reserve`) must read what the holder before it committed.
                ("default_transaction_isolation", "read committed"),
            ]);
        // One connection first, to say plainly what is wrong (the pool would only time out).
        // The URL's password is not repeated.
        let at = format!(
            "PostgreSQL at {}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("")
        );
        super::pg_url::tls_choice(url, &options)
            .map_err(|why| StoreError::Other(format!("{at}: {why}")))?;
        {
            use sqlx::Connection as _;
            let first = sqlx::PgConnection::connect_with(&options)
                .await
                .map_err(|e| {
                    if certificate_refused(&e) {
                        // verify-ca / verify-full: the certificate is checked against
                        // `sslrootcert` and the computer's trusted authorities.
                        StoreError::Unavailable(format!(
                            "{at}: its TLS certificate is not trusted or not for this name \
                             ({e}): name its authority with sslrootcert=… in the URL, or \
                             install it among the computer's trusted authorities, and connect \
                             by a name the certificate carries"
                        ))
                    } else {
                        StoreError::Unavailable(format!("{at}: {e}"))
                    }
                })?;
            let _ = first.close().await;
        }
        Ok(PgPoolOptions::new()
            .max_connections(connections.max(1))
            .acquire_timeout(Duration::from_secs(5))
            // A connection that lost its server (a restart) is found out before it is used.
            .test_before_acquire(true)
            .after_release(|conn, _| Box::pin(still_usable(conn)))
            .connect_with(options)
            .await?)
    }
}

/// Whether connecting failed on the server's certificate (not trusted, another name, expired),
/// rather than on the network, the password, a server without TLS or a file that cannot be
/// read: only then is the advice about authorities given.
#[cfg(feature = "postgres")]
fn certificate_refused(e: &sqlx::Error) -> bool {
    use tokio_rustls::rustls;
    let first: &(dyn std::error::Error + 'static) = match e {
        sqlx::Error::Tls(inner) => &**inner,
        sqlx::Error::Io(io) => io,
        _ => return false,
    };
    let mut cause = Some(first);
    while let Some(err) = cause {
        if let Some(rustls::Error::InvalidCertificate(_)) = err.downcast_ref::<rustls::Error>() {
            return true;
        }
        // `io::Error` hides the error it wraps from `source()`.
        cause = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}
