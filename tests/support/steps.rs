//! What a person does and checks in the window, written once for every scenario: log in (and be
//! refused), change the address or the password, go through the activation wizard and the
//! forgotten password, take a code from an e-mail, type with the keyboard alone, read a saved
//! PDF, and check a screen with axe-core.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use espace_pro_testkit::{ReceivedMail, SmtpListener};

use super::app::{AgainstService, PASSWORD, Ui};
use super::screen_reader::hear;
use super::service::CAPTCHA_ANSWER;

/// Subject of the e-mail with an activation code (a new space, or a change of address).
pub const ACTIVATION_SUBJECT: &str = "Espace professionnel - Création ou modification de l'espace";
/// Subject of the e-mail with the code of "Mot de passe oublié".
pub const RECOVERY_SUBJECT: &str = "Espace professionnel - Mot de passe oublié";

/// Fills the log-in form (whatever it held) and submits it.
pub async fn log_in(ui: &Ui, email: &str, password: &str) {
    ui.wait_text("Connexion à mon espace professionnel").await;
    ui.retype("Adresse électronique", email).await;
    ui.retype("Mot de passe", password).await;
    ui.press("Connexion").await;
}

/// Logs in and waits for the home screen of the subscriber `number` (of any subscriber when
/// `number` is empty); returns what the screen shows.
pub async fn log_in_home(ui: &Ui, email: &str, password: &str, number: &str) -> String {
    log_in(ui, email, password).await;
    ui.wait_text(&format!("Abonné : {number}")).await
}

/// A new window of the scenario's app, logged in as `email` (with [`PASSWORD`]) on the home
/// screen of the scenario's account.
pub async fn window_at_home(s: &AgainstService, email: &str) -> Ui {
    let ui = s.window().await;
    log_in_home(&ui, email, PASSWORD, &s.number).await;
    ui
}

/// From the home screen, through "Gérer les services", to "Modifiez vos identifiants." (the
/// change of login address and password).
pub async fn open_credentials(ui: &Ui) {
    ui.press("Gérer les services").await;
    press_manage_credentials(ui).await;
}

/// From "Gérer les services" (or the coordinates), presses "Gérer votre adresse électronique de
/// connexion / votre mot de passe" and waits for "Modifiez vos identifiants.".
pub async fn press_manage_credentials(ui: &Ui) {
    ui.press_and_see(
        "Gérer votre adresse électronique de connexion / votre mot de passe",
        "Modifiez vos identifiants.",
    )
    .await;
}

/// On "Modifiez vos identifiants.": ticks the change of the address `current` and types `new`
/// in both address fields.
pub async fn fill_new_email(ui: &Ui, current: &str, new: &str) {
    ui.tick(&format!("Modifier mon adresse électronique {current}"))
        .await;
    ui.type_into("Nouvelle adresse électronique", new).await;
    ui.type_into("Confirmez votre nouvelle adresse électronique", new)
        .await;
}

/// On "Modifiez vos identifiants.": ticks the new password (20 characters minimum) and types
/// `new` in both password fields.
pub async fn fill_new_password(ui: &Ui, new: &str) {
    ui.tick("Saisir mon nouveau mot de passe : (20 caractères minimum)")
        .await;
    ui.type_into("Nouveau mot de passe", new).await;
    ui.type_into("Confirmez votre nouveau mot de passe", new)
        .await;
}

/// From the home screen, asks to change the login address `current` to `new`, and waits for the
/// pending notice; returns what the screen shows.
pub async fn request_new_email(ui: &Ui, current: &str, new: &str) -> String {
    open_credentials(ui).await;
    fill_new_email(ui, current, new).await;
    ui.press_and_see(
        "Valider les modifications",
        "Activation de votre espace abonné",
    )
    .await
}

/// The activation wizard's first step: the code, the CAPTCHA's test answer, "Continuer".
pub async fn enter_activation_code(ui: &Ui, code: &str) {
    ui.wait_text("Code d'activation").await;
    ui.wait_captcha().await;
    ui.type_into("Saisissez le code d'activation : *", code)
        .await;
    ui.type_into("Recopiez les caractères de l'image : *", CAPTCHA_ANSWER)
        .await;
    ui.press("Continuer").await;
}

/// The activation wizard's second step: the new login address, "Continuer", and the recap it
/// leads to; returns what the screen shows.
pub async fn give_activation_address(ui: &Ui, email: &str) -> String {
    ui.type_into(
        "Saisissez votre adresse électronique de connexion : *",
        email,
    )
    .await;
    ui.press_and_see("Continuer", "Votre inscription a été réalisée le")
        .await
}

/// "Mot de passe oublié" from the log-in screen: asks for a code sent to `email`.
pub async fn ask_recovery_code(ui: &Ui, email: &str) {
    ui.press("Mot de passe oublié").await;
    ui.type_into("Adresse électronique de connexion", email)
        .await;
    ui.press("Recevoir un code").await;
}

/// The e-mail with the activation code for the new address `to`, once it has arrived.
pub async fn activation_mail(smtp: &SmtpListener, to: &str) -> ReceivedMail {
    smtp.wait_for(Duration::from_secs(15), |m| {
        m.subject == ACTIVATION_SUBJECT && m.envelope_to == [to.to_owned()]
    })
    .await
}

/// The e-mail with the code of "Mot de passe oublié", once it has arrived.
pub async fn recovery_mail(smtp: &SmtpListener) -> ReceivedMail {
    smtp.wait_for(Duration::from_secs(15), |m| m.subject == RECOVERY_SUBJECT)
        .await
}

/// The first e-mail sent to `to`, whatever it says, once it has arrived.
pub async fn mail_to(smtp: &SmtpListener, to: &str) -> ReceivedMail {
    smtp.wait_for(Duration::from_secs(15), |m| {
        m.envelope_to == [to.to_owned()]
    })
    .await
}

/// The code an e-mail gives.
pub fn code_in(mail: &ReceivedMail) -> String {
    espace_pro_testkit::find_code(&mail.body).expect("a code in the e-mail")
}

/// A session token for `email`, asked of the service at `url` through its API, as another
/// program would.
pub async fn api_session_token(
    http: &reqwest::Client,
    url: &str,
    email: &str,
    password: &str,
) -> String {
    let login: serde_json::Value = http
        .post(format!("{url}/v1/sessions"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["token"].as_str().unwrap().to_owned()
}

/// Fails unless `text` (what `place` shows) holds every one of `expected`.
pub fn assert_holds_all(text: &str, place: &str, expected: &[&str]) {
    for expected in expected {
        assert!(
            text.contains(expected),
            "{expected:?} not in {place}:\n{text}"
        );
    }
}

/// Fails unless only its owner may read or write `file`.
pub fn assert_private(file: &Path, what: &str) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{what} is private");
}

/// Logs in with credentials the service must refuse, and waits for this attempt's answer (the
/// screen empties the password field when the refusal arrives).
pub async fn log_in_refused(ui: &Ui, email: &str, password: &str) {
    log_in(ui, email, password).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let emptied = ui
            .script_says("return document.querySelector('#login-password')?.value === ''")
            .await;
        let text = ui.main_text().await;
        if emptied && text.contains("Adresse électronique ou mot de passe incorrect") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{email} was not refused; the screen shows:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

pub fn pdftotext(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The PDF's structure tree with each element's text, as poppler reads it for assistive
/// technology (`pdfinfo -struct-text`).
pub fn pdf_structure(path: &Path) -> String {
    let out = Command::new("pdfinfo")
        .arg("-struct-text")
        .arg(path)
        .output()
        .expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = "\u{E00D}";

pub const SHIFT: &str = "\u{E008}";
/// Releases the modifier keys (WebDriver's null key).
pub const RELEASE: &str = "\u{E000}";

/// Presses Tab (Shift+Tab when `back`) until the focus is on the control `name` names (its
/// label, its text or its `aria-label`), at most 60 times. On the way, every control the focus
/// lands on must show it (WCAG 2.4.7 / 2.4.13): an outline at least 2 px wide whose colour
/// stands out at 3:1 from the background around it. Only the screen's heading and the main
/// region, which the app focuses itself (and a screen reader announces), draw none.
pub async fn tab_to(ui: &Ui, name: &str, back: bool) {
    let key = if back {
        format!("{SHIFT}{TAB}{RELEASE}")
    } else {
        TAB.to_owned()
    };
    let mut seen = Vec::new();
    for _ in 0..60 {
        keys(ui, &key).await;
        let focus = ui
            .c
            .execute(
                r#"const el = document.activeElement;
                   if (!el || el === document.body) return {names: [], tag: 'BODY'};
                   const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
                   const names = [norm(el.getAttribute('aria-label')), norm(el.labels && el.labels[0] && el.labels[0].textContent), norm(el.textContent)];
                   const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
                   const lum = ([r, g, b]) => {
                     const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
                   };
                   let around = [255, 255, 255];
                   for (let n = el.parentElement; n; n = n.parentElement) {
                     const c = rgb(getComputedStyle(n).backgroundColor);
                     if (c.length === 3 || (c.length === 4 && c[3] > 0)) { around = c; break; }
                   }
                   const cs = getComputedStyle(el);
                   const a = lum(rgb(cs.outlineColor)), b = lum(around);
                   const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                   return {names, tag: el.tagName, id: el.id, style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), ratio};"#,
            )
            .await
            .expect("the focus read");
        let names: Vec<String> = focus["names"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let tag = focus["tag"].as_str().unwrap_or_default();
        let programmatic = tag == "H1" || tag == "BODY" || focus["id"] == "screen";
        if !programmatic {
            let width = focus["width"].as_f64().unwrap_or(0.0);
            let ratio = focus["ratio"].as_f64().unwrap_or(0.0);
            assert!(
                focus["style"] != "none" && width >= 2.0 && ratio >= 3.0,
                "the focus on {names:?} does not show: {focus}"
            );
        }
        if names.iter().any(|n| n == name) {
            return;
        }
        seen.push(
            names
                .into_iter()
                .find(|n| !n.is_empty())
                .unwrap_or_default(),
        );
    }
    panic!("{name:?} never got the focus; Tab went through {seen:?}");
}

/// Tab to `name`, then Enter, as a keyboard user presses a button.
pub async fn enter_on(ui: &Ui, name: &str) {
    tab_to(ui, name, false).await;
    keys(ui, ENTER).await;
}

/// Keys to whatever has the focus, as a keyboard user types them.
pub async fn keys(ui: &Ui, text: &str) {
    let focused = ui.c.active().await;
    ui.c.send_keys(&focused, text).await;
    tokio::time::sleep(Duration::from_millis(250)).await;
}

/// axe-core (npm, installed by `cargo xtask test` into tests/node_modules) run in a screen:
/// the WCAG 2.x A and AA rules, WCAG 2.2 included. Returns "rule: element" for each violation.
/// axe-core on the screen shown, in the middle of a scenario: no violation allowed.
pub async fn assert_accessible(ui: &Ui, screen: &str) {
    let violations = axe(ui, screen).await;
    assert!(
        violations.is_empty(),
        "axe-core violations:\n{}",
        violations.join("\n")
    );
}

/// Keeps a picture of the screen for people to look at (`shot`), then checks it with axe-core
/// (as `screen`): no violation allowed.
pub async fn shot_and_axe(ui: &Ui, shot: &str, screen: &str) {
    ui.shot(shot).await;
    assert_accessible(ui, screen).await;
}

/// axe-core's violations on the screen shown, then what a screen reader gets there (see
/// `Heard::problems`), one line each.
pub async fn axe(ui: &Ui, screen: &str) -> Vec<String> {
    let mut found = axe_core(ui, screen).await;
    found.extend(hear(ui).await.problems(screen));
    found
}

async fn axe_core(ui: &Ui, screen: &str) -> Vec<String> {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core: cargo xtask test runs npm install in tests/");
    ui.c.execute(&format!("{source}\n;return typeof axe;"))
        .await
        .expect("axe injected");
    let result = ui
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
               .then(r => done({passes: r.passes.length,
                                violations: r.violations.flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')))}))
               .catch(e => done({passes: 0, violations: ['axe failed: ' + e]}));",
        )
        .await
        .expect("axe ran");
    ui.shot(&format!("axe-{screen}")).await;
    // A run that checked nothing would pass anything.
    let passes = result["passes"].as_u64().unwrap_or(0);
    assert!(
        passes >= 5,
        "axe checked only {passes} rules on {screen}: {result}"
    );
    eprintln!("axe: {screen}: {passes} rules passed");
    let mut violations: Vec<String> = result["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{screen} — {}", v.as_str().unwrap_or_default()))
        .collect();
    violations.extend(
        names_holding_ids(ui)
            .await
            .into_iter()
            .map(|name| format!("{screen} — a name holds an element id: {name:?}")),
    );
    violations
}

/// The names given with `aria-label` that hold an element's id (a screen reader would read
/// "Afficher le mot de passe (login-password)"), or an untranslated text key or placeholder.
/// axe does not look at what a name says.
async fn names_holding_ids(ui: &Ui) -> Vec<String> {
    let found = ui
        .c
        .execute(
            r#"const ids = [...document.querySelectorAll('[id]')].map(e => e.id).filter(id => id.includes('-'));
               return [...document.querySelectorAll('[aria-label]')]
                 .map(e => e.getAttribute('aria-label'))
                 .filter(name => ids.some(id => name.includes(id)) || /\{\w+\}|undefined|^[a-z_]+\.[a-z_.]+$/.test(name));"#,
        )
        .await
        .expect("names read");
    found
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every visible text of the window that looks French, outside of what is French on purpose
/// (`lang="fr"`: the e-mails, the "Français" button) or is the user's own data (`data-user`:
/// names, dossiers, the security question). Attributes people hear or read are checked too.
pub async fn french_texts(ui: &Ui) -> Vec<String> {
    let found = ui
        .c
        .execute(
            r#"const FRENCH = /[éèêàùçôîœ«»]|\b(le|la|les|des|du|votre|vos|vous|est|pour|avec|dans|une|et|aux|sur|pas|ce|cette|mot|passe|adresse|courriel|connexion|saisissez|modifier|valider|réessayez|heure|jours?)\b/i;
               const skipped = (el) => el.closest('[data-user]') || (el.closest('[lang]') && el.closest('[lang]').getAttribute('lang') === 'fr');
               const visible = (el) => el.getClientRects().length > 0 && !el.closest('[hidden]');
               const out = [];
               if (FRENCH.test(document.title)) out.push('title: ' + document.title);
               const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
               for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                 const el = n.parentElement;
                 const text = n.textContent.trim();
                 if (!text || !el || skipped(el) || !visible(el) || ['SCRIPT', 'STYLE'].includes(el.tagName)) continue;
                 if (FRENCH.test(text)) out.push(text);
               }
               for (const el of document.body.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
                 if (skipped(el) || !visible(el)) continue;
                 for (const a of ['aria-label', 'title', 'alt', 'placeholder']) {
                   const v = el.getAttribute(a);
                   if (v && FRENCH.test(v)) out.push(a + '=' + v);
                 }
               }
               return out;"#,
        )
        .await
        .expect("texts read");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
