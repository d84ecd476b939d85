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
        url_shape(url).map_err(|why| StoreError::Other(format!("the PostgreSQL URL: {why}")))?;
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

/// The parameters sqlx reads from a PostgreSQL URL. Any other is refused: sqlx would log it with
/// its value, and an unknown parameter is most often a password's tail cut off at a `?`.
#[cfg(feature = "postgres")]
const URL_PARAMETERS: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
];

/// A URL whose password was not percent-encoded (`postgres://u:pa/ss@host/db`) is read with the
/// password's tail as the database's name or a parameter, which messages and sqlx's log would
/// repeat: refused, saying how to write it and repeating none of it.
#[cfg(feature = "postgres")]
fn url_shape(url: &str) -> Result<(), String> {
    const ENCODE: &str = "a user name or password holding '/', '?', '#' or '@' is written \
         percent-encoded (%2F, %3F, %23, %40)";
    let Ok(parsed) = url::Url::parse(url) else {
        return Ok(()); // sqlx says what is wrong, without the URL
    };
    let after_authority = [Some(parsed.path()), parsed.query(), parsed.fragment()];
    if after_authority
        .iter()
        .flatten()
        .any(|part| part.contains('@'))
    {
        return Err(format!("an '@' after the server's address: {ENCODE}"));
    }
    for (key, _) in parsed.query_pairs() {
        let known =
            URL_PARAMETERS.contains(&&*key) || key.starts_with("options[") && key.ends_with(']');
        if !known {
            return Err(format!(
                "a parameter is not one PostgreSQL's URLs take (sslmode, sslrootcert, \
                 application_name, …): {ENCODE}"
            ));
        }
    }
    Ok(())
}

/// What the URL asks of TLS, held to what it can be trusted to give. sqlx adds `sslrootcert` to
/// the computer's authorities where libpq uses it alone, so:
/// - `verify-ca` would take any certificate that any authority this computer trusts gave, for
///   any name (a public authority's, for a stranger's server): refused for `verify-full`;
/// - any other sslmode with `sslrootcert` (or `PGSSLROOTCERT`) looks checked but checks
///   nothing (`disable` not even encrypts): refused;
/// - the authority named is read first, so that a file that cannot be used is not taken for a
///   server's certificate refused.
///
/// A database on another machine needs TLS that cannot be turned off on the way: `prefer` (the
/// default) and `allow` fall back to plain text when the network says so. `verify-full` there, or
/// an explicit `require` (encrypted, not checked) or `disable` (plain, on a network trusted).
#[cfg(feature = "postgres")]
fn tls_choice(url: &str, options: &PgConnectOptions) -> Result<(), String> {
    use sqlx::postgres::PgSslMode;
    // Where the authority named comes from (sqlx: the URL's over the environment's), and what
    // it names: a file, or (from the environment) the PEM itself.
    let from_url = url::Url::parse(url).ok().and_then(|u| {
        u.query_pairs()
            .filter(|(k, _)| matches!(&**k, "sslrootcert" | "ssl-root-cert" | "ssl-ca"))
            .last()
            .map(|(_, v)| (v.into_owned(), "sslrootcert in the URL"))
    });
    let root = from_url.or_else(|| {
        std::env::var("PGSSLROOTCERT")
            .ok()
            .map(|v| (v, "PGSSLROOTCERT in the environment"))
    });
    let host = options.get_host();
    let local = options.get_socket().is_some()
        || host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let mode = options.get_ssl_mode();
    if matches!(mode, PgSslMode::VerifyCa) {
        return Err(
            "sslmode=verify-ca does not check the server's name, and any authority \
             this computer trusts would do: use sslmode=verify-full"
                .into(),
        );
    }
    if let Some((root, whence)) = &root {
        if !matches!(mode, PgSslMode::VerifyFull) {
            return Err(format!(
                "an authority is named ({whence}) but the sslmode does not check the \
                 certificate with it: use sslmode=verify-full (or remove {whence})"
            ));
        }
        let from_env = whence.starts_with("PGSSLROOTCERT");
        authority_file(root, from_env).map_err(|why| format!("{whence}: {why}"))?;
    }
    match mode {
        PgSslMode::Prefer | PgSslMode::Allow if !local => Err(format!(
            "a database on another machine ({host}) needs sslmode=verify-full (TLS, its \
             certificate checked), or else an explicit sslmode=require (encrypted, not checked) \
             or sslmode=disable (on a network you trust): without it, TLS is dropped whenever \
             the network asks"
        )),
        _ => Ok(()),
    }
}

/// The authority `sslrootcert` names, checked before connecting so that a file that cannot be
/// read or used is said to be the problem (not the server's certificate): PEM certificates,
/// each one TLS can use as an authority. The environment's may be the PEM itself (as sqlx
/// reads it).
#[cfg(feature = "postgres")]
fn authority_file(root: &str, may_be_inline: bool) -> Result<(), String> {
    use tokio_rustls::rustls::{self, pki_types::pem::PemObject as _};
    let trimmed = root.trim();
    let inline = may_be_inline && trimmed.starts_with("-----BEGIN") && trimmed.ends_with("-----");
    let (pem, root) = if inline {
        (root.as_bytes().to_vec(), "the PEM given")
    } else {
        let pem =
            std::fs::read(root).map_err(|e| format!("the file {root} cannot be read: {e}"))?;
        (pem, root)
    };
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{root} is not PEM certificates: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{root} holds no PEM certificate"));
    }
    for (n, der) in certs.into_iter().enumerate() {
        rustls::RootCertStore::empty().add(der).map_err(|e| {
            format!(
                "{root}: certificate {} is not an authority TLS can use: {e}",
                n + 1
            )
        })?;
    }
    Ok(())
}

#[cfg(all(test, feature = "postgres"))]
mod tests {
    use super::url_shape;

    #[test]
    fn a_password_not_percent_encoded_is_refused_without_being_repeated() {
        for url in [
            "postgres://u:12/S3cret@db.example/espace",
            "postgres://u:12?S3cret@db.example/espace",
            "postgres://u@db.example/espace?sslmode=require&S3cret",
            "postgres://u@db.example/espace?applicationname=S3cret",
        ] {
            let why = url_shape(url).unwrap_err();
            assert!(
                why.contains("percent-encoded") && !why.contains("S3cret"),
                "{url}: {why}"
            );
        }
        for url in [
            "postgres://u:12%2FS3cret@db.example/espace?sslmode=verify-full",
            "postgres://u@db.example/espace?application_name=a&options[search_path]=x",
            "postgres:///espace?host=/run/postgresql",
        ] {
            assert_eq!(url_shape(url), Ok(()), "{url}");
        }
    }
}
