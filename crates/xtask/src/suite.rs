//! `cargo xtask test`: the whole suite, then the installers and their checks, with each phase's
//! time at the end.
//!
//! The installers' release builds (the app's, with fat LTO; an organisation's installers, which
//! wrap that same program; a newer signed version for the update test; the service's) do not
//! wait for the tests: a second `xtask` builds them beside the tests at the lowest priority
//! (`nice -n 19`, in the same session so that the kernel's per-session groups do not undo it),
//! using what the tests leave of the two cores. Their checks run after the tests, as before.
//! The test programs are built once: the PostgreSQL run of the API suite and the update test
//! run the programs the first `cargo test` built, without a second build.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use crate::package::{self, target_dir};
use crate::{BUILD_PACKAGES, TEST_PACKAGES, cargo, ensure_packages, root, say, server_deb, status};

pub fn test(extra: &[String]) -> Result<(), String> {
    // Also when a phase ends the run early (`?`).
    struct FailuresAtTheEnd;
    impl Drop for FailuresAtTheEnd {
        fn drop(&mut self) {
            print_failures();
        }
    }
    let _failures = FailuresAtTheEnd;
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
    let background = if with_installers {
        Some(Background::start()?)
    } else {
        None
    };
    let mut rust_tests = if linux {
        linux_session(
            &cargo_program(),
            &["test", "--workspace", "--all-targets", "--no-fail-fast"],
        )?
    } else {
        say("running the Rust tests (the WebDriver suite and the keyring test are Linux-only)");
        let mut c = cargo();
        c.args(["test", "--workspace", "--all-targets", "--no-fail-fast"]);
        c
    };
    let mut tally = Tally::default();
    rust_tests.args(extra);
    tally.add(run_counting_tests(rust_tests)?);
    phases.done("Rust tests (build, then the workspace's tests on SQLite, keyring, WebDriver)");
    let programs = test_programs(extra)?;
    tally.add(postgres_tests(&programs)?);
    phases.done("API suite on PostgreSQL (the same test program)");
    say("running the screens' JavaScript tests (node --test)");
    let mut node = Command::new("node");
    node.current_dir(root()).args(["--test", "ui/tests/"]);
    tally.add(run_counting_tests(node)?);
    phases.done("screens' JavaScript tests");
    match background {
        Some(background) => {
            let built = background.wait();
            phases.done("waiting for the installers' builds");
            match built {
                Ok(()) => installers_checks(&programs, &mut tally, &mut phases),
                Err(e) => {
                    eprintln!("xtask: {e}");
                    tally.failed += 1;
                    tally.ok = false;
                }
            }
        }
        None => say("installers left out (ESPACE_PRO_SKIP_PACKAGE is set, or not Linux)"),
    }
    phases.print();
    if with_installers {
        Background::print_times();
    }
    print_failures();
    println!("tests: {} passed, {} failed", tally.passed, tally.failed);
    if tally.ok && tally.failed == 0 {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

/// The installers' checks, on what the background build left: the demo's, the organisation's
/// and the update from a newer signed version, the service's.
fn installers_checks(programs: &Programs, tally: &mut Tally, phases: &mut Phases) {
    let demo = package::locate(&target_dir().join(package::PROFILE), package::version());
    tally.add_checks(match demo {
        Ok(installers) => package::check(&installers),
        Err(e) => {
            eprintln!("xtask: the demo's installers are missing: {e}");
            (0, 1)
        }
    });
    phases.done("demo installers' checks (dpkg -i, the installed window)");
    tally.add_checks(match UpdateSet::built() {
        Ok(set) => set.check(programs.get("update").map(|p| p.0.as_path())),
        Err(e) => {
            eprintln!("xtask: the organisation's installers are missing: {e}");
            (0, 1)
        }
    });
    phases.done("organisation's installers' checks, update test");
    tally.add_checks(match server_deb::build() {
        Ok(deb) => server_deb::check(&deb),
        Err(e) => {
            eprintln!("xtask: the service's package could not be built: {e}");
            (0, 1)
        }
    });
    phases.done("service's package (checks)");
}

/// What the background `xtask prebuild` does: every release build the installers' checks need.
/// The service's build runs beside the app's: each fat-LTO link of the app (one codegen unit)
/// keeps one core busy, and the service's build takes the other.
pub fn prebuild() -> Result<(), String> {
    let timed = |work: &dyn Fn() -> Result<(), String>| {
        let started = std::time::Instant::now();
        work().map(|()| started.elapsed())
    };
    let (app, service) = std::thread::scope(|scope| {
        let service = scope.spawn(|| timed(&server_deb::compile));
        let demo = timed(&|| package::build().map(drop));
        let update = demo
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|_| timed(&|| UpdateSet::prepare().map(drop)));
        let service = service
            .join()
            .unwrap_or_else(|_| Err("the service's build stopped".into()));
        (demo.and_then(|d| update.map(|u| (d, u))), service)
    });
    let ((demo, update), service) = (app?, service?);
    let text = format!(
        "{}\tthe app in release (fat LTO), the demo's .deb and .rpm\n\
         {}\tthe organisation's installers (the same program), a newer signed version\n\
         {}\tthe service in release (at the same time as the two above)\n",
        demo.as_secs(),
        update.as_secs(),
        service.as_secs()
    );
    print!("{text}");
    std::fs::write(Background::times_file(), text).map_err(|e| e.to_string())
}

/// Passed and failed tests, and whether every test command ended well.
struct Tally {
    passed: u64,
    failed: u64,
    ok: bool,
}

impl Default for Tally {
    fn default() -> Self {
        Self {
            passed: 0,
            failed: 0,
            ok: true,
        }
    }
}

impl Tally {
    fn add(&mut self, (passed, failed, ok): (u64, u64, bool)) {
        self.passed += passed;
        self.failed += failed;
        self.ok &= ok;
    }

    fn add_checks(&mut self, (passed, failed): (u64, u64)) {
        self.passed += passed;
        self.failed += failed;
    }
}

/// `xtask prebuild` running beside the tests, its output in a log.
struct Background {
    child: Option<Child>,
    log: PathBuf,
}

impl Background {
    fn log_file() -> PathBuf {
        target_dir().join("tmp/installers-build.log")
    }

    fn times_file() -> PathBuf {
        target_dir().join("tmp/installers-build.times")
    }

    fn start() -> Result<Self, String> {
        use std::os::unix::process::CommandExt as _;
        let log = Self::log_file();
        let folder = log.parent().ok_or("no log folder")?;
        std::fs::create_dir_all(folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        let _ = std::fs::remove_file(Self::times_file());
        let out = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let xtask = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut c = Command::new("nice");
        // Its own process group (to stop it all if this run ends early), the same session.
        c.args(["-n", "19"])
            .arg(xtask)
            .arg("prebuild")
            .current_dir(root())
            .stdin(std::process::Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        say(&format!(
            "building the installers beside the tests, at the lowest priority (log: {})",
            log.display()
        ));
        let child = c
            .spawn()
            .map_err(|e| format!("nice -n 19 xtask prebuild: {e}"))?;
        Ok(Self {
            child: Some(child),
            log,
        })
    }

    fn wait(mut self) -> Result<(), String> {
        say("waiting for the installers' builds (running beside the tests)");
        let mut child = self.child.take().ok_or("no background build")?;
        let status = child.wait().map_err(|e| e.to_string())?;
        if status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(80).collect();
        for line in tail.iter().rev() {
            eprintln!("{line}");
        }
        Err(format!(
            "the installers' builds failed ({status}); the whole log: {}",
            self.log.display()
        ))
    }

    /// The background build's own phases, as it wrote them.
    fn print_times() {
        let Ok(text) = std::fs::read_to_string(Self::times_file()) else {
            return;
        };
        println!("beside the tests, at the lowest priority:");
        for (secs, name) in text.lines().filter_map(|l| l.split_once('\t')) {
            println!("  {secs:>4} s  {name}");
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // This run ends before its background build: stop that build, compilers included.
        if let Some(child) = &mut self.child {
            let _ = Command::new("kill")
                .args(["--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
        }
    }
}

/// The organisation's installers (the demo's program with its `organisation.json`) trusting a
/// throwaway update key, and a newer version signed with that key, for `tests/update.rs`.
pub struct UpdateSet {
    organisation: package::Installers,
    newer: String,
    newer_dir: PathBuf,
}

/// The organisation's service the test installers carry.
const ORGANISATION_URL: &str = "https://example.invalid";

impl UpdateSet {
    /// Builds them: the organisation's installers wrap the demo's program (no compilation); the
    /// installed version is signed too, so that the test can offer it under the newer number (a
    /// downgrade, which the app must refuse); the newer version is compiled and signed.
    pub fn prepare() -> Result<Self, String> {
        let key = package::throwaway_key()?;
        let organisation = package::build_opts(&package::Options {
            service_url: Some(ORGANISATION_URL),
            pubkey: Some(key.pubkey.clone()),
            ..package::Options::default()
        })?;
        package::sign(&organisation.deb, &key.file, package::version())?;
        let newer = package::next_version(package::version());
        let updated = package::build_opts(&package::Options {
            service_url: Some(ORGANISATION_URL),
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
        let newer_dir = updated
            .deb
            .parent()
            .and_then(Path::parent)
            .ok_or("no bundle folder")?
            .to_path_buf();
        Ok(Self {
            organisation,
            newer,
            newer_dir,
        })
    }

    /// What [`UpdateSet::prepare`] left, found again.
    fn built() -> Result<Self, String> {
        Ok(Self {
            organisation: package::locate(
                &package::organisation_dir().join("release"),
                package::version(),
            )?,
            newer: package::next_version(package::version()),
            newer_dir: target_dir().join(package::PROFILE).join("bundle"),
        })
    }

    /// The organisation's installers checked (one program for the demo and the organisation),
    /// then `tests/update.rs` against the installed app: `program` is the test's program from
    /// the suite's build, or None to build it.
    pub fn check(&self, program: Option<&Path>) -> (u64, u64) {
        let mut tally = package::check_packaged(&self.organisation, ORGANISATION_URL);
        let demo = package::locate(&target_dir().join(package::PROFILE), package::version());
        let same = demo.and_then(|demo| package::same_program(&demo.deb, &self.organisation.deb));
        package::report(
            "the organisation's installer carries the demo's program, byte for byte",
            same,
            &mut tally,
        );
        let (passed, failed) = tally;
        say(&format!(
            "the installed app updated from {} to {} (tests/update.rs)",
            package::version(),
            self.newer
        ));
        let command = match program {
            Some(program) => linux_session(
                &program.display().to_string(),
                &["--ignored", "--nocapture"],
            ),
            None => linux_session(
                &cargo_program(),
                &[
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
                ],
            ),
        };
        let result = command.and_then(|mut c| {
            c.env("ESPACE_PRO_UPDATE_OLD_DEB", &self.organisation.deb)
                .env("ESPACE_PRO_UPDATE_OLD_VERSION", package::version())
                .env("ESPACE_PRO_UPDATE_NEW_DIR", &self.newer_dir)
                .env("ESPACE_PRO_UPDATE_NEW_VERSION", &self.newer);
            run_counting_tests(c)
        });
        package::remove_version(&self.newer_dir, &self.newer);
        match result {
            Ok((p, f, ok)) => (passed + p, failed + f + u64::from(!ok && f == 0)),
            Err(e) => {
                eprintln!("xtask: the update test could not run: {e}");
                (passed, failed + 1)
            }
        }
    }
}

/// `cargo xtask package update`: the organisation's installers and the newer version built
/// here and now, then checked.
pub fn organisation_and_update() -> Result<(u64, u64), String> {
    Ok(UpdateSet::prepare()?.check(None))
}

/// The test programs by target name (`api`, `update`), with their package's folder: asked of
/// cargo with the first run's selection, so that nothing is built again.
type Programs = HashMap<String, (PathBuf, PathBuf)>;

fn test_programs(extra: &[String]) -> Result<Programs, String> {
    let mut c = cargo();
    c.args([
        "test",
        "--workspace",
        "--all-targets",
        "--no-run",
        "--message-format=json",
    ])
    .args(extra.iter().take_while(|a| *a != "--"))
    .stderr(std::process::Stdio::inherit());
    let out = c
        .output()
        .map_err(|e| format!("cargo test --no-run: {e}"))?;
    if !out.status.success() {
        return Err("cargo test --no-run failed".into());
    }
    Ok(programs_in(&String::from_utf8_lossy(&out.stdout)))
}

/// The test executables in cargo's JSON messages.
fn programs_in(messages: &str) -> Programs {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| {
            m["target"]["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "test"))
        })
        .filter_map(|m| {
            let name = m["target"]["name"].as_str()?.to_owned();
            let program = PathBuf::from(m["executable"].as_str()?);
            let folder = Path::new(m["manifest_path"].as_str()?)
                .parent()?
                .to_path_buf();
            Some((name, (program, folder)))
        })
        .collect()
}

/// The service's API suite again, on a throw-away PostgreSQL (each test in a database of its
/// own): the program the first run built.
fn postgres_tests(programs: &Programs) -> Result<(u64, u64, bool), String> {
    let (program, folder) = programs
        .get("api")
        .ok_or("the API suite's test program was not built")?;
    say("starting a throw-away PostgreSQL for the API suite's second run");
    let pg = espace_pro_pgtemp::TempPostgres::start(false).map_err(|e| e.to_string())?;
    say(&format!(
        "running the API suite on PostgreSQL ({})",
        pg.url("postgres")
    ));
    let mut c = Command::new(program);
    c.current_dir(folder)
        .env("ESPACE_PRO_TEST_POSTGRES", pg.url("postgres"));
    run_counting_tests(c)
}

fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
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

/// `program args…` inside a private D-Bus session with an unlocked gnome-keyring and on a
/// virtual display, with tauri-driver and axe-core installed for the WebDriver suite.
fn linux_session(program: &str, args: &[&str]) -> Result<Command, String> {
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
    say("running the tests inside a private D-Bus session with an unlocked gnome-keyring,");
    say("on a virtual display (Xvfb) for the end-to-end tests of the real window");
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
        .args(["--", "sh", "-c", script, "sh", program])
        .args(args);
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
    let mut in_failures = false;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            // cargo's "failures:" section (each failing test's output and panic message),
            // kept to be printed again at the very end, where a CI log's tail shows it.
            if line == "failures:" {
                in_failures = true;
            } else if line.starts_with("test result: ") {
                in_failures = false;
            }
            if in_failures {
                FAILURES
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(line.clone());
            }
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

/// The failures' sections of every test program run so far.
static FAILURES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Prints again, just before the total, why the tests failed (see `failure_digest`).
/// Once: what it printed is forgotten.
fn print_failures() {
    let failures = std::mem::take(&mut *FAILURES.lock().unwrap_or_else(|e| e.into_inner()));
    let digest = failure_digest(&failures);
    if !digest.is_empty() {
        println!(
            "==> why the failing tests failed (their panic messages, from their output above):"
        );
        for line in digest {
            println!("{line}");
        }
    }
}

/// Why each failing test failed, from cargo's "failures:" output: for each of the first 6
/// sections, its name, then its panic message and the 10 lines after it (a test's captured
/// output comes before the panic), or its last 12 lines when it has none.
fn failure_digest(lines: &[String]) -> Vec<&str> {
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    let mut open = false;
    for line in lines {
        if line.starts_with("---- ") {
            blocks.push(vec![line]);
            open = true;
        } else if line == "failures:" {
            // The list of names that ends the output.
            open = false;
        } else if open && !line.trim().is_empty() {
            blocks.last_mut().expect("a section is open").push(line);
        }
    }
    let mut digest = Vec::new();
    for block in blocks.iter().take(6) {
        let body = &block[1..];
        let (from, count) = match body.iter().rposition(|l| l.contains("panicked at")) {
            Some(at) => (at, 11),
            None => (body.len().saturating_sub(12), 12),
        };
        digest.push(block[0]);
        digest.extend(body[from..].iter().take(count));
    }
    digest
}

/// The number just before `label` in a cargo "test result" line.
fn count_before(line: &str, label: &str) -> u64 {
    line.find(label)
        .and_then(|end| line[..end].rsplit([' ', '.', ';']).next()?.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::{count_before, failure_digest};

    #[test]
    fn keeps_each_failures_panic_message() {
        let mut out = vec!["failures:".to_owned(), String::new()];
        out.push("---- a::b stdout ----".into());
        out.extend((0..20).map(|i| format!("printed {i}")));
        out.push("thread 'a::b' panicked at tests/e2e/a.rs:3:5:".into());
        out.push("the zoom never came; 355 CSS px, 320 expected".into());
        out.extend((0..20).map(|i| format!("  {i}: backtrace")));
        out.push(String::new());
        out.push("---- a::c stdout ----".into());
        out.extend((0..30).map(|i| format!("no panic {i}")));
        out.extend([
            "".into(),
            "failures:".into(),
            "    a::b".into(),
            "    a::c".into(),
        ]);
        let digest = failure_digest(&out);
        assert_eq!(digest[0], "---- a::b stdout ----");
        assert_eq!(digest[1], "thread 'a::b' panicked at tests/e2e/a.rs:3:5:");
        assert_eq!(digest[2], "the zoom never came; 355 CSS px, 320 expected");
        assert_eq!(digest.len(), 1 + 11 + 1 + 12, "{digest:#?}");
        assert_eq!(digest[12], "---- a::c stdout ----");
        assert_eq!(digest[13], "no panic 18");
        assert_eq!(
            *digest.last().unwrap(),
            "no panic 29",
            "the names' list is left out"
        );
    }

    #[test]
    fn reads_cargo_test_summaries() {
        let line =
            "ok. 53 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 14.52s";
        assert_eq!(count_before(line, " passed"), 53);
        assert_eq!(count_before(line, " failed"), 2);
        assert_eq!(count_before("FAILED. 1 passed; 0 failed;", " passed"), 1);
    }
}
