//! The embedded default (SPEC §1): with no service URL configured, the app runs the account
//! service itself, on loopback, with demo accounts and e-mail captured to a local mailbox.

use std::path::Path;
use std::sync::Arc;

use espace_pro_server::config::MailTransportConfig;
use espace_pro_server::{Application, Config};

use crate::connection::DemoInfo;

/// Start-up failures are shown as they are, not matched on.
pub async fn start(data_dir: &Path) -> Result<(Application, DemoInfo), String> {
    let mut config = Config::defaults();
    config.listen = "127.0.0.1:0".parse().expect("loopback address");
    config.database = format!("sqlite://{}", data_dir.join("demo.sqlite").display());
    config.key_file = data_dir.join("demo.key");
    let mailbox = data_dir.join("courriels");
    config.mail = MailTransportConfig::Directory(mailbox.clone());
    config.public_name = "Espace Pro (démo)".into();
    config.metrics_listen = None;
    // One person, a few hashes: one at a time, and their 19 MiB given back after each.
    config.hash_concurrency = 1;
    config.release_hash_memory = true;
    // Only this app may call it: not a web page through DNS rebinding.
    config.own_host_only = true;
    // For automated tests of the demo only, in builds with the `test-switches` feature (the
    // service accepts it because it listens on loopback); inert unless set.
    #[cfg(feature = "test-switches")]
    {
        config.captcha_test_answer = std::env::var("ESPACE_PRO_CAPTCHA_TEST_ANSWER")
            .ok()
            .filter(|a| !a.is_empty());
    }
    let app = Application::build(config, Arc::new(espace_pro_server::clock::SystemClock))
        .await
        .map_err(|e| e.to_string())?;
    let accounts = espace_pro_server::demo::seed(app.services())
        .await
        .map_err(|e| e.to_string())?;
    let second_factor_account = espace_pro_server::demo::seed_second_factor(app.services()).await?;
    let secret = espace_pro_server::demo::DEMO_SECOND_FACTOR_SECRET;
    Ok((
        app,
        DemoInfo {
            accounts,
            password: espace_pro_server::demo::DEMO_PASSWORD.to_owned(),
            second_factor_account,
            second_factor_secret: secret
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
            mailbox,
        },
    ))
}
