//! Expiry reminders as a banner and a desktop notification.

use super::*;

// ---- expiry reminders ----------------------------------------------------------------------------

/// A notification daemon (Debian's dunst) on the test display, stopped with the test.
pub(crate) struct Dunst(std::process::Child);

impl Dunst {
    pub(crate) async fn start() -> Self {
        let child = std::process::Command::new("dunst")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dunst (cargo xtask test installs it)");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !std::process::Command::new("dunstctl")
            .args(["count", "history"])
            .output()
            .is_ok_and(|o| o.status.success())
        {
            assert!(std::time::Instant::now() < deadline, "dunst did not answer");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self(child)
    }

    /// Every notification received so far (the ones still shown are closed into the history
    /// first), as dunstctl prints them.
    pub(crate) fn history(&self) -> String {
        let _ = std::process::Command::new("dunstctl")
            .arg("close-all")
            .status();
        let out = std::process::Command::new("dunstctl")
            .arg("history")
            .output()
            .expect("dunstctl history");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) async fn wait_for(&self, expected: &str, times: usize) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let history = self.history();
            if history.matches(expected).count() >= times {
                return history;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{times} × {expected:?} never in the notifications:\n{history}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for Dunst {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// 29 days before the password expires (the service's clock moved), the home screen shows the
/// banner leading to the change and a desktop notification is shown, once for the 30-day
/// threshold; 6 days before, a second one for the 7-day threshold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_expiry_reminder_as_a_banner_and_a_notification() {
    let s = AgainstService::start(account("rappel@example.fr", "Rémi", "RAPPEL")).await;
    let dunst = Dunst::start().await;
    const TITLE: &str = "Espace Pro : votre mot de passe expire bientôt";
    let today = espace_pro_contract::TimeZone::paris().date(time::OffsetDateTime::now_utc());
    let expires = espace_pro_server::dates::password_valid_until(today, 3);
    let shift = (expires - today).whole_days() - 29;
    s.service.set_clock_offset(shift * 86_400);

    let ui = s.window().await;
    log_in(&ui, "rappel@example.fr", PASSWORD).await;
    ui.wait_text("Votre mot de passe expire dans 29 jours")
        .await;
    shot_and_axe(&ui, "70-expiry-banner", "expiry-banner").await;
    let history = dunst.wait_for("dans 29 jours", 1).await;
    assert!(history.contains(TITLE), "{history}");
    // How many times one notification shows its title in the history (summary, message).
    let once = history.matches(TITLE).count();
    // The banner leads to the change.
    ui.press_and_see("Changer mon mot de passe", "Modifiez vos identifiants.")
        .await;
    ui.c.close().await;

    // The app again (the session resumed, the home screen checked again): no second
    // notification for the same threshold.
    let ui = s.window().await;
    ui.wait_text("Votre mot de passe expire dans 29 jours")
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(dunst.history().matches(TITLE).count(), once);
    ui.c.close().await;

    // Six days before: the 7-day threshold.
    s.service.set_clock_offset((shift + 23) * 86_400);
    let ui = s.window().await;
    log_in(&ui, "rappel@example.fr", PASSWORD).await;
    ui.wait_text("Votre mot de passe expire dans 6 jours").await;
    let history = dunst.wait_for("dans 6 jours", 1).await;
    assert_eq!(history.matches(TITLE).count(), 2 * once, "{history}");
    ui.c.close().await;
}
