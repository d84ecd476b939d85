//! `serve`: its options, read into the configuration.

use super::*;
use crate::mail::RelayAddress;
use crate::mail::address::Security;

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, env = "ESPACE_PRO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where Prometheus metrics are served, apart from the API (keep it off the public network).
    #[arg(
        long,
        env = "ESPACE_PRO_METRICS_LISTEN",
        default_value = "127.0.0.1:9464"
    )]
    pub metrics_listen: SocketAddr,
    /// A reverse proxy (address or CIDR, repeatable): only from these peers is the client's
    /// address read from Forwarded / X-Forwarded-For.
    #[arg(long = "trusted-proxy", env = "ESPACE_PRO_TRUSTED_PROXY", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The one header those proxies write the client's address in; the other is ignored. The
    /// proxy must append to it (or replace it), never pass the client's own on alone.
    #[arg(
        long,
        env = "ESPACE_PRO_FORWARDED_HEADER",
        value_enum,
        default_value = "x-forwarded-for"
    )]
    pub forwarded_header: crate::config::ForwardedHeader,
    /// A name clients reach the service by, as in their `Host` header (repeatable; a port may
    /// be given). Requests naming another are answered 421. Default: the loopback names when
    /// listening on loopback, any name otherwise.
    #[arg(
        long = "public-host",
        env = "ESPACE_PRO_PUBLIC_HOST",
        value_delimiter = ','
    )]
    pub public_hosts: Vec<String>,
    /// Connections held at once, in all (never more than the open-files limit allows).
    #[arg(long, env = "ESPACE_PRO_MAX_CONNECTIONS", default_value_t = 4096)]
    pub max_connections: usize,
    /// Connections held at once from one client address (a trusted proxy is not limited).
    #[arg(
        long,
        env = "ESPACE_PRO_MAX_CONNECTIONS_PER_CLIENT",
        default_value_t = 256
    )]
    pub max_connections_per_client: usize,
    #[command(flatten)]
    pub storage: StorageArgs,
    /// SMTP relay: smtps://host:port (TLS), smtp://host:port?tls=required (STARTTLS), or
    /// smtp://host:port (plain, for a relay on this machine only), with an optional user@. The
    /// password comes from --smtp-password-file or the ESPACE_PRO_SMTP_PASSWORD variable, never
    /// from the command line. One of --smtp and --mail-dir is required.
    #[arg(long, env = "ESPACE_PRO_SMTP", conflicts_with = "mail_dir")]
    pub smtp: Option<String>,
    /// A file holding the SMTP password (its first line).
    #[arg(long, env = "ESPACE_PRO_SMTP_PASSWORD_FILE", requires = "smtp")]
    pub smtp_password_file: Option<PathBuf>,
    /// Certificate authorities (a PEM file) the relay's certificate may chain to, besides those
    /// this computer trusts (its bundle, or SSL_CERT_FILE): an organisation's own (STARTTLS and
    /// smtps://).
    #[arg(long, env = "ESPACE_PRO_SMTP_CA_FILE", requires = "smtp")]
    pub smtp_ca_file: Option<PathBuf>,
    /// Write e-mails as .eml files in this folder instead of sending them (codes included: for a
    /// demonstration or a relay that picks the files up).
    #[arg(long, env = "ESPACE_PRO_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,
    #[arg(long, env = "ESPACE_PRO_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// E-mails handed to the relay at once (one connection each).
    #[arg(
        long,
        env = "ESPACE_PRO_MAIL_PARALLEL_DELIVERIES",
        default_value_t = 16
    )]
    pub mail_parallel_deliveries: usize,
    #[arg(long, env = "ESPACE_PRO_PUBLIC_NAME")]
    pub public_name: Option<String>,
    /// The IANA time zone of dates (validity dates, subscriber numbers, e-mail times).
    #[arg(long, env = "ESPACE_PRO_TIME_ZONE", default_value = "Europe/Paris")]
    pub time_zone: String,
    #[arg(long, env = "ESPACE_PRO_SUPPORT_HOTLINE")]
    pub support_hotline: Option<String>,
    #[arg(long, env = "ESPACE_PRO_SUPPORT_HOURS")]
    pub support_hours: Option<String>,
    #[arg(long, env = "ESPACE_PRO_SUPPORT_FORM")]
    pub support_form: Option<String>,
    #[arg(long, env = "ESPACE_PRO_PASSWORD_MIN_CHARS", default_value_t = 20)]
    pub password_min_chars: usize,
    #[arg(long, env = "ESPACE_PRO_PASSWORD_MAX_CHARS", default_value_t = 128)]
    pub password_max_chars: usize,
    #[arg(long, env = "ESPACE_PRO_PASSWORD_MIN_SCORE", default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=4))]
    pub password_min_score: u8,
    #[arg(long, env = "ESPACE_PRO_PASSWORD_VALIDITY_YEARS", default_value_t = 3)]
    pub password_validity_years: u8,
    /// Days before a password expires when the app reminds its owner (comma-separated).
    #[arg(long, env = "ESPACE_PRO_EXPIRY_REMINDER_DAYS", value_delimiter = ',', default_values_t = espace_pro_contract::api::EXPIRY_REMINDER_DAYS)]
    pub expiry_reminder_days: Vec<u32>,
    /// Argon2id memory in KiB (OWASP: at least 19456 with 2 iterations, or an equivalent pair).
    #[arg(long, env = "ESPACE_PRO_ARGON2_MEMORY_KIB", default_value_t = 19_456)]
    pub argon2_memory_kib: u32,
    #[arg(long, env = "ESPACE_PRO_ARGON2_ITERATIONS", default_value_t = 2)]
    pub argon2_iterations: u32,
    #[arg(long, env = "ESPACE_PRO_ARGON2_PARALLELISM", default_value_t = 1)]
    pub argon2_parallelism: u32,
    /// Passwords hashed at once (each with its own Argon2 memory): the cores this replica may
    /// use, by default all those the system gives it. Replicas sharing a machine divide its
    /// cores between them.
    #[arg(long, env = "ESPACE_PRO_HASH_THREADS", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub hash_threads: Option<u16>,
    #[arg(long, env = "ESPACE_PRO_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: u64,
    #[arg(long, env = "ESPACE_PRO_SESSION_ABSOLUTE_HOURS", default_value_t = 12)]
    pub session_absolute_hours: u64,
    #[arg(long, env = "ESPACE_PRO_REAUTHENTICATION_MINUTES", default_value_t = 5)]
    pub reauthentication_minutes: u64,
    #[arg(
        long,
        env = "ESPACE_PRO_LOGIN_FAILURES_PER_HOUR",
        default_value_t = 100
    )]
    pub login_failures_per_hour: u32,
    #[arg(
        long,
        env = "ESPACE_PRO_CLIENT_FAILURES_PER_15_MINUTES",
        default_value_t = 50
    )]
    pub client_failures_per_15_minutes: u32,
    /// Tests only: adds the number of seconds written in this file to the clock. Exists only in
    /// builds with the `test-switches` feature, and has no variable form.
    #[cfg(feature = "test-switches")]
    #[arg(long)]
    pub test_clock_file: Option<PathBuf>,
    /// Tests only: every CAPTCHA accepts this (non-empty) answer. Exists only in builds with the
    /// `test-switches` feature, and has no variable form.
    #[cfg(feature = "test-switches")]
    #[arg(long)]
    pub captcha_test_answer: Option<String>,
    /// Failed log-ins an address may have before the growing delay (and CAPTCHA) starts.
    #[arg(long, env = "ESPACE_PRO_LOGIN_FREE_FAILURES", default_value_t = 5)]
    pub login_free_failures: u32,
    /// Longest delay between two attempts on one address, in seconds.
    #[arg(
        long,
        env = "ESPACE_PRO_LOGIN_MAX_DELAY_SECONDS",
        default_value_t = 900
    )]
    pub login_max_delay_seconds: u64,
    /// Wrong codes and CAPTCHAs one client may send in 15 minutes.
    #[arg(
        long,
        env = "ESPACE_PRO_CODE_FAILURES_PER_15_MINUTES",
        default_value_t = 10
    )]
    pub code_failures_per_15_minutes: u32,
    /// CAPTCHAs one client may ask for in 15 minutes.
    #[arg(long, env = "ESPACE_PRO_CAPTCHAS_PER_15_MINUTES", default_value_t = 60)]
    pub captchas_per_15_minutes: u32,
    /// Forgotten-password requests one client may make in 15 minutes.
    #[arg(
        long,
        env = "ESPACE_PRO_RECOVERY_REQUESTS_PER_15_MINUTES",
        default_value_t = 10
    )]
    pub recovery_requests_per_15_minutes: u32,
    /// Recovery e-mails one address may receive in an hour at one client's request.
    #[arg(long, env = "ESPACE_PRO_RECOVERY_MAILS_PER_HOUR", default_value_t = 3)]
    pub recovery_mails_per_hour: u32,
    /// Recovery e-mails one address may receive in an hour, whatever the clients.
    #[arg(
        long,
        env = "ESPACE_PRO_RECOVERY_MAILS_PER_ADDRESS_PER_HOUR",
        default_value_t = 10
    )]
    pub recovery_mails_per_address_per_hour: u32,
    /// Failed log-ins with a solved CAPTCHA one client may make on one address in an hour.
    #[arg(
        long,
        env = "ESPACE_PRO_CAPTCHA_LOGIN_FAILURES_PER_HOUR",
        default_value_t = 30
    )]
    pub captcha_login_failures_per_hour: u32,
    /// Failed log-ins with a solved CAPTCHA one address may have in an hour, from all clients.
    #[arg(
        long,
        env = "ESPACE_PRO_CAPTCHA_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR",
        default_value_t = 300
    )]
    pub captcha_login_failures_per_address_per_hour: u32,
    /// E-mail change requests one account may make in an hour.
    #[arg(
        long,
        env = "ESPACE_PRO_EMAIL_CHANGES_PER_ACCOUNT_PER_HOUR",
        default_value_t = 5
    )]
    pub email_changes_per_account_per_hour: u32,
    /// E-mail change requests naming one new address in an hour.
    #[arg(
        long,
        env = "ESPACE_PRO_EMAIL_CHANGES_PER_ADDRESS_PER_HOUR",
        default_value_t = 3
    )]
    pub email_changes_per_address_per_hour: u32,
    /// Days security events are kept (events for addresses without an account: 30 at most).
    #[arg(long, env = "ESPACE_PRO_AUDIT_RETENTION_DAYS", default_value_t = 365)]
    pub audit_retention_days: u64,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "ESPACE_PRO_LOG_JSON")]
    pub log_json: bool,
}

/// OWASP's Argon2id floor: m ≥ 7 MiB and m·t ≥ 35 840 KiB (19 MiB × 2, 12 MiB × 3, …).
pub fn argon2_meets_owasp(c: &Argon2Config) -> bool {
    c.memory_kib >= 7_168 && u64::from(c.memory_kib) * u64::from(c.iterations) >= 35_840
}

/// Reads the relay's URL once and adds the password to it (in memory only). A password written
/// in the URL is refused (it would be in the process list and the shell history), and so is plain
/// SMTP to another machine (codes would cross the network in clear).
pub fn smtp_url(url: &str, password: Option<&str>) -> anyhow::Result<RelayAddress> {
    let address: RelayAddress = url.parse().map_err(|e| anyhow::anyhow!("--smtp: {e}"))?;
    if address.password().is_some() {
        anyhow::bail!(
            "--smtp: no password in the URL; use --smtp-password-file or ESPACE_PRO_SMTP_PASSWORD"
        );
    }
    if address.security == Security::Plain && !address.is_loopback() {
        let host_port = address.host_port();
        anyhow::bail!(
            "--smtp: plain smtp:// is only for a relay on this machine; use smtps://{host_port} or smtp://{host_port}?tls=required"
        );
    }
    Ok(match (&address.user, password) {
        (Some(_), Some(password)) => address.with_password(Some(password.to_owned())),
        _ => address,
    })
}

pub(super) fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite://")
        .map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)))
}

/// A credential systemd hands the service (`LoadCredential=NAME:…` in the unit), if it has one
/// by this name: a file only the service's user may read, whatever user `DynamicUser` made.
pub fn credential(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENTIALS_DIRECTORY")?;
    let path = Path::new(&dir).join(name);
    path.is_file().then_some(path)
}

impl ServeArgs {
    pub fn into_config(self) -> anyhow::Result<Config> {
        let mut c = Config::defaults();
        self.storage.apply(&mut c)?;
        c.listen = self.listen;
        c.metrics_listen = Some(self.metrics_listen);
        c.trusted_proxies = self.trusted_proxies;
        c.forwarded_header = self.forwarded_header;
        c.smtp_ca_file = self.smtp_ca_file.clone();
        c.audit_retention = Duration::from_secs(self.audit_retention_days.max(1) * 24 * 3600);
        c.public_hosts = self.public_hosts;
        c.max_connections = self.max_connections.max(1);
        c.max_connections_per_client = self.max_connections_per_client.max(1);
        let password = match &self.smtp_password_file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            // The unit's `smtp-password` credential (an empty one: no password).
            None => std::env::var("ESPACE_PRO_SMTP_PASSWORD").ok().or_else(|| {
                credential("smtp-password")
                    .and_then(|path| std::fs::read_to_string(path).ok())
                    .and_then(|text| text.lines().next().map(str::to_owned))
                    .filter(|password| !password.is_empty())
            }),
        };
        c.mail = match (self.smtp, self.mail_dir) {
            (Some(url), _) => MailTransportConfig::Smtp(smtp_url(&url, password.as_deref())?),
            (None, Some(dir)) => MailTransportConfig::Directory(dir),
            (None, None) => anyhow::bail!(
                "say where e-mails go: --smtp smtps://relay:465 (or ESPACE_PRO_SMTP), or --mail-dir DIR to write them as files"
            ),
        };
        if let Some(v) = self.mail_from {
            c.mail_from = v;
        }
        c.mail_parallel_deliveries = self.mail_parallel_deliveries.clamp(1, 64);
        if let Some(v) = self.public_name {
            c.public_name = v;
        }
        c.time_zone = espace_pro_contract::TimeZone::named(&self.time_zone)?;
        if let Some(v) = self.support_hotline {
            c.support.hotline = v;
        }
        if let Some(v) = self.support_hours {
            c.support.hotline_hours = v;
        }
        if let Some(v) = self.support_form {
            c.support.online_form = v;
        }
        c.policy.min_chars = self.password_min_chars;
        c.policy.max_chars = self.password_max_chars;
        c.policy.min_score = self.password_min_score;
        anyhow::ensure!(
            (1..=128).contains(&c.policy.min_chars)
                && c.policy.min_chars <= c.policy.max_chars
                && c.policy.max_chars <= 1024,
            "password length limits must satisfy 1 ≤ min ≤ max ≤ 1024"
        );
        c.password_validity_years = self.password_validity_years.max(1);
        let mut reminders = self.expiry_reminder_days.clone();
        reminders.sort_unstable_by(|a, b| b.cmp(a));
        reminders.dedup();
        reminders.truncate(8);
        c.expiry_reminder_days = reminders;
        if let Some(threads) = self.hash_threads {
            c.hash_concurrency = usize::from(threads);
        }
        c.argon2 = Argon2Config {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: self.argon2_parallelism,
        };
        anyhow::ensure!(
            argon2_meets_owasp(&c.argon2),
            "the Argon2id cost is below OWASP's minimum (e.g. 19456 KiB with 2 iterations)"
        );
        c.session_idle = Duration::from_secs(self.session_idle_minutes.max(1) * 60);
        c.session_absolute = Duration::from_secs(self.session_absolute_hours.max(1) * 3600);
        c.reauthentication_after = Duration::from_secs(self.reauthentication_minutes * 60);
        c.throttle.account_failures_per_hour = self.login_failures_per_hour.clamp(1, 100);
        c.throttle.client_failures_per_window = self.client_failures_per_15_minutes.max(1);
        c.throttle.free_failures = self.login_free_failures;
        c.throttle.max_delay = Duration::from_secs(self.login_max_delay_seconds.max(1));
        c.throttle.code_failures_per_window = self.code_failures_per_15_minutes.max(1);
        c.throttle.captchas_per_window = self.captchas_per_15_minutes.max(1);
        c.throttle.recovery_requests_per_window = self.recovery_requests_per_15_minutes.max(1);
        c.throttle.recovery_mails_per_hour = self.recovery_mails_per_hour;
        c.throttle.recovery_mails_per_address_per_hour = self.recovery_mails_per_address_per_hour;
        c.throttle.captcha_login_failures_per_hour = self.captcha_login_failures_per_hour;
        c.throttle.captcha_login_failures_per_address_per_hour =
            self.captcha_login_failures_per_address_per_hour;
        c.throttle.email_changes_per_account_per_hour =
            self.email_changes_per_account_per_hour.max(1);
        c.throttle.email_changes_per_address_per_hour =
            self.email_changes_per_address_per_hour.max(1);
        #[cfg(feature = "test-switches")]
        {
            c.test_clock_file = self.test_clock_file;
            c.captcha_test_answer = self.captcha_test_answer;
        }
        Ok(c)
    }
}
