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
        let options = PgConnectOptions::from_str(url)?
            .application_name("espace-pro-server")
            // A statement stuck behind a lock gives up (503, retry) instead of holding a
            // request until the client goes away.
            .options([("statement_timeout", "10s"), ("lock_timeout", "5s")]);
        // One connection first, to say plainly what is wrong (the pool would only time out).
        // The URL's password is not repeated.
        let at = format!(
            "PostgreSQL at {}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("")
        );
        tls_choice(url, &options).map_err(|why| StoreError::Other(format!("{at}: {why}")))?;
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

/// What the URL asks of TLS, held to what it can be trusted to give. sqlx adds `sslrootcert` to
/// the computer's authorities where libpq uses it alone, so:
/// - `verify-ca` would take any certificate that any authority this computer trusts gave, for
///   any name (a public authority's, for a stranger's server): refused for `verify-full`;
/// - `require` (or `prefer`, `allow`) with `sslrootcert` looks checked but checks nothing:
///   refused.
///
/// A database on another machine needs TLS that cannot be turned off on the way: `prefer` (the
/// default) and `allow` fall back to plain text when the network says so. `verify-full` there, or
/// an explicit `require` (encrypted, not checked) or `disable` (plain, on a network trusted).
#[cfg(feature = "postgres")]
fn tls_choice(url: &str, options: &PgConnectOptions) -> Result<(), String> {
    use sqlx::postgres::PgSslMode;
    let names_root = url::Url::parse(url).is_ok_and(|u| {
        u.query_pairs()
            .any(|(k, _)| matches!(&*k, "sslrootcert" | "ssl-root-cert" | "ssl-ca"))
    }) || std::env::var_os("PGSSLROOTCERT").is_some();
    let host = options.get_host();
    let local = options.get_socket().is_some()
        || host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match options.get_ssl_mode() {
        PgSslMode::VerifyCa => Err("sslmode=verify-ca does not check the server's name, and \
             any authority this computer trusts would do: use sslmode=verify-full"
            .into()),
        PgSslMode::Require | PgSslMode::Prefer | PgSslMode::Allow if names_root => Err(
            "sslrootcert is used only with sslmode=verify-full (with this sslmode the \
             certificate would not be checked at all): use sslmode=verify-full"
                .into(),
        ),
        PgSslMode::Prefer | PgSslMode::Allow if !local => Err(format!(
            "a database on another machine ({host}) needs sslmode=verify-full (TLS, its \
             certificate checked), or else an explicit sslmode=require (encrypted, not checked) \
             or sslmode=disable (on a network you trust): without it, TLS is dropped whenever \
             the network asks"
        )),
        _ => Ok(()),
    }
}
