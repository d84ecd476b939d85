//! Command line (SPEC §3.2; names are fixed: scripts outside the project use them).

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
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
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account. Reads the password from the first line of standard input and the
    /// security answer from the second; prints the subscriber number.
    Create(CreateArgs),
}

#[derive(Debug, Clone, Args)]
pub struct StorageArgs {
    /// Database URL: sqlite:///absolute/path.sqlite
    #[arg(long, env = "ESPACE_PRO_DATABASE")]
    pub database: Option<String>,
    /// Master key file (created with mode 0600 if missing). Default: beside the database.
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

fn parse_dossier(s: &str) -> Result<(String, String), String> {
    let (siren, name) = s.split_once(':').ok_or("attendu : SIREN:NOM")?;
    Ok((siren.trim().to_owned(), name.trim().to_owned()))
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[arg(long, env = "ESPACE_PRO_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub storage: StorageArgs,
    /// SMTP relay: smtp://host:port (plain), smtp://host:port?tls=required (STARTTLS),
    /// smtps://host:port (TLS), with optional user:password@.
    #[arg(long, env = "ESPACE_PRO_SMTP", conflicts_with = "mail_dir")]
    pub smtp: Option<String>,
    /// Write e-mails as .eml files in this folder instead of sending them.
    #[arg(long, env = "ESPACE_PRO_MAIL_DIR")]
    pub mail_dir: Option<PathBuf>,
    #[arg(long, env = "ESPACE_PRO_MAIL_FROM")]
    pub mail_from: Option<String>,
    #[arg(long, env = "ESPACE_PRO_PUBLIC_NAME")]
    pub public_name: Option<String>,
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
    /// Log as JSON lines instead of text.
    #[arg(long, env = "ESPACE_PRO_LOG_JSON")]
    pub log_json: bool,
}

/// OWASP's Argon2id floor: m ≥ 7 MiB and m·t ≥ 35 840 KiB (19 MiB × 2, 12 MiB × 3, …).
pub fn argon2_meets_owasp(c: &Argon2Config) -> bool {
    c.memory_kib >= 7_168 && u64::from(c.memory_kib) * u64::from(c.iterations) >= 35_840
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite://")
        .map(|p| PathBuf::from(p.split('?').next().unwrap_or(p)))
}

impl StorageArgs {
    pub fn apply(&self, config: &mut Config) {
        if let Some(db) = &self.database {
            config.database = db.clone();
            if let Some(path) = sqlite_path(db) {
                config.key_file = path.with_extension("key");
            }
        }
        if let Some(k) = &self.key_file {
            config.key_file = k.clone();
        }
    }
}

impl ServeArgs {
    pub fn into_config(self) -> anyhow::Result<Config> {
        let mut c = Config::defaults();
        self.storage.apply(&mut c);
        c.listen = self.listen;
        if let Some(url) = self.smtp {
            c.mail = MailTransportConfig::Smtp(url);
        } else if let Some(dir) = self.mail_dir {
            c.mail = MailTransportConfig::Directory(dir);
        }
        if let Some(v) = self.mail_from {
            c.mail_from = v;
        }
        if let Some(v) = self.public_name {
            c.public_name = v;
        }
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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub fn main() -> ExitCode {
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
    storage.apply(&mut config);
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
    fn key_file_defaults_beside_the_database() {
        let mut c = Config::defaults();
        StorageArgs {
            database: Some("sqlite:///tmp/x/db.sqlite".into()),
            key_file: None,
        }
        .apply(&mut c);
        assert_eq!(c.key_file, PathBuf::from("/tmp/x/db.key"));
    }
}
