//! The app under test: tauri-driver starting it with its own folders, the WebDriver session
//! (`Ui`) with the ways a person finds controls (by their visible label, by a button's text),
//! screenshots, and the scenario set-up against the service (`AgainstService`).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use espace_pro_server::accounts::NewAccount;
use espace_pro_testkit::{SmtpListener, reserve_port};

use super::service::ServiceProcess;
use super::webdriver::{Element, WebDriver};

pub const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
pub const NEW_PASSWORD: &str = "Orage5Pivoine8Fanal3Zeste";
pub const APP: &str = env!("CARGO_BIN_EXE_espace-pro");

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn screenshots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An XPath string literal for any text, apostrophes included.
pub fn literal(text: &str) -> String {
    if !text.contains('\'') {
        return format!("'{text}'");
    }
    let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
    format!("concat({})", parts.join(", \"'\", "))
}

pub struct Ui {
    pub c: WebDriver,
}

pub const WAIT: Duration = Duration::from_secs(15);

/// Asks `check` every 150 ms until it gives something, for at most `within`; then fails, saying
/// `what` was awaited and what `check` last saw (its `Err`).
pub async fn eventually<T>(
    what: &str,
    within: Duration,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        match check().await {
            Ok(found) => return found,
            Err(seen) if Instant::now() > deadline => panic!("{what} never came; {seen}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
        }
    }
}

/// One WebDriver session at a time (tauri-driver drives one app at once).
pub static ONE_SESSION: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

impl Ui {
    /// A new app process in a new WebDriver session, on the tauri-driver listening on `port`.
    pub async fn connect(port: u16) -> Self {
        Self {
            c: WebDriver::connect(port, APP).await,
        }
    }

    /// The control a visible `<label>` names.
    pub async fn by_label(&self, label: &str) -> Element {
        let xpath = format!("//label[normalize-space()={}]", literal(label));
        let label_el = self.c.wait_for("xpath", &xpath, WAIT).await;
        let id = self
            .c
            .attr(&label_el, "for")
            .await
            .expect("label with for=");
        self.c
            .wait_for("css selector", &format!("#{id}"), WAIT)
            .await
    }

    /// The button `text` names, once no screen part is still loading (the log-in screen's list
    /// of accounts, which moves the form down when it arrives).
    pub async fn button(&self, text: &str) -> Element {
        self.c
            .wait_for(
                "xpath",
                &format!(
                    "//button[normalize-space()={}][not(//*[@data-loading])]",
                    literal(text)
                ),
                WAIT,
            )
            .await
    }

    pub async fn main_text(&self) -> String {
        match self.c.find("css selector", "#screen").await {
            Ok(e) => self.c.text(&e).await,
            Err(_) => String::new(),
        }
    }

    pub async fn wait_text(&self, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.main_text().await;
            if text.contains(expected) {
                return text;
            }
            if Instant::now() > deadline {
                panic!("{expected:?} never appeared; screen shows:\n{text}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// A picture of the whole virtual display, kept for people to look at.
    pub async fn shot(&self, name: &str) {
        let path = screenshots_dir().join(format!("{name}.png"));
        let taken = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .status();
        assert!(
            taken.is_ok_and(|s| s.success()),
            "screenshot {name} (ImageMagick's import on the Xvfb display)"
        );
    }

    pub async fn text_of(&self, id: &str) -> String {
        let e = self
            .c
            .wait_for("css selector", &format!("#{id}"), WAIT)
            .await;
        self.c.text(&e).await
    }

    pub async fn type_into(&self, label: &str, text: &str) {
        let e = self.by_label(label).await;
        self.c.send_keys(&e, text).await;
    }

    pub async fn press(&self, text: &str) {
        let b = self.button(text).await;
        self.c.click(&b).await;
    }

    /// Runs `script` in the page: true only when it answers `true`.
    pub async fn script_says(&self, script: &str) -> bool {
        self.c
            .execute(script)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }

    /// Presses the button `button` and waits until the screen shows `expected`; returns what the
    /// screen shows then.
    pub async fn press_and_see(&self, button: &str, expected: &str) -> String {
        self.press(button).await;
        self.wait_text(expected).await
    }

    /// Clicks the control a visible `<label>` names, as a person ticks (or unticks) a box.
    pub async fn tick(&self, label: &str) {
        let e = self.by_label(label).await;
        self.c.click(&e).await;
    }

    /// Empties the field a visible `<label>` names, then types `text` into it.
    pub async fn retype(&self, label: &str, text: &str) {
        let e = self.by_label(label).await;
        self.c.clear(&e).await;
        self.c.send_keys(&e, text).await;
    }

    /// Waits for the CAPTCHA's picture to be shown.
    pub async fn wait_captcha(&self) {
        self.c
            .wait_for(
                "css selector",
                "#captcha-image[src^='data:image/png']",
                WAIT,
            )
            .await;
    }
}

/// The app's environment: its own data, configuration and cache folders under `dir` (a fresh
/// app each test), the AT-SPI bridge on, plus `extra`.
pub fn app_env(dir: &Path, extra: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let home = dir.join("home");
    let mut env = extra.to_vec();
    // Every app is heard as a screen reader hears it: its AT-SPI bridge on, so that the
    // accessibility checks read the tree Orca would read.
    env.push(super::screen_reader::bridge_on());
    // Each scenario's app is its own single instance: a window another scenario left open does
    // not take its links (or its start).
    let instance: String = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    env.push(("ESPACE_PRO_TEST_INSTANCE", instance));
    for (name, sub) in [
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
    ] {
        env.push((name, home.join(sub).display().to_string()));
    }
    env
}

pub async fn start_driver(app_env: &[(&str, String)]) -> (Driver, u16) {
    let port = reserve_port();
    let native = reserve_port();
    let bin = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
    let mut cmd = Command::new(&bin);
    cmd.args([
        "--port",
        &port.to_string(),
        "--native-port",
        &native.to_string(),
    ]);
    for (k, v) in app_env {
        cmd.env(k, v);
    }
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{bin} could not start ({e}); cargo xtask test installs it"));
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not listen on {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (driver, port)
}

/// An account with only its address and the person's names (no question, phone or dossier).
pub fn account(email: &str, first_name: &str, last_name: &str) -> NewAccount {
    NewAccount {
        email: email.into(),
        first_name: first_name.into(),
        last_name: last_name.into(),
        ..Default::default()
    }
}

/// The same, with a security question and its answer.
pub fn account_with_question(
    email: &str,
    first_name: &str,
    last_name: &str,
    question: &str,
    answer: &str,
) -> NewAccount {
    NewAccount {
        security_question: question.into(),
        security_answer: answer.into(),
        ..account(email, first_name, last_name)
    }
}

/// A scenario against the service: the one WebDriver session, an SMTP listener, the
/// `espace-pro-server` process holding `account`, and tauri-driver starting the app with that
/// service's address, its own folders and a summary folder for the PDF.
pub struct AgainstService {
    pub smtp: SmtpListener,
    pub service: ServiceProcess,
    /// The subscriber number of the account.
    pub number: String,
    pub port: u16,
    pub _driver: Driver,
    pub dir: tempfile::TempDir,
    pub _one: tokio::sync::MutexGuard<'static, ()>,
}

impl AgainstService {
    pub async fn start(account: NewAccount) -> Self {
        Self::start_with(account, &[]).await
    }

    /// The same, with more flags for the service's `serve`.
    pub async fn start_with(account: NewAccount, serve_flags: &[&str]) -> Self {
        Self::start_behind(account, serve_flags, |_, service| {
            (service.url(), Vec::new())
        })
        .await
    }

    /// The same, the app reaching the service through what `front` puts before it (given the
    /// scenario's folder and the service): the address the app is given, and more of its
    /// environment.
    pub async fn start_behind(
        account: NewAccount,
        serve_flags: &[&str],
        front: impl FnOnce(&Path, &ServiceProcess) -> (String, Vec<(&'static str, String)>),
    ) -> Self {
        let one = ONE_SESSION.lock().await;
        let smtp = SmtpListener::start().await;
        let dir = tempfile::tempdir().unwrap();
        let service = ServiceProcess::start_with(dir.path(), &smtp, serve_flags).await;
        let number = service.create_account(&account, PASSWORD);
        let summaries = dir.path().join("summaries");
        std::fs::create_dir_all(&summaries).unwrap();
        let (url, mut env) = front(dir.path(), &service);
        env.push(("ESPACE_PRO_SERVICE_URL", url));
        env.push(("ESPACE_PRO_SUMMARY_DIR", summaries.display().to_string()));
        let (driver, port) = start_driver(&app_env(dir.path(), &env)).await;
        Self {
            smtp,
            service,
            number,
            port,
            _driver: driver,
            dir,
            _one: one,
        }
    }

    /// A new app process in a new WebDriver session.
    pub async fn window(&self) -> Ui {
        Ui::connect(self.port).await
    }

    /// The app started with `args` (a link, as the system gives it), in a new session.
    pub async fn window_with_args(&self, args: &[&str]) -> Ui {
        Ui {
            c: WebDriver::connect_with_args(self.port, APP, args).await,
        }
    }

    /// The app's environment in this scenario, for starting it a second time by hand.
    pub fn app_env(&self) -> Vec<(&'static str, String)> {
        app_env(
            self.dir.path(),
            &[
                ("ESPACE_PRO_SERVICE_URL", self.service.url()),
                (
                    "ESPACE_PRO_SUMMARY_DIR",
                    self.summary_dir().display().to_string(),
                ),
            ],
        )
    }

    pub fn summary_dir(&self) -> PathBuf {
        self.dir.path().join("summaries")
    }

    /// The summary PDF the app saves in this scenario's summary folder.
    pub fn summary_pdf(&self) -> PathBuf {
        self.summary_dir()
            .join("recapitulatif-espace-professionnel.pdf")
    }
}
