//! A small W3C WebDriver client over HTTP (reqwest): the few commands the end-to-end tests use,
//! each with its own timeout so a stuck driver fails the test instead of hanging it.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct WebDriver {
    http: reqwest::Client,
    base: String,
}

#[derive(Clone, Debug)]
pub struct Element(pub String);

impl WebDriver {
    /// Opens a session on the Tauri app at `application` (tauri-driver's capabilities).
    pub async fn connect(port: u16, application: &str) -> Self {
        Self::connect_with_args(port, application, &[]).await
    }

    /// The same, the app started with `args` (a link, as the system gives it).
    pub async fn connect_with_args(port: u16, application: &str, args: &[&str]) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let body = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": application, "args": args}}}});
        // tauri-driver listens before its WebKitWebDriver is ready: wait for /status, and retry a
        // session that the driver dropped while starting.
        let deadline = Instant::now() + Duration::from_secs(30);
        let status_url = format!("http://127.0.0.1:{port}/status");
        while Instant::now() < deadline {
            if http
                .get(&status_url)
                .timeout(Duration::from_secs(5))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let mut attempt = 0;
        let response: Value = loop {
            attempt += 1;
            let sent = http
                .post(format!("http://127.0.0.1:{port}/session"))
                .json(&body)
                .send()
                .await;
            match sent {
                Ok(r) => break r.json().await.expect("a JSON session"),
                Err(e) if attempt < 4 => {
                    eprintln!("webdriver: session attempt {attempt} failed ({e}); retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => panic!("tauri-driver answers no session: {e}"),
            }
        };
        let id = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {response}"))
            .to_owned();
        Self {
            http,
            base: format!("http://127.0.0.1:{port}/session/{id}"),
        }
    }

    async fn command(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .timeout(Duration::from_secs(30));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let response = req.send().await.map_err(|e| e.to_string())?;
        let status = response.status();
        let value: Value = response.json().await.map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(value["value"].clone())
        } else {
            Err(format!("{status}: {}", value["value"]))
        }
    }

    /// Resizes the window to `width` × `height` pixels.
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.command(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await
        .expect("window resized");
    }

    pub async fn find(&self, using: &str, value: &str) -> Result<Element, String> {
        let found = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": using, "value": value})),
            )
            .await?;
        found[ELEMENT_KEY]
            .as_str()
            .map(|s| Element(s.to_owned()))
            .ok_or_else(|| format!("no element in {found}"))
    }

    /// Polls for an element for up to `timeout`.
    pub async fn wait_for(&self, using: &str, value: &str, timeout: Duration) -> Element {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(using, value).await {
                Ok(e) => return e,
                Err(e) if Instant::now() > deadline => panic!("{using} {value:?} not found: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(150)).await,
            }
        }
    }

    /// Posts `body` to the element's `action` (`click`, `value`, `clear`); a refusal fails the
    /// test, naming `what` was refused.
    async fn act_on(&self, e: &Element, action: &str, body: Value, what: &str) {
        self.command(
            reqwest::Method::POST,
            &format!("/element/{}/{action}", e.0),
            Some(body),
        )
        .await
        .unwrap_or_else(|err| panic!("{what}: {err}"));
    }

    pub async fn click(&self, e: &Element) {
        self.act_on(e, "click", json!({}), "click").await;
    }

    pub async fn send_keys(&self, e: &Element, text: &str) {
        self.act_on(e, "value", json!({"text": text}), "send keys")
            .await;
    }

    /// Runs `script` in the page through the endpoint `path` (`sync` or `async`).
    async fn run_script(&self, path: &str, script: &str) -> Result<Value, String> {
        self.command(
            reqwest::Method::POST,
            &format!("/execute/{path}"),
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Runs `script` in the page (the body of a function; `arguments` holds nothing).
    pub async fn execute(&self, script: &str) -> Result<Value, String> {
        self.run_script("sync", script).await
    }

    /// Runs `script`, which calls `arguments[arguments.length - 1](result)` when done.
    pub async fn execute_async(&self, script: &str) -> Result<Value, String> {
        self.run_script("async", script).await
    }

    /// The element that has the keyboard focus.
    pub async fn active(&self) -> Element {
        let found = self
            .command(reqwest::Method::GET, "/element/active", None)
            .await
            .unwrap_or_else(|err| panic!("active element: {err}"));
        Element(found[ELEMENT_KEY].as_str().expect("an element").to_owned())
    }

    pub async fn clear(&self, e: &Element) {
        self.act_on(e, "clear", json!({}), "clear").await;
    }

    pub async fn text(&self, e: &Element) -> String {
        self.command(
            reqwest::Method::GET,
            &format!("/element/{}/text", e.0),
            None,
        )
        .await
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
    }

    pub async fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.command(
            reqwest::Method::GET,
            &format!("/element/{}/attribute/{name}", e.0),
            None,
        )
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
    }

    pub async fn close(&self) {
        let _ = self
            .http
            .delete(&self.base)
            .timeout(Duration::from_secs(20))
            .send()
            .await;
    }
}
