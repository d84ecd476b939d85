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
//! | `GET /v1/account` and log-ins on PostgreSQL | the same on SQLite |
//!
//! The load generator (wrk, or this process) shares the machine's cores with what it measures,
//! for the baseline and the figure alike. Usage:
//! `espace-pro-bench --server PATH --hello PATH [--memory-seconds N] [--rounds N]`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use espace_pro_server::config::Argon2Config;
use espace_pro_server::crypto::PasswordHasher;
use espace_pro_server::store::Store;
use espace_pro_testkit::{SmtpListener, reserve_port};
use serde_json::{Value, json};

const PASSWORD: &str = "Vert7Citron4Galop9Sable2";
const EMAIL: &str = "banc@example.fr";

struct Options {
    server: PathBuf,
    hello: PathBuf,
    memory_seconds: u64,
    rounds: usize,
    wrk_seconds: u64,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        server: PathBuf::new(),
        hello: PathBuf::new(),
        memory_seconds: 300,
        rounds: 5,
        wrk_seconds: 5,
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
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if o.server.as_os_str().is_empty() || o.hello.as_os_str().is_empty() {
        return Err("usage: espace-pro-bench --server PATH --hello PATH [--memory-seconds N] [--rounds N] [--wrk-seconds N]".into());
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

/// A child process killed when dropped.
struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    /// Resident memory, from /proc.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

/// Spawns `cmd` and waits until `GET {base}{probe}` answers 200: the process and the time from
/// spawn to that answer.
async fn start(mut cmd: Command, base: String, probe: &str) -> (Running, Duration) {
    let http = reqwest::Client::new();
    let began = Instant::now();
    let child = cmd.spawn().expect("start the process");
    let running = Running { child, base };
    let url = format!("{}{probe}", running.base);
    while began.elapsed() < Duration::from_secs(20) {
        if http
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (running, began.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("{url} did not answer within 20 s");
}

async fn start_hello(o: &Options) -> (Running, Duration) {
    let port = reserve_port();
    let mut cmd = Command::new(&o.hello);
    cmd.arg(format!("127.0.0.1:{port}"));
    start(cmd, format!("http://127.0.0.1:{port}"), "/").await
}

/// A database for the service: its URL and master key file.
struct Db {
    url: String,
    key: PathBuf,
}

impl Db {
    fn sqlite(dir: &Path, name: &str) -> Self {
        let file = dir.join(name);
        Self {
            url: format!("sqlite://{}", file.display()),
            key: file.with_extension("key"),
        }
    }
}

async fn start_service(
    o: &Options,
    db: &Db,
    smtp: &SmtpListener,
    extra: &[&str],
) -> (Running, Duration) {
    let port = reserve_port();
    let mut cmd = Command::new(&o.server);
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--metrics-listen", "127.0.0.1:0", "--smtp", &smtp.url()])
        .args(["--database", &db.url])
        .arg("--key-file")
        .arg(&db.key)
        .args(extra)
        .env("ESPACE_PRO_LOG", "warn");
    start(cmd, format!("http://127.0.0.1:{port}"), "/healthz").await
}

fn create_account(o: &Options, db: &Db) {
    let mut child = Command::new(&o.server)
        .args([
            "account",
            "create",
            "--email",
            EMAIL,
            "--first-name",
            "Banc",
        ])
        .args(["--last-name", "ESSAI", "--dossier", "000299001:SARL BANC"])
        .args(["--database", &db.url])
        .arg("--key-file")
        .arg(&db.key)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("run account create");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\nPaul\n").as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "account create failed");
}

async fn log_in(http: &reqwest::Client, base: &str) -> String {
    let r: Value = http
        .post(format!("{base}/v1/sessions"))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("a session token").to_owned()
}

/// What wrk measured.
struct Wrk {
    per_second: f64,
    failed: u64,
}

/// wrk with 2 threads and `connections` connections for `seconds`; the script (request method,
/// body, headers) is written to a private file, so that no token shows in the process list.
fn wrk(url: &str, script: &str, connections: u32, seconds: u64) -> Wrk {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.lua");
    std::fs::write(&file, script).unwrap();
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s")])
        .arg("-s")
        .arg(&file)
        .arg(url)
        .output()
        .expect("run wrk (cargo xtask bench installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    let number = |label: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label))
            .and_then(|v| v.trim().parse().ok())
    };
    let per_second = number("Requests/sec:").unwrap_or_else(|| panic!("wrk said: {text}"));
    let failed = number("Non-2xx or 3xx responses:").unwrap_or(0.0) as u64
        + text
            .lines()
            .find(|l| l.trim().starts_with("Socket errors:"))
            .map(|l| {
                l.split(',')
                    .filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok())
                    .sum()
            })
            .unwrap_or(0);
    Wrk { per_second, failed }
}

fn bearer_script(token: &str) -> String {
    format!("wrk.headers[\"Authorization\"] = \"Bearer {token}\"\n")
}

fn login_script() -> String {
    format!(
        "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = '{{\"email\":\"{EMAIL}\",\"password\":\"{PASSWORD}\"}}'\n"
    )
}

/// Argon2id at the service's default cost, one hash after another for `seconds`, in this
/// process: the time of one hash, sustained (a burst of a few hashes on an idle machine runs
/// faster than the same hashes a few seconds later).
async fn one_hash(seconds: u64) -> Duration {
    let hasher = PasswordHasher::new(Argon2Config::default(), 1).unwrap();
    let began = Instant::now();
    let mut n = 0u32;
    while began.elapsed() < Duration::from_secs(seconds) {
        hasher.hash(PASSWORD).await.unwrap();
        n += 1;
    }
    began.elapsed() / n
}

/// Argon2id at the service's default cost, `cores` hashes at once for `seconds`, in this process:
/// what the machine can hash when every core does it (they share the memory bus).
async fn parallel_hashes(cores: usize, seconds: u64) -> f64 {
    let hasher = std::sync::Arc::new(PasswordHasher::new(Argon2Config::default(), cores).unwrap());
    let began = Instant::now();
    let until = began + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..cores)
        .map(|_| {
            let hasher = hasher.clone();
            tokio::spawn(async move {
                let mut n = 0u32;
                while Instant::now() < until {
                    hasher.hash(PASSWORD).await.unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    f64::from(total) / began.elapsed().as_secs_f64()
}

/// Queues `count` e-mails straight into a new database, as requests would have.
async fn queued_mail(dir: &Path, name: &str, count: usize) -> Db {
    let db = Db::sqlite(dir, name);
    let store = Store::connect(&db.url).await.unwrap();
    let mut tx = store.begin_write().await.unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for i in 0..count {
        Store::enqueue_mail(
            &mut tx,
            &format!("lot{i}@example.org"),
            "Espace professionnel - Banc d'essai",
            "Bonjour,\n\nCeci est un message du banc d'essai.\n",
            now,
        )
        .await
        .unwrap();
    }
    store.commit(tx).await.unwrap();
    store.close().await;
    db
}

/// E-mails per second from the first to the last arrival at the relay.
async fn drain(o: &Options, db: &Db, count: usize, extra: &[&str]) -> f64 {
    let smtp = SmtpListener::start().await;
    let (_service, _) = start_service(o, db, &smtp, extra).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut first = None;
    loop {
        let n = smtp.messages().len();
        if n >= 1 && first.is_none() {
            first = Some(Instant::now());
        }
        if n >= count {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {n} of {count} e-mails in 60 s"
        );
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    let took = first.unwrap().elapsed().as_secs_f64();
    (count - 1) as f64 / took
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
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let mut rows = Vec::new();

    let db = Db::sqlite(dir.path(), "bench.sqlite");
    create_account(&o, &db);
    let smtp = SmtpListener::start().await;
    let limits = [
        "--email-changes-per-account-per-hour",
        "1000000",
        "--client-failures-per-15-minutes",
        "1000000",
    ];

    eprintln!("==> start-up to healthy, {} rounds each", o.rounds);
    let (mut hello_starts, mut service_starts) = (Vec::new(), Vec::new());
    for _ in 0..o.rounds {
        hello_starts.push(start_hello(&o).await.1);
        service_starts.push(start_service(&o, &db, &smtp, &limits).await.1);
    }
    let (hello_start, service_start) = (median(hello_starts), median(service_starts));
    rows.push(Row {
        what: "start-up to healthy (existing database)",
        figure: ms(service_start),
        baseline: format!("{} (hello-world)", ms(hello_start)),
        ratio: format!(
            "{:.1} ×",
            service_start.as_secs_f64() / hello_start.as_secs_f64()
        ),
        goal: "≤ 1 s",
        met: service_start <= Duration::from_secs(1),
    });

    let (hello, _) = start_hello(&o).await;
    let (service, _) = start_service(&o, &db, &smtp, &limits).await;
    let idle_rss = service.rss_kib();
    let token = log_in(&http, &service.base).await;

    eprintln!(
        "==> wrk, 2 threads, 32 connections, {} s, {} alternating rounds",
        o.wrk_seconds, o.rounds
    );
    let (mut base_rps, mut info_rps, mut account_rps, mut failed) = (vec![], vec![], vec![], 0);
    for _ in 0..o.rounds {
        let w = wrk(&format!("{}/", hello.base), "", 32, o.wrk_seconds);
        base_rps.push(w.per_second);
        let w = wrk(
            &format!("{}/v1/service-info", service.base),
            "",
            32,
            o.wrk_seconds,
        );
        info_rps.push(w.per_second);
        failed += w.failed;
        let w = wrk(
            &format!("{}/v1/account", service.base),
            &bearer_script(&token),
            32,
            o.wrk_seconds,
        );
        account_rps.push(w.per_second);
        failed += w.failed;
    }
    drop(hello);
    let base = median(base_rps);
    let sqlite_account = median(account_rps.clone());
    for (what, rps) in [
        ("`GET /v1/service-info` (requests/s)", median(info_rps)),
        (
            "`GET /v1/account` with a token (requests/s)",
            median(account_rps),
        ),
    ] {
        rows.push(Row {
            what,
            figure: format!("{rps:.0}"),
            baseline: format!("{base:.0} (axum hello-world)"),
            ratio: format!("{:.2} ×", rps / base),
            goal: "≥ 0.5 ×",
            met: rps / base >= 0.5 && failed == 0,
        });
    }

    // The machine's speed drifts by several percent within minutes (other guests share its
    // caches): each round measures the Argon2 bound and hashing on every core just before its
    // log-ins, and the ratios are the medians of the rounds' ratios.
    eprintln!(
        "==> log-ins: {} alternating rounds of one hash at a time (3 s), {cores} hashes at once (3 s), then wrk, 2 threads, 8 connections (10 s)",
        o.rounds
    );
    let (mut hashes, mut bounds, mut all_cores) = (vec![], vec![], vec![]);
    let (mut logins, mut to_bound, mut to_all_cores) = (vec![], vec![], vec![]);
    for _ in 0..o.rounds {
        let hash = one_hash(3).await;
        let bound = cores as f64 / hash.as_secs_f64();
        let all = parallel_hashes(cores, 3).await;
        let w = wrk(
            &format!("{}/v1/sessions", service.base),
            &login_script(),
            8,
            10,
        );
        failed += w.failed;
        eprintln!(
            "    one hash {}, bound {bound:.1}/s, {cores} at once {all:.1}/s, log-ins {:.1}/s ({:.2} × the bound)",
            ms(hash),
            w.per_second,
            w.per_second / bound
        );
        to_bound.push(w.per_second / bound);
        to_all_cores.push(w.per_second / all);
        hashes.push(hash);
        bounds.push(bound);
        all_cores.push(all);
        logins.push(w.per_second);
    }
    let (hash, bound, all_cores) = (median(hashes), median(bounds), median(all_cores));
    let (to_bound, to_all_cores) = (median(to_bound), median(to_all_cores));
    let logins = median(logins);
    rows.push(Row {
        what: "log-ins per second, against hashing on every core",
        figure: format!("{logins:.1}"),
        baseline: format!("{all_cores:.1} (Argon2 alone, {cores} hashes at once)"),
        ratio: format!("{to_all_cores:.2} ×"),
        goal: "(information)",
        met: true,
    });
    rows.push(Row {
        what: "log-ins per second",
        figure: format!("{logins:.1}"),
        baseline: format!(
            "{bound:.1} (Argon2 bound: {cores} cores ÷ {} per hash)",
            ms(hash)
        ),
        ratio: format!("{to_bound:.2} ×"),
        goal: "≥ 0.85 ×",
        met: to_bound >= 0.85 && failed == 0,
    });

    eprintln!("==> e-mail change → activation e-mail at the relay, 50 requests");
    let token = log_in(&http, &service.base).await;
    let (mut answers, mut arrivals) = (Vec::new(), Vec::new());
    for i in 0..50 {
        let to = format!("nouvelle{i}@example.org");
        let before = smtp.messages().len();
        let t = Instant::now();
        let r = http
            .post(format!("{}/v1/account/email-change", service.base))
            .bearer_auth(&token)
            .json(&json!({"new_email": to, "confirm_email": to}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202, "{:?}", r.text().await);
        answers.push(t.elapsed());
        loop {
            if smtp.messages()[before..]
                .iter()
                .any(|m| m.envelope_to.contains(&to))
            {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "no e-mail to {to}");
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        arrivals.push(t.elapsed());
    }
    let (p50, p99) = (
        percentile(arrivals.clone(), 0.5),
        percentile(arrivals, 0.99),
    );
    rows.push(Row {
        what: "e-mail change → activation e-mail at the relay (p50 / p99)",
        figure: format!("{} / {}", ms(p50), ms(p99)),
        baseline: format!(
            "{} / {} (the HTTP answer)",
            ms(percentile(answers.clone(), 0.5)),
            ms(percentile(answers, 0.99))
        ),
        ratio: "—".into(),
        goal: "p50 ≤ 50 ms, p99 ≤ 250 ms",
        met: p50 <= Duration::from_millis(50) && p99 <= Duration::from_millis(250),
    });

    eprintln!(
        "==> resident memory under log-in load for {} s (sampled every 10 s)",
        o.memory_seconds
    );
    let mut samples = Vec::new();
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(o.memory_seconds.max(20)) {
        let w = wrk(
            &format!("{}/v1/sessions", service.base),
            &login_script(),
            8,
            10,
        );
        failed += w.failed;
        samples.push(service.rss_kib());
    }
    let (first, last, most) = (
        samples[0],
        *samples.last().unwrap(),
        *samples.iter().max().unwrap(),
    );
    rows.push(Row {
        what: "resident memory under log-in load: after 10 s / at the end / highest",
        figure: format!("{} / {} / {}", mib(first), mib(last), mib(most)),
        baseline: format!("{} (idle after start)", mib(idle_rss)),
        ratio: format!("{:.1} ×", most as f64 / idle_rss as f64),
        goal: "≤ 128 MiB, end ≤ 10 s + 8 MiB",
        met: most <= 128 * 1024 && last <= first + 8 * 1024,
    });
    drop(service);

    eprintln!("==> the same GET /v1/account and log-ins on PostgreSQL (fsync on, same machine)");
    let pg = espace_pro_pgtemp::TempPostgres::start(true).expect("PostgreSQL starts");
    let pg_db = Db {
        url: pg.create_database("bench").expect("database created"),
        key: dir.path().join("pg.key"),
    };
    create_account(&o, &pg_db);
    let (service, _) = start_service(&o, &pg_db, &smtp, &limits).await;
    let token = log_in(&http, &service.base).await;
    let (mut pg_account, mut pg_logins) = (vec![], vec![]);
    for _ in 0..o.rounds {
        let w = wrk(
            &format!("{}/v1/account", service.base),
            &bearer_script(&token),
            32,
            o.wrk_seconds,
        );
        failed += w.failed;
        pg_account.push(w.per_second);
        let w = wrk(
            &format!("{}/v1/sessions", service.base),
            &login_script(),
            8,
            10,
        );
        failed += w.failed;
        pg_logins.push(w.per_second);
    }
    drop(service);
    drop(pg);
    let (pg_account, pg_logins) = (median(pg_account), median(pg_logins));
    rows.push(Row {
        what: "`GET /v1/account` on PostgreSQL, no read cache (requests/s)",
        figure: format!("{pg_account:.0}"),
        baseline: format!("{sqlite_account:.0} (SQLite, read cache on)"),
        ratio: format!("{:.2} ×", pg_account / sqlite_account),
        goal: "(information)",
        met: true,
    });
    rows.push(Row {
        what: "log-ins per second on PostgreSQL",
        figure: format!("{pg_logins:.1}"),
        baseline: format!("{logins:.1} (SQLite)"),
        ratio: format!("{:.2} ×", pg_logins / logins),
        goal: "(information)",
        met: true,
    });

    eprintln!("==> outbox drain: 100 queued e-mails to a loopback relay");
    let one = drain(
        &o,
        &queued_mail(dir.path(), "one.sqlite", 100).await,
        100,
        &["--mail-parallel-deliveries", "1"],
    )
    .await;
    let many = drain(
        &o,
        &queued_mail(dir.path(), "many.sqlite", 100).await,
        100,
        &[],
    )
    .await;
    rows.push(Row {
        what: "outbox drain, 100 e-mails (per second)",
        figure: format!("{many:.0} (16 at once, the default)"),
        baseline: format!("{one:.0} (one at a time)"),
        ratio: format!("{:.1} ×", many / one),
        goal: "≥ 300 per second",
        met: many >= 300.0,
    });

    println!(
        "\n`cargo xtask bench`: {cores} cores, {} s of wrk per round, {} rounds (medians; a log-in row's ratio is the median of the rounds' ratios, each round against the Argon2 figures measured just before it), {} requests failed\n",
        o.wrk_seconds, o.rounds, failed
    );
    println!("| what | measured | baseline (same run) | ratio | goal | met |");
    println!("|---|---|---|---|---|---|");
    for r in &rows {
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
    if rows.iter().all(|r| r.met) {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
