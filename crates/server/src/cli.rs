//! Command line (SPEC §3.2; names are fixed: scripts outside the project use them).

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::accounts::{NewAccount, create_account};
use crate::clock::{SharedClock, SystemClock};
use crate::config::{Argon2Config, Config, MailTransportConfig};
use crate::services::Services;

#[derive(Debug, Parser)]
#[command(
    name = "espace-pro-server",
    version,
    about = "Espace Pro account service"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    Serve(Box<ServeArgs>),
    /// Manage accounts.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// Create the demo accounts (one per home variant) and print their addresses.
    DemoSeed(StorageArgs),
    /// Copy every table of a database into another, empty one (from SQLite to PostgreSQL, or
    /// back), then check the counts. Stop the service first; keep the same master key file.
    Migrate(MigrateArgs),
    /// Replace the master key, with every replica stopped: security answers are re-sealed;
    /// pending codes, CAPTCHAs and throttling counts (keyed with the old key) are ended. Run it
    /// again if it was interrupted. Then copy the key file to every replica.
    RotateKey(RotateKeyArgs),
}

#[derive(Debug, Args)]
pub struct RotateKeyArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    /// Rotate even though a service on this database said it was running in the last 30 s (one
    /// that crashed without saying it stopped).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database in use: sqlite:///path/to/file.sqlite or postgres://…
    #[arg(long)]
    pub from: String,
    /// The new database, which must hold no data (its schema is created).
    #[arg(long)]
    pub to: String,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account. Reads the password from the first line of standard input and the
    /// security answer from the second; prints the subscriber number.
    Create(CreateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct StorageArgs {
    /// Database URL: sqlite:///absolute/path.sqlite or postgres://user@host:port/database
    #[arg(long, env = "ESPACE_PRO_DATABASE")]
    pub database: Option<String>,
    /// Master key file (created with mode 0600 if missing). Default: beside an SQLite
    /// database; required with PostgreSQL (every replica must read the same key).
    #[arg(long, env = "ESPACE_PRO_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub storage: StorageArgs,
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub first_name: String,
    #[arg(long)]
    pub last_name: String,
    /// "Mme", "M." or empty.
    #[arg(long, default_value = "")]
    pub civility: String,
    #[arg(long, default_value = "")]
    pub phone: String,
    /// "line, postcode city, country"
    #[arg(long, default_value = "")]
    pub address: String,
    #[arg(long, default_value = "")]
    pub security_question: String,
    /// SIREN:NAME, repeatable.
    #[arg(long = "dossier", value_parser = parse_dossier)]
    pub dossiers: Vec<(String, String)>,
}

/// "10.0.0.0/8", or a lone address ("10.0.0.5" for 10.0.0.5/32).
fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    s.trim()
        .parse::<ipnet::IpNet>()
        .or_else(|_| s.trim().parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s}: expected an address or a CIDR block (10.0.0.0/8)"))
}

fn parse_dossier(s: &str) -> Result<(String, String), String> {
    let (siren, name) = s.split_once(':').ok_or("attendu : SIREN:NOM")?;
    Ok((siren.trim().to_owned(), name.trim().to_owned()))
}

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
    /// Certificate authorities (a PEM file) the relay's certificate may chain to, besides the
    /// public web's: an organisation's own (STARTTLS and smtps://).
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

/// Checks the relay's URL and adds the password to it (in memory only). A password written in the
/// URL is refused (it would be in the process list and the shell history), and so is plain SMTP
/// to another machine (codes would cross the network in clear).
pub fn smtp_url(url: &str, password: Option<&str>) -> anyhow::Result<String> {
    let crate::mail::relay::UrlParts {
        scheme,
        user,
        host_port,
        tail,
    } = crate::mail::relay::split_url(url)
        .ok_or_else(|| anyhow::anyhow!("--smtp: expected smtps://host:port or smtp://host:port"))?;
    if user.is_some_and(|u| u.contains(':')) {
        anyhow::bail!(
            "--smtp: no password in the URL; use --smtp-password-file or ESPACE_PRO_SMTP_PASSWORD"
        );
    }
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.rsplit_once(':').map_or(host_port, |(h, _)| h),
    };
    let encrypted = scheme == "smtps" || tail.contains("tls=required");
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme {
        "smtps" | "smtp" => {}
        other => anyhow::bail!("--smtp: unknown scheme {other}:// (smtps:// or smtp://)"),
    }
    if !encrypted && !loopback {
        anyhow::bail!(
            "--smtp: plain smtp:// is only for a relay on this machine; use smtps://{host_port} or smtp://{host_port}?tls=required"
        );
    }
    Ok(match (user, password) {
        (Some(user), Some(password)) => {
            let encoded: String = password
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("{scheme}://{user}:{encoded}@{host_port}{tail}")
        }
        _ => url.to_owned(),
    })
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
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

impl StorageArgs {
    pub fn apply(&self, config: &mut Config) -> anyhow::Result<()> {
        // `--key-file`, else the unit's `master-key` credential, else beside an SQLite file.
        let key_file = self.key_file.clone().or_else(|| credential("master-key"));
        if let Some(db) = &self.database {
            config.database = db.clone();
            if let Some(path) = sqlite_path(db) {
                config.key_file = path.with_extension("key");
            } else if key_file.is_none() && is_postgres_url(db) {
                anyhow::bail!(
                    "with PostgreSQL, give --key-file: every replica must read the same master key (the file is created if missing; copy it to every replica)"
                );
            }
        }
        if let Some(k) = key_file {
            config.key_file = k;
        }
        Ok(())
    }
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

fn clock_for(config: &Config) -> SharedClock {
    #[cfg(feature = "test-switches")]
    if let Some(path) = &config.test_clock_file {
        return Arc::new(crate::clock::FileOffsetClock::new(path));
    }
    let _ = config;
    Arc::new(SystemClock)
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ESPACE_PRO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // A log line that cannot be written (a full disk, a file-size limit on the file stderr goes
    // to) is lost, nothing more: by default the subscriber would report it with `eprintln!`,
    // which panics when stderr fails, and the request being answered would die with it.
    // Colours only for a person at a terminal: not in a file, a pipe or journald.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .log_internal_errors(false);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// A file-size limit (`RLIMIT_FSIZE`) reached while writing the database would kill the process
/// with `SIGXFSZ`; ignored, the write fails with `EFBIG` instead, the request is answered 503 and
/// the service goes on once the limit is lifted.
fn survive_file_size_limits() {
    #[cfg(unix)]
    // SAFETY: sets the disposition of one signal to "ignore" before any thread is started; no
    // handler runs, nothing else reads it.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

pub fn main() -> ExitCode {
    survive_file_size_limits();
    let cli = Cli::parse();
    let json = matches!(&cli.command, Command::Serve(a) if a.log_json);
    init_logging(json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("espace-pro-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("espace-pro-server: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn services_for(storage: &StorageArgs) -> anyhow::Result<Arc<Services>> {
    let mut config = Config::defaults();
    storage.apply(&mut config)?;
    let clock = clock_for(&config);
    Services::new(config, clock).await
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let config = args.into_config()?;
            let clock = clock_for(&config);
            crate::Application::build(config, clock)
                .await?
                .run_until_signal()
                .await
        }
        Command::Account {
            command: AccountCommand::Create(args),
        } => {
            let (password, answer) = read_secrets(std::io::stdin().lock())?;
            let svc = services_for(&args.storage).await?;
            let new = NewAccount {
                email: args.email,
                civility: args.civility,
                first_name: args.first_name,
                last_name: args.last_name,
                phone: args.phone,
                address: args.address,
                security_question: args.security_question,
                security_answer: answer,
                dossiers: args.dossiers,
            };
            let number = create_account(&svc, &new, &password).await?;
            println!("{number}");
            svc.store.close().await;
            Ok(())
        }
        Command::Migrate(args) => migrate(&args.from, &args.to).await,
        Command::RotateKey(args) => rotate_key(&args.storage, args.force).await,
        Command::DemoSeed(storage) => {
            let svc = services_for(&storage).await?;
            for address in crate::demo::seed(&svc).await? {
                println!("{address}");
            }
            eprintln!("demo password: {}", crate::demo::DEMO_PASSWORD);
            svc.store.close().await;
            Ok(())
        }
    }
}

fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `rotate-key`: the rotation, then what it did.
async fn rotate_key(storage: &StorageArgs, force: bool) -> anyhow::Result<()> {
    let mut config = Config::defaults();
    storage.apply(&mut config)?;
    let store = crate::store::Store::connect(&config.database).await?;
    // A service still running would go on with the old key (and refuse every code sealed
    // with the new one): each says it runs every 10 s.
    let wall = time::OffsetDateTime::now_utc().unix_timestamp();
    let running = store
        .live_replicas(wall - 3 * crate::app::HEARTBEAT.as_secs() as i64)
        .await?;
    if !running.is_empty() {
        let list: Vec<String> = running
            .iter()
            .map(|(host, seen)| format!("  {host}, seen {} s ago", (wall - seen).max(0)))
            .collect();
        if !force {
            store.close().await;
            anyhow::bail!(
                "{} service(s) on this database still run:\n{}\nstop them all first (systemctl stop espace-pro-server on each machine); --force rotates anyway (for one that crashed)",
                running.len(),
                list.join("\n")
            );
        }
        eprintln!(
            "--force: rotating although these said they ran:\n{}",
            list.join("\n")
        );
    }
    eprintln!(
        "the rotation ends pending activation and recovery codes and CAPTCHAs, and resets every throttling counter (failed log-ins per address and per client, wrong codes, CAPTCHA, recovery and e-mail change limits): they are keyed with the old key"
    );
    let now = clock_for(&config).now().unix_timestamp();
    let done = crate::rotation::rotate_key(&store, &config.key_file, now).await;
    store.close().await;
    let done = done?;
    println!("security answers re-sealed: {}", done.answers);
    println!(
        "pending codes ended: {} (their holders must ask again)",
        done.forgotten.codes_ended
    );
    println!(
        "CAPTCHAs removed: {}; throttling events removed: {}",
        done.forgotten.captchas, done.forgotten.throttle_events
    );
    println!(
        "the new key is in {}: copy it to every replica before starting them",
        config.key_file.display()
    );
    Ok(())
}

/// `migrate`: the copy, then a table of what was copied.
async fn migrate(from: &str, to: &str) -> anyhow::Result<()> {
    use crate::store::Store;
    if from == to {
        anyhow::bail!("--from and --to name the same database");
    }
    let source = Store::open(from, 2).await?;
    let target = Store::open(to, 2).await?;
    let report = source.copy_into(&target).await;
    source.close().await;
    target.close().await;
    let report = report?;
    for (table, rows) in &report.tables {
        println!("{table:<22} {rows:>10} rows");
    }
    let total: i64 = report.tables.iter().map(|(_, n)| n).sum();
    println!("copied {total} rows; counts checked on both sides");
    eprintln!("start the service on the new database with the same --key-file as before");
    Ok(())
}

/// First line: password; second line (optional): security answer. Line ends are not part of
/// either.
pub fn read_secrets(input: impl BufRead) -> anyhow::Result<(String, String)> {
    let mut lines = input.lines();
    let password = lines.next().transpose()?.ok_or_else(|| {
        anyhow::anyhow!("le mot de passe est attendu sur la première ligne de l'entrée standard")
    })?;
    let answer = lines.next().transpose()?.unwrap_or_default();
    Ok((
        password.trim_end_matches('\r').to_owned(),
        answer.trim_end_matches('\r').to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owasp_floor() {
        assert!(argon2_meets_owasp(&Argon2Config::default()));
        assert!(argon2_meets_owasp(&Argon2Config {
            memory_kib: 7168,
            iterations: 5,
            parallelism: 1
        }));
        assert!(!argon2_meets_owasp(&Argon2Config {
            memory_kib: 19_456,
            iterations: 1,
            parallelism: 1
        }));
        assert!(!argon2_meets_owasp(&Argon2Config {
            memory_kib: 4096,
            iterations: 10,
            parallelism: 1
        }));
    }

    #[test]
    fn secrets_come_from_two_lines() {
        let (p, a) = read_secrets("Vert7Citron4Galop9Sable2\r\nPaul\n".as_bytes()).unwrap();
        assert_eq!(
            (p.as_str(), a.as_str()),
            ("Vert7Citron4Galop9Sable2", "Paul")
        );
        assert!(read_secrets("".as_bytes()).is_err());
    }

    #[test]
    fn smtp_urls_keep_codes_off_the_network_in_clear() {
        assert!(smtp_url("smtp://127.0.0.1:2525", None).is_ok());
        assert!(smtp_url("smtp://localhost:25", None).is_ok());
        assert!(smtp_url("smtp://relay.example.fr:25", None).is_err());
        assert!(smtp_url("smtp://relay.example.fr:587?tls=required", None).is_ok());
        assert!(smtp_url("smtps://relay.example.fr:465", None).is_ok());
        assert!(smtp_url("smtps://u:secret@relay.example.fr:465", None).is_err());
        assert!(smtp_url("http://relay.example.fr", None).is_err());
        assert_eq!(
            smtp_url("smtps://u@relay.example.fr:465", Some("p@ss w")).unwrap(),
            "smtps://u:p%40ss%20w@relay.example.fr:465"
        );
    }

    #[test]
    fn key_file_defaults_beside_the_database() {
        let mut c = Config::defaults();
        StorageArgs {
            database: Some("sqlite:///tmp/x/db.sqlite".into()),
            key_file: None,
        }
        .apply(&mut c)
        .unwrap();
        assert_eq!(c.key_file, PathBuf::from("/tmp/x/db.key"));
    }

    /// Replicas on PostgreSQL must share one master key: none is made up for them.
    #[test]
    fn postgres_needs_a_key_file() {
        let pg = |key_file: Option<&str>| {
            StorageArgs {
                database: Some("postgres://u@db.example/espace".into()),
                key_file: key_file.map(PathBuf::from),
            }
            .apply(&mut Config::defaults())
        };
        let refused = pg(None).unwrap_err().to_string();
        assert!(refused.contains("--key-file"), "{refused}");
        pg(Some("/etc/espace-pro/master.key")).unwrap();
    }
}
