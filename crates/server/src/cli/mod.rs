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

mod admin;
mod serve;

pub use admin::read_secrets;
use admin::{migrate, rotate_key};
pub use serve::{ServeArgs, argon2_meets_owasp, credential, smtp_url};

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
        let address = smtp_url("smtps://u@relay.example.fr:465", Some("p@ss w")).unwrap();
        assert_eq!(address.user.as_deref(), Some("u"));
        assert_eq!(address.password(), Some("p@ss w"));
        // No user, no password sent.
        let address = smtp_url("smtps://relay.example.fr:465", Some("p@ss w")).unwrap();
        assert_eq!(address.password(), None);
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
