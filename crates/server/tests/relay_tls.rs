//! Mail over TLS, to a relay we did not write (aiosmtpd, from PyPI, in a virtual environment
//! under the build folder): STARTTLS and SMTPS, each with AUTH, and a certificate made for the
//! test by a certificate authority of the test's own (`openssl`), which the service is told of
//! with `--smtp-ca-file`. A relay whose certificate chains to another authority is refused, and
//! the message waits in the outbox until a service that trusts the right one sends it. With no
//! file named, the service trusts the computer's authorities: the relay once its authority is
//! among them (`SSL_CERT_FILE` naming the system's bundle with it added), not before.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use espace_pro_testkit::process::{self, KillOnDrop as Process, account_create, write_stdin};
use espace_pro_testkit::reserve_port;
use espace_pro_testkit::tls::{Authority, SYSTEM_BUNDLE};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_espace-pro-server");
const AIOSMTPD: &str = "aiosmtpd==1.4.6";
const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
const RELAY_USER: &str = "espace";
const RELAY_PASSWORD: &str = "Relais7Secret4Test";

/// The Python of aiosmtpd's virtual environment (made when missing).
fn python() -> PathBuf {
    espace_pro_testkit::python::venv(Path::new(env!("CARGO_TARGET_TMPDIR")), AIOSMTPD)
        .join("bin/python")
}

/// The relay in `mode` (`starttls` or `smtps`) on `port`, keeping messages in `outdir`.
fn start_relay(dir: &Path, mode: &str, port: u16, outdir: &Path) -> Process {
    std::fs::create_dir_all(outdir).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/relay/tls_relay.py");
    let mut child = Command::new(python())
        .arg(script)
        .args([mode, &port.to_string()])
        .arg(dir.join("relay.pem"))
        .arg(dir.join("relay.key"))
        .arg(outdir)
        .args([RELAY_USER, RELAY_PASSWORD])
        .stdout(Stdio::piped())
        // What it says of refused handshakes, kept beside the test's files.
        .stderr(std::fs::File::create(dir.join(format!("{mode}-relay.log"))).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the relay did not start");
    Process(child)
}

/// What the service is told to trust: an authority's file (`--smtp-ca-file`), or the
/// computer's authorities (`SSL_CERT_FILE` naming a bundle).
enum Trust<'a> {
    CaFile(&'a Authority),
    System(&'a Path),
}

/// The service on `db`, sending through `smtp` with the relay's password, trusting `trust`; its
/// address and the file its log goes to.
async fn serve(dir: &Path, db: &str, smtp: &str, trust: Trust<'_>) -> (Process, String, PathBuf) {
    let port = reserve_port();
    let log = dir.join(format!("service-{port}.log"));
    std::fs::write(dir.join("smtp-password"), format!("{RELAY_PASSWORD}\n")).unwrap();
    let mut command = process::serve(BIN, port, db);
    command
        .args(["--smtp", smtp])
        .arg("--smtp-password-file")
        .arg(dir.join("smtp-password"))
        .env_remove("SSL_CERT_DIR")
        .env("ESPACE_PRO_LOG", "warn")
        .stderr(std::fs::File::create(&log).unwrap());
    match trust {
        Trust::CaFile(ca) => command
            .arg("--smtp-ca-file")
            .arg(ca.pem())
            .env("SSL_CERT_FILE", SYSTEM_BUNDLE),
        Trust::System(bundle) => command.env("SSL_CERT_FILE", bundle),
    };
    let service = Process(command.spawn().unwrap());
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return (service, base, log);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the service did not start");
}

/// Waits until the service's log says the relay's certificate was refused (the delivery was
/// tried, and failed on that).
async fn refused_in(log: &Path) {
    for _ in 0..300 {
        let said = std::fs::read_to_string(log).unwrap_or_default();
        if said.contains("invalid peer certificate: UnknownIssuer") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "no refused certificate in the service's log: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

fn create_account(db: &str, email: &str) {
    let mut child = account_create(BIN, db, email)
        .args(["--first-name", "Lila", "--last-name", "ROSEMONDE"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    write_stdin(&mut child, &format!("{PASSWORD}\nPaul\n"));
    assert!(child.wait().unwrap().success());
}

/// A recovery code for `email`: one message to its address.
async fn ask_recovery(base: &str, email: &str) {
    let r = reqwest::Client::new()
        .post(format!("{base}/v1/password-recovery"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

/// The messages the relay kept: their envelope recipients and text.
fn kept(outdir: &Path) -> Vec<(String, String)> {
    let mut found: Vec<_> = std::fs::read_dir(outdir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    found.sort();
    found
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            let (to, message) = text.split_once('\n').unwrap();
            (to.to_owned(), message.to_owned())
        })
        .collect()
}

async fn wait_kept(outdir: &Path, count: usize) -> Vec<(String, String)> {
    for _ in 0..300 {
        let found = kept(outdir);
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "the relay got {} message(s), not {count}",
        kept(outdir).len()
    );
}

#[tokio::test]
async fn mail_goes_over_starttls_and_smtps_with_auth_and_a_wrong_certificate_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ca = Authority::new(d, "ca");
    let other_ca = Authority::new(d, "other-ca");
    // relay.pem, relay.key
    ca.issue("relay", "DNS:localhost");
    let db = format!("sqlite://{}", d.join("db.sqlite").display());
    create_account(&db, "lila@example.fr");

    // STARTTLS, AUTH.
    let starttls_port = reserve_port();
    let starttls_out = d.join("starttls");
    let _starttls = start_relay(d, "starttls", starttls_port, &starttls_out);
    let starttls = format!("smtp://{RELAY_USER}@localhost:{starttls_port}?tls=required");
    {
        let (_service, base, _) = serve(d, &db, &starttls, Trust::CaFile(&ca)).await;
        ask_recovery(&base, "lila@example.fr").await;
        let got = wait_kept(&starttls_out, 1).await;
        assert_eq!(got[0].0, "lila@example.fr");
        assert!(got[0].1.contains("Message-ID: <outbox-"), "{}", got[0].1);
        // What the relay received: a MIME message that auto-replies leave alone (RFC 3834).
        for header in ["MIME-Version: 1.0", "Auto-Submitted: auto-generated"] {
            assert!(
                got[0].1.lines().any(|l| l.trim_end() == header),
                "{header}: {}",
                got[0].1
            );
        }
    }

    // SMTPS (TLS from the first byte), AUTH.
    let smtps_port = reserve_port();
    let smtps_out = d.join("smtps");
    let _smtps = start_relay(d, "smtps", smtps_port, &smtps_out);
    let smtps = format!("smtps://{RELAY_USER}@localhost:{smtps_port}");
    {
        let (_service, base, _) = serve(d, &db, &smtps, Trust::CaFile(&ca)).await;
        // Past the ten minutes a recovery code is kept: the address's next code is a new mail.
        create_account(&db, "paul@example.fr");
        ask_recovery(&base, "paul@example.fr").await;
        let got = wait_kept(&smtps_out, 1).await;
        assert_eq!(got[0].0, "paul@example.fr");
    }

    // A relay whose certificate this service has no reason to trust: nothing is sent, nothing
    // is lost.
    create_account(&db, "zoe@example.fr");
    {
        let (_service, base, log) = serve(d, &db, &starttls, Trust::CaFile(&other_ca)).await;
        ask_recovery(&base, "zoe@example.fr").await;
        refused_in(&log).await;
        assert_eq!(kept(&starttls_out).len(), 1, "sent to an untrusted relay");
    }
    {
        let (_service, _, _) = serve(d, &db, &starttls, Trust::CaFile(&ca)).await;
        let got = wait_kept(&starttls_out, 2).await;
        assert_eq!(got[1].0, "zoe@example.fr");
    }

    // No file named: the computer's authorities. The system's own bundle alone does not know
    // the relay's authority; once the organisation's authority is installed beside the others
    // (what a workstation's policy does), the relay is trusted.
    create_account(&db, "yann@example.fr");
    {
        let system = Path::new(SYSTEM_BUNDLE);
        let (_service, base, log) = serve(d, &db, &starttls, Trust::System(system)).await;
        ask_recovery(&base, "yann@example.fr").await;
        refused_in(&log).await;
        assert_eq!(
            kept(&starttls_out).len(),
            2,
            "sent to a relay the computer does not trust"
        );
    }
    let installed = ca.system_bundle_with();
    let (_service, _, _) = serve(d, &db, &starttls, Trust::System(&installed)).await;
    let got = wait_kept(&starttls_out, 3).await;
    assert_eq!(got[2].0, "yann@example.fr");
}
