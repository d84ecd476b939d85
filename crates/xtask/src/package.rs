//! `cargo xtask package`: the `.deb` and `.rpm` installers, built with the Tauri command-line
//! tool (npm `@tauri-apps/cli`, which ships a prebuilt binary), then checked as a user's system
//! would see them: control fields, files, the desktop entry, and the `.deb` really installed with
//! `dpkg -i`, its `espace-pro --version` run, then removed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{ensure_packages, root, say, status};

/// What the checks need besides the build and test packages (whose virtual display, keyring
/// and `import` open the installed app): `rpm` to read the `.rpm`, `desktop-file-validate`,
/// `xwininfo` to find the window, `sudo`, through which the installed app's updater runs
/// `dpkg -i` (root needs no password; a person is asked by `pkexec` or `sudo`), and what the
/// update scenario serves its manifest with.
pub const PACKAGE_CHECK_PACKAGES: &[&str] = &[
    "rpm",
    "desktop-file-utils",
    "x11-utils",
    "sudo",
    // The update scenario's loopback HTTPS server and its certificates.
    "python3",
    "openssl",
];

/// Icon sizes a Linux desktop picks from (hicolor theme).
const ICON_SIZES: &[u32] = &[16, 24, 32, 48, 64, 128, 256, 512];

pub struct Installers {
    pub deb: PathBuf,
    pub rpm: PathBuf,
}

pub(crate) fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

/// The Tauri CLI from the root `package.json`, installed with `npm ci` when missing.
fn tauri_cli() -> Result<PathBuf, String> {
    let cli = root().join("node_modules/.bin/tauri");
    if !cli.exists() {
        if Command::new("npm").arg("--version").output().is_err() {
            ensure_packages(&["nodejs", "npm"])?;
        }
        say("installing the Tauri command-line tool (npm ci at the root: @tauri-apps/cli)");
        let mut npm = Command::new("npm");
        npm.current_dir(root())
            .args(["ci", "--no-audit", "--no-fund"]);
        status(npm)?;
    }
    Ok(cli)
}

/// The cargo profile of the installers' app (Cargo.toml: optimised for size, except where a
/// person waits); the service's builds keep `release`.
pub const PROFILE: &str = "desktop";

/// The largest `.deb` accepted (issue 14: a bare Tauri window's is about 3 MiB).
pub const DEB_MAX_BYTES: u64 = 8 * 1024 * 1024;

/// The app binary the installers carry.
pub fn app_binary() -> PathBuf {
    target_dir().join(PROFILE).join("espace-pro")
}

/// What an installer build carries besides the project's defaults.
#[derive(Default)]
pub struct Options<'a> {
    /// The organisation's service (`--service-url`): the installed app starts against it.
    pub service_url: Option<&'a str>,
    /// The version written into the app and its installers instead of tauri.conf.json's (a
    /// test's newer build): the only option that needs the app compiled again.
    pub version: Option<&'a str>,
    /// The update manifest's address instead of tauri.conf.json's (`--update-url`).
    pub update_url: Option<&'a str>,
    /// The public key the app checks updates with, instead of tauri.conf.json's (a test's
    /// throwaway key).
    pub pubkey: Option<String>,
    /// Sign the installers and write the update manifest.
    pub signing: Option<Signing<'a>>,
}

impl Options<'_> {
    /// What `organisation.json` says (None: the demo's installers, which carry no such file).
    fn organisation(&self) -> Option<String> {
        let fields: Vec<String> = [
            ("service_url", self.service_url),
            ("update_url", self.update_url),
            ("update_pubkey", self.pubkey.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some(format!("  \"{name}\": {}", json_string(value?))))
        .collect();
        (!fields.is_empty()).then(|| format!("{{\n{}\n}}\n", fields.join(",\n")))
    }
}

/// Signing the installers for the updater (`--sign-key`, `--download-base`).
pub struct Signing<'a> {
    /// The minisign private key (`tauri signer generate`), without a password or with it in
    /// `TAURI_SIGNING_PRIVATE_KEY_PASSWORD`.
    pub key_file: &'a Path,
    /// Where the installers will be downloaded from: the manifest's URLs start with it.
    pub download_base: &'a str,
    /// The release notes the app shows.
    pub notes: &'a str,
}

/// Builds the release binary and wraps it into a `.deb` and an `.rpm`: the demo by default.
pub fn build() -> Result<Installers, String> {
    build_opts(&Options::default())
}

/// What `--config` merges into tauri.conf.json for a build of `version` carrying the
/// organisation's file `resource` (None: nothing).
fn config_override(version: Option<&str>, resource: Option<&Path>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(v) = version {
        parts.push(format!("\"version\":{}", json_string(v)));
    }
    if let Some(file) = resource {
        parts.push(format!(
            "\"bundle\":{{\"resources\":{{{}:{}}}}}",
            json_string(&file.display().to_string()),
            json_string(ORGANISATION_FILE)
        ));
    }
    (!parts.is_empty()).then(|| format!("{{{}}}", parts.join(",")))
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The file the organisation's installers carry among the app's resources (read by the app at
/// start: `espace_pro_desk::settings::ORGANISATION_FILE`).
const ORGANISATION_FILE: &str = "organisation.json";

/// Where the organisation's installers are made: `release/espace-pro` is the demo's program,
/// which `tauri bundle` (it looks only in `release/`) wraps with the organisation's file.
pub fn organisation_dir() -> PathBuf {
    target_dir().join("organisation")
}

/// The installers `options` asks for. The demo's program is built once: an organisation's
/// installers wrap that same program with its `organisation.json` (`tauri bundle`, seconds);
/// only another version compiles the app again.
pub fn build_opts(options: &Options) -> Result<Installers, String> {
    for url in [options.service_url, options.update_url]
        .into_iter()
        .flatten()
    {
        check_url(url)?;
    }
    let organisation = match options.organisation() {
        Some(text) => {
            let dir = organisation_dir();
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let file = dir.join(ORGANISATION_FILE);
            std::fs::write(&file, text).map_err(|e| format!("{}: {e}", file.display()))?;
            Some(file)
        }
        None => None,
    };
    let version = options.version.unwrap_or(version());
    let installers = match (&organisation, options.version) {
        (Some(file), None) => {
            // The program only: the demo's installers beside it stay as they are.
            tauri_build(None, None, false)?;
            bundle_organisation(file, options.service_url)?
        }
        (file, new_version) => {
            tauri_build(new_version, file.as_deref(), true)?;
            locate(&target_dir().join(PROFILE), version)?
        }
    };
    recompress_deb(&installers.deb)?;
    if let Some(signing) = &options.signing {
        write_manifest(&installers, version, signing)?;
    }
    Ok(installers)
}

/// `tauri build` of the app (the `desktop` profile) and, with `bundle`, its demo `.deb` and
/// `.rpm`, or those of another version carrying the organisation's file.
fn tauri_build(
    version: Option<&str>,
    organisation: Option<&Path>,
    bundle: bool,
) -> Result<(), String> {
    let mut c = Command::new(tauri_cli()?);
    c.current_dir(root()).args(["build", "--ci"]);
    if bundle {
        c.args(["--bundles", "deb,rpm"]);
    } else {
        c.arg("--no-bundle");
    }
    if let Some(config) = config_override(version, organisation) {
        c.args(["--config", &config]);
    }
    c.args(["--", "--profile", PROFILE]);
    say(&match version {
        Some(v) => format!("building the release app {v} and its .deb and .rpm"),
        None => {
            "building the release app and its .deb and .rpm (tauri build --bundles deb,rpm)".into()
        }
    });
    let built = status(c);
    // tauri-build copies resources beside the program in target/: there the organisation's file
    // would make every later run of the demo's program the organisation's app.
    let _ = std::fs::remove_file(target_dir().join(PROFILE).join(ORGANISATION_FILE));
    built
}

/// Removes the installers of `version` (and their signatures and manifest) from the bundles
/// folder `bundle`: the update test's newer version, which must not pass for a release.
pub fn remove_version(bundle: &Path, version: &str) {
    let _ = std::fs::remove_file(bundle.join("latest.json"));
    for kind in ["deb", "rpm"] {
        let Ok(entries) = std::fs::read_dir(bundle.join(kind)) else {
            continue;
        };
        for path in entries.filter_map(Result::ok).map(|e| e.path()) {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if name.contains(&format!("_{version}_")) || name.contains(&format!("-{version}-")) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// The demo's program wrapped with the organisation's file: `tauri bundle` in
/// [`organisation_dir`], nothing compiled.
fn bundle_organisation(file: &Path, service_url: Option<&str>) -> Result<Installers, String> {
    let dir = organisation_dir();
    let program = dir.join("release/espace-pro");
    let _ = std::fs::remove_dir_all(dir.join("release"));
    std::fs::create_dir_all(dir.join("release")).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::copy(app_binary(), &program).map_err(|e| format!("{}: {e}", program.display()))?;
    say(&format!(
        "the same program packaged for the organisation{} (tauri bundle, with {ORGANISATION_FILE})",
        service_url.map(|u| format!(" of {u}")).unwrap_or_default()
    ));
    let mut c = Command::new(tauri_cli()?);
    c.current_dir(root())
        .env("CARGO_TARGET_DIR", &dir)
        .args(["bundle", "--ci", "--bundles", "deb,rpm", "--config"])
        .arg(config_override(None, Some(file)).unwrap_or_default());
    status(c)?;
    locate(&dir.join("release"), version())
}

/// A minisign key pair made for one test run (`tauri signer generate`, no password).
pub struct Key {
    pub file: PathBuf,
    pub pubkey: String,
}

pub fn throwaway_key() -> Result<Key, String> {
    let dir = target_dir().join("update-test");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("throwaway.key");
    let mut c = Command::new(tauri_cli()?);
    c.current_dir(root())
        .args(["signer", "generate", "--ci", "-f", "-p", "", "-w"])
        .arg(&file)
        .stdout(std::process::Stdio::null());
    status(c)?;
    let public = PathBuf::from(format!("{}.pub", file.display()));
    let pubkey = std::fs::read_to_string(&public)
        .map_err(|e| format!("{}: {e}", public.display()))?
        .trim()
        .to_owned();
    Ok(Key { file, pubkey })
}

/// `a.b.c` → `a.b.(c+1)`: the test's newer build.
pub fn next_version(version: &str) -> String {
    let mut parts: Vec<u64> = version.split('.').filter_map(|p| p.parse().ok()).collect();
    if let Some(last) = parts.last_mut() {
        *last += 1;
    }
    parts
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// The `.sig` of `file` (`tauri signer sign`), after the `.deb` has its final bytes, bound to
/// `version`: the app (`requireSignedVersion`) refuses a package whose signed version is not
/// the one its manifest announces, so that an older signed package cannot pass for a newer one.
pub fn sign(file: &Path, key_file: &Path, version: &str) -> Result<String, String> {
    let mut c = Command::new(tauri_cli()?);
    c.current_dir(root())
        .args(["signer", "sign", "--app-version", version, "-f"])
        .arg(key_file)
        .arg(file)
        .stdout(std::process::Stdio::null());
    if std::env::var_os("TAURI_SIGNING_PRIVATE_KEY_PASSWORD").is_none() {
        c.args(["-p", ""]);
    }
    status(c)?;
    let sig = PathBuf::from(format!("{}.sig", file.display()));
    std::fs::read_to_string(&sig).map_err(|e| format!("{}: {e}", sig.display()))
}

/// The manifest the app asks (`latest.json` beside the bundles): the version, its notes, and
/// for the `.deb` and the `.rpm` their address and signature.
fn write_manifest(
    installers: &Installers,
    version: &str,
    signing: &Signing,
) -> Result<PathBuf, String> {
    let base = signing.download_base.trim_end_matches('/');
    let mut platforms = Vec::new();
    for (kind, file) in [("deb", &installers.deb), ("rpm", &installers.rpm)] {
        let signature = sign(file, signing.key_file, version)?;
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let url = format!("{base}/{}", name.replace(' ', "%20"));
        platforms.push(format!(
            "    \"linux-x86_64-{kind}\": {{ \"signature\": {}, \"url\": {} }}",
            json_string(signature.trim()),
            json_string(&url)
        ));
    }
    let date = output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"], None)?;
    let manifest = format!(
        "{{\n  \"version\": {},\n  \"notes\": {},\n  \"pub_date\": {},\n  \"platforms\": {{\n{}\n  }}\n}}\n",
        json_string(version),
        json_string(signing.notes),
        json_string(date.trim()),
        platforms.join(",\n")
    );
    let path = installers
        .deb
        .parent()
        .and_then(Path::parent)
        .unwrap_or(Path::new("."))
        .join("latest.json");
    std::fs::write(&path, manifest).map_err(|e| format!("{}: {e}", path.display()))?;
    say(&format!(
        "signed the installers; update manifest: {}",
        path.display()
    ));
    Ok(path)
}

/// The `.deb` as the Tauri CLI writes it has a gzip payload; xz (which every dpkg reads, and
/// Debian's own packages use) makes it a third smaller. Rebuilt with the same control files and
/// contents, owned by root.
fn recompress_deb(deb: &Path) -> Result<(), String> {
    let before = std::fs::metadata(deb).map_err(|e| e.to_string())?.len();
    let work = target_dir().join("deb-repack");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let tree = work.join("tree");
    let mut raw = Command::new("dpkg-deb");
    raw.arg("-R").arg(deb).arg(&tree);
    status(raw)?;
    let repacked = work.join("repacked.deb");
    let mut c = Command::new("dpkg-deb");
    c.args(["--root-owner-group", "-Zxz", "-z9", "-b"])
        .arg(&tree)
        .arg(&repacked)
        .stdout(std::process::Stdio::null());
    status(c)?;
    std::fs::copy(&repacked, deb).map_err(|e| format!("{}: {e}", deb.display()))?;
    let _ = std::fs::remove_dir_all(&work);
    let after = std::fs::metadata(deb).map_err(|e| e.to_string())?.len();
    say(&format!(
        ".deb recompressed with xz: {:.1} MiB → {:.1} MiB",
        mib(before),
        mib(after)
    ));
    Ok(())
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The `.deb` is within [`DEB_MAX_BYTES`].
fn deb_size(deb: &Path) -> Result<(), String> {
    let size = std::fs::metadata(deb).map_err(|e| e.to_string())?.len();
    if size <= DEB_MAX_BYTES {
        println!("the .deb is {:.2} MiB ({size} bytes)", mib(size));
        Ok(())
    } else {
        Err(format!(
            "the .deb is {:.2} MiB, over {:.0} MiB",
            mib(size),
            mib(DEB_MAX_BYTES)
        ))
    }
}

/// An organisation's service is reached over https: refused otherwise, before any build.
fn check_url(url: &str) -> Result<(), String> {
    let host = url.strip_prefix("https://").unwrap_or_default();
    if host.is_empty() || host.starts_with('/') || url.chars().any(char::is_whitespace) {
        return Err(format!(
            "--service-url must be an https:// address with a host, not {url:?}"
        ));
    }
    Ok(())
}

/// The installers of `version` in `built` (a profile's folder), as the last build left them.
pub fn locate(built: &Path, version: &str) -> Result<Installers, String> {
    let bundle = built.join("bundle");
    let find = |kind: &str| -> Result<PathBuf, String> {
        let dir = bundle.join(kind);
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                // `…_0.1.0_amd64.deb`, `…-0.1.0-1.x86_64.rpm`: not 0.1.0 for 0.1.01.
                (name.contains(&format!("_{version}_")) || name.contains(&format!("-{version}-")))
                    && name.ends_with(&format!(".{kind}"))
            })
            .ok_or_else(|| format!("no .{kind} for version {version} in {}", dir.display()))
    };
    Ok(Installers {
        deb: find("deb")?,
        rpm: find("rpm")?,
    })
}

pub(crate) fn output(program: &str, args: &[&str], file: Option<&Path>) -> Result<String, String> {
    let mut c = Command::new(program);
    c.args(args);
    if let Some(f) = file {
        c.arg(f);
    }
    let out = c
        .output()
        .map_err(|e| format!("{program} could not start: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{program} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub(crate) fn expect(haystack: &str, needles: &[&str], what: &str) -> Result<(), String> {
    let missing: Vec<&&str> = needles.iter().filter(|n| !haystack.contains(**n)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("{what} lacks {missing:?}:\n{haystack}"))
    }
}

/// A control field's value (`Field: value` lines, as dpkg-deb and rpm print them).
fn field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let l = l.trim_start();
        let (k, v) = l.split_once(':')?;
        (k.trim() == name).then(|| v.trim())
    })
}

fn deb_control(deb: &Path) -> Result<(), String> {
    let info = output("dpkg-deb", &["--field"], Some(deb))?;
    let want = [
        ("Package", "espace-pro".to_owned()),
        ("Version", version().to_owned()),
        ("Section", "utils".to_owned()),
        ("Priority", "optional".to_owned()),
    ];
    for (name, value) in want {
        if field(&info, name) != Some(value.as_str()) {
            return Err(format!("{name} is not {value:?}:\n{info}"));
        }
    }
    let maintainer = field(&info, "Maintainer").unwrap_or_default();
    if !maintainer.contains('<') || !maintainer.contains('@') {
        return Err(format!("Maintainer {maintainer:?} has no address"));
    }
    expect(
        field(&info, "Depends").unwrap_or_default(),
        // The system's trusted authorities, which the app uses (an organisation's among them).
        &[
            "libwebkit2gtk-4.1-0",
            "libgtk-3-0",
            "libdbus-1-3",
            "ca-certificates",
        ],
        "Depends",
    )?;
    expect(
        &info,
        &[
            "Description: Gérez l'adresse électronique",
            "changer son mot de passe avec un indicateur de sécurité",
            "Recommends: gnome-keyring",
        ],
        "the control file",
    )
}

fn icon_paths() -> Vec<String> {
    ICON_SIZES
        .iter()
        .map(|s| format!("usr/share/icons/hicolor/{s}x{s}/apps/espace-pro.png"))
        .collect()
}

fn deb_files(deb: &Path) -> Result<(), String> {
    let list = output("dpkg-deb", &["--contents"], Some(deb))?;
    let mut want = vec![
        "usr/bin/espace-pro".to_owned(),
        "usr/share/applications/Espace Pro.desktop".to_owned(),
    ];
    want.extend(icon_paths());
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    expect(&list, &want, "the .deb's files")?;
    if list.contains('@') {
        return Err(format!("an icon folder outside the hicolor sizes:\n{list}"));
    }
    Ok(())
}

/// Width and height from a PNG's header.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let at = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some((at(16), at(20)))
}

/// The desktop entry, extracted from the `.deb` and validated by `desktop-file-validate`.
fn deb_desktop_entry(deb: &Path) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("espace-pro-deb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = (|| {
        output(
            "dpkg-deb",
            &["--extract", &deb.display().to_string()],
            Some(&dir),
        )?;
        for (size, path) in ICON_SIZES.iter().zip(icon_paths()) {
            let bytes = std::fs::read(dir.join(&path)).map_err(|e| format!("{path}: {e}"))?;
            if png_size(&bytes) != Some((*size, *size)) {
                return Err(format!("{path} is {:?} pixels", png_size(&bytes)));
            }
        }
        let entry = dir.join("usr/share/applications/Espace Pro.desktop");
        output("desktop-file-validate", &[], Some(&entry))?;
        let text = std::fs::read_to_string(&entry).map_err(|e| e.to_string())?;
        expect(
            &text,
            &[
                "Name=Espace Pro",
                "Exec=espace-pro",
                "Icon=espace-pro",
                "Comment=Gérez l'adresse électronique",
                // The links of the e-mails open the app, which is given the link.
                "x-scheme-handler/espace-pro",
            ],
            "the desktop entry",
        )?;
        let exec = text
            .lines()
            .find(|l| l.starts_with("Exec="))
            .unwrap_or_default();
        if exec.contains("%u") || exec.contains("%U") {
            Ok(())
        } else {
            Err(format!(
                "the desktop entry does not pass the link to the app: {exec}"
            ))
        }
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn rpm_header(rpm: &Path) -> Result<(), String> {
    let info = output("rpm", &["-qip", "--nosignature"], Some(rpm))?;
    for (name, value) in [
        ("Name", "espace-pro"),
        ("Version", version()),
        ("Release", "1"),
        ("License", "MIT OR Apache-2.0"),
    ] {
        if field(&info, name) != Some(value) {
            return Err(format!("{name} is not {value:?}:\n{info}"));
        }
    }
    expect(
        &info,
        &["Summary     : Gérez l'adresse électronique"],
        "the .rpm header",
    )?;
    let requires = output("rpm", &["-qpR", "--nosignature"], Some(rpm))?;
    expect(
        &requires,
        &["libwebkit2gtk-4.1.so.0", "libgtk-3.so.0", "dbus-libs"],
        "Requires",
    )?;
    let files = output("rpm", &["-qpl", "--nosignature"], Some(rpm))?;
    let mut want = vec!["/usr/bin/espace-pro".to_owned()];
    want.extend(icon_paths().into_iter().map(|p| format!("/{p}")));
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    expect(&files, &want, "the .rpm's files")
}

/// `program` as root: directly when we are root, else through sudo.
pub(crate) fn as_root(program: &str) -> Command {
    if crate::is_root() {
        Command::new(program)
    } else {
        let mut c = Command::new("sudo");
        c.arg(program);
        c
    }
}

/// The installed binary's `--version`, and dpkg's record of the package.
fn installed_version() -> Result<(), String> {
    let printed = output(INSTALLED, &["--version"], None)?;
    let expected = format!("espace-pro {}", version());
    if printed.trim() != expected {
        return Err(format!("--version printed {printed:?}, not {expected:?}"));
    }
    say(&format!(
        "installed {INSTALLED} --version: {}",
        printed.trim()
    ));
    let state = output(
        "dpkg-query",
        &["-W", "-f=${Status} ${Version}", "espace-pro"],
        None,
    )?;
    expect(&state, &["install ok installed", version()], "dpkg's state")
}

/// The installed app started as a user starts it (fresh data folders, a D-Bus session with a
/// keyring, a virtual display): after 8 seconds it is still running, its window is on the
/// display, named "{screen} – Espace Pro" (or "Espace Pro" before the first screen), and the embedded demo service has created its SQLite database — or, when
/// the package names the organisation's service (`demo: false`), has not: the demo is never
/// chosen silently.
fn installed_app_opens(demo: bool) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("espace-pro-installed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let shot = target_dir().join(if demo {
        "tmp/screenshots/installed-app.png"
    } else {
        "tmp/screenshots/installed-app-organisation.png"
    });
    if let Some(parent) = shot.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let script = r#"export XDG_DATA_HOME="$1/data" XDG_CONFIG_HOME="$1/config" XDG_CACHE_HOME="$1/cache"
echo -n espace-pro | gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec xvfb-run -a -s "-screen 0 1280x1000x24 -noreset" sh -c '
  "$0" & app=$!
  sleep 8
  if kill -0 $app 2>/dev/null; then echo "app: running"; fi
  xwininfo -root -tree | grep -qE "\"([^\"]* – )?Espace Pro\"" && echo "app: window"
  import -window root "$1"
  kill $app; wait $app 2>/dev/null; true' "$2" "$3""#;
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script, "sh"])
        .arg(&dir)
        .arg(INSTALLED)
        .arg(&shot)
        .env("NO_AT_BRIDGE", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .output()
        .map_err(|e| format!("dbus-run-session could not start: {e}"))?;
    let printed = String::from_utf8_lossy(&out.stdout);
    let database = dir.join("data/fr.espacepro.desktop/demo.sqlite");
    let header = std::fs::read(&database).unwrap_or_default();
    let result = if !printed.contains("app: running") {
        Err(format!(
            "the installed app did not keep running:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ))
    } else if !printed.contains("app: window") {
        Err("no window named \"… – Espace Pro\" on the display".into())
    } else if demo && !header.starts_with(b"SQLite format 3\0") {
        Err(format!("no demo database at {}", database.display()))
    } else if !demo && database.exists() {
        Err(format!(
            "the app packaged for a service started the demo ({})",
            database.display()
        ))
    } else {
        say(&format!(
            "installed app: window up, picture at {}",
            shot.display()
        ));
        Ok(())
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// `dpkg -r`, and nothing of the package left behind.
fn removes() -> Result<(), String> {
    let mut remove = as_root("dpkg");
    remove.args(["-r", "espace-pro"]);
    status(remove)?;
    if Path::new(INSTALLED).exists() {
        return Err(format!("dpkg -r left {INSTALLED} behind"));
    }
    Ok(())
}

const INSTALLED: &str = "/usr/bin/espace-pro";

/// The release app (with the service it embeds) was built without the `test-switches` feature:
/// none of the test switches' names is in the binary.
fn release_has_no_test_switches() -> Result<(), String> {
    holds_none(
        &app_binary(),
        &[
            "ESPACE_PRO_CAPTCHA_TEST_ANSWER",
            "ESPACE_PRO_SUMMARY_DIR",
            "ESPACE_PRO_TEST_PACKAGED_URL",
            "ESPACE_PRO_TEST_INSTANCE",
            "captcha-test-answer",
            "test-clock-file",
        ],
    )
}

/// The program in two `.deb`s is the same, byte for byte: one build serves both.
pub fn same_program(a: &Path, b: &Path) -> Result<(), String> {
    let program = |deb: &Path| -> Result<Vec<u8>, String> {
        let out = Command::new("sh")
            .args([
                "-c",
                "dpkg-deb --fsys-tarfile \"$1\" | tar -xO ./usr/bin/espace-pro",
                "sh",
            ])
            .arg(deb)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() || out.stdout.is_empty() {
            return Err(format!("no usr/bin/espace-pro in {}", deb.display()));
        }
        Ok(out.stdout)
    };
    let (first, second) = (program(a)?, program(b)?);
    if first == second {
        println!(
            "one program ({} bytes) in {} and {}",
            first.len(),
            a.display(),
            b.display()
        );
        Ok(())
    } else {
        Err(format!(
            "the programs differ ({} and {} bytes): {} and {}",
            first.len(),
            second.len(),
            a.display(),
            b.display()
        ))
    }
}

/// None of the test switches' `names` is in the binary at `path`.
pub(crate) fn holds_none(path: &Path, names: &[&str]) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let found: Vec<&&str> = names
        .iter()
        .filter(|name| bytes.windows(name.len()).any(|w| w == name.as_bytes()))
        .collect();
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!("{} holds test switches: {found:?}", path.display()))
    }
}

pub(crate) fn report(name: &str, result: Result<(), String>, tally: &mut (u64, u64)) {
    match result {
        Ok(()) => {
            println!("package check {name} ... ok");
            tally.0 += 1;
        }
        Err(e) => {
            println!("package check {name} ... FAILED\n{e}");
            tally.1 += 1;
        }
    }
}

/// Runs every check; returns (passed, failed).
pub fn check(installers: &Installers) -> (u64, u64) {
    let mut tally = (0, 0);
    let (deb, rpm) = (&installers.deb, &installers.rpm);
    report(
        "release build without test switches",
        release_has_no_test_switches(),
        &mut tally,
    );
    report("deb control fields", deb_control(deb), &mut tally);
    report("deb size", deb_size(deb), &mut tally);
    report("deb files and icons", deb_files(deb), &mut tally);
    report(
        "deb desktop entry and icon sizes",
        deb_desktop_entry(deb),
        &mut tally,
    );
    report(
        "rpm header, requires and files",
        rpm_header(rpm),
        &mut tally,
    );
    say(&format!("dpkg -i {}", deb.display()));
    let mut install = as_root("dpkg");
    install.arg("-i").arg(deb);
    let installed = status(install);
    let ok = installed.is_ok();
    report("deb installed with dpkg -i", installed, &mut tally);
    if ok {
        report("installed --version", installed_version(), &mut tally);
        report(
            "installed app opens its window",
            installed_app_opens(true),
            &mut tally,
        );
        report(
            "installed app carries no service URL",
            installed_service_url(None),
            &mut tally,
        );
        report("deb removed with dpkg -r", removes(), &mut tally);
    }
    for path in [&installers.deb, &installers.rpm] {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "installer {}: {} bytes ({:.1} MiB)",
            path.file_name().unwrap_or_default().to_string_lossy(),
            size,
            size as f64 / 1_048_576.0
        );
    }
    tally
}

/// The service URL the installed binary was packaged with (`--packaged-service-url`).
fn installed_service_url(expected: Option<&str>) -> Result<(), String> {
    let printed = output(INSTALLED, &["--packaged-service-url"], None)?;
    if printed.trim() == expected.unwrap_or_default() {
        Ok(())
    } else {
        Err(format!(
            "installed app's packaged service: {:?}, expected {expected:?}",
            printed.trim()
        ))
    }
}

/// The installers built for an organisation's service: installed, the URL in the binary, the
/// app opening against it (not the demo), removed.
pub fn check_packaged(installers: &Installers, url: &str) -> (u64, u64) {
    let mut tally = (0, 0);
    report(
        "release build without test switches",
        release_has_no_test_switches(),
        &mut tally,
    );
    let mut install = as_root("dpkg");
    install.arg("-i").arg(&installers.deb);
    let installed = status(install);
    let ok = installed.is_ok();
    report("organisation's deb installed", installed, &mut tally);
    if ok {
        report(
            "installed app carries the organisation's service",
            installed_service_url(Some(url)),
            &mut tally,
        );
        report(
            "installed app opens without the demo",
            installed_app_opens(false),
            &mut tally,
        );
        report("organisation's deb removed", removes(), &mut tally);
    }
    let size = std::fs::metadata(&installers.deb)
        .map(|m| m.len())
        .unwrap_or(0);
    println!("organisation's installer: {size} bytes");
    tally
}

/// `cargo xtask package [--no-build] [--service-url https://…] [--update-url https://…]
/// [--sign-key FILE --download-base https://… [--notes TEXT]]`: build (unless asked not to),
/// sign and write the update manifest (with a key), then check.
pub fn run(args: &[String]) -> Result<(), String> {
    ensure_packages(
        &[
            crate::BUILD_PACKAGES,
            crate::TEST_PACKAGES,
            PACKAGE_CHECK_PACKAGES,
        ]
        .concat(),
    )?;
    if args.first().is_some_and(|a| a == "update") {
        let (passed, failed) = crate::suite::organisation_and_update()?;
        println!("packages: {passed} passed, {failed} failed");
        return if failed == 0 {
            Ok(())
        } else {
            Err("some package checks failed".into())
        };
    }
    if args.first().is_some_and(|a| a == "server") {
        let deb = crate::server_deb::build()?;
        let (passed, failed) = crate::server_deb::check(&deb);
        println!("packages: {passed} passed, {failed} failed");
        return if failed == 0 {
            Ok(())
        } else {
            Err("some package checks failed".into())
        };
    }
    let value = |flag: &str| -> Result<Option<String>, String> {
        args.iter()
            .position(|a| a == flag)
            .map(|i| {
                args.get(i + 1)
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            })
            .transpose()
    };
    let service_url = value("--service-url")?;
    let update_url = value("--update-url")?;
    let key_file = value("--sign-key")?
        .or_else(|| std::env::var("TAURI_SIGNING_PRIVATE_KEY_PATH").ok())
        .map(PathBuf::from);
    let download_base = value("--download-base")?;
    let notes = value("--notes")?.unwrap_or_default();
    let signing = match (&key_file, &download_base) {
        (Some(key_file), Some(base)) => Some(Signing {
            key_file,
            download_base: base,
            notes: &notes,
        }),
        (None, None) => None,
        _ => return Err("--sign-key and --download-base go together".into()),
    };
    let installers = if args.iter().any(|a| a == "--no-build") {
        let built = match service_url {
            Some(_) => organisation_dir().join("release"),
            None => target_dir().join(PROFILE),
        };
        locate(&built, version())?
    } else {
        build_opts(&Options {
            service_url: service_url.as_deref(),
            update_url: update_url.as_deref(),
            signing,
            ..Options::default()
        })?
    };
    let (passed, failed) = match &service_url {
        Some(url) => check_packaged(&installers, url),
        None => check(&installers),
    };
    println!("packages: {passed} passed, {failed} failed");
    if failed == 0 {
        Ok(())
    } else {
        Err("some package checks failed".into())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Options, config_override, field, next_version, png_size};

    #[test]
    fn the_newer_version_the_config_override_and_the_organisation_file() {
        assert_eq!(next_version("0.1.0"), "0.1.1");
        assert_eq!(next_version("2.9.9"), "2.9.10");
        assert_eq!(config_override(None, None), None);
        assert_eq!(
            config_override(Some("0.1.1"), Some(Path::new("/t/o \"x\".json"))).unwrap(),
            r#"{"version":"0.1.1","bundle":{"resources":{"/t/o \"x\".json":"organisation.json"}}}"#
        );
        assert_eq!(Options::default().organisation(), None);
        let text = Options {
            service_url: Some("https://s.example/"),
            pubkey: Some("KEY".into()),
            ..Options::default()
        }
        .organisation()
        .unwrap();
        assert_eq!(
            text,
            "{\n  \"service_url\": \"https://s.example/\",\n  \"update_pubkey\": \"KEY\"\n}\n"
        );
    }

    #[test]
    fn reads_png_sizes() {
        let icon = std::fs::read(crate::root().join("icons/32x32.png")).unwrap();
        assert_eq!(png_size(&icon), Some((32, 32)));
        assert_eq!(png_size(b"GIF89a not a png at all"), None);
    }

    #[test]
    fn reads_control_fields() {
        let deb =
            " Package: espace-pro\n Version: 0.1.0\n Depends: libgtk-3-0, libwebkit2gtk-4.1-0\n";
        assert_eq!(field(deb, "Version"), Some("0.1.0"));
        assert_eq!(
            field(deb, "Depends"),
            Some("libgtk-3-0, libwebkit2gtk-4.1-0")
        );
        let rpm = "Name        : espace-pro\nRelease     : 1\n";
        assert_eq!(field(rpm, "Name"), Some("espace-pro"));
        assert_eq!(field(rpm, "Architecture"), None);
    }
}
