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
//! - what would look checked and is not (`verify-ca`; an authority named, in the URL or
//!   `PGSSLROOTCERT`, with any other sslmode), an authority file that cannot be used, a URL
//!   whose password was not percent-encoded, and a database on another machine with the default
//!   `prefer`, are refused before connecting, saying why and without the password;
//! - `verify-full` against a server without TLS is refused, not as a certificate problem.

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
    serve_with(dir, url, bundle, smtp, &[]).await
}

/// [`serve`], with `env` added to an environment that says nothing else of PostgreSQL.
async fn serve_with(
    dir: &Path,
    url: &str,
    bundle: &Path,
    smtp: u16,
    env: &[(&str, &Path)],
) -> Result<KillOnDrop, String> {
    let port = reserve_port();
    let log = dir.join(format!("service-{port}.log"));
    let mut command = process::serve(BIN, port, url);
    command
        .args(["--smtp", &format!("smtp://127.0.0.1:{smtp}")])
        .arg("--key-file")
        .arg(dir.join("key"))
        .env_remove("SSL_CERT_DIR")
        .env("SSL_CERT_FILE", bundle)
        .env("ESPACE_PRO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    for name in [
        "PGSSLMODE",
        "PGSSLROOTCERT",
        "PGSSLCERT",
        "PGSSLKEY",
        "PGHOST",
        "PGHOSTADDR",
        "PGPORT",
        "PGUSER",
        "PGPASSWORD",
        "PGPASSFILE",
        "PGDATABASE",
        "PGOPTIONS",
        "PGAPPNAME",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut service = KillOnDrop(command.spawn().unwrap());
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
    // verify-ca (any authority this computer trusts, any name), and an authority named with a
    // mode that ignores it (disable does not even encrypt).
    let with_root = |mode: &str| {
        format!(
            "postgres://postgres@localhost:{port}/espace?sslmode={mode}&sslrootcert={}",
            root.display()
        )
    };
    let refused = serve(dir.path(), &with_root("verify-ca"), &installed, smtp.port())
        .await
        .err()
        .expect("verify-ca served");
    assert!(refused.contains("verify-ca does not check"), "{refused}");
    for mode in ["require", "prefer", "allow", "disable"] {
        let refused = serve(dir.path(), &with_root(mode), &installed, smtp.port())
            .await
            .err();
        let refused = refused.unwrap_or_else(|| panic!("sslmode={mode} with sslrootcert served"));
        assert!(
            refused.contains("(sslrootcert in the URL) but the sslmode does not check"),
            "{mode}: {refused}"
        );
    }
    // The authority named by the environment (PGSSLROOTCERT), as libpq's users set it: used
    // with verify-full, and refused with the default, saying where it came from.
    let env_root = [("PGSSLROOTCERT", root.as_path())];
    let by_env = serve_with(dir.path(), &unnamed, system, smtp.port(), &env_root)
        .await
        .unwrap();
    drop(by_env);
    let default = format!("postgres://postgres@localhost:{port}/espace");
    let refused = serve_with(dir.path(), &default, &installed, smtp.port(), &env_root)
        .await
        .err()
        .expect("PGSSLROOTCERT with the default sslmode served");
    assert!(
        refused.contains("(PGSSLROOTCERT in the environment)"),
        "{refused}"
    );
    // The mode from the environment (PGSSLMODE): said to be its, and a misspelt one refused
    // rather than taken for the default.
    let env_mode = [("PGSSLMODE", Path::new("require"))];
    let no_mode = format!(
        "postgres://postgres@localhost:{port}/espace?sslrootcert={}",
        root.display()
    );
    let refused = serve_with(dir.path(), &no_mode, &installed, smtp.port(), &env_mode)
        .await
        .err()
        .expect("PGSSLMODE=require with sslrootcert served");
    assert!(refused.contains("PGSSLMODE's"), "{refused}");
    let misspelt = [("PGSSLMODE", Path::new("verify_full"))];
    let refused = serve_with(dir.path(), &default, &installed, smtp.port(), &misspelt)
        .await
        .err()
        .expect("PGSSLMODE=verify_full served");
    assert!(
        refused.contains("PGSSLMODE in the environment is not an sslmode"),
        "{refused}"
    );
    // An authority file that is missing, or holds no certificate (the server's key): said to
    // be the file, not the server's certificate.
    for (file, said) in [
        (dir.path().join("missing.pem"), "cannot be read"),
        (certificate.key.clone(), "holds no PEM certificate"),
    ] {
        let url = unnamed.clone() + &format!("&sslrootcert={}", file.display());
        let refused = serve(dir.path(), &url, &installed, smtp.port())
            .await
            .err()
            .unwrap();
        assert!(
            refused.contains(said) && !refused.contains("not trusted"),
            "{}: {refused}",
            file.display()
        );
    }
    // A password with '/' written as is: its tail would be read as the database's name and
    // repeated; refused, repeating none of it.
    let unencoded = format!("postgres://postgres:12/S3cretPw@localhost:{port}/espace");
    let refused = serve(dir.path(), &unencoded, system, smtp.port())
        .await
        .err()
        .unwrap();
    assert!(
        refused.contains("percent-encoded") && !refused.contains("S3cretPw"),
        "{refused}"
    );
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

    // verify-full against a server without TLS: refused, and not said to be a certificate.
    let plain = TempPostgres::start(false).unwrap();
    plain.create_database("espace").unwrap();
    let plain_url = plain.url("espace");
    let plain_port = plain_url
        .rsplit_once(':')
        .unwrap()
        .1
        .split('/')
        .next()
        .unwrap();
    let url = with_root("verify-full").replace(&format!(":{port}/"), &format!(":{plain_port}/"));
    let refused = serve(dir.path(), &url, &installed, smtp.port())
        .await
        .err()
        .unwrap();
    assert!(
        refused.contains("does not support TLS") && !refused.contains("not trusted"),
        "{refused}"
    );
}
