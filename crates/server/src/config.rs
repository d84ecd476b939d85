//! Service configuration. `cli` builds it from flags and `ESPACE_PRO_*` variables; tests build it
//! directly with [`Config::for_tests`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use espace_pro_contract::PasswordPolicy;
use espace_pro_contract::api::SupportContacts;

/// Where e-mails go (defined beside the transports).
pub use crate::mail::transport::MailTransportConfig;

/// The header a trusted proxy writes the client's address in; the other one is ignored (a
/// proxy passes on what the client sent in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For`, appended to (HAProxy's `option forwardfor`, nginx's
    /// `$proxy_add_x_forwarded_for`).
    #[default]
    #[value(name = "x-forwarded-for")]
    XForwardedFor,
    /// `Forwarded` (RFC 7239), appended to.
    #[value(name = "forwarded")]
    Forwarded,
}

#[derive(Debug, Clone, Copy)]
pub struct Argon2Config {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Config {
    /// OWASP's first recommended Argon2id setting: 19 MiB, 2 iterations, 1 lane.
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ThrottleConfig {
    /// Failed log-ins an address may have in one hour (guide-hardened: at most 100).
    pub account_failures_per_hour: u32,
    /// Failures allowed before the growing delay starts.
    pub free_failures: u32,
    /// Longest delay between two attempts on one address.
    pub max_delay: Duration,
    /// Failed attempts one client address may make in `client_window`, over all accounts.
    pub client_failures_per_window: u32,
    pub client_window: Duration,
    /// Wrong codes (activation, recovery) or CAPTCHAs one client may send in `client_window`.
    pub code_failures_per_window: u32,
    /// CAPTCHAs one client may ask for in `client_window`.
    pub captchas_per_window: u32,
    /// Recovery requests one client may make in `client_window`.
    pub recovery_requests_per_window: u32,
    /// Recovery e-mails one address may receive in an hour at one client's request (more
    /// requests are answered alike but send nothing).
    pub recovery_mails_per_hour: u32,
    /// Recovery e-mails one address may receive in an hour, whatever the clients.
    pub recovery_mails_per_address_per_hour: u32,
    /// Failed log-ins with a solved CAPTCHA one client may make on one address in an hour: past
    /// the failure limit, a CAPTCHA lets the owner in, but does not give anyone who solves
    /// CAPTCHAs unlimited guesses (nor use up the owner's).
    pub captcha_login_failures_per_hour: u32,
    /// The same, from all clients together: guesses from many clients are bounded too.
    pub captcha_login_failures_per_address_per_hour: u32,
    /// E-mail change requests one account may make in an hour.
    pub email_changes_per_account_per_hour: u32,
    /// E-mail change requests naming one new address in an hour, whatever the account (each
    /// sends a code there: no mail-bombing).
    pub email_changes_per_address_per_hour: u32,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            account_failures_per_hour: 100,
            free_failures: 5,
            max_delay: Duration::from_secs(15 * 60),
            client_failures_per_window: 50,
            client_window: Duration::from_secs(15 * 60),
            code_failures_per_window: 10,
            captchas_per_window: 60,
            recovery_requests_per_window: 10,
            recovery_mails_per_hour: 3,
            recovery_mails_per_address_per_hour: 10,
            captcha_login_failures_per_hour: 30,
            captcha_login_failures_per_address_per_hour: 300,
            email_changes_per_account_per_hour: 5,
            email_changes_per_address_per_hour: 3,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    /// Where `/metrics` is served, apart from the API (none: not served).
    pub metrics_listen: Option<SocketAddr>,
    /// Answer only requests addressed to this service's own loopback address (`Host:
    /// 127.0.0.1:port`): a web page elsewhere cannot reach it through DNS rebinding. For a
    /// service embedded in a desktop app.
    pub own_host_only: bool,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` say who the client is. From any
    /// other peer those headers are ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where those proxies write the client's address.
    pub forwarded_header: ForwardedHeader,
    /// The names clients reach this service by (`Host`); other names are answered 421. Empty:
    /// the loopback names when the service listens on loopback (a web page elsewhere cannot
    /// reach it through DNS rebinding), any name otherwise.
    pub public_hosts: Vec<String>,
    /// Connections held at once, in all (lowered to what the process may open, less a margin).
    pub max_connections: usize,
    /// Connections held at once from one client address (trusted proxies excepted).
    pub max_connections_per_client: usize,
    /// `sqlite:///absolute/path.sqlite` or `sqlite://relative.sqlite`.
    pub database: String,
    /// 32-byte master key file (created 0600 on first start): seals security answers, keys code
    /// hashes.
    pub key_file: PathBuf,
    pub mail: MailTransportConfig,
    /// Certificate authorities (PEM) the relay's certificate may chain to, besides the public
    /// web's: an organisation's own.
    pub smtp_ca_file: Option<PathBuf>,
    pub mail_from: String,
    /// E-mails handed to the relay at once.
    pub mail_parallel_deliveries: usize,
    pub public_name: String,
    /// Where dates are dated: validity dates, subscriber numbers, e-mail times.
    pub time_zone: espace_pro_contract::TimeZone,
    pub support: SupportContacts,
    pub policy: PasswordPolicy,
    pub password_validity_years: u8,
    /// Days before the expiry when the app reminds the owner (published in service-info).
    pub expiry_reminder_days: Vec<u32>,
    pub argon2: Argon2Config,
    /// Password hashes computed at once; more wait their turn.
    pub hash_concurrency: usize,
    /// Each hash's working memory is given back to the system once it is done, instead of being
    /// kept for the next one: for the desktop app's embedded service, where hashes are rare and
    /// the memory is better left to the rest of the computer.
    pub release_hash_memory: bool,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub reauthentication_after: Duration,
    pub throttle: ThrottleConfig,
    /// How long security events are kept (the owner's activity, the operators' audit).
    pub audit_retention: Duration,
    pub max_body_bytes: usize,
    pub request_timeout: Duration,
    /// Tests only (feature `test-switches`): seconds to add to the clock, read from this file.
    #[cfg(feature = "test-switches")]
    pub test_clock_file: Option<PathBuf>,
    /// Tests only (feature `test-switches`): every CAPTCHA accepts this answer.
    #[cfg(feature = "test-switches")]
    pub captcha_test_answer: Option<String>,
    /// Tests only (feature `test-switches`, no flag): no e-mail for a log-in from a new device,
    /// for the tests of other procedures that count the e-mails they cause. A release build
    /// always sends them.
    #[cfg(feature = "test-switches")]
    pub quiet_new_devices: bool,
}

impl Config {
    pub fn default_data_dir() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("espace-pro-server")
    }

    /// A configuration for tests: loopback port 0, the given database and mail relay, and a cheap
    /// Argon2 setting (the cost is a configuration value; the logic is the same).
    pub fn for_tests(database_file: &std::path::Path, smtp_port: u16) -> Self {
        Self {
            listen: "127.0.0.1:0".parse().expect("loopback address"),
            // Tests that read the metrics ask for a listener (a port taken here could be one a
            // test reserved for itself).
            metrics_listen: None,
            database: format!("sqlite://{}", database_file.display()),
            key_file: database_file.with_extension("key"),
            mail: MailTransportConfig::Smtp(crate::mail::RelayAddress::loopback(smtp_port)),
            argon2: Argon2Config {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
            ..Self::defaults()
        }
    }

    /// Built-in defaults for everything but where things live.
    pub fn defaults() -> Self {
        let data = Self::default_data_dir();
        Self {
            listen: "127.0.0.1:8080".parse().expect("loopback address"),
            metrics_listen: Some("127.0.0.1:9464".parse().expect("loopback address")),
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeader::default(),
            public_hosts: Vec::new(),
            max_connections: 4096,
            max_connections_per_client: 256,
            own_host_only: false,
            database: format!("sqlite://{}", data.join("espace-pro.sqlite").display()),
            key_file: data.join("espace-pro.key"),
            mail: MailTransportConfig::Directory(data.join("mail")),
            smtp_ca_file: None,
            mail_from: "Espace Pro <ne-pas-repondre@espace-pro.invalid>".into(),
            mail_parallel_deliveries: 16,
            public_name: "Espace Pro".into(),
            time_zone: espace_pro_contract::TimeZone::paris(),
            support: SupportContacts::guide(false),
            policy: PasswordPolicy::default(),
            password_validity_years: 3,
            expiry_reminder_days: espace_pro_contract::api::EXPIRY_REMINDER_DAYS.to_vec(),
            argon2: Argon2Config::default(),
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            release_hash_memory: false,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            reauthentication_after: Duration::from_secs(5 * 60),
            throttle: ThrottleConfig::default(),
            audit_retention: Duration::from_secs(365 * 24 * 3600),
            max_body_bytes: 16 * 1024,
            request_timeout: Duration::from_secs(30),
            #[cfg(feature = "test-switches")]
            test_clock_file: None,
            #[cfg(feature = "test-switches")]
            captcha_test_answer: None,
            #[cfg(feature = "test-switches")]
            quiet_new_devices: false,
        }
    }

    /// Whether a log-in from a device the account never used is e-mailed and listed in the
    /// activity (always, but in the tests that turn it off; the device is remembered either way).
    pub fn new_device_alerts(&self) -> bool {
        #[cfg(feature = "test-switches")]
        return !self.quiet_new_devices;
        #[cfg(not(feature = "test-switches"))]
        true
    }

    /// True when a test switch is on (only builds with the `test-switches` feature have them).
    pub fn test_mode(&self) -> bool {
        #[cfg(feature = "test-switches")]
        return self.test_clock_file.is_some() || self.captcha_test_answer.is_some();
        #[cfg(not(feature = "test-switches"))]
        false
    }

    /// The CAPTCHA answer every CAPTCHA accepts, in test builds that set one.
    pub fn captcha_test_answer(&self) -> Option<&str> {
        #[cfg(feature = "test-switches")]
        return self.captcha_test_answer.as_deref();
        #[cfg(not(feature = "test-switches"))]
        None
    }
}
