//! The service's connection to PostgreSQL over TLS, checked as an organisation would deploy it:
//! a throw-away server (crates/pgtemp) with TLS on and a certificate for `localhost` from an
//! authority made for the test.
//! - `sslmode=verify-full&sslrootcert=<the authority>`: the service starts, and its connections
//!   are TLS (`pg_stat_ssl`);
//! - the same authority, but an address the certificate does not name (`127.0.0.1`): refused,
//!   with an error that says what to do;
//! - no `sslrootcert`: the computer's authorities decide. The system's bundle alone does not know
//!   the organisation's authority (refused); with it installed (`SSL_CERT_FILE` naming the bundle
//!   with it added), the service starts;
//! - what would look checked and is not (`verify-ca`; `sslrootcert` with `require` or `prefer`),
//!   and a database on another machine with the default `prefer`, are refused before connecting.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use espace_pro_pgtemp::TempPostgres;
use espace_pro_testkit::process::{self, KillOnDrop};
use espace_pro_testkit::tls::{Authority, SYSTEM_BUNDLE};
use espace_pro_testkit::{SmtpListener, reserve_port};

const BIN: &str = env!("CARGO_BIN_EXE_espace-pro-server");

/// Starts the service on `url` with `bundle` as the computer's authorities, its master key in
/// `dir`; `Ok` once it is ready, `Err` with what it said if it stopped.
async fn serve(dir: &Path, url: &str, bundle: &Path, smtp: u16) -> Result<KillOnDrop, String> {
    let port = reserve_port();
    let log = dir.join(format!("service-{port}.log"));
    let mut service = KillOnDrop(
        process::serve(BIN, port, url)
            .args(["--smtp", &format!("smtp://127.0.0.1:{smtp}")])
            .arg("--key-file")
            .arg(dir.join("key"))
            .env_remove("SSL_CERT_DIR")
            .env("SSL_CERT_FILE", bundle)
            .env("ESPACE_PRO_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );
    let ready = format!("http://127.0.0.1:{port}/readyz");
    for _ in 0..300 {
        if let Ok(Some(status)) = service.0.try_wait() {
            return Err(format!(
                "{status}: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            ));
        }
        if reqwest::get(&ready).await.is_ok_and(|r| r.status() == 200) {
            return Ok(service);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the service neither started nor stopped");
}

#[tokio::test]
async fn postgres_over_tls_is_verified_against_the_named_authority_or_the_computers() {
    let smtp = SmtpListener::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = Authority::new(dir.path(), "organisation");
    let certificate = ca.issue("database", "DNS:localhost");
    let pg = TempPostgres::start(false).unwrap();
    pg.enable_tls(&certificate.cert, &certificate.key).unwrap();
    pg.create_database("espace").unwrap();
    let port = pg.url("espace").rsplit_once(':').unwrap().1.to_owned();
    let port = port.split('/').next().unwrap();
    let root = ca.pem();
    let system = Path::new(SYSTEM_BUNDLE);
    let installed = ca.system_bundle_with();

    // The authority named in the URL: TLS, verified, and every connection of the service on it.
    let named = format!(
        "postgres://postgres@localhost:{port}/espace?sslmode=verify-full&sslrootcert={}",
        root.display()
    );
    let service = serve(dir.path(), &named, system, smtp.port())
        .await
        .unwrap();
    let counts = pg
        .psql(
            "espace",
            "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_activity a \
             JOIN pg_stat_ssl s USING (pid) WHERE a.application_name LIKE 'espace-pro-server%'",
        )
        .unwrap();
    let (tls, all) = counts.split_once('|').unwrap();
    assert!(all.parse::<u32>().unwrap() >= 1, "{counts}");
    assert_eq!(tls, all, "connections of the service without TLS");
    drop(service);

    // The right authority, an address the certificate does not carry: refused, and said so,
    // without the URL's password (the cluster trusts loopback and ignores it).
    let wrong_name = named.replace("postgres@localhost:", "postgres:S3cretPw@127.0.0.1:");
    let refused = serve(dir.path(), &wrong_name, system, smtp.port())
        .await
        .err()
        .unwrap();
    assert!(
        refused.contains("not trusted or not for this name") && refused.contains("sslrootcert"),
        "{refused}"
    );
    assert!(
        !refused.contains("S3cretPw"),
        "the password is not repeated: {refused}"
    );

    // No authority named: the computer's.
    let unnamed = format!("postgres://postgres@localhost:{port}/espace?sslmode=verify-full");
    let refused = serve(dir.path(), &unnamed, system, smtp.port())
        .await
        .err()
        .unwrap();
    assert!(refused.contains("not trusted"), "{refused}");
    let service = serve(dir.path(), &unnamed, &installed, smtp.port())
        .await
        .unwrap();
    drop(service);

    // What sqlx would not check while the URL looks checked is refused before connecting:
    // verify-ca (any authority this computer trusts, any name), and sslrootcert with a mode
    // that ignores it.
    for (mode, said) in [
        ("verify-ca", "use sslmode=verify-full"),
        (
            "require",
            "sslrootcert is used only with sslmode=verify-full",
        ),
        (
            "prefer",
            "sslrootcert is used only with sslmode=verify-full",
        ),
    ] {
        let url = format!(
            "postgres://postgres@localhost:{port}/espace?sslmode={mode}&sslrootcert={}",
            root.display()
        );
        let refused = serve(dir.path(), &url, &installed, smtp.port()).await.err();
        let refused = refused.unwrap_or_else(|| panic!("sslmode={mode} with sslrootcert served"));
        assert!(refused.contains(said), "{mode}: {refused}");
    }
    // A database on another machine with the default (prefer, which drops TLS when the network
    // asks): refused before any connection, the password not repeated.
    let refused = serve(
        dir.path(),
        "postgres://postgres:S3cretPw@db.espace-pro.invalid:5432/espace",
        system,
        smtp.port(),
    )
    .await
    .err()
    .unwrap();
    assert!(
        refused.contains("needs sslmode=verify-full") && !refused.contains("S3cretPw"),
        "{refused}"
    );
    // An explicit `require` on this machine: encrypted, not checked, as asked.
    let url = format!("postgres://postgres@127.0.0.1:{port}/espace?sslmode=require");
    drop(serve(dir.path(), &url, system, smtp.port()).await.unwrap());
}
