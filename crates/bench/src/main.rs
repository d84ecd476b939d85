//! `cargo xtask bench` builds the release binaries, then runs this driver. It measures the
//! release service from outside, on loopback, with each figure beside a baseline measured in the
//! same run on the same machine:
//!
//! | figure | baseline |
//! |---|---|
//! | log-ins per second | the Argon2 bound: cores ÷ the time of one hash |
//! | `GET /v1/account`, `GET /v1/service-info` (wrk) | an axum hello-world (`crates/hello`), same wrk settings |
//! | outbox drain to a loopback relay | the same service handing over one e-mail at a time |
//! | e-mail change → activation e-mail at the relay | the HTTP answer to the same request |
//! | resident memory under log-in load, and its growth | the same process idle, after start |
//! | start-up to healthy | the hello-world's start-up to its first answer |
//! | `GET /v1/account` on PostgreSQL | the hello-world |
//! | log-ins on PostgreSQL | the same on SQLite |
//! | `GET /v1/account` and log-ins with 1,000,000 accounts | the same with 1,000 |
//! | log-ins through HAProxy to three replicas | the same straight to one of them |
//!
//! The load generator (wrk, or this process) shares the machine's cores with what it measures,
//! for the baseline and the figure alike. Usage:
//! `espace-pro-bench --server PATH --hello PATH [--memory-seconds N] [--rounds N] [--only postgres]`.

mod figures;
mod load;
mod processes;
mod replicated;

use std::path::PathBuf;
use std::time::Duration;

use espace_pro_testkit::SmtpListener;

use processes::Db;

const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
const EMAIL: &str = "banc@example.fr";

struct Options {
    server: PathBuf,
    hello: PathBuf,
    memory_seconds: u64,
    rounds: usize,
    wrk_seconds: u64,
    /// `--only postgres`: the PostgreSQL and replicas' rows alone (with the SQLite log-ins and
    /// the hello-world they are measured against), to try a change of the database path quickly.
    only_postgres: bool,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        server: PathBuf::new(),
        hello: PathBuf::new(),
        memory_seconds: 300,
        rounds: 5,
        wrk_seconds: 5,
        only_postgres: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} takes a value"));
        match a.as_str() {
            "--server" => o.server = value()?.into(),
            "--hello" => o.hello = value()?.into(),
            "--memory-seconds" => {
                o.memory_seconds = value()?.parse().map_err(|e| format!("{e}"))?
            }
            "--rounds" => o.rounds = value()?.parse().map_err(|e| format!("{e}"))?,
            "--wrk-seconds" => o.wrk_seconds = value()?.parse().map_err(|e| format!("{e}"))?,
            "--only" => match value()?.as_str() {
                "postgres" => o.only_postgres = true,
                other => return Err(format!("--only takes postgres, not {other}")),
            },
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if o.server.as_os_str().is_empty() || o.hello.as_os_str().is_empty() {
        return Err("usage: espace-pro-bench --server PATH --hello PATH [--memory-seconds N] [--rounds N] [--wrk-seconds N] [--only postgres]".into());
    }
    Ok(o)
}

/// One line of the table.
struct Row {
    what: &'static str,
    figure: String,
    baseline: String,
    ratio: String,
    goal: &'static str,
    met: bool,
}

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// What every measurement shares: the options, a scratch folder, the SMTP relay the service
/// hands its e-mails to, the SQLite database with the bench's account, and the table so far.
pub struct Bench {
    o: Options,
    cores: usize,
    dir: tempfile::TempDir,
    http: reqwest::Client,
    smtp: SmtpListener,
    db: Db,
    rows: Vec<Row>,
    /// Requests that did not answer 2xx, over the whole run: any makes the speed rows fail.
    failed: u64,
}

impl Bench {
    async fn new(o: Options) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::sqlite(dir.path(), "bench.sqlite");
        processes::create_account(&o, &db);
        Self {
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            http: reqwest::Client::new(),
            smtp: SmtpListener::start().await,
            o,
            dir,
            db,
            rows: Vec::new(),
            failed: 0,
        }
    }

    /// The table, in Markdown; success when every goal is met.
    fn print(&self) -> std::process::ExitCode {
        println!(
            "\n`cargo xtask bench`: {} cores, {} s of wrk per round, {} rounds (medians; the ratios of the log-in rows, the PostgreSQL rows and the replicas' row are the medians of the rounds' own ratios, each round's figure against its baseline measured in the same round), {} requests failed\n",
            self.cores, self.o.wrk_seconds, self.o.rounds, self.failed
        );
        println!("| what | measured | baseline (same run) | ratio | goal | met |");
        println!("|---|---|---|---|---|---|");
        for r in &self.rows {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                r.what,
                r.figure,
                r.baseline,
                r.ratio,
                r.goal,
                if r.met { "yes" } else { "**no**" }
            );
        }
        if self.rows.iter().all(|r| r.met) {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("espace-pro-bench: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let only_postgres = o.only_postgres;
    let mut bench = Bench::new(o).await;
    if only_postgres {
        let (service, _) = bench.service(&bench.db).await;
        bench.postgres(&service).await;
        drop(service);
        bench.replicas().await;
        return bench.print();
    }
    bench.start_up().await;
    let (service, _) = bench.service(&bench.db).await;
    let idle_rss = service.rss_kib();
    bench.reads(&service).await;
    bench.log_ins(&service).await;
    bench.email_change(&service).await;
    bench.memory(&service, idle_rss).await;
    bench.postgres(&service).await;
    drop(service);
    bench.replicas().await;
    bench.outbox().await;
    bench.print()
}
