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
mod suite;

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
    // A company network's forward proxy (crates/client/tests/trust.rs, the HTTPS scenario).
    "tinyproxy",
    // What a screen reader gets: the AT-SPI bus and registry, and Debian's Python binding that
    // reads the app's accessible tree (tests/support/accessible_tree.py).
    "at-spi2-core",
    "python3-pyatspi",
    // TOTP codes computed by an implementation we did not write (the second factor's tests).
    "oathtool",
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
    /// `test` builds the installers with this, beside the tests and at the lowest priority.
    #[command(hide = true)]
    Prebuild,
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
        Task::Test { args } => suite::test(&args),
        Task::Prebuild => suite::prebuild(),
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
    // `--only postgres`: the service's PostgreSQL and replicas' rows alone, without the desktop's
    // table.
    if extra.iter().any(|a| a == "--only") {
        return service_bench(extra);
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
