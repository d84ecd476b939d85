//! What a person does and checks in the window, written once for every scenario: log in (and be
//! refused), type with the keyboard alone, read a saved PDF, and check a screen with axe-core.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::app::Ui;

/// Fills the log-in form (whatever it held) and submits it.
pub async fn log_in(ui: &Ui, email: &str, password: &str) {
    ui.wait_text("Connexion à mon espace professionnel").await;
    for (label, value) in [("Adresse électronique", email), ("Mot de passe", password)] {
        let field = ui.by_label(label).await;
        ui.c.clear(&field).await;
        ui.c.send_keys(&field, value).await;
    }
    ui.press("Connexion").await;
}

/// Logs in with credentials the service must refuse, and waits for this attempt's answer (the
/// screen empties the password field when the refusal arrives).
pub async fn log_in_refused(ui: &Ui, email: &str, password: &str) {
    log_in(ui, email, password).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let emptied =
            ui.c.execute("return document.querySelector('#login-password')?.value === ''")
                .await
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
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

pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SPACE: &str = "\u{E00D}";

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

pub async fn axe(ui: &Ui, screen: &str) -> Vec<String> {
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
    result["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{screen} — {}", v.as_str().unwrap_or_default()))
        .collect()
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
