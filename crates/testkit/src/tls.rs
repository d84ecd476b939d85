//! What an organisation puts between its people and the service, made for a test: a certificate
//! authority of its own (`openssl`), the system's bundle with that authority added (what
//! `SSL_CERT_FILE` names, as a workstation's policy would install it), HAProxy terminating TLS in
//! front of the service, and a forward proxy (`tinyproxy`) on loopback. Each is a real program
//! from Debian, stopped when dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::reserve_port;

/// Where Debian (and Ubuntu) keep the system's trusted authorities.
pub const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl (cargo xtask test installs it)");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// A certificate authority made for the test: `name.pem` (its certificate) and `name.key`.
pub struct Authority {
    dir: PathBuf,
    name: String,
}

/// A certificate the authority issued, with its key.
pub struct Issued {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Issued {
    /// The certificate and its key in one file, as HAProxy and PostgreSQL's tests want it.
    pub fn combined(&self) -> PathBuf {
        let path = self.cert.with_extension("combined.pem");
        let mut pem = std::fs::read(&self.cert).unwrap();
        pem.extend(std::fs::read(&self.key).unwrap());
        std::fs::write(&path, pem).unwrap();
        path
    }
}

impl Authority {
    pub fn new(dir: &Path, name: &str) -> Self {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "2",
                "-subj",
                &format!("/O=Espace Pro tests/CN=Espace Pro test {name}"),
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        Self {
            dir: dir.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The authority's certificate (PEM).
    pub fn pem(&self) -> PathBuf {
        self.dir.join(format!("{}.pem", self.name))
    }

    /// A server certificate `leaf` for the names `sans` (`DNS:localhost,IP:127.0.0.1`).
    pub fn issue(&self, leaf: &str, sans: &str) -> Issued {
        let dir = &self.dir;
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                &format!("/CN={leaf}"),
                "-keyout",
                &format!("{leaf}.key"),
                "-out",
                &format!("{leaf}.csr"),
            ],
        );
        std::fs::write(
            dir.join(format!("{leaf}.ext")),
            format!(
                "subjectAltName={sans}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n"
            ),
        )
        .unwrap();
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{leaf}.csr"),
                "-CA",
                &format!("{}.pem", self.name),
                "-CAkey",
                &format!("{}.key", self.name),
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                &format!("{leaf}.pem"),
                "-extfile",
                &format!("{leaf}.ext"),
            ],
        );
        Issued {
            cert: dir.join(format!("{leaf}.pem")),
            key: dir.join(format!("{leaf}.key")),
        }
    }

    /// The system's bundle with this authority added, in a file of the test's: what
    /// `SSL_CERT_FILE` names when a workstation's policy installed the organisation's authority.
    pub fn system_bundle_with(&self) -> PathBuf {
        let mut bundle = std::fs::read(SYSTEM_BUNDLE)
            .expect("the system's bundle (the ca-certificates package)");
        if !bundle.ends_with(b"\n") {
            bundle.push(b'\n');
        }
        bundle.extend(std::fs::read(self.pem()).unwrap());
        let path = self
            .dir
            .join(format!("system-bundle-with-{}.pem", self.name));
        std::fs::write(&path, bundle).unwrap();
        path
    }
}

/// A program run for the test, killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_listening(port: u16, what: &str, log: &Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(15) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(30));
    }
    panic!(
        "{what} does not listen on {port}: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// HAProxy terminating TLS with `certificate` on a loopback port and passing the requests on to
/// the service at `backend`, as an organisation's front would.
pub struct TlsFront {
    _haproxy: Running,
    pub port: u16,
}

impl TlsFront {
    pub fn start(dir: &Path, certificate: &Issued, backend: u16) -> Self {
        let port = reserve_port();
        let config = dir.join(format!("haproxy-tls-{port}.cfg"));
        std::fs::write(
            &config,
            format!(
                "global
    maxconn 256

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend tls
    bind 127.0.0.1:{port} ssl crt {crt}
    option forwardfor
    default_backend service

backend service
    server service 127.0.0.1:{backend}
",
                crt = certificate.combined().display()
            ),
        )
        .unwrap();
        let log = dir.join(format!("haproxy-tls-{port}.log"));
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("haproxy (cargo xtask test installs it)");
        let front = Self {
            _haproxy: Running(child),
            port,
        };
        wait_listening(port, "HAProxy", &log);
        front
    }
}

/// A forward proxy (tinyproxy) on a loopback port, as a company network's: it passes `CONNECT`
/// tunnels on and writes every request it gets in its log, which the test reads.
pub struct ForwardProxy {
    _tinyproxy: Running,
    pub port: u16,
    log: PathBuf,
}

impl ForwardProxy {
    pub fn start(dir: &Path) -> Self {
        let port = reserve_port();
        let config = dir.join(format!("tinyproxy-{port}.conf"));
        // tinyproxy refuses to keep root: it runs as nobody, and writes to standard output
        // (`-d`), which goes to the log file.
        std::fs::write(
            &config,
            format!(
                "User nobody\nGroup nogroup\nPort {port}\nListen 127.0.0.1\nTimeout 30\n\
                 Allow 127.0.0.1\nLogLevel Connect\nMaxClients 50\n"
            ),
        )
        .unwrap();
        let log = dir.join(format!("tinyproxy-{port}.log"));
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new("tinyproxy")
            .arg("-d")
            .arg("-c")
            .arg(&config)
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("tinyproxy (cargo xtask test installs it)");
        let proxy = Self {
            _tinyproxy: Running(child),
            port,
            log,
        };
        wait_listening(port, "tinyproxy", &proxy.log);
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests the proxy was asked for so far (`CONNECT localhost:4431 HTTP/1.1`, …).
    pub fn requests(&self) -> Vec<String> {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        log.lines()
            .filter_map(|l| l.split_once("Request (file descriptor ").map(|(_, r)| r))
            .filter_map(|r| r.split_once("): ").map(|(_, r)| r.to_owned()))
            .collect()
    }
}
