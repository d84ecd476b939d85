//! Sessions across restarts and several accounts on one computer.

use super::*;

// ---- the session resumes after a restart and ends with quitter --------------------------------

/// The session survives a restart of the app (token in the keyring) and ends with "Quitter".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_resumes_after_a_restart_and_ends_with_quitter() {
    let s = AgainstService::start(account("resume@example.fr", "Jeanne", "REPRISE")).await;
    let number = &s.number;
    let ui = window_at_home(&s, "resume@example.fr").await;
    ui.c.close().await;

    // A new app process: straight to the home screen.
    let ui = s.window().await;
    ui.wait_text(&format!("Abonné : {number}")).await;
    ui.shot("20-session-resumed").await;
    ui.press_and_see("Quitter", "Connexion à mon espace professionnel")
        .await;
    ui.c.close().await;

    // After "Quitter", nothing is resumed.
    let ui = s.window().await;
    ui.wait_text("Connexion à mon espace professionnel").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !ui.main_text().await.contains("Abonné"),
        "the session came back after Quitter"
    );
    ui.c.close().await;
}

// ---- several accounts: switched, quit one, quit all, forgotten ---------------------------------

/// The token the keyring holds for `number`'s session on `url` (read with secret-tool, as any
/// program of the user could).
fn keyring_token(url: &str, number: &str) -> Option<String> {
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "fr.espacepro.desktop", "username"])
        .arg(format!("session@{url}#{number}"))
        .output()
        .expect("secret-tool (libsecret-tools) is installed by cargo xtask test");
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (!token.is_empty()).then_some(token)
}

/// What the log-in screen's list shows for `number`.
async fn listed(ui: &Ui, number: &str) -> Option<String> {
    let e =
        ui.c.find("css selector", &format!("[data-account='{number}']"))
            .await
            .ok()?;
    Some(ui.c.text(&e).await)
}

async fn wait_listed(ui: &Ui, number: &str, signed_in: bool) -> String {
    let what = format!("{number} listed with signed_in={signed_in}");
    eventually(&what, Duration::from_secs(20), async || {
        match listed(ui, number).await {
            Some(text) if text.contains("session ouverte") == signed_in => Ok(text),
            _ => Err(format!("the screen shows:\n{}", ui.main_text().await)),
        }
    })
    .await
}

/// The home screen of the account `number` (the log-in screen's list also shows numbers).
async fn wait_home(ui: &Ui, number: &str) {
    let what = format!("the home screen of {number}");
    eventually(&what, Duration::from_secs(20), async || {
        let home = ui
            .script_says("return document.body.dataset.screen === 'home'")
            .await;
        let text = ui.main_text().await;
        match home && text.contains(&format!("Abonné : {number}")) {
            true => Ok(()),
            false => Err(format!("the screen shows:\n{text}")),
        }
    })
    .await
}

/// Clicks the log-in screen list's button `what` ("use" for "Continuer", "forget" for
/// "Oublier") of the account `number`.
async fn click_account(ui: &Ui, what: &str, number: &str) {
    let button =
        ui.c.wait_for("css selector", &format!("#account-{what}-{number}"), WAIT)
            .await;
    ui.c.click(&button).await;
}

/// An accountant with two companies' accounts: both listed on the log-in screen (address and
/// number, no password anywhere), each with its own keyring entry; switching takes up the
/// other's session without its password; "Quitter" ends one session, "Tout quitter" every one
/// (the service revokes the tokens); "Oublier" takes an account off the list.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_switched_quit_one_quit_all_forgotten() {
    let s = AgainstService::start(account("cabinet.a@example.fr", "Alix", "PREMIER")).await;
    let a = s.number.clone();
    let b = s.service.create_account(
        &account("cabinet.b@example.fr", "Basile", "SECOND"),
        PASSWORD,
    );
    let url = s.service.url();
    // A session kept by a version before several accounts (one entry per service): carried
    // over to A's own entry at the first start, the old entry deleted.
    let http = reqwest::Client::new();
    let legacy_token = api_session_token(&http, &url, "cabinet.a@example.fr", PASSWORD).await;
    let legacy_vault = espace_pro_client::SessionVault::new("fr.espacepro.desktop", &url);
    legacy_vault
        .save(&espace_pro_contract::Secret::new(legacy_token.clone()))
        .unwrap();
    let ui = s.window().await;
    wait_home(&ui, &a).await;
    assert!(
        legacy_vault.load().unwrap().is_none(),
        "the old entry is left"
    );
    assert_eq!(
        keyring_token(&url, &a).as_deref(),
        Some(legacy_token.as_str())
    );

    // "Changer de compte": A stays open; B logs in with the form.
    ui.press("Changer de compte").await;
    wait_listed(&ui, &a, true).await;
    log_in(&ui, "cabinet.b@example.fr", PASSWORD).await;
    wait_home(&ui, &b).await;
    ui.press("Changer de compte").await;
    let listed_a = wait_listed(&ui, &a, true).await;
    let listed_b = wait_listed(&ui, &b, true).await;
    assert!(listed_a.contains("cabinet.a@example.fr") && listed_b.contains("cabinet.b@example.fr"));
    // Most recent first.
    let order = ui.main_text().await;
    assert!(
        order.find("cabinet.b@").unwrap() < order.find("cabinet.a@").unwrap(),
        "{order}"
    );
    assert_accessible(&ui, "log-in with two accounts").await;
    ui.shot("60-two-accounts").await;
    let (token_a, token_b) = (
        keyring_token(&url, &a).expect("A's entry"),
        keyring_token(&url, &b).expect("B's entry"),
    );
    assert_ne!(token_a, token_b);
    let file = s
        .dir
        .path()
        .join("home/config/fr.espacepro.desktop/accounts.json");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains(&a) && saved.contains(&b), "{saved}");
    assert!(!saved.contains(PASSWORD) && !saved.contains(&token_a) && !saved.contains(&token_b));
    assert_private(&file, "accounts.json");

    // "Continuer" with A: its session, without the password.
    click_account(&ui, "use", &a).await;
    wait_home(&ui, &a).await;

    // A restart takes up the account last in use.
    ui.c.close().await;
    let ui = s.window().await;
    wait_home(&ui, &a).await;
    ui.shot("61-home-of-two-accounts").await;

    // "Quitter" ends A's session only: its token is revoked; B's stays.
    ui.press("Quitter").await;
    wait_listed(&ui, &a, false).await;
    wait_listed(&ui, &b, true).await;
    assert!(keyring_token(&url, &a).is_none());
    let account_with = async |token: &str| {
        http.get(format!("{url}/v1/account"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(account_with(&token_a).await, 401, "A's token still works");
    assert_eq!(account_with(&token_b).await, 200);

    // A without a session: the form gets its address and asks for its password.
    click_account(&ui, "use", &a).await;
    eventually(
        "A's address in the form",
        Duration::from_secs(10),
        async || {
            let filled =
                ui.c.execute("return document.querySelector('#login-email').value")
                    .await
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned));
            match filled.as_deref() {
                Some("cabinet.a@example.fr") => Ok(()),
                other => Err(format!("the field holds {other:?}")),
            }
        },
    )
    .await;
    let focused = ui.c.active().await;
    assert_eq!(
        ui.c.attr(&focused, "id").await.as_deref(),
        Some("login-password")
    );
    ui.c.send_keys(&focused, PASSWORD).await;
    ui.press("Connexion").await;
    wait_home(&ui, &a).await;
    let token_a = keyring_token(&url, &a).expect("A's new entry");

    // "Tout quitter": both sessions end at the service and in the keyring; both stay listed.
    ui.press_and_see(
        "Tout quitter",
        "Toutes les sessions de cet ordinateur sont fermées.",
    )
    .await;
    wait_listed(&ui, &a, false).await;
    wait_listed(&ui, &b, false).await;
    assert!(keyring_token(&url, &a).is_none() && keyring_token(&url, &b).is_none());
    assert_eq!(account_with(&token_a).await, 401);
    assert_eq!(account_with(&token_b).await, 401);

    // "Oublier": off the list and out of the file.
    click_account(&ui, "forget", &b).await;
    eventually(
        "B off the list",
        Duration::from_secs(10),
        async || match listed(&ui, &b).await {
            None => Ok(()),
            Some(text) => Err(format!("still listed: {text}")),
        },
    )
    .await;
    assert!(listed(&ui, &a).await.is_some());
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(!saved.contains(&b) && saved.contains(&a), "{saved}");

    // The list in English, without a French word.
    ui.press_and_see("English", "Accounts used on this computer")
        .await;
    let french = french_texts(&ui).await;
    assert!(french.is_empty(), "French left on the list: {french:?}");
    ui.c.close().await;
}
