//! A PostgreSQL URL held to what it can be trusted to give, before anything connects: its
//! shape (a password not percent-encoded, parameters sqlx would log or ignore) and its TLS.

use sqlx::postgres::PgConnectOptions;

/// The parameters sqlx reads from a PostgreSQL URL. Any other is refused: sqlx would log it with
/// its value, and an unknown parameter is most often a password's tail cut off at a `?`.
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

/// libpq's connection keywords that sqlx does not take: a URL written for libpq may hold them,
/// and some would look like protection they are not (`sslcrl`, `channel_binding=require`).
const LIBPQ_ONLY: &[&str] = &[
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "requiressl",
    "sslcompression",
    "sslpassword",
    "sslcertmode",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "sslnegotiation",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
];

/// A URL whose password was not percent-encoded (`postgres://u:12/ss@host/db`) is read with the
/// password's tail as the database's name or a parameter, which messages and sqlx's log would
/// repeat: refused, saying how to write it and repeating none of it. A parameter sqlx does not
/// take is refused too: named when it is libpq's, not repeated otherwise.
pub(super) fn url_shape(url: &str) -> Result<(), String> {
    const ENCODE: &str = "a user name or password holding '/', '?' or '#' is written \
         percent-encoded (%2F, %3F, %23)";
    let Ok(parsed) = url::Url::parse(url) else {
        // `u:pa/ss@host`: the url crate reads `pa` as a port, and fails. Said as what it is
        // when a '/', '?' or '#' comes before the last '@' of the address.
        let address = url.split_once("://").map_or("", |(_, rest)| rest);
        if let Some((before, _)) = address.rsplit_once('@')
            && before.contains(['/', '?', '#'])
        {
            return Err(ENCODE.into());
        }
        return Ok(()); // sqlx says what is wrong, without the URL
    };
    let keys_hold_at = parsed.query_pairs().any(|(k, _)| k.contains('@'));
    if parsed.path().contains('@')
        || parsed.fragment().is_some_and(|f| f.contains('@'))
        || keys_hold_at
    {
        return Err(format!("an '@' after the server's address: {ENCODE}"));
    }
    for (key, _) in parsed.query_pairs() {
        if LIBPQ_ONLY.contains(&&*key) {
            return Err(format!(
                "the parameter {key} is libpq's, and this service's driver (sqlx) does not take \
                 it: remove it"
            ));
        }
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
pub(super) fn tls_choice(url: &str, options: &PgConnectOptions) -> Result<(), String> {
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
    // Where the mode comes from, for the messages: the URL's, else the environment's.
    let mode_in_url = url::Url::parse(url).is_ok_and(|u| {
        u.query_pairs()
            .any(|(k, _)| matches!(&*k, "sslmode" | "ssl-mode"))
    });
    let env_mode = std::env::var("PGSSLMODE").ok().filter(|_| !mode_in_url);
    if let Some(value) = &env_mode
        && value.parse::<PgSslMode>().is_err()
    {
        return Err(format!(
            "PGSSLMODE in the environment is not an sslmode ({value:?}): use verify-full, \
             require or disable"
        ));
    }
    let whence_mode = if env_mode.is_some() {
        " (the sslmode is PGSSLMODE's, in the environment)"
    } else {
        ""
    };
    if matches!(mode, PgSslMode::VerifyCa) {
        return Err(format!(
            "sslmode=verify-ca does not check the server's name, and any authority this \
             computer trusts would do: use sslmode=verify-full{whence_mode}"
        ));
    }
    if let Some((root, whence)) = &root {
        if !matches!(mode, PgSslMode::VerifyFull) {
            return Err(format!(
                "an authority is named ({whence}) but the sslmode does not check the \
                 certificate with it: use sslmode=verify-full (or remove {whence}){whence_mode}"
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
             the network asks{whence_mode}"
        )),
        _ => Ok(()),
    }
}

/// The authority `sslrootcert` names, checked before connecting so that a file that cannot be
/// read or used is said to be the problem (not the server's certificate): PEM certificates,
/// each one TLS can use as an authority. The environment's may be the PEM itself (as sqlx
/// reads it).
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

#[cfg(test)]
mod tests {
    use super::url_shape;

    #[test]
    fn a_password_not_percent_encoded_is_refused_without_being_repeated() {
        for url in [
            "postgres://u:12/S3cret@db.example/espace",
            "postgres://u:12?S3cret@db.example/espace",
            "postgres://u@db.example/espace?sslmode=require&S3cret",
            "postgres://u@db.example/espace?applicationname=S3cret",
            "postgres://u:pa/S3cret@db.example/espace",
            "postgres://u:pa?S3cret@db.example/espace",
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
            // A raw '@' in a password is read right (the last one ends the address), and one
            // in a parameter's value is no password's tail.
            "postgres://u:p@ss@db.example/espace",
            "postgres://db.example/espace?user=sa@project.iam&sslrootcert=/etc/ca@2024.pem",
        ] {
            assert_eq!(url_shape(url), Ok(()), "{url}");
        }
        let why = url_shape("postgres://u@db.example/espace?connect_timeout=5").unwrap_err();
        assert!(why.contains("connect_timeout is libpq's"), "{why}");
    }
}

#[cfg(test)]
mod choice_tests {
    use std::str::FromStr as _;

    use sqlx::postgres::PgConnectOptions;

    use super::tls_choice;

    fn choice(url: &str) -> Result<(), String> {
        tls_choice(url, &PgConnectOptions::from_str(url).unwrap())
    }

    #[test]
    fn alias_keys_and_repeated_parameters_are_read_as_sqlx_reads_them() {
        // sqlx's aliases, and the last of a repeated parameter (as sqlx takes it).
        for url in [
            "postgres://localhost/db?ssl-mode=require&ssl-ca=/etc/ca.pem",
            "postgres://localhost/db?sslmode=require&ssl-root-cert=/etc/ca.pem",
            "postgres://localhost/db?sslmode=verify-full&sslmode=require&sslrootcert=/etc/ca.pem",
        ] {
            let why = choice(url).unwrap_err();
            assert!(why.contains("(sslrootcert in the URL)"), "{url}: {why}");
        }
        let why = choice("postgres://localhost/db?ssl-mode=verify-ca").unwrap_err();
        assert!(why.contains("verify-ca does not check"), "{why}");
        let why = choice("postgres://db.example/db?sslmode=require&sslmode=prefer").unwrap_err();
        assert!(why.contains("needs sslmode=verify-full"), "{why}");
        assert_eq!(
            choice("postgres://db.example/db?sslmode=prefer&sslmode=require"),
            Ok(())
        );
    }
}
