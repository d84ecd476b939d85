//! Which service the app talks to, in this order: `--service-url`, then `ESPACE_PRO_SERVICE_URL`,
//! then the choice saved in "Paramètres" (`settings.json` in the app's configuration folder, a
//! private file), then the organisation's URL baked in at packaging
//! (`cargo xtask package --service-url`), then the embedded demo service.

use std::path::Path;

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
}

const FILE: &str = "settings.json";

/// The organisation's service, set when the installer was built (`cargo xtask package
/// --service-url`, which passes it to the build in this variable).
pub fn packaged() -> Option<String> {
    #[cfg(feature = "test-switches")]
    if let Ok(url) = std::env::var("ESPACE_PRO_TEST_PACKAGED_URL") {
        return Some(url).filter(|u| !u.is_empty());
    }
    option_env!("ESPACE_PRO_PACKAGED_SERVICE_URL")
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
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
