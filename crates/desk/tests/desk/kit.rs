//! Real services in the process (SQLite files, a real SMTP listener), relays in front of them
//! that hold or record what passes, and desks with a keyring in memory.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use espace_pro_client::ApiClient;
use espace_pro_contract::Secret;
use espace_pro_desk::keyring::MemoryKeyring;
use espace_pro_desk::{Connection, Desk};
use espace_pro_server::accounts::{NewAccount, create_account};
use espace_pro_server::clock::SystemClock;
use espace_pro_server::{Application, Config};
use espace_pro_testkit::SmtpListener;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

pub const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
pub const NEW_PASSWORD: &str = "Orage5Pivoine8Fanal3Zeste";
pub const CAPTCHA_ANSWER: &str = "abcdef";
pub const MAIL_WAIT: Duration = Duration::from_secs(15);

/// A real service: its database file stays in `dir`, so that it can be stopped and started
/// again on the same port (`restart`).
pub struct Service {
    app: Option<Application>,
    pub smtp: SmtpListener,
    pub config: Config,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl Service {
    pub async fn start() -> Self {
        let smtp = SmtpListener::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(&dir.path().join("service.sqlite"), smtp.port());
        config.captcha_test_answer = Some(CAPTCHA_ANSWER.into());
        let app = Application::build(config.clone(), Arc::new(SystemClock))
            .await
            .expect("service starts");
        // Its port from now on, for a restart.
        config.listen = app.addr();
        Self {
            url: format!("http://{}/", app.addr()),
            app: Some(app),
            smtp,
            config,
            _dir: dir,
        }
    }

    /// An account, with its security question; returns its subscriber number.
    pub async fn account(&self, email: &str, first_name: &str) -> String {
        let account = NewAccount {
            email: email.into(),
            civility: "Mme".into(),
            first_name: first_name.into(),
            last_name: "ROSEMONDE".into(),
            security_question: "Votre ville de naissance ?".into(),
            security_answer: "Valence".into(),
            ..Default::default()
        };
        let app = self.app.as_ref().expect("running");
        create_account(app.services(), &account, PASSWORD)
            .await
            .unwrap()
            .to_string()
    }

    pub async fn stop(&mut self) {
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
    }

    /// Started again on the same port, with the same database.
    pub async fn restart(&mut self) {
        self.stop().await;
        let app = Application::build(self.config.clone(), Arc::new(SystemClock))
            .await
            .expect("service starts again");
        assert_eq!(app.addr(), self.config.listen);
        self.app = Some(app);
    }

    /// A client of this service of its own (no desk).
    pub fn api(&self) -> ApiClient {
        ApiClient::new(&self.url).unwrap()
    }

    /// Whether the service still accepts `token`.
    pub async fn accepts(&self, token: &Secret) -> bool {
        match self.api().account(token).await {
            Ok(_) => true,
            Err(e) if e.is_unauthorized() => false,
            Err(e) => panic!("the service could not be asked: {e:?}"),
        }
    }

    /// The code of the `nth` e-mail (from 1) with `subject` received at `to`.
    pub async fn code(&self, to: &str, subject: &str, nth: usize) -> String {
        let deadline = tokio::time::Instant::now() + MAIL_WAIT;
        loop {
            let mails: Vec<_> = self
                .smtp
                .messages()
                .into_iter()
                .filter(|m| m.envelope_to == [to.to_owned()] && m.subject.contains(subject))
                .collect();
            if mails.len() >= nth {
                return espace_pro_testkit::find_code(&mails[nth - 1].body).expect("a code");
            }
            assert!(tokio::time::Instant::now() < deadline, "no e-mail to {to}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A desk as the app makes one, on `url`, with its folders in `dir` and `keyring`.
pub fn desk(url: &str, keyring: &MemoryKeyring, dir: &Path) -> Desk {
    Desk::new(
        Connection::remote(url).unwrap(),
        None,
        Arc::new(keyring.clone()),
        dir.join("config"),
        dir.join("data"),
    )
}

/// A desk on `url` with a keyring and folders of its own.
pub fn fresh(url: &str) -> (MemoryKeyring, tempfile::TempDir, Desk) {
    let (keyring, dir) = (MemoryKeyring::default(), tempfile::tempdir().unwrap());
    let desk = desk(url, &keyring, dir.path());
    (keyring, dir, desk)
}

/// Logs `email` in with the accounts' password.
pub async fn login(desk: &Desk, email: &str) {
    desk.login(email, Secret::new(PASSWORD), None)
        .await
        .unwrap();
}

/// A service with Lila's account, and a fresh desk on it where she is logged in.
pub async fn lila_signed_in() -> (Service, MemoryKeyring, tempfile::TempDir, Desk) {
    let a = Service::start().await;
    a.account("lila@example.fr", "Lila").await;
    let (keyring, dir, desk) = fresh(&a.url);
    login(&desk, "lila@example.fr").await;
    (a, keyring, dir, desk)
}

/// Whether `keyring` keeps a session of `account` on the service at `url`.
pub fn holds(keyring: &MemoryKeyring, url: &str, account: &str) -> bool {
    use espace_pro_desk::keyring::Keyring as _;
    let entry = espace_pro_desk::keyring::session_entry(url, account);
    keyring.load(&entry).unwrap().is_some()
}

/// The tokens kept in `keyring` under names that start with `prefix`.
pub fn kept(keyring: &MemoryKeyring, prefix: &str) -> Vec<Secret> {
    keyring
        .entries()
        .into_iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(_, token)| token)
        .collect()
}

/// A TCP relay in front of a service: new connections wait while it is held, and everything
/// sent through it is recorded.
pub struct Relay {
    pub url: String,
    open: watch::Sender<bool>,
    arrived: Mutex<mpsc::UnboundedReceiver<()>>,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl Relay {
    pub async fn to(upstream: &str) -> Self {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let (open, gate) = watch::channel(true);
        let (tell, arrived) = mpsc::unbounded_channel();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let record = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (mut gate, tell, record, upstream) =
                    (gate.clone(), tell.clone(), record.clone(), upstream.clone());
                tokio::spawn(async move {
                    let _ = tell.send(());
                    if gate.wait_for(|open| *open).await.is_err() {
                        return;
                    }
                    if let Ok(server) = TcpStream::connect(&upstream).await {
                        pipe(client, server, record).await;
                    }
                });
            }
        });
        Self {
            url,
            open,
            arrived: Mutex::new(arrived),
            sent,
        }
    }

    /// New connections wait from now on (the arrivals so far are forgotten).
    pub fn hold(&self) {
        self.open.send_replace(false);
        while self.arrived.lock().unwrap().try_recv().is_ok() {}
    }

    pub fn release(&self) {
        self.open.send_replace(true);
    }

    /// Waits for a connection to arrive.
    pub async fn arrival(&self) {
        let deadline = tokio::time::Instant::now() + MAIL_WAIT;
        while self.arrived.lock().unwrap().try_recv().is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no connection to the relay"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Everything clients sent through the relay, as text.
    pub fn sent(&self) -> String {
        String::from_utf8_lossy(&self.sent.lock().unwrap()).into_owned()
    }
}

async fn pipe(client: TcpStream, server: TcpStream, record: Arc<Mutex<Vec<u8>>>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = async move {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    record.lock().unwrap().extend_from_slice(&buffer[..n]);
                    if server_write.write_all(&buffer[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = server_write.shutdown().await;
    };
    let down = async move {
        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}
