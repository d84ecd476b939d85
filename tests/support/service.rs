//! The account service as its own process: the `espace-pro-server` binary, started with `serve`
//! on a loopback port, a temporary SQLite file, the test's SMTP listener, a CAPTCHA test answer
//! and a test clock file (SPEC §3.2); accounts are created with its `account create` command.
//!
//! `cargo test --workspace --all-targets` (what `cargo xtask test` runs) builds the binary
//! beside the test; a lone `cargo test --test e2e` builds it here when it is missing.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use espace_pro_server::accounts::NewAccount;
use espace_pro_testkit::{SmtpListener, reserve_port};

/// What every CAPTCHA accepts in these tests.
pub const CAPTCHA_ANSWER: &str = "abcdef";

pub struct ServiceProcess {
    child: Child,
    addr: SocketAddr,
    database: String,
    clock_file: PathBuf,
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `espace-pro-server` binary of this build (beside the test's own `deps/` folder).
fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join(format!("espace-pro-server{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let built = Command::new(cargo)
            .args([
                "build",
                "-p",
                "espace-pro-server",
                "--bin",
                "espace-pro-server",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo build of espace-pro-server");
        assert!(built.success(), "espace-pro-server did not build");
    }
    bin
}

impl ServiceProcess {
    /// Starts the service with its data in `dir`, mail to `smtp`, the clock file at 0 seconds,
    /// and `extra` flags for `serve`.
    pub async fn start_with(dir: &Path, smtp: &SmtpListener, extra: &[&str]) -> Self {
        let port = reserve_port();
        let database = format!("sqlite://{}", dir.join("service.sqlite").display());
        let clock_file = dir.join("service-clock");
        std::fs::write(&clock_file, "0").unwrap();
        let child = Command::new(binary())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--database", &database, "--smtp", &smtp.url()])
            .args(["--captcha-test-answer", CAPTCHA_ANSWER, "--test-clock-file"])
            .arg(&clock_file)
            .args(["--metrics-listen", "127.0.0.1:0"])
            .args(extra)
            .env("ESPACE_PRO_LOG", "warn")
            .spawn()
            .expect("espace-pro-server serve");
        let service = Self {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            database,
            clock_file,
        };
        let health = format!("{}/healthz", service.url());
        let deadline = Instant::now() + Duration::from_secs(20);
        while !reqwest::get(&health)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(
                Instant::now() < deadline,
                "espace-pro-server did not answer {health}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        service
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Moves the service's clock: `seconds` after the real time.
    pub fn set_clock_offset(&self, seconds: i64) {
        std::fs::write(&self.clock_file, seconds.to_string()).unwrap();
    }

    /// `espace-pro-server account create`, password and security answer on standard input.
    /// Returns the subscriber number it prints.
    pub fn create_account(&self, account: &NewAccount, password: &str) -> String {
        let mut cmd = Command::new(binary());
        cmd.args(["account", "create", "--database", &self.database])
            .args(["--email", &account.email])
            .args(["--first-name", &account.first_name])
            .args(["--last-name", &account.last_name]);
        for (flag, value) in [
            ("--civility", &account.civility),
            ("--phone", &account.phone),
            ("--address", &account.address),
            ("--security-question", &account.security_question),
        ] {
            if !value.is_empty() {
                cmd.args([flag, value.as_str()]);
            }
        }
        for (siren, name) in &account.dossiers {
            cmd.args(["--dossier", &format!("{siren}:{name}")]);
        }
        let mut child = cmd
            .env("ESPACE_PRO_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("espace-pro-server account create");
        let answer = &account.security_answer;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n{answer}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "account create: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}
