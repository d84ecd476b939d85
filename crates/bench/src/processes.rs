//! The processes measured (the release service, the hello-world) and the bench's account.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use espace_pro_testkit::{SmtpListener, reserve_port};
use serde_json::{Value, json};

use crate::{EMAIL, Options, PASSWORD};

/// A child process killed when dropped.
pub struct Running {
    child: Child,
    pub base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Resident memory, from /proc.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

/// Spawns `cmd` and waits until `GET {base}{probe}` answers 200: the process and the time from
/// spawn to that answer.
async fn start(mut cmd: Command, base: String, probe: &str) -> (Running, Duration) {
    let http = reqwest::Client::new();
    let began = Instant::now();
    let child = cmd.spawn().expect("start the process");
    let running = Running { child, base };
    let url = format!("{}{probe}", running.base);
    while began.elapsed() < Duration::from_secs(20) {
        if http
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (running, began.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("{url} did not answer within 20 s");
}

pub async fn start_hello(o: &Options) -> (Running, Duration) {
    let port = reserve_port();
    let mut cmd = Command::new(&o.hello);
    cmd.arg(format!("127.0.0.1:{port}"));
    start(cmd, format!("http://127.0.0.1:{port}"), "/").await
}

/// A database for the service: its URL and master key file.
pub struct Db {
    pub url: String,
    pub key: PathBuf,
}

impl Db {
    pub fn sqlite(dir: &Path, name: &str) -> Self {
        let file = dir.join(name);
        Self {
            url: format!("sqlite://{}", file.display()),
            key: file.with_extension("key"),
        }
    }
}

pub async fn start_service(
    o: &Options,
    db: &Db,
    smtp: &SmtpListener,
    extra: &[&str],
) -> (Running, Duration) {
    let port = reserve_port();
    let mut cmd = Command::new(&o.server);
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--metrics-listen", "127.0.0.1:0", "--smtp", &smtp.url()])
        .args(["--database", &db.url])
        .arg("--key-file")
        .arg(&db.key)
        .args(extra)
        .env("ESPACE_PRO_LOG", "warn");
    start(cmd, format!("http://127.0.0.1:{port}"), "/healthz").await
}

pub fn create_account(o: &Options, db: &Db) {
    let mut child = Command::new(&o.server)
        .args([
            "account",
            "create",
            "--email",
            EMAIL,
            "--first-name",
            "Banc",
        ])
        .args(["--last-name", "ESSAI", "--dossier", "000299001:SARL BANC"])
        .args(["--database", &db.url])
        .arg("--key-file")
        .arg(&db.key)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run account create");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\nPaul\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "account create failed");
}

pub async fn log_in(http: &reqwest::Client, base: &str) -> String {
    let r: Value = http
        .post(format!("{base}/v1/sessions"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("a session token").to_owned()
}
