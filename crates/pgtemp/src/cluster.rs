//! A local cluster: a throw-away PostgreSQL, N `espace-pro-server serve` replicas on it sharing
//! one master key, and HAProxy in front (health-checked on `/readyz`, each replica trusting it
//! for the client's address). `cargo xtask cluster` runs one to watch; the cluster test kills
//! replicas and restarts PostgreSQL under load.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{TempPostgres, free_port, other};

pub struct ClusterOptions {
    /// The `espace-pro-server` binary.
    pub server: PathBuf,
    pub replicas: usize,
    /// More `serve` arguments for every replica (mail, test switches).
    pub serve_args: Vec<String>,
    /// HAProxy's port; a free one if `None`.
    pub port: Option<u16>,
    /// fsync on (a cluster to measure) or off (tests).
    pub durable: bool,
    /// Replicas' logs go here (one file each), or are dropped.
    pub log_dir: Option<PathBuf>,
}

pub struct LocalCluster {
    pub pg: TempPostgres,
    /// The database URL every replica uses.
    pub database: String,
    pub key_file: PathBuf,
    options: ClusterOptions,
    replicas: Vec<(u16, Option<Child>)>,
    haproxy: Child,
    port: u16,
}

impl LocalCluster {
    pub fn start(options: ClusterOptions) -> io::Result<Self> {
        let pg = TempPostgres::start(options.durable)?;
        let database = pg.create_database("espace_pro")?;
        let dir = pg.dir.join("cluster");
        std::fs::create_dir_all(&dir)?;
        let key_file = dir.join("master.key");
        let port = match options.port {
            Some(p) => p,
            None => free_port()?,
        };
        let ports = (0..options.replicas)
            .map(|_| free_port())
            .collect::<io::Result<Vec<_>>>()?;
        let config = dir.join("haproxy.cfg");
        std::fs::write(&config, haproxy_config(port, &ports, true))?;
        let check = Command::new("haproxy")
            .arg("-c")
            .arg("-f")
            .arg(&config)
            .output();
        match check {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                return Err(other(format!(
                    "haproxy refuses its configuration: {}",
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            Err(e) => return Err(other(format!("haproxy (apt install haproxy): {e}"))),
        }
        let haproxy = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut cluster = Self {
            pg,
            database,
            key_file,
            options,
            replicas: ports.into_iter().map(|p| (p, None)).collect(),
            haproxy,
            port,
        };
        // The first replica migrates the schema and creates the key; the others then share both.
        for i in 0..cluster.replicas.len() {
            cluster.start_replica(i)?;
            if i == 0 {
                cluster.wait_ready(i, Duration::from_secs(30))?;
            }
        }
        for i in 0..cluster.replicas.len() {
            cluster.wait_ready(i, Duration::from_secs(30))?;
        }
        cluster.wait_balanced(Duration::from_secs(10))?;
        Ok(cluster)
    }

    /// An account on the cluster's database (`account create` with its key): `email`, named Lila
    /// ROSEMONDE, with `password` and the security answer "Paul", and `more` arguments.
    pub fn create_account(&self, email: &str, password: &str, more: &[&str]) -> io::Result<()> {
        let mut child = Command::new(&self.options.server)
            .args([
                "account",
                "create",
                "--database",
                &self.database,
                "--email",
                email,
            ])
            .arg("--key-file")
            .arg(&self.key_file)
            .args(["--first-name", "Lila", "--last-name", "ROSEMONDE"])
            .args(more)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        child
            .stdin
            .take()
            .ok_or_else(|| other("no standard input"))?
            .write_all(format!("{password}\nPaul\n").as_bytes())?;
        let out = child.wait_with_output()?;
        if out.status.success() {
            Ok(())
        } else {
            Err(other(format!(
                "account create {email}: {}",
                String::from_utf8_lossy(&out.stderr)
            )))
        }
    }

    /// HAProxy's address: what clients use.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn replica_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.replicas[i].0)
    }

    pub fn replica_count(&self) -> usize {
        self.replicas.len()
    }

    pub fn start_replica(&mut self, i: usize) -> io::Result<()> {
        let port = self.replicas[i].0;
        let log = match &self.options.log_dir {
            Some(dir) => Stdio::from(std::fs::File::create(dir.join(format!("replica-{i}.log")))?),
            None => Stdio::null(),
        };
        let child = Command::new(&self.options.server)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--metrics-listen", "127.0.0.1:0"])
            .args(["--database", &self.database])
            .arg("--key-file")
            .arg(&self.key_file)
            .args(["--trusted-proxy", "127.0.0.1/32"])
            .args(&self.options.serve_args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()?;
        self.replicas[i].1 = Some(child);
        Ok(())
    }

    /// `kill -9`: no shutdown, no goodbye to PostgreSQL or the relay.
    pub fn kill_replica(&mut self, i: usize) {
        if let Some(mut child) = self.replicas[i].1.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Waits until replica `i` answers `/readyz` with 200.
    pub fn wait_ready(&self, i: usize, within: Duration) -> io::Result<()> {
        let port = self.replicas[i].0;
        let start = Instant::now();
        while start.elapsed() < within {
            if http_status(port, "/readyz") == Some(200) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(other(format!(
            "replica {i} (port {port}) not ready within {within:?}"
        )))
    }

    /// Waits until HAProxy itself answers `/readyz` (its health checks saw a replica up).
    fn wait_balanced(&self, within: Duration) -> io::Result<()> {
        let start = Instant::now();
        while start.elapsed() < within {
            if http_status(self.port, "/readyz") == Some(200) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(other("HAProxy sends nothing to the replicas"))
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        for i in 0..self.replicas.len() {
            if let Some(child) = &mut self.replicas[i].1 {
                // A clean stop (SIGTERM) first, so the outbox claims are given back.
                let _ = Command::new("kill").arg(child.id().to_string()).status();
                let deadline = Instant::now() + Duration::from_secs(5);
                while Instant::now() < deadline {
                    if matches!(child.try_wait(), Ok(Some(_))) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
            self.kill_replica(i);
        }
        let _ = self.haproxy.kill();
        let _ = self.haproxy.wait();
    }
}

/// HAProxy alone in front of one service (`backend`, a loopback port), appending the client's
/// address to `X-Forwarded-For` (`option forwardfor`) and passing every other header on, as the
/// cluster did before it also stripped `Forwarded`: for tests of what a client can and cannot
/// make the service believe through a proxy. Stopped when dropped.
pub struct Haproxy {
    child: Child,
    pub port: u16,
}

impl Haproxy {
    pub fn start(dir: &std::path::Path, backend: u16) -> io::Result<Self> {
        let port = free_port()?;
        let config = dir.join("haproxy.cfg");
        std::fs::write(&config, haproxy_config(port, &[backend], false))?;
        let log = dir.join("haproxy.log");
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .map_err(|e| other(format!("haproxy (apt install haproxy): {e}")))?;
        let proxy = Self { child, port };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            if http_status(port, "/readyz") == Some(200) {
                return Ok(proxy);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(other(format!(
            "HAProxy sends nothing to the service: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        )))
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// HAProxy in front of the replicas: round robin, `/readyz` checked every 500 ms, a replica out
/// after 2 failures and back after 1 success; a request whose connection could not be made is
/// sent to another replica (never one that may have been processed). The client's address is
/// appended to `X-Forwarded-For` (the service's `--forwarded-header` default); with
/// `strip_forwarded`, a `Forwarded` the client sent is removed too (the service ignores it
/// anyway: the proxy's configuration is a second wall, not the first).
fn haproxy_config(port: u16, replicas: &[u16], strip_forwarded: bool) -> String {
    let strip = if strip_forwarded {
        "    http-request del-header forwarded\n"
    } else {
        ""
    };
    let mut cfg = format!(
        "global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    retries 3
    option redispatch
    retry-on conn-failure

frontend api
    bind 127.0.0.1:{port}
    option forwardfor
{strip}    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1
"
    );
    for (i, p) in replicas.iter().enumerate() {
        cfg.push_str(&format!("    server replica{i} 127.0.0.1:{p} check\n"));
    }
    cfg
}

/// The status of `GET path` on a loopback port, if it answers at all (std only).
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}
