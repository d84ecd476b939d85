use std::sync::Arc;
use std::time::Duration;

use espace_pro_server::accounts::{NewAccount, create_account};
use espace_pro_server::clock::ManualClock;
use espace_pro_server::{Application, Config};
use espace_pro_testkit::SmtpListener;
pub use reqwest::Method;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use time::macros::datetime;

pub const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
pub const NEW_PASSWORD: &str = "Orage5Pivoine8Fanal3Zeste";
pub const MAIL_WAIT: Duration = Duration::from_secs(15);
pub const CAPTCHA_TEST_ANSWER: &str = "abcdef";
pub const ACTIVATION_SUBJECT: &str = "Espace professionnel - Création ou modification de l'espace";
pub const RECOVERY_SUBJECT: &str = "Espace professionnel - Mot de passe oublié";

/// The code of the next recovery e-mail to `to`.
pub async fn recovery_code(app: &TestApp, to: &str) -> String {
    let to = to.to_owned();
    let mail = app
        .smtp
        .wait_for(MAIL_WAIT, |m| {
            m.envelope_to == [to.clone()] && m.subject == RECOVERY_SUBJECT
        })
        .await;
    espace_pro_testkit::find_code(&mail.body).unwrap()
}

/// "Mot de passe oublié" up to the question: the recovery ticket of `email`.
pub async fn recovery_ticket(app: &TestApp, email: &str) -> String {
    app.post("/v1/password-recovery", json!({ "email": email }))
        .await;
    let code = recovery_code(app, email).await;
    let (status, body) = read(
        app.post(
            "/v1/password-recovery/question",
            json!({"email": email, "code": code}),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["ticket"].as_str().unwrap().to_owned()
}

/// The server `cargo xtask test` starts for the second run of this suite
/// (`ESPACE_PRO_TEST_POSTGRES`, the URL of its `postgres` database); unset: SQLite files.
pub fn on_postgres() -> bool {
    std::env::var_os("ESPACE_PRO_TEST_POSTGRES").is_some()
}

/// On PostgreSQL, a new empty database for one test.
async fn postgres_database() -> Option<String> {
    use sqlx::Connection as _;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let admin = std::env::var("ESPACE_PRO_TEST_POSTGRES").ok()?;
    let name = format!(
        "api_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("the test PostgreSQL answers");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("database created");
    let base = admin.rsplit_once('/').expect("a URL with a database").0;
    Some(format!("{base}/{name}"))
}

pub struct TestApp {
    app: Option<Application>,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: ManualClock,
    pub smtp: SmtpListener,
    pub dir: tempfile::TempDir,
    pub config: Config,
}

impl TestApp {
    /// The guide's own moment: a password changed then is valid until 24 Aug 2026.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let smtp = SmtpListener::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(&dir.path().join("espace-pro.sqlite"), smtp.port());
        if let Some(url) = postgres_database().await {
            config.database = url;
        }
        config.captcha_test_answer = Some(CAPTCHA_TEST_ANSWER.into());
        // The e-mails a test counts are those of its procedure; `devices.rs` turns these on.
        config.quiet_new_devices = true;
        tweak(&mut config);
        let clock = ManualClock::new(datetime!(2023-08-25 15:10:00 UTC));
        Self::start(config, clock, smtp, dir).await
    }

    pub async fn start(
        config: Config,
        clock: ManualClock,
        smtp: SmtpListener,
        dir: tempfile::TempDir,
    ) -> Self {
        let app = Application::build(config.clone(), Arc::new(clock.clone()))
            .await
            .expect("service starts");
        let base = format!("http://{}", app.addr());
        Self {
            app: Some(app),
            base,
            http: reqwest::Client::new(),
            clock,
            smtp,
            dir,
            config,
        }
    }

    /// Stops the service and starts it again on the same database (a crash-and-restart).
    pub async fn restart(mut self) -> Self {
        self.app.take().unwrap().shutdown().await;
        let Self {
            config,
            clock,
            smtp,
            dir,
            ..
        } = self;
        Self::start(config, clock, smtp, dir).await
    }

    /// Everything the service stored: every value of every row, and on SQLite the database's
    /// files too (free pages, the write-ahead log), where deleted or overwritten values linger.
    pub async fn stored_bytes(&self) -> Vec<u8> {
        let mut bytes = self.app().services().store.stored_bytes().await.unwrap();
        if !on_postgres() {
            for file in ["espace-pro.sqlite", "espace-pro.sqlite-wal"] {
                bytes.extend(std::fs::read(self.dir.path().join(file)).unwrap_or_default());
            }
        }
        bytes
    }

    pub fn app(&self) -> &Application {
        self.app.as_ref().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn create_account(&self, email: &str, dossiers: &[(&str, &str)]) -> String {
        let new = NewAccount {
            email: email.into(),
            civility: "Mme".into(),
            first_name: "Lila".into(),
            last_name: "ROSEMONDE".into(),
            phone: "0123456789".into(),
            address: "12 rue de Longchamp, 75016 Paris, FRANCE".into(),
            security_question: "Le prénom de votre conjoint(e) ?".into(),
            security_answer: "Paul".into(),
            dossiers: dossiers
                .iter()
                .map(|(s, n)| (s.to_string(), n.to_string()))
                .collect(),
        };
        create_account(self.app().services(), &new, PASSWORD)
            .await
            .expect("account created")
            .to_string()
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.http
            .post(self.url("/v1/sessions"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }

    /// A log-in with a fresh CAPTCHA solved (the step-up after `captcha_required`).
    pub async fn login_with_captcha(&self, email: &str, password: &str) -> Response {
        let captcha = self.captcha_id().await;
        self.post(
            "/v1/sessions",
            json!({"email": email, "password": password, "captcha_id": captcha,
                "captcha_answer": CAPTCHA_TEST_ANSWER}),
        )
        .await
    }

    /// A log-in with a fresh CAPTCHA solved must open a session.
    pub async fn expect_captcha_login(&self, email: &str, password: &str) {
        let r = self.login_with_captcha(email, password).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }

    /// Lila's account, and a session of it.
    pub async fn lila(&self) -> String {
        self.create_account("lila@example.fr", &[]).await;
        self.token("lila@example.fr", PASSWORD).await
    }

    pub async fn token(&self, email: &str, password: &str) -> String {
        let r = self.login(email, password).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A request to `path` with neither session nor body.
    pub async fn send(&self, method: Method, path: &str) -> Response {
        self.http
            .request(method, self.url(path))
            .send()
            .await
            .unwrap()
    }

    /// A request to `path` in the session `token`, with `body` as JSON when there is one.
    pub async fn send_as(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Response {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.send_as(Method::GET, path, token, None).await
    }

    pub async fn change_password(&self, token: &str, body: Value) -> Response {
        self.send_as(Method::PUT, "/v1/account/password", token, Some(body))
            .await
    }

    /// A password change to `NEW_PASSWORD` (typed twice) in the session `token`.
    pub async fn change_to_new_password(&self, token: &str) -> Response {
        self.change_password(token, new_password(NEW_PASSWORD))
            .await
    }

    /// Only the new password logs `email` in: `old` is refused, `new` accepted.
    pub async fn expect_only_new_password(&self, email: &str, old: &str, new: &str) {
        assert_eq!(
            self.login(email, old).await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(self.login(email, new).await.status(), StatusCode::CREATED);
    }

    /// Log-out: the session `token` ends.
    pub async fn log_out(&self, token: &str) -> Response {
        self.send_as(Method::DELETE, "/v1/sessions/current", token, None)
            .await
    }

    /// The session's password entered again (`POST /v1/sessions/current/reauthenticate`).
    pub async fn reauthenticate(&self, token: &str, password: &str) -> Response {
        let body = json!({ "current_password": password });
        let path = "/v1/sessions/current/reauthenticate";
        self.send_as(Method::POST, path, token, Some(body)).await
    }

    /// The pending change of address withdrawn.
    pub async fn cancel_email_change(&self, token: &str) -> Response {
        self.send_as(Method::DELETE, "/v1/account/email-change", token, None)
            .await
    }

    /// What the metrics listener serves (`GET /metrics` on its own address).
    pub async fn metrics(&self) -> String {
        let at = self.app().metrics_addr().expect("a metrics listener");
        let r = self.http.get(format!("http://{at}/metrics")).send().await;
        r.unwrap().text().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn request_email_change(&self, token: &str, body: Value) -> Response {
        self.send_as(Method::POST, "/v1/account/email-change", token, Some(body))
            .await
    }

    /// The code of the latest activation e-mail received at `to` (waits for the `nth` one, from 1).
    pub async fn activation_code(&self, to: &str, nth: usize) -> String {
        let mail = self
            .smtp
            .wait_for_nth(to, ACTIVATION_SUBJECT, nth, MAIL_WAIT)
            .await;
        espace_pro_testkit::find_code(&mail.body).expect("a 12-letter code in the e-mail")
    }

    pub async fn captcha_id(&self) -> String {
        let (status, body) = read(self.send(Method::POST, "/v1/captchas").await).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Activation step 1 with a fresh CAPTCHA solved.
    pub async fn verify_code(&self, code: &str) -> Response {
        let captcha = self.captcha_id().await;
        self.post(
            "/v1/activations/verify-code",
            json!({"code": code, "captcha_id": captcha, "captcha_answer": CAPTCHA_TEST_ANSWER}),
        )
        .await
    }

    pub async fn ticket(&self, code: &str) -> String {
        let (status, body) = read(self.verify_code(code).await).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["ticket"].as_str().unwrap().to_owned()
    }

    pub async fn complete(&self, ticket: &str, email: &str) -> Response {
        self.post(
            "/v1/activations/complete",
            json!({"ticket": ticket, "email": email}),
        )
        .await
    }

    pub async fn row_counts(&self) -> Vec<(String, i64)> {
        self.app().services().store.row_counts().await.unwrap()
    }
}

/// The answer must be this error; gives back its body.
pub async fn expect_error(r: Response, status: StatusCode, code: &str) -> Value {
    let (got, body) = read(r).await;
    assert_eq!((got, error_code(&body)), (status, code), "{body}");
    body
}

/// A password change to `new` (typed twice).
pub fn new_password(new: &str) -> Value {
    json!({"new_password": new, "confirm_password": new})
}

/// Sends `request` and parses the answer's JSON body.
pub async fn send_json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// Status and parsed JSON body.
pub async fn read(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let body = r.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

/// The account's recent security events, as `GET /v1/account/activity` lists them.
pub async fn activity_kinds(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = read(app.get("/v1/account/activity", token).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["events"].as_array().unwrap().clone()
}
