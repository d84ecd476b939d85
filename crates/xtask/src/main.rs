//! Project tasks, so that a fresh Debian or Ubuntu machine needs two commands:
//!
//! - `cargo xtask run`: installs what the app needs to build, then opens it;
//! - `cargo xtask test`: installs what the tests need, then runs every test, then builds the
//!   `.deb` and `.rpm` and checks them (`dpkg -i` included);
//! - `cargo xtask package`: only the installers and their checks.
//!
//! Each step says what it does. On other systems, install the packages listed in docs/desktop.md ("Other systems") by
//! hand; the tasks then only check and run.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod desktop_bench;
mod package;
mod server_deb;

/// Debian packages the desktop app needs to build (Tauri 2 on WebKitGTK 4.1).
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libssl-dev",
    "libxdo-dev",
];

/// Extra packages the tests use: pdftotext, a Secret Service (gnome-keyring) on a private D-Bus
/// session (dbus-run-session), secret-tool to look into it, a virtual display (Xvfb) with
/// WebKitWebDriver for the window's tests, ImageMagick's `import` for their screenshots, and a
/// notification daemon.
const TEST_PACKAGES: &[&str] = &[
    "poppler-utils",
    "gnome-keyring",
    "dbus-x11",
    "libsecret-tools",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "imagemagick",
    // A notification daemon on the test display, for the expiry reminders (read back with
    // `dunstctl history`).
    "dunst",
    // schemathesis and the TLS relay (aiosmtpd) run in virtual environments
    // (crates/server/tests/fuzz.rs, relay_tls.rs), which makes its certificates with openssl.
    "python3-venv",
    "openssl",
    // The API suite runs a second time on a throw-away PostgreSQL (crates/pgtemp); the
    // cluster test puts HAProxy in front of three replicas.
    "postgresql",
    "haproxy",
];

/// The project's tasks: each installs what it needs (Debian/Ubuntu), then runs.
#[derive(clap::Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(clap::Subcommand)]
enum Task {
    /// Install the build dependencies, then open the app (demo mode by default); the arguments
    /// go to the app (`--service-url https://…`).
    Run {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Install the test dependencies, run the whole suite, then build and check the installers
    /// (ESPACE_PRO_SKIP_PACKAGE=1 leaves them out); the arguments go to `cargo test`.
    Test {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build the .deb and .rpm and check them (`dpkg -i` included). `--no-build`: check the
    /// last ones; `server`: the service's .deb (systemd unit) and its checks; `update`: the
    /// organisation's installers, then a newer signed one installed by the app's updater;
    /// `--service-url`, `--update-url`, `--sign-key FILE --download-base URL [--notes …]`.
    Package {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build in release, then measure the service beside its baselines (wrk, a hello-world):
    /// `--memory-seconds N` (300), `--rounds N` (3), `--wrk-seconds N` (5); then the desktop
    /// app beside a bare Tauri window. `bench desktop [--rounds N]`: only the desktop table.
    Bench {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// PostgreSQL, N service replicas and HAProxy in front (`--replicas N` (3), `--port P`);
    /// Ctrl-C stops everything.
    Cluster {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Only install the system packages.
    Deps,
    /// `bench desktop` starts itself again on a virtual display to measure there.
    #[command(hide = true)]
    DesktopMeasure {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    use clap::Parser as _;
    let result = match Cli::parse().task {
        Task::Run { args } => run_app(&args),
        Task::Test { args } => test(&args),
        Task::Package { args } => package::run(&args),
        Task::Bench { args } => bench(&args),
        Task::DesktopMeasure { args } => desktop_bench::measure(&args),
        Task::Cluster { args } => cluster(&args),
        Task::Deps => ensure_packages(&[BUILD_PACKAGES, TEST_PACKAGES].concat()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn say(what: &str) {
    eprintln!("==> {what}");
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn status(mut cmd: Command) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{shown} failed ({s})")),
        Err(e) => Err(format!("{shown} could not start: {e}")),
    }
}

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Installs the missing Debian packages (with sudo when not root). Elsewhere, says what to do.
fn ensure_packages(packages: &[&str]) -> Result<(), String> {
    if Command::new("dpkg-query")
        .arg("--version")
        .output()
        .is_err()
    {
        say(
            "not a Debian-like system: skipping package installation (see docs/desktop.md, Other systems, for what to install)",
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        say("system packages: all present");
        return Ok(());
    }
    say(&format!(
        "installing system packages: {}",
        missing.join(" ")
    ));
    let sudo = !is_root();
    let apt = |args: &[&str]| {
        let mut c = if sudo {
            Command::new("sudo")
        } else {
            Command::new("apt-get")
        };
        if sudo {
            c.arg("apt-get");
        }
        c.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        c
    };
    status(apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq", "--no-install-recommends"]);
    install.args(&missing);
    status(install)
}

fn run_app(extra: &[String]) -> Result<(), String> {
    ensure_packages(BUILD_PACKAGES)?;
    say("building and opening Espace Pro");
    let mut c = cargo();
    c.args(["run", "--package", "espace-pro", "--"]).args(extra);
    status(c)
}

fn test(extra: &[String]) -> Result<(), String> {
    // The window's WebDriver suite, the keyring daemon, Xvfb and the .deb/.rpm are Linux things;
    // elsewhere the rest of the suite runs as it is.
    let linux = cfg!(target_os = "linux");
    let with_installers = linux && std::env::var_os("ESPACE_PRO_SKIP_PACKAGE").is_none();
    let mut packages = [BUILD_PACKAGES, TEST_PACKAGES].concat();
    if with_installers {
        packages.extend_from_slice(package::PACKAGE_CHECK_PACKAGES);
    }
    let mut phases = Phases::default();
    ensure_packages(&packages)?;
    if Command::new("node").arg("--version").output().is_err() {
        ensure_packages(&["nodejs", "npm"])?;
    }
    phases.done("system packages");
    let rust_tests = if linux {
        linux_test_command(extra)?
    } else {
        say("running the Rust tests (the WebDriver suite and the keyring test are Linux-only)");
        let mut c = cargo();
        c.args(["test", "--workspace", "--all-targets", "--no-fail-fast"])
            .args(extra);
        c
    };
    let (mut rust_passed, mut rust_failed, mut rust_ok) = run_counting_tests(rust_tests)?;
    phases.done("Rust tests (build, then the workspace's tests on SQLite, keyring, WebDriver)");
    {
        let (passed, failed, ok) = postgres_tests(extra)?;
        rust_passed += passed;
        rust_failed += failed;
        rust_ok &= ok;
    }
    phases.done("API suite on PostgreSQL");
    say("running the screens' JavaScript tests (node --test)");
    let mut node = Command::new("node");
    node.current_dir(root()).args(["--test", "ui/tests/"]);
    let (js_passed, js_failed, js_ok) = run_counting_tests(node)?;
    phases.done("screens' JavaScript tests");
    let (pkg_passed, pkg_failed) = if with_installers {
        let (mut app_passed, mut app_failed) = match package::build() {
            Ok(installers) => package::check(&installers),
            Err(e) => {
                eprintln!("xtask: the installers could not be built: {e}");
                (0, 1)
            }
        };
        phases.done("demo installers (build and checks)");
        // The same app packaged for an organisation's service, checking updates with a
        // throwaway key; then a newer version signed with it, which the installed app must
        // refuse when tampered with and install when not.
        let (passed, failed) = match organisation_and_update() {
            Ok(tally) => tally,
            Err(e) => {
                eprintln!(
                    "xtask: the organisation's installers or the update could not be built: {e}"
                );
                (0, 1)
            }
        };
        app_passed += passed;
        app_failed += failed;
        phases.done("organisation's installers, newer signed version, update test");
        let (server_passed, server_failed) = match server_deb::build() {
            Ok(deb) => server_deb::check(&deb),
            Err(e) => {
                eprintln!("xtask: the service's package could not be built: {e}");
                (0, 1)
            }
        };
        phases.done("service's package (release build and checks)");
        (app_passed + server_passed, app_failed + server_failed)
    } else {
        say("installers left out (ESPACE_PRO_SKIP_PACKAGE is set, or not Linux)");
        (0, 0)
    };
    phases.print();
    println!(
        "tests: {} passed, {} failed",
        rust_passed + js_passed + pkg_passed,
        rust_failed + js_failed + pkg_failed
    );
    if rust_ok && js_ok && pkg_failed == 0 {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

/// How long each phase of `cargo xtask test` took, printed at the end.
struct Phases {
    start: std::time::Instant,
    last: std::time::Instant,
    done: Vec<(&'static str, std::time::Duration)>,
}

impl Default for Phases {
    fn default() -> Self {
        let now = std::time::Instant::now();
        Self {
            start: now,
            last: now,
            done: Vec::new(),
        }
    }
}

impl Phases {
    fn done(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        self.done.push((name, now - self.last));
        self.last = now;
    }

    fn print(&self) {
        println!("time by phase:");
        for (name, took) in &self.done {
            println!("  {:>4} s  {name}", took.as_secs());
        }
        println!("  {:>4} s  in all", self.start.elapsed().as_secs());
    }
}

/// The service's API suite again, on a throw-away PostgreSQL (each test in a database of its
/// own), then the cluster test (three replicas behind HAProxy, one killed, PostgreSQL
/// restarted).
fn postgres_tests(extra: &[String]) -> Result<(u64, u64, bool), String> {
    say("starting a throw-away PostgreSQL for the API suite's second run");
    let pg = espace_pro_pgtemp::TempPostgres::start(false).map_err(|e| e.to_string())?;
    say(&format!(
        "running the API suite on PostgreSQL ({})",
        pg.url("postgres")
    ));
    let mut c = cargo();
    c.env("ESPACE_PRO_TEST_POSTGRES", pg.url("postgres"))
        .args([
            "test",
            "-p",
            "espace-pro-server",
            "--test",
            "api",
            "--no-fail-fast",
        ])
        .args(extra);
    run_counting_tests(c)
}

/// A local cluster to watch: PostgreSQL, replicas of the service (release build) writing their
/// e-mails to a folder, HAProxy in front. Runs until Ctrl-C, then stops and removes everything.
fn cluster(args: &[String]) -> Result<(), String> {
    let mut replicas = 3;
    let mut port = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--replicas" => replicas = value.parse().map_err(|_| "--replicas takes a number")?,
            "--port" => port = Some(value.parse().map_err(|_| "--port takes a port number")?),
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    ensure_packages(&["postgresql", "haproxy"])?;
    say("building the service in release");
    let mut build = cargo();
    build.args(["build", "--release", "-p", "espace-pro-server"]);
    status(build)?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, stop.clone()).map_err(|e| e.to_string())?;
    }
    let logs = root().join("target").join("cluster");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let mail = logs.join("mail");
    let cluster = espace_pro_pgtemp::LocalCluster::start(espace_pro_pgtemp::ClusterOptions {
        server: package::target_dir()
            .join("release")
            .join("espace-pro-server"),
        replicas,
        serve_args: vec!["--mail-dir".into(), mail.display().to_string()],
        port,
        durable: true,
        log_dir: Some(logs.clone()),
    })
    .map_err(|e| e.to_string())?;
    say(&format!("the service, through HAProxy: {}", cluster.url()));
    for i in 0..cluster.replica_count() {
        say(&format!("  replica {i}: {}", cluster.replica_url(i)));
    }
    say(&format!("PostgreSQL: {}", cluster.database));
    say(&format!(
        "logs: {}; e-mails: {}",
        logs.display(),
        mail.display()
    ));
    say("Ctrl-C stops everything");
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    say("stopping the replicas, HAProxy and PostgreSQL");
    drop(cluster);
    Ok(())
}

/// The speed and memory figures: release builds of the service, of the bench driver and of an
/// axum hello-world, then the driver (`crates/bench`), which prints one table.
fn bench(extra: &[String]) -> Result<(), String> {
    if extra.first().map(String::as_str) == Some("desktop") {
        let rounds = match extra.get(1..) {
            Some([flag, n]) if flag == "--rounds" => {
                n.parse().map_err(|_| "--rounds takes a number")?
            }
            Some([]) | None => 5,
            Some(other) => return Err(format!("bench desktop: unknown arguments {other:?}")),
        };
        return desktop_bench::run(rounds);
    }
    // Both tables are printed even when a goal of the first is missed; the exit status says so.
    let service = service_bench(extra);
    let desktop = desktop_bench::run(5);
    service.and(desktop)
}

fn service_bench(extra: &[String]) -> Result<(), String> {
    ensure_packages(&["wrk", "postgresql"])?;
    say("building the service, the bench driver and the hello-world in release");
    let mut build = cargo();
    build.args([
        "build",
        "--release",
        "-p",
        "espace-pro-server",
        "-p",
        "espace-pro-bench",
        "-p",
        "hello-world",
    ]);
    status(build)?;
    let release = package::target_dir().join("release");
    let mut driver = Command::new(release.join("espace-pro-bench"));
    driver
        .arg("--server")
        .arg(release.join("espace-pro-server"))
        .arg("--hello")
        .arg(release.join("hello-world"))
        .args(extra);
    status(driver)
}

/// The organisation's installers (checked), built to trust a throwaway update key; a newer
/// version signed with that key; then `tests/update.rs` against the installed app.
pub(crate) fn organisation_and_update() -> Result<(u64, u64), String> {
    let url = "https://example.invalid";
    let key = package::throwaway_key()?;
    let installers = package::build_opts(&package::Options {
        service_url: Some(url),
        pubkey: Some(key.pubkey.clone()),
        ..package::Options::default()
    })?;
    let (mut passed, mut failed) = package::check_packaged(&installers, url);
    // The installed version signed too: the test offers it under the newer version's number
    // (a downgrade), which the app must refuse.
    package::sign(&installers.deb, &key.file, package::version())?;
    let newer = package::next_version(package::version());
    let updated = package::build_opts(&package::Options {
        service_url: Some(url),
        pubkey: Some(key.pubkey.clone()),
        version: Some(&newer),
        signing: Some(package::Signing {
            key_file: &key.file,
            // The test serves them from its own loopback server and rewrites the addresses.
            download_base: "https://127.0.0.1/",
            notes: "Correctifs de sécurité et messages plus clairs.",
        }),
        ..package::Options::default()
    })?;
    let bundle = updated
        .deb
        .parent()
        .and_then(Path::parent)
        .ok_or("no bundle folder")?
        .to_path_buf();
    say(&format!(
        "the installed app updated from {} to {newer} (tests/update.rs)",
        package::version()
    ));
    let mut c = linux_session(&[
        "test",
        "-p",
        "espace-pro",
        "--features",
        "test-switches",
        "--test",
        "update",
        "--",
        "--ignored",
        "--nocapture",
    ])?;
    c.env("ESPACE_PRO_UPDATE_OLD_DEB", &installers.deb)
        .env("ESPACE_PRO_UPDATE_OLD_VERSION", package::version())
        .env("ESPACE_PRO_UPDATE_NEW_DIR", &bundle)
        .env("ESPACE_PRO_UPDATE_NEW_VERSION", &newer);
    let (p, f, ok) = run_counting_tests(c)?;
    passed += p;
    failed += f + u64::from(!ok && f == 0);
    Ok((passed, failed))
}

/// `cargo test` inside a private D-Bus session with an unlocked gnome-keyring and on a virtual
/// display, with tauri-driver and axe-core installed for the WebDriver suite.
fn linux_test_command(extra: &[String]) -> Result<Command, String> {
    let mut c = linux_session(&["test", "--workspace", "--all-targets", "--no-fail-fast"])?;
    c.args(extra);
    Ok(c)
}

/// `cargo <cargo_args>` inside a private D-Bus session with an unlocked gnome-keyring and on a
/// virtual display, with tauri-driver and axe-core installed.
fn linux_session(cargo_args: &[&str]) -> Result<Command, String> {
    let driver = ensure_tauri_driver()?;
    if !root()
        .join("tests/node_modules/axe-core/axe.min.js")
        .exists()
    {
        say("installing axe-core for the accessibility checks (npm ci in tests/)");
        let mut npm = Command::new("npm");
        npm.current_dir(root().join("tests"))
            .args(["ci", "--no-audit", "--no-fund"]);
        status(npm)?;
    }
    say("running the Rust tests inside a private D-Bus session with an unlocked gnome-keyring,");
    say("on a virtual display (Xvfb) for the end-to-end tests of the real window");
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The keyring daemon must start inside the session, so the script does both.
    // A fresh keyring folder each run: an existing login keyring with another password would
    // stay locked.
    // `-noreset`: between two end-to-end tests the display has no client, and Xvfb would reset
    // then: an app connecting during the reset fails to start ("Failed to initialize GTK").
    let script = r#"export XDG_DATA_HOME="$(mktemp -d)" && echo -n espace-pro-tests | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec xvfb-run -a -s "-screen 0 1280x1000x24 -noreset" "$@""#;
    let mut c = Command::new("dbus-run-session");
    c.current_dir(root())
        .env("TAURI_DRIVER", &driver)
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .args(["--", "sh", "-c", script, "sh", &cargo_bin])
        .args(cargo_args);
    Ok(c)
}

/// tauri-driver, from the PATH or ~/.cargo/bin, installed with cargo when missing.
fn ensure_tauri_driver() -> Result<String, String> {
    let home_bin = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|p| p.join("bin").join("tauri-driver"))
        .unwrap_or_else(|_| PathBuf::from("tauri-driver"));
    for candidate in ["tauri-driver".to_owned(), home_bin.display().to_string()] {
        if Command::new(&candidate)
            .arg("--help")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Ok(candidate);
        }
    }
    say("installing tauri-driver (cargo install tauri-driver --version ^2 --locked)");
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.args(["install", "tauri-driver", "--version", "^2", "--locked"]);
    status(c)?;
    Ok(home_bin.display().to_string())
}

/// Runs a test command, echoing its output, and adds up its results (cargo's "test result"
/// lines, node's "# pass" / "# fail").
fn run_counting_tests(mut cmd: Command) -> Result<(u64, u64, bool), String> {
    use std::io::{BufRead, BufReader};
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("{shown} could not start: {e}"))?;
    let (mut passed, mut failed) = (0u64, 0u64);
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            if let Some(rest) = line.strip_prefix("test result: ") {
                passed += count_before(rest, " passed");
                failed += count_before(rest, " failed");
            } else if let Some(n) = line.strip_prefix("# pass ") {
                passed += n.trim().parse::<u64>().unwrap_or(0);
            } else if let Some(n) = line.strip_prefix("# fail ") {
                failed += n.trim().parse::<u64>().unwrap_or(0);
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if !status.success() {
        eprintln!("xtask: {shown} failed ({status})");
    }
    Ok((passed, failed, status.success()))
}

/// The number just before `label` in a cargo "test result" line.
fn count_before(line: &str, label: &str) -> u64 {
    line.find(label)
        .and_then(|end| line[..end].rsplit([' ', '.', ';']).next()?.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::count_before;

    #[test]
    fn reads_cargo_test_summaries() {
        let line =
            "ok. 53 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 14.52s";
        assert_eq!(count_before(line, " passed"), 53);
        assert_eq!(count_before(line, " failed"), 2);
        assert_eq!(count_before("FAILED. 1 passed; 0 failed;", " passed"), 1);
    }
}
