//! The client trusts what the computer trusts, and goes through the proxy it names.
//!
//! The service runs behind HAProxy terminating TLS with a certificate from an authority made
//! for the test. Each case runs the client in a child process of this test program (the trust
//! store and the proxy are read from the environment, which is the process's): `SSL_CERT_FILE`
//! naming the system's bundle with that authority added, as a workstation's policy installs an
//! organisation's authority; `HTTPS_PROXY` / `NO_PROXY` naming tinyproxy on loopback, whose log
//! shows what it was asked.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;

use espace_pro_client::ApiClient;
use espace_pro_server::clock::ManualClock;
use espace_pro_server::{Application, Config};
use espace_pro_testkit::tls::{Authority, ForwardProxy, TlsFront};
use espace_pro_testkit::{SmtpListener, reserve_port};

/// The variable that makes [`probe`] ask a service (set only by [`ask`]).
const PROBE_URL: &str = "ESPACE_PRO_TRUST_PROBE_URL";

/// What the environment may already say of trust and proxies: removed from every child, which
/// is then given only its case's.
const INHERITED: &[&str] = &[
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// One client, in this child process: asks `/v1/service-info` and prints `PROBE ok` or
/// `PROBE <error code>`.
#[test]
#[ignore = "a child process of `trust_and_proxies`, with the environment of one case"]
fn probe() {
    let Ok(url) = std::env::var(PROBE_URL) else {
        eprintln!("run by trust_and_proxies, which gives it a service to ask");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async { ApiClient::new(&url)?.service_info().await });
    match outcome {
        Ok(_) => println!("PROBE ok"),
        Err(e) => println!("PROBE {} ({e})", e.code()),
    }
}

/// The outcome of asking `url` with `env`: `ok`, or the client's error code.
async fn ask(url: &str, env: &[(&str, &Path)]) -> String {
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", "probe", "--ignored", "--nocapture", "--quiet"])
        .env(PROBE_URL, url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in INHERITED {
        child.env_remove(name);
    }
    for (name, value) in env {
        child.env(name, value);
    }
    let out = child.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("PROBE "))
        .unwrap_or_else(|| {
            panic!(
                "the probe said nothing: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    println!("{url} {env:?}: {line}");
    line.split(' ').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_and_proxies() {
    let smtp = SmtpListener::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(&dir.path().join("db.sqlite"), smtp.port());
    let clock = ManualClock::new(time::macros::datetime!(2026-12-05 10:00:00 UTC));
    let app = Application::build(config, Arc::new(clock)).await.unwrap();
    let backend = app.addr().port();

    let tls = dir.path();
    let organisation = Authority::new(tls, "organisation");
    let front = TlsFront::start(
        tls,
        &organisation.issue("service", "DNS:localhost,IP:127.0.0.1"),
        backend,
    );
    let elsewhere = TlsFront::start(
        tls,
        &organisation.issue("elsewhere", "DNS:elsewhere.example"),
        backend,
    );
    let trusted = organisation.system_bundle_with();
    let system_only = Path::new(espace_pro_testkit::tls::SYSTEM_BUNDLE);
    let https = format!("https://localhost:{}", front.port);

    // The computer does not trust the organisation's authority: a message of its own, not
    // "unreachable".
    assert_eq!(ask(&https, &[]).await, "untrusted_certificate");
    assert_eq!(
        ask(&https, &[("SSL_CERT_FILE", system_only)]).await,
        "untrusted_certificate"
    );
    // It does (the authority added to the system's bundle): the service answers.
    assert_eq!(ask(&https, &[("SSL_CERT_FILE", &trusted)]).await, "ok");
    // A trusted authority's certificate for another name is not the service's.
    assert_eq!(
        ask(
            &format!("https://localhost:{}", elsewhere.port),
            &[("SSL_CERT_FILE", &trusted)]
        )
        .await,
        "untrusted_certificate"
    );
    // A store that cannot be read (SSL_CERT_FILE naming nothing): no https certificate can be
    // checked, and that is what the person is told; this computer's own plain-http service,
    // which needs no authority, is still reached.
    let unreadable = Path::new("/nonexistent/bundle.pem");
    assert_eq!(
        ask(&https, &[("SSL_CERT_FILE", unreadable)]).await,
        "untrusted_certificate"
    );
    assert_eq!(
        ask(
            &format!("http://127.0.0.1:{backend}"),
            &[("SSL_CERT_FILE", unreadable)]
        )
        .await,
        "ok"
    );
    // Nothing listens: unreachable, as before.
    assert_eq!(
        ask(
            &format!("https://localhost:{}", reserve_port()),
            &[("SSL_CERT_FILE", &trusted)]
        )
        .await,
        "network"
    );

    // Through the network's proxy: a tunnel to the service, which still checks the certificate.
    let proxy = ForwardProxy::start(tls);
    let proxy_url = proxy.url();
    let proxy_path = Path::new(&proxy_url);
    let tunnel = format!("CONNECT localhost:{} HTTP/1.1", front.port);
    assert_eq!(
        ask(
            &https,
            &[("SSL_CERT_FILE", &trusted), ("HTTPS_PROXY", proxy_path)]
        )
        .await,
        "ok"
    );
    assert_eq!(proxy.requests(), vec![tunnel.clone()], "the proxy's log");
    assert_eq!(
        ask(&https, &[("HTTPS_PROXY", proxy_path)]).await,
        "untrusted_certificate",
        "a tunnel does not make the certificate trusted"
    );
    assert_eq!(proxy.requests().len(), 2);
    // NO_PROXY names the service: asked directly.
    assert_eq!(
        ask(
            &https,
            &[
                ("SSL_CERT_FILE", &trusted),
                ("HTTPS_PROXY", proxy_path),
                ("NO_PROXY", Path::new("localhost"))
            ]
        )
        .await,
        "ok"
    );
    assert_eq!(proxy.requests().len(), 2, "NO_PROXY: not through the proxy");
    // A proxy that is named but down: the client does not go around it.
    let dead = format!("http://127.0.0.1:{}", reserve_port());
    assert_eq!(
        ask(
            &https,
            &[
                ("SSL_CERT_FILE", &trusted),
                ("HTTPS_PROXY", Path::new(&dead))
            ]
        )
        .await,
        "network"
    );
    // This computer's own service over plain http never goes through a proxy, which would see
    // its passwords in clear.
    let plain = format!("http://127.0.0.1:{backend}");
    assert_eq!(
        ask(
            &plain,
            &[
                ("HTTP_PROXY", proxy_path),
                ("http_proxy", proxy_path),
                ("ALL_PROXY", proxy_path)
            ]
        )
        .await,
        "ok"
    );
    assert_eq!(
        proxy.requests().len(),
        2,
        "plain http: never through the proxy"
    );
    drop(app);
}
