//! `cargo xtask package server`: the account service as a Debian package, for the machines that
//! run it, and the checks `cargo xtask test` makes on it.
//!
//! The package holds the release binary, a hardened systemd unit (`crates/server/debian/`), its
//! settings file `/etc/espace-pro/server.env` (a conffile: every flag of `serve` as its
//! `ESPACE_PRO_*` variable, commented, written from `serve --help`), and the help texts in
//! `/usr/share/doc/espace-pro-server/`. The data lives in the unit's `StateDirectory`
//! (`/var/lib/espace-pro`), which purging the package leaves, as Debian policy wants.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::package::{as_root, output, report, target_dir, version};
use crate::{cargo, root, say, status};

const UNIT: &str = "espace-pro-server.service";
const INSTALLED: &str = "/usr/bin/espace-pro-server";

fn architecture() -> Result<String, String> {
    Ok(output("dpkg", &["--print-architecture"], None)?
        .trim()
        .to_owned())
}

/// Every `--flag` of `serve --help` with its variable, default and help, as a commented settings
/// file; the database and the relay are set for a packaged service.
pub fn settings_file(help: &str) -> String {
    let mut out = String::from(
        "# Settings of the Espace Pro account service (espace-pro-server.service).\n\
         # Every flag of `espace-pro-server serve` is a variable here; a commented line shows the\n\
         # default. After a change: systemctl restart espace-pro-server\n\
         # Logs: ESPACE_PRO_LOG takes a filter (info, warn, espace_pro_server=debug, ...).\n\n\
         # The data folder is the unit's StateDirectory (the master key file goes beside it).\n\
         ESPACE_PRO_DATABASE=sqlite:///var/lib/espace-pro/db.sqlite\n\n\
         # A relay on this machine (plain SMTP is accepted to loopback only); see ESPACE_PRO_SMTP.\n\
         ESPACE_PRO_SMTP=smtp://127.0.0.1:25\n",
    );
    // Each flag's block runs to the next flag: its help on one line (clap's short form) or on
    // several, with `[env: …]` and `[default: …]` on a line of their own (the long form, which
    // clap uses as soon as one flag lists its values with their help).
    let is_flag = |line: &str| {
        let t = line.trim_start();
        t.starts_with("--") || (t.starts_with('-') && t.contains(", --"))
    };
    let lines: Vec<&str> = help.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let Some(flag) = lines[i].trim().strip_prefix("--") else {
            i += 1;
            continue;
        };
        let flag = flag.split_whitespace().next().unwrap_or_default();
        let mut end = i + 1;
        while end < lines.len() && !is_flag(lines[end]) {
            end += 1;
        }
        let block: Vec<&str> = lines[i + 1..end].iter().map(|l| l.trim()).collect();
        i = end;
        let text = block.join(" ");
        let Some((_, rest)) = text.split_once("[env: ") else {
            continue;
        };
        let Some((variable, _)) = rest.split_once('=') else {
            continue;
        };
        if matches!(variable, "ESPACE_PRO_DATABASE" | "ESPACE_PRO_SMTP") {
            continue;
        }
        let about = block
            .first()
            .map(|l| l.split("[env: ").next().unwrap_or_default().trim())
            .unwrap_or_default();
        let default = rest
            .split_once("[default: ")
            .and_then(|(_, d)| d.split_once(']'))
            .map_or("", |(d, _)| d);
        out.push_str(&format!("\n# --{flag}"));
        if !about.is_empty() {
            out.push_str(&format!(": {about}"));
        }
        out.push_str(&format!("\n#{variable}={default}\n"));
    }
    out
}

/// The service's release binary (`cargo build --release -p espace-pro-server`).
pub fn compile() -> Result<(), String> {
    say("building the account service in release (cargo build --release -p espace-pro-server)");
    let mut c = cargo();
    c.args(["build", "--release", "-p", "espace-pro-server"]);
    status(c)
}

/// The release binary and the package around it; returns the `.deb`'s path.
pub fn build() -> Result<PathBuf, String> {
    compile()?;
    let binary = target_dir().join("release/espace-pro-server");
    let arch = architecture()?;
    let name = format!("espace-pro-server_{}_{arch}", version());
    let out = target_dir().join("debian");
    let stage = out.join(&name);
    let _ = std::fs::remove_dir_all(&stage);
    let write = |path: &str, text: &str, mode: u32| -> Result<(), String> {
        let file = stage.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
        set_mode(&file, mode)
    };
    let help = output(
        binary.to_str().unwrap_or_default(),
        &["serve", "--help"],
        None,
    )?;
    let top = output(binary.to_str().unwrap_or_default(), &["--help"], None)?;
    let source = root().join("crates/server/debian");
    let read =
        |file: &str| std::fs::read_to_string(source.join(file)).map_err(|e| format!("{file}: {e}"));
    // 0600: a database URL may carry a password.
    write("etc/espace-pro/server.env", &settings_file(&help), 0o600)?;
    write(&format!("lib/systemd/system/{UNIT}"), &read(UNIT)?, 0o644)?;
    write(
        "usr/share/doc/espace-pro-server/usage.txt",
        &format!("{top}\n\n$ espace-pro-server serve --help\n\n{help}"),
        0o644,
    )?;
    write(
        "usr/share/doc/espace-pro-server/copyright",
        &read("copyright")?,
        0o644,
    )?;
    let bin = stage.join("usr/bin/espace-pro-server");
    std::fs::create_dir_all(bin.parent().unwrap()).map_err(|e| e.to_string())?;
    std::fs::copy(&binary, &bin).map_err(|e| format!("{}: {e}", binary.display()))?;
    set_mode(&bin, 0o755)?;
    let size_kib = std::fs::metadata(&bin).map(|m| m.len() / 1024).unwrap_or(0);
    write(
        "DEBIAN/control",
        &format!(
            "Package: espace-pro-server\n\
             Version: {}\n\
             Architecture: {arch}\n\
             Maintainer: Espace Pro <maintainers@espace-pro.invalid>\n\
             Installed-Size: {size_kib}\n\
             Depends: libc6 (>= 2.34), ca-certificates\n\
             Section: net\n\
             Priority: optional\n\
             Homepage: https://github.com/espace-pro/espace-pro\n\
             Description: Espace Pro account service\n \
             The HTTP service behind the Espace Pro desktop app: log-in, sessions, password and\n \
             login e-mail changes with activation codes, password recovery. Runs under systemd\n \
             with its data in /var/lib/espace-pro (SQLite).\n",
            version()
        ),
        0o644,
    )?;
    write("DEBIAN/conffiles", "/etc/espace-pro/server.env\n", 0o644)?;
    write("DEBIAN/postinst", &read("postinst")?, 0o755)?;
    write("DEBIAN/postrm", &read("postrm")?, 0o755)?;
    let deb = out.join(format!("{name}.deb"));
    let mut pack = Command::new("dpkg-deb");
    pack.args(["--root-owner-group", "-Zxz", "--build"])
        .arg(&stage)
        .arg(&deb);
    status(pack)?;
    Ok(deb)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `systemd-analyze security --offline=true` on the unit as packaged: overall exposure ≤ 2.0.
fn unit_exposure() -> Result<(), String> {
    let unit = root().join("crates/server/debian").join(UNIT);
    let text = output(
        "systemd-analyze",
        &["security", "--offline=true", "--no-pager"],
        Some(&unit),
    )?;
    let exposure: f64 = text
        .lines()
        .find_map(|l| l.split("Overall exposure level for").nth(1))
        .and_then(|l| l.split(':').nth(1))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no overall exposure in:\n{text}"))?;
    println!("unit exposure (systemd-analyze security): {exposure}");
    if exposure <= 2.0 {
        Ok(())
    } else {
        Err(format!("exposure {exposure} > 2.0:\n{text}"))
    }
}

/// `systemd-analyze verify` on the installed unit: no complaint.
fn unit_verifies() -> Result<(), String> {
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no", &format!("/lib/systemd/system/{UNIT}")])
        .output()
        .map_err(|e| e.to_string())?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let complaints: Vec<&str> = said
        .lines()
        .filter(|l| l.contains(UNIT) || l.contains("espace-pro"))
        .collect();
    if out.status.success() && complaints.is_empty() {
        Ok(())
    } else {
        Err(format!("systemd-analyze verify: {said}"))
    }
}

fn installed_files(deb: &Path) -> Result<(), String> {
    let printed = output(INSTALLED, &["--version"], None)?;
    if !printed.contains(version()) {
        return Err(format!("--version printed {printed:?}"));
    }
    let settings =
        std::fs::read_to_string("/etc/espace-pro/server.env").map_err(|e| e.to_string())?;
    for variable in [
        "ESPACE_PRO_LISTEN=",
        "ESPACE_PRO_TRUSTED_PROXY=",
        "ESPACE_PRO_ARGON2_MEMORY_KIB=19456",
    ] {
        if !settings.contains(variable) {
            return Err(format!("server.env lacks {variable}"));
        }
    }
    // Secrets and what may hold them: root's alone.
    for (path, mode) in [
        ("/etc/espace-pro/server.env", 0o600),
        ("/etc/espace-pro/smtp-password", 0o600),
        ("/var/lib/private/espace-pro/db.key", 0o600),
        ("/var/lib/private/espace-pro", 0o700),
    ] {
        use std::os::unix::fs::PermissionsExt as _;
        let found = std::fs::metadata(path)
            .map_err(|e| format!("{path}: {e}"))?
            .permissions()
            .mode()
            & 0o777;
        if found != mode {
            return Err(format!("{path} has mode {found:o}, not {mode:o}"));
        }
    }
    let key = std::fs::metadata("/var/lib/private/espace-pro/db.key").map_err(|e| e.to_string())?;
    if key.len() != 32 {
        return Err(format!("the master key has {} bytes, not 32", key.len()));
    }
    let unit = std::fs::read_to_string(format!("/lib/systemd/system/{UNIT}"))
        .map_err(|e| e.to_string())?;
    for line in [
        "LoadCredential=master-key:/var/lib/private/espace-pro/db.key",
        "LoadCredential=smtp-password:/etc/espace-pro/smtp-password",
    ] {
        if !unit.lines().any(|l| l.trim() == line) {
            return Err(format!("the unit lacks {line}"));
        }
    }
    let files = output("dpkg-deb", &["-c"], Some(deb))?;
    if !files
        .lines()
        .any(|l| l.starts_with("-rw-------") && l.ends_with("./etc/espace-pro/server.env"))
    {
        return Err(format!("server.env is not 0600 in the package:\n{files}"));
    }
    crate::package::expect(
        &files,
        &[
            "./usr/bin/espace-pro-server",
            &format!("./lib/systemd/system/{UNIT}"),
            "./etc/espace-pro/server.env",
            "./usr/share/doc/espace-pro-server/usage.txt",
            "./usr/share/doc/espace-pro-server/copyright",
        ],
        "the server .deb's files",
    )
}

/// The release service was built without the `test-switches` feature.
fn no_test_switches() -> Result<(), String> {
    crate::package::holds_none(
        Path::new(INSTALLED),
        &["captcha-test-answer", "test-clock-file"],
    )
}

/// `dpkg --purge`: none of the package's files is left, nor /etc/espace-pro.
fn purges(deb: &Path) -> Result<(), String> {
    let files = output("dpkg-deb", &["-c"], Some(deb))?;
    status({
        let mut c = as_root("dpkg");
        c.args(["--purge", "espace-pro-server"]);
        c
    })?;
    let left: Vec<String> = files
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|p| p.trim_start_matches('.').to_owned())
        .filter(|p| !p.ends_with('/') && Path::new(p).exists())
        .collect();
    if !left.is_empty() {
        return Err(format!("left after purge: {left:?}"));
    }
    if Path::new("/etc/espace-pro").exists() {
        return Err("/etc/espace-pro left after purge".into());
    }
    Ok(())
}

/// Every check of the server package; returns (passed, failed).
pub fn check(deb: &Path) -> (u64, u64) {
    let mut tally = (0, 0);
    report("server unit exposure ≤ 2.0", unit_exposure(), &mut tally);
    say(&format!("dpkg -i {}", deb.display()));
    let installed = status({
        let mut c = as_root("dpkg");
        c.arg("-i").arg(deb);
        c
    });
    let ok = installed.is_ok();
    report("server deb installed with dpkg -i", installed, &mut tally);
    if ok {
        report("server unit verifies", unit_verifies(), &mut tally);
        report(
            "server files and settings",
            installed_files(deb),
            &mut tally,
        );
        report(
            "server built without test switches",
            no_test_switches(),
            &mut tally,
        );
        report("server deb purged clean", purges(deb), &mut tally);
    }
    let size = std::fs::metadata(deb).map(|m| m.len()).unwrap_or(0);
    println!(
        "package {}: {} bytes ({:.1} MiB)",
        deb.file_name().unwrap_or_default().to_string_lossy(),
        size,
        size as f64 / 1_048_576.0
    );
    tally
}

#[cfg(test)]
mod tests {
    use super::settings_file;

    #[test]
    fn the_settings_file_has_every_flag_commented() {
        let help = "Options:\n      --listen <LISTEN>\n          [env: ESPACE_PRO_LISTEN=] [default: 127.0.0.1:8080]\n      --trusted-proxy <T>\n          A reverse proxy [env: ESPACE_PRO_TRUSTED_PROXY=]\n      --database <D>\n          Database URL [env: ESPACE_PRO_DATABASE=]\n";
        let text = settings_file(help);
        assert!(
            text.contains("\n# --listen\n#ESPACE_PRO_LISTEN=127.0.0.1:8080\n"),
            "{text}"
        );
        assert!(text.contains("# --trusted-proxy: A reverse proxy\n#ESPACE_PRO_TRUSTED_PROXY=\n"));
        assert!(text.contains("\nESPACE_PRO_DATABASE=sqlite:///var/lib/espace-pro/db.sqlite\n"));
        assert_eq!(text.matches("ESPACE_PRO_DATABASE=").count(), 1);
    }

    /// clap's long form: the help on its lines, `[env: …]` and `[default: …]` apart, values
    /// listed with their help.
    #[test]
    fn the_settings_file_reads_the_long_help_form_too() {
        let help = "Options:\n      --trusted-proxy <T>\n          A reverse proxy\n          \n          [env: ESPACE_PRO_TRUSTED_PROXY=]\n\n      --forwarded-header <H>\n          The one header\n\n          Possible values:\n          - x-forwarded-for: appended to\n          - forwarded: RFC 7239\n          \n          [env: ESPACE_PRO_FORWARDED_HEADER=]\n          [default: x-forwarded-for]\n\n  -h, --help\n          Print help\n";
        let text = settings_file(help);
        assert!(
            text.contains("# --trusted-proxy: A reverse proxy\n#ESPACE_PRO_TRUSTED_PROXY=\n"),
            "{text}"
        );
        assert!(
            text.contains("# --forwarded-header: The one header\n#ESPACE_PRO_FORWARDED_HEADER=x-forwarded-for\n"),
            "{text}"
        );
        assert!(!text.contains("--help"), "{text}");
    }
}
