//! Which service the app talks to, in this order: `--service-url`, then `ESPACE_PRO_SERVICE_URL`,
//! then the choice saved in "Paramètres" (`settings.json` in the app's configuration folder, a
//! private file), then the organisation's URL its installer carries (`organisation.json` among
//! the app's resources, written by `cargo xtask package --service-url`), then the embedded demo
//! service.

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Where the service in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Flag,
    Variable,
    Saved,
    Packaged,
    Demo,
}

/// The service to use: a URL, or the demo (`url: None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub url: Option<String>,
    pub source: Source,
}

/// What "Paramètres" keeps: a service URL, or demo mode chosen explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_url: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub demo: bool,
    /// Updates are not looked for at start ("Paramètres").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_update_check: bool,
    /// This computer's name in the account's list of sessions, when the person chose one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

const FILE: &str = "settings.json";

/// The file an organisation's installers carry among the app's resources (`/usr/lib/Espace
/// Pro/` on Linux, beside the program on Windows, `Contents/Resources` on macOS): one build of the
/// app serves the demo's installers and every organisation's.
pub const ORGANISATION_FILE: &str = "organisation.json";

/// What an organisation's installer sets (`cargo xtask package --service-url … --update-url …`):
/// its service, and where and with which key the app looks for its updates. As trusted as the
/// program beside it: both are installed by the same package, writable only by whoever can
/// replace the program.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_url: Option<String>,
    /// The update manifest, instead of the project's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_url: Option<String>,
    /// The minisign public key updates are checked with, instead of the project's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_pubkey: Option<String>,
}

impl Organisation {
    /// Nothing set: the demo's installers.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

static ORGANISATION: OnceLock<Organisation> = OnceLock::new();

/// Reads [`ORGANISATION_FILE`] in the app's resource folder. No file: the demo's defaults. A file
/// that cannot be read, or that names a service or manifest the app would refuse, is an error:
/// an organisation's installer must not quietly start as the demo.
pub fn read_organisation(resource_dir: &Path) -> Result<Organisation, String> {
    let path = resource_dir.join(ORGANISATION_FILE);
    let text = match std::fs::read_to_string(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Organisation::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
        Ok(text) => text,
    };
    let organisation: Organisation =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if let Some(url) = &organisation.service_url {
        espace_pro_client::api::check_service_url(url)
            .map_err(|e| format!("{}: service_url: {e}", path.display()))?;
    }
    if let Some(url) = &organisation.update_url {
        check_update_url(url).map_err(|e| format!("{}: update_url: {e}", path.display()))?;
    }
    if let Some(key) = &organisation.update_pubkey {
        check_minisign_key(key).map_err(|e| format!("{}: update_pubkey: {e}", path.display()))?;
    }
    Ok(organisation)
}

/// An update manifest's address: https, a host, no user name or password.
fn check_update_url(raw: &str) -> Result<(), String> {
    let url = url::Url::parse(raw).map_err(|e| format!("not a URL ({e})"))?;
    if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) {
        return Err("an https:// address with a host is needed".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("no user name or password in the address".into());
    }
    Ok(())
}

/// A minisign public key as the app's configuration carries it (`plugins.updater.pubkey`): base64 of
/// the key file, whose second line is base64 of the algorithm (`Ed`), an 8-byte key id and the
/// 32-byte Ed25519 key.
fn check_minisign_key(key: &str) -> Result<(), String> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let file = b64
        .decode(key.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or("not base64 of a minisign key file")?;
    let line = file
        .lines()
        .find(|l| !l.starts_with("untrusted comment:") && !l.trim().is_empty())
        .ok_or("no key in the minisign key file")?;
    match b64.decode(line.trim()) {
        Ok(raw) if raw.len() == 42 && raw.starts_with(b"Ed") => Ok(()),
        _ => Err("not an Ed25519 minisign public key".into()),
    }
}

/// Keeps what [`read_organisation`] found, once, at start.
pub fn set_organisation(organisation: Organisation) {
    let _ = ORGANISATION.set(organisation);
}

/// The organisation's settings this installation carries (none: the demo's).
pub fn organisation() -> &'static Organisation {
    ORGANISATION.get_or_init(Organisation::default)
}

/// The organisation's service this installation carries.
pub fn packaged() -> Option<String> {
    #[cfg(feature = "test-switches")]
    if let Ok(url) = std::env::var("ESPACE_PRO_TEST_PACKAGED_URL") {
        return Some(url).filter(|u| !u.is_empty());
    }
    clean(organisation().service_url.clone())
}

pub fn read_saved(config_dir: &Path) -> Saved {
    std::fs::read_to_string(config_dir.join(FILE))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Writes the choice, private (0600), whole or not at all.
pub fn write_saved(config_dir: &Path, saved: &Saved) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(saved).map_err(std::io::Error::other)?;
    espace_pro_server::files::write_private(&config_dir.join(FILE), text.as_bytes())
}

fn flag(args: &[String]) -> Option<String> {
    args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--service-url=")
            .map(str::to_owned)
            .or_else(|| {
                (a == "--service-url")
                    .then(|| args.get(i + 1).cloned())
                    .flatten()
            })
    })
}

fn clean(url: Option<String>) -> Option<String> {
    url.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The service to use at start-up.
pub fn choose(args: &[String], config_dir: &Path) -> Choice {
    let pick = |url, source| Choice {
        url: Some(url),
        source,
    };
    if let Some(url) = clean(flag(args)) {
        return pick(url, Source::Flag);
    }
    if let Some(url) = clean(std::env::var("ESPACE_PRO_SERVICE_URL").ok()) {
        return pick(url, Source::Variable);
    }
    let saved = read_saved(config_dir);
    // One an earlier version accepted and this one refuses (a password in it): not used.
    if let Some(url) = clean(saved.service_url)
        && espace_pro_client::api::check_service_url(&url).is_ok()
    {
        return pick(url, Source::Saved);
    }
    if saved.demo {
        return Choice {
            url: None,
            source: Source::Demo,
        };
    }
    if let Some(url) = packaged() {
        return pick(url, Source::Packaged);
    }
    Choice {
        url: None,
        source: Source::Demo,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flag_then_saved_then_demo() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            choose(&args(&["--service-url", "https://a.example"]), dir.path()),
            Choice {
                url: Some("https://a.example".into()),
                source: Source::Flag
            }
        );
        assert_eq!(
            choose(&args(&["--service-url=https://b.example"]), dir.path()).url,
            Some("https://b.example".into())
        );
        if std::env::var_os("ESPACE_PRO_SERVICE_URL").is_some() || packaged().is_some() {
            return;
        }
        assert_eq!(choose(&[], dir.path()).source, Source::Demo);
        // A file written by hand before "Paramètres" existed still counts.
        std::fs::write(
            dir.path().join(FILE),
            r#"{"service_url": " https://c.example "}"#,
        )
        .unwrap();
        assert_eq!(
            choose(&[], dir.path()),
            Choice {
                url: Some("https://c.example".into()),
                source: Source::Saved
            }
        );
        // One with a password, saved by an earlier version: the app still starts, without it.
        std::fs::write(
            dir.path().join(FILE),
            r#"{"service_url": "https://u:secret@c.example/"}"#,
        )
        .unwrap();
        assert_eq!(choose(&[], dir.path()).source, Source::Demo);
        std::fs::write(
            dir.path().join(FILE),
            r#"{"service_url": " https://c.example "}"#,
        )
        .unwrap();
        // The flag still wins over the saved choice.
        assert_eq!(
            choose(&args(&["--service-url", "https://a.example"]), dir.path()).source,
            Source::Flag
        );
        write_saved(
            dir.path(),
            &Saved {
                service_url: None,
                demo: true,
                ..Saved::default()
            },
        )
        .unwrap();
        assert_eq!(choose(&[], dir.path()).source, Source::Demo);
    }

    #[test]
    fn the_organisation_file_is_read_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_organisation(dir.path()), Ok(Organisation::default()));
        let file = dir.path().join(ORGANISATION_FILE);
        std::fs::write(
            &file,
            r#"{"service_url": "https://portail.example/espace-pro/",
                "update_url": "https://maj.example/latest.json"}"#,
        )
        .unwrap();
        let read = read_organisation(dir.path()).unwrap();
        assert_eq!(
            read.service_url.as_deref(),
            Some("https://portail.example/espace-pro/")
        );
        assert_eq!(
            read.update_url.as_deref(),
            Some("https://maj.example/latest.json")
        );
        assert!(!read.is_empty());
        // A key as the signer writes it (the project's own is checked by the app's tests).
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut raw = b"Ed".to_vec();
        raw.extend([7u8; 40]);
        let key_file = format!(
            "untrusted comment: minisign public key: 0707070707070707\n{}\n",
            b64.encode(&raw)
        );
        assert_eq!(check_minisign_key(&b64.encode(key_file)), Ok(()));
        // Each of these would start the organisation's app as something else: refused.
        for bad in [
            "not json",
            r#"{"update_url": "https://u:p@maj.example/latest.json"}"#,
            r#"{"update_url": "maj.example/latest.json"}"#,
            r#"{"update_pubkey": "S0VZ"}"#,
            r#"{"update_pubkey": "not base64 at all"}"#,
            r#"{"service_url": "https://u:secret@portail.example/"}"#,
            r#"{"service_url": "ftp://portail.example/"}"#,
            r#"{"update_url": "http://maj.example/latest.json"}"#,
            r#"{"service": "https://portail.example/"}"#,
        ] {
            std::fs::write(&file, bad).unwrap();
            assert!(read_organisation(dir.path()).is_err(), "{bad}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_saved_file_is_private_and_whole() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let saved = Saved {
            service_url: Some("https://d.example".into()),
            demo: false,
            no_update_check: true,
            device_name: Some("Poste de Lila".into()),
        };
        write_saved(&config, &saved).unwrap();
        let mode = std::fs::metadata(config.join(FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(read_saved(&config), saved);
        // No temporary file left beside it.
        let names: Vec<_> = std::fs::read_dir(&config)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE]);
        // Garbage reads as nothing saved.
        std::fs::write(config.join(FILE), "not json").unwrap();
        assert_eq!(read_saved(&config), Saved::default());
    }
}
