//! Signed updates, end to end: the installed app (`dpkg -i` of the organisation's `.deb`, built
//! with a throwaway key's public half) finds a newer signed build's manifest on a loopback HTTPS
//! server, refuses it when its signature does not match or names another version (an older
//! signed package announced as newer), and installs the good one (the
//! updater's `sudo dpkg -i`, as root here).
//!
//! Run by `cargo xtask test` once it has built both versions (it sets the variables below); a
//! plain `cargo test` leaves it out (`#[ignore]`). Linux, as root, on a virtual display.
#![cfg(target_os = "linux")]

// Shared with the WebDriver suite; this scenario uses a part of it.
#[allow(dead_code)]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use support::app::{Ui, WAIT, eventually, start_driver};
use support::steps::assert_accessible;
use support::webdriver::WebDriver;

const INSTALLED: &str = "/usr/bin/espace-pro";

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by cargo xtask test"))
}

fn installed_version() -> String {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "espace-pro"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn run(cmd: &mut Command) {
    let status = cmd.status().unwrap();
    assert!(status.success(), "{cmd:?}: {status}");
}

/// A CA and a certificate for 127.0.0.1 signed by it (openssl), so that the app's TLS client
/// trusts the loopback server through `SSL_CERT_FILE` only.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (ca_key, ca) = (dir.join("ca.key"), dir.join("ca.pem"));
    let (key, csr, cert) = (
        dir.join("server.key"),
        dir.join("server.csr"),
        dir.join("server.pem"),
    );
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args([
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=Espace Pro update tests CA",
        ])
        .arg("-keyout")
        .arg(&ca_key)
        .arg("-out")
        .arg(&ca)
        .stderr(Stdio::null()));
    run(Command::new("openssl")
        .args([
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-subj", "/CN=127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&csr)
        .stderr(Stdio::null()));
    let ext = dir.join("server.ext");
    std::fs::write(
        &ext,
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "1"])
        .arg("-in")
        .arg(&csr)
        .arg("-CA")
        .arg(&ca)
        .arg("-CAkey")
        .arg(&ca_key)
        .arg("-CAcreateserial")
        .arg("-extfile")
        .arg(&ext)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null()));
    (ca, cert, key)
}

/// An HTTPS file server on loopback (Python's, with the certificate above) over `root`.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path, cert: &Path, key: &Path) -> Server {
    let script = r#"
import functools, http.server, ssl, sys
root, cert, key = sys.argv[1:4]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .arg(root)
        .arg(cert)
        .arg(key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let port = line.trim().parse().expect("the server's port");
    Server { child, port }
}

async fn text(ui: &Ui, id: &str) -> String {
    match ui.c.find("css selector", &format!("#{id}")).await {
        Ok(e) => ui.c.text(&e).await,
        Err(_) => String::new(),
    }
}

async fn wait_for_text(ui: &Ui, id: &str, expected: &str, within: Duration) -> String {
    let what = format!("{expected:?} in #{id}");
    eventually(&what, within, async || {
        let shown = text(ui, id).await;
        match shown.contains(expected) {
            true => Ok(shown),
            false => Err(format!("it shows {shown:?}")),
        }
    })
    .await
}

/// Whatever runs from the installed binary (the app restarted into its new version).
fn stop_installed_apps() {
    let _ = Command::new("pkill").args(["-f", INSTALLED]).status();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by cargo xtask test once both versions are built and signed"]
async fn the_installed_app_refuses_a_tampered_update_and_installs_the_signed_one() {
    let old_deb = var("ESPACE_PRO_UPDATE_OLD_DEB");
    let old_version = var("ESPACE_PRO_UPDATE_OLD_VERSION");
    let new_dir = PathBuf::from(var("ESPACE_PRO_UPDATE_NEW_DIR"));
    let new_version = var("ESPACE_PRO_UPDATE_NEW_VERSION");
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());

    // What the server offers: the newer .deb, its manifest, and the same manifest whose .deb
    // signature is the .rpm's (a package that is not the one signed).
    let srv = dir.path().join("srv");
    std::fs::create_dir_all(&srv).unwrap();
    let manifest = std::fs::read_to_string(new_dir.join("latest.json")).unwrap();
    let mut deb = None;
    for entry in std::fs::read_dir(new_dir.join("deb")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(&format!("_{new_version}_amd64.deb")) {
            std::fs::copy(&path, srv.join(&name)).unwrap();
            deb = Some(path);
        }
    }
    let deb = deb.expect("the newer .deb");
    let deb_sig = std::fs::read_to_string(format!("{}.sig", deb.display())).unwrap();
    let rpm_sig = std::fs::read_dir(new_dir.join("rpm"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".rpm.sig"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .expect("the newer .rpm's signature");
    let server = serve(&srv, &cert, &key);
    let base = format!("https://127.0.0.1:{}", server.port);
    // The manifest names the download base given at packaging: point it at this server.
    let local = |m: &str| {
        let mut out = String::new();
        for line in m.lines() {
            match line.find("\"url\": \"") {
                Some(at) => {
                    let rest = &line[at + 8..];
                    let file = rest[..rest.find('"').unwrap()].rsplit('/').next().unwrap();
                    out.push_str(
                        &line.replace(&rest[..rest.find('"').unwrap()], &format!("{base}/{file}")),
                    );
                }
                None => out.push_str(line),
            }
            out.push('\n');
        }
        out
    };
    std::fs::write(srv.join("latest.json"), local(&manifest)).unwrap();
    assert!(manifest.contains(deb_sig.trim()));
    std::fs::write(
        srv.join("tampered.json"),
        local(&manifest.replacen(deb_sig.trim(), rpm_sig.trim(), 1)),
    )
    .unwrap();
    // A downgrade: the installed (older) version's own package, genuinely signed, announced
    // under the newer version's number.
    let old_name = Path::new(&old_deb)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let new_name = deb.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::copy(&old_deb, srv.join(&old_name)).unwrap();
    let old_sig = std::fs::read_to_string(format!("{old_deb}.sig"))
        .expect("the installed version's signature (cargo xtask test signs it)");
    let downgrade = manifest
        .replacen(deb_sig.trim(), old_sig.trim(), 1)
        .replace(&new_name.replace(' ', "%20"), &old_name.replace(' ', "%20"));
    assert!(downgrade.contains(&old_name.replace(' ', "%20")));
    std::fs::write(srv.join("downgrade.json"), local(&downgrade)).unwrap();

    stop_installed_apps();
    run(Command::new("dpkg")
        .arg("-i")
        .arg(&old_deb)
        .stdout(Stdio::null()));
    assert_eq!(installed_version(), old_version);

    let start = async |manifest: &str| {
        let home = dir.path().join(format!("home-{manifest}"));
        let env = vec![
            ("XDG_CONFIG_HOME", home.join("config").display().to_string()),
            ("XDG_DATA_HOME", home.join("data").display().to_string()),
            ("XDG_CACHE_HOME", home.join("cache").display().to_string()),
            ("ESPACE_PRO_UPDATE_URL", format!("{base}/{manifest}")),
            ("SSL_CERT_FILE", ca.display().to_string()),
            support::screen_reader::bridge_on(),
        ];
        let (driver, port) = start_driver(&env).await;
        let ui = Ui {
            c: WebDriver::connect(port, INSTALLED).await,
        };
        (driver, ui)
    };

    // A manifest whose signature is not the package's: shown, refused at install, nothing
    // installed.
    let (driver, ui) = start("tampered.json").await;
    let shown = wait_for_text(&ui, "update-banner", "Mise à jour disponible", WAIT).await;
    assert!(
        shown.contains(&new_version) && shown.contains(&old_version),
        "{shown}"
    );
    assert!(shown.contains("Nouveautés"), "{shown}");
    assert_accessible(&ui, "update banner").await;
    let install = ui.c.wait_for("css selector", "#update-install", WAIT).await;
    ui.c.click(&install).await;
    wait_for_text(
        &ui,
        "update-status",
        "ne porte pas la signature",
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        installed_version(),
        old_version,
        "a tampered update was installed"
    );
    ui.c.close().await;
    drop(driver);
    stop_installed_apps();

    // An older signed package under the newer number: its signature names its own version,
    // not the one announced, and the app refuses it (`requireSignedVersion`).
    let (driver, ui) = start("downgrade.json").await;
    wait_for_text(&ui, "update-banner", &new_version, WAIT).await;
    let install = ui.c.wait_for("css selector", "#update-install", WAIT).await;
    ui.c.click(&install).await;
    wait_for_text(
        &ui,
        "update-status",
        "ne porte pas la signature",
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(installed_version(), old_version);
    ui.c.close().await;
    drop(driver);
    stop_installed_apps();

    // The signed one: installed, and the app restarts into it.
    let (driver, ui) = start("latest.json").await;
    wait_for_text(&ui, "update-banner", &new_version, WAIT).await;
    let install = ui.c.wait_for("css selector", "#update-install", WAIT).await;
    ui.c.click(&install).await;
    wait_for_text(&ui, "update-status", "installée", Duration::from_secs(120)).await;
    assert_eq!(installed_version(), new_version);
    // The restart ends the WebDriver session; the new version's window is stopped here.
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(driver);
    stop_installed_apps();
    let _ = Command::new("dpkg")
        .args(["-r", "espace-pro"])
        .stdout(Stdio::null())
        .status();
}
