//! Where the service is: `--service-url`, then `ESPACE_PRO_SERVICE_URL`, then the settings file
//! (`settings.json` in the app's configuration folder, `{"service_url": "https://…"}`). None of
//! them: the embedded default.

use std::path::Path;

pub fn service_url(args: &[String], config_dir: &Path) -> Option<String> {
    let from_args = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--service-url=")
            .map(str::to_owned)
            .or_else(|| {
                (a == "--service-url")
                    .then(|| args.get(i + 1).cloned())
                    .flatten()
            })
    });
    from_args
        .or_else(|| std::env::var("ESPACE_PRO_SERVICE_URL").ok())
        .or_else(|| {
            let text = std::fs::read_to_string(config_dir.join("settings.json")).ok()?;
            let value: serde_json::Value = serde_json::from_str(&text).ok()?;
            value.get("service_url")?.as_str().map(str::to_owned)
        })
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_then_settings_file() {
        let dir = tempfile::tempdir().unwrap();
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            service_url(&args(&["--service-url", "https://a.example"]), dir.path()).as_deref(),
            Some("https://a.example")
        );
        assert_eq!(
            service_url(&args(&["--service-url=https://b.example"]), dir.path()).as_deref(),
            Some("https://b.example")
        );
        if std::env::var_os("ESPACE_PRO_SERVICE_URL").is_none() {
            assert_eq!(service_url(&[], dir.path()), None);
            std::fs::write(
                dir.path().join("settings.json"),
                r#"{"service_url": " https://c.example "}"#,
            )
            .unwrap();
            assert_eq!(
                service_url(&[], dir.path()).as_deref(),
                Some("https://c.example")
            );
        }
    }
}
