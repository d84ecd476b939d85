//! A throw-away PostgreSQL server: a fresh cluster in a temporary folder, on a free loopback
//! port, stopped and deleted when dropped. Built on Debian's `postgresql` package
//! (`/usr/lib/postgresql/<version>/bin`). PostgreSQL refuses to run as root: as root, every
//! command runs as the `postgres` user (`runuser`), which owns the folder.
//!
//! Used by `cargo xtask test` (the API suite on PostgreSQL) and, through [`LocalCluster`], by
//! `cargo xtask cluster` and the cluster test, which restarts the server under load.

use std::io;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

pub mod cluster;
pub use cluster::{ClusterOptions, Haproxy, LocalCluster};

pub struct TempPostgres {
    pub(crate) dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

pub(crate) fn other(what: impl Into<String>) -> io::Error {
    io::Error::other(what.into())
}

/// The newest PostgreSQL installed by Debian's packages.
pub fn bin_dir() -> io::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| {
            other(format!(
                "PostgreSQL is not installed (apt install postgresql): {e}"
            ))
        })?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| other("no PostgreSQL server under /usr/lib/postgresql"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

pub(crate) fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl TempPostgres {
    /// A new cluster, started. `durable: false` turns fsync off (tests: a crash of the machine
    /// is not what they test); the server's own restarts stay safe either way.
    pub fn start(durable: bool) -> io::Result<Self> {
        let bin = bin_dir()?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("espace-pro-pg-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let as_postgres_user = is_root();
        let pg = Self {
            dir,
            bin,
            port: free_port()?,
            as_postgres_user,
        };
        if as_postgres_user {
            pg.checked(
                Command::new("chown")
                    .args(["postgres:postgres"])
                    .arg(&pg.dir),
            )?;
        }
        let data = pg.data();
        pg.checked(
            pg.command("initdb")
                .args([
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                    "-D",
                ])
                .arg(&data),
        )?;
        let mut conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\nmax_connections = 400\n",
            pg.port,
            pg.dir.display()
        );
        if !durable {
            conf.push_str("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
        }
        let conf_file = data.join("postgresql.auto.conf");
        // Root writes it; the file keeps its owner.
        let mut existing = std::fs::read_to_string(&conf_file).unwrap_or_default();
        existing.push_str(&conf);
        std::fs::write(&conf_file, existing)?;
        pg.pg_ctl("start")?;
        Ok(pg)
    }

    /// The URL of `database` (user `postgres`, no password: the cluster trusts loopback).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs SQL with psql on `database`; returns what it printed.
    pub fn psql(&self, database: &str, sql: &str) -> io::Result<String> {
        let out = self.checked(
            self.command("psql")
                .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d"])
                .arg(self.url(database))
                .args(["-c", sql]),
        )?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// A new, empty database; returns its URL.
    pub fn create_database(&self, name: &str) -> io::Result<String> {
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(other(format!("not a plain database name: {name}")));
        }
        self.psql("postgres", &format!("CREATE DATABASE {name}"))?;
        Ok(self.url(name))
    }

    /// Stops the server (fast: connections are cut) and starts it again on the same port.
    pub fn restart(&self) -> io::Result<()> {
        self.pg_ctl("restart").map(|_| ())
    }

    /// Turns TLS on with the certificate `cert` and its key `key` (PEM), copied into the
    /// cluster's folder (the key private to the server's user, as PostgreSQL requires); plain
    /// connections are still accepted: the client's `sslmode` decides.
    pub fn enable_tls(&self, cert: &std::path::Path, key: &std::path::Path) -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        let data = self.data();
        std::fs::copy(cert, data.join("server.crt"))?;
        std::fs::copy(key, data.join("server.key"))?;
        std::fs::set_permissions(
            data.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )?;
        if self.as_postgres_user {
            self.checked(
                Command::new("chown")
                    .arg("postgres:postgres")
                    .arg(data.join("server.crt"))
                    .arg(data.join("server.key")),
            )?;
        }
        self.psql("postgres", "ALTER SYSTEM SET ssl = on")?;
        self.psql("postgres", "SELECT pg_reload_conf()")?;
        // The reload is asynchronous: wait until the server says TLS is on.
        for _ in 0..100 {
            if self.psql("postgres", "SHOW ssl")? == "on" {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Err(other("PostgreSQL did not turn TLS on"))
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn pg_ctl(&self, action: &str) -> io::Result<Output> {
        let log = self.dir.join("server.log");
        self.checked(
            self.command("pg_ctl")
                .args(["-w", "-t", "60", "-m", "fast", "-D"])
                .arg(self.data())
                .arg("-l")
                .arg(log)
                .arg(action),
        )
    }

    /// A PostgreSQL program, run as the `postgres` user when we are root.
    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn checked(&self, cmd: &mut Command) -> io::Result<Output> {
        let shown = format!("{cmd:?}");
        let out = cmd
            .current_dir(&self.dir)
            .output()
            .map_err(|e| other(format!("{shown}: {e}")))?;
        if out.status.success() {
            Ok(out)
        } else {
            let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
            Err(other(format!(
                "{shown} failed ({}): {}{}\n{log}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )))
        }
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-m", "immediate", "-D"])
            .arg(self.data())
            .arg("stop")
            .current_dir(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs Debian's postgresql package (`cargo xtask test` installs it).
    #[test]
    fn a_cluster_starts_answers_restarts_and_is_removed() {
        let pg = TempPostgres::start(false).unwrap();
        assert_eq!(pg.psql("postgres", "SELECT 40 + 2").unwrap(), "42");
        let url = pg.create_database("pgtemp_check").unwrap();
        assert!(url.ends_with("/pgtemp_check"), "{url}");
        pg.restart().unwrap();
        assert_eq!(pg.psql("postgres", "SELECT 1").unwrap(), "1");
        let dir = pg.dir.clone();
        drop(pg);
        assert!(!dir.exists());
    }
}
