//! The deployment for more than one machine: PostgreSQL (on this machine, fsync on) beside
//! SQLite and the hello-world, with a thousand and with a million accounts, and three replicas
//! behind HAProxy beside one. Rounds alternate between what is compared, so that the machine's
//! drift (several percent within minutes) falls on both sides alike.

use std::time::Instant;

use espace_pro_pgtemp::{ClusterOptions, LocalCluster, TempPostgres};

use crate::figures::LIMITS;
use crate::load::{login_script, wrk};
use crate::processes::{Db, Running, log_in, start_hello};
use crate::{Bench, Row, median};

/// Accounts in the small and the large database.
const SMALL: usize = 1_000;
const LARGE: usize = 1_000_000;

/// Adds `count` accounts beside the bench's (the same password hash, one dossier each), in
/// one statement each, with the announcements' triggers off (nobody listens yet), then
/// `VACUUM ANALYZE`.
fn fill(pg: &TempPostgres, database: &str, count: usize) {
    let started = Instant::now();
    let sql = format!(
        "SET session_replication_role = replica;
         INSERT INTO accounts (subscriber_number, login_email, login_email_key, civility,
             first_name, last_name, password_hash, password_changed_at, password_valid_until,
             created_at)
         SELECT 'R' || g, 'remplissage' || g || '@example.fr', 'remplissage' || g || '@example.fr',
             'Mme', 'Rem', 'PLISSAGE', h.password_hash, 0, '2099-01-01', 0
         FROM generate_series(1, {count}) g, (SELECT password_hash FROM accounts LIMIT 1) h;
         INSERT INTO dossiers (account_id, siren, name)
         SELECT id, lpad((id % 1000000000)::text, 9, '0'), 'SARL REMPLISSAGE' FROM accounts
         WHERE subscriber_number LIKE 'R%';"
    );
    pg.psql(database, &sql).expect("accounts added");
    pg.psql(database, "VACUUM ANALYZE").expect("VACUUM ANALYZE");
    let n = pg
        .psql(database, "SELECT COUNT(*) FROM accounts")
        .expect("accounts counted");
    eprintln!(
        "    {database}: {n} accounts, made in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

impl Bench {
    /// A database named `name` on `pg` with the bench's account and `count` - 1 others.
    fn pg_database(&self, pg: &TempPostgres, name: &str, count: usize) -> Db {
        let db = Db {
            url: pg.create_database(name).expect("database created"),
            key: self.dir.path().join(format!("{name}.key")),
        };
        crate::processes::create_account(&self.o, &db);
        fill(pg, name, count - 1);
        db
    }

    /// `GET /v1/account` and log-ins on PostgreSQL with 1,000 and 1,000,000 accounts, beside the
    /// hello-world and the same on SQLite (`sqlite`, the service measured so far).
    pub async fn postgres(&mut self, sqlite: &Running) {
        eprintln!(
            "==> PostgreSQL (fsync on, same machine): {SMALL} and {LARGE} accounts, beside SQLite and the hello-world, {} alternating rounds (the log-in loads in turns)",
            self.o.rounds
        );
        let pg = TempPostgres::start(true).expect("PostgreSQL starts");
        let small = self.pg_database(&pg, "small", SMALL);
        let large = self.pg_database(&pg, "large", LARGE);
        let (small, _) = self.service(&small).await;
        let (large, _) = self.service(&large).await;
        let (hello, _) = start_hello(&self.o).await;
        let tokens = [
            log_in(&self.http, &small.base).await,
            log_in(&self.http, &large.base).await,
        ];
        let failed_before = self.failed;
        let seconds = self.o.wrk_seconds;
        let mut rounds: [Vec<f64>; 6] = Default::default();
        for round in 0..self.o.rounds {
            rounds[0].push(wrk(&format!("{}/", hello.base), "", 32, seconds).per_second);
            // The two reads take turns too.
            for which in [round % 2, 1 - round % 2] {
                let service = [&small, &large][which];
                rounds[1 + which].push(self.account_load(service, &tokens[which]));
            }
            // The three log-in loads take turns at going first, so that none always follows
            // the same load (the 32-connection reads before them, or one another).
            let services = [sqlite, &small, &large];
            for turn in 0..3 {
                let which = (round + turn) % 3;
                rounds[3 + which].push(self.log_in_load(services[which]));
            }
            eprintln!(
                "    hello {:.0}/s, GET {:.0}/s ({SMALL}) {:.0}/s ({LARGE}); log-ins SQLite {:.1}/s, PostgreSQL {:.1}/s ({SMALL}) {:.1}/s ({LARGE})",
                rounds[0].last().unwrap(),
                rounds[1].last().unwrap(),
                rounds[2].last().unwrap(),
                rounds[3].last().unwrap(),
                rounds[4].last().unwrap(),
                rounds[5].last().unwrap()
            );
            let last = |i: usize| rounds[i].last().unwrap();
            eprintln!(
                "    this round's ratios: GET/hello {:.2}, log-ins PostgreSQL/SQLite {:.2}, 1,000,000/1,000 accounts {:.2} (GET) {:.2} (log-ins)",
                last(1) / last(0),
                last(4) / last(3),
                last(2) / last(1),
                last(5) / last(4)
            );
        }
        drop((hello, small, large, pg));
        // Each row's ratio: the median of its rounds' own ratios (figure and baseline measured
        // within the same minute), as the log-in rows against Argon2 do: the machine's speed
        // drifts by more than the goals' margins from one round to the next.
        let ratio = |figure: usize, base: usize| paired_ratio(&rounds[figure], &rounds[base]);
        let ratios = [ratio(1, 0), ratio(4, 3), ratio(2, 1), ratio(5, 4)];
        let [
            hello,
            get_small,
            get_large,
            sqlite_logins,
            logins_small,
            logins_large,
        ] = rounds.map(median);
        let clean = self.failed == failed_before;
        let rows = [
            (
                "`GET /v1/account` on PostgreSQL (requests/s)",
                get_small,
                format!("{hello:.0} (axum hello-world)"),
                "≥ 0.5 ×",
                0.5,
            ),
            (
                "log-ins per second on PostgreSQL",
                logins_small,
                format!("{sqlite_logins:.1} (SQLite)"),
                "≥ 0.95 ×",
                0.95,
            ),
            (
                "`GET /v1/account` on PostgreSQL with 1,000,000 accounts (requests/s)",
                get_large,
                format!("{get_small:.0} (1,000 accounts)"),
                "≥ 0.9 ×",
                0.9,
            ),
            (
                "log-ins per second on PostgreSQL with 1,000,000 accounts",
                logins_large,
                format!("{logins_small:.1} (1,000 accounts)"),
                "≥ 0.9 ×",
                0.9,
            ),
        ];
        for ((what, figure, baseline, goal, at_least), ratio) in rows.into_iter().zip(ratios) {
            let precision = if figure < 1000.0 { 1 } else { 0 };
            self.rows.push(Row {
                what,
                figure: format!("{figure:.precision$}"),
                baseline,
                ratio: format!("{ratio:.2} ×"),
                goal,
                met: ratio >= at_least && clean,
            });
        }
    }

    /// Log-ins through HAProxy to three replicas on one PostgreSQL, beside the same through
    /// HAProxy to one replica alone on its own PostgreSQL, rounds alternating. The three divide
    /// the machine's cores (one hashing thread each); the one has them all.
    pub async fn replicas(&mut self) {
        eprintln!(
            "==> three replicas behind HAProxy beside one, log-ins, {} alternating rounds (in turns)",
            self.o.rounds
        );
        let cluster = |replicas: usize, extra: &[&str]| {
            let mut serve_args: Vec<String> = LIMITS.iter().map(|s| s.to_string()).collect();
            serve_args.extend(["--smtp".into(), self.smtp.url()]);
            serve_args.extend(extra.iter().map(|s| s.to_string()));
            let cluster = LocalCluster::start(ClusterOptions {
                server: self.o.server.clone(),
                replicas,
                serve_args,
                port: None,
                durable: true,
                log_dir: None,
            })
            .expect("the cluster starts");
            crate::processes::create_account(
                &self.o,
                &Db {
                    url: cluster.database.clone(),
                    key: cluster.key_file.clone(),
                },
            );
            cluster
        };
        let one = cluster(1, &[]);
        // Three replicas on this machine's cores divide them, as replicas sharing a machine
        // are deployed: one hashing thread each (three on two cores).
        let three = cluster(3, &["--hash-threads", "1"]);
        // The bench's device becomes known (its first log-in is told by e-mail).
        log_in(&self.http, &one.url()).await;
        log_in(&self.http, &three.url()).await;
        let failed_before = self.failed;
        let (mut ones, mut threes) = (vec![], vec![]);
        for round in 0..self.o.rounds {
            let url = |c: &LocalCluster| format!("{}/v1/sessions", c.url());
            // The two take turns at going first.
            if round % 2 == 0 {
                ones.push(self.load(&url(&one), &login_script(), 8, 10));
                threes.push(self.load(&url(&three), &login_script(), 8, 10));
            } else {
                threes.push(self.load(&url(&three), &login_script(), 8, 10));
                ones.push(self.load(&url(&one), &login_script(), 8, 10));
            }
            eprintln!(
                "    one replica {:.1}/s, three {:.1}/s",
                ones.last().unwrap(),
                threes.last().unwrap()
            );
        }
        drop((one, three));
        let ratio = paired_ratio(&threes, &ones);
        let (one, three) = (median(ones), median(threes));
        self.rows.push(Row {
            what: "log-ins per second, three replicas behind HAProxy (same 2 cores, one hashing thread each, PostgreSQL)",
            figure: format!("{three:.1}"),
            baseline: format!("{one:.1} (one replica behind HAProxy, both cores)"),
            ratio: format!("{ratio:.2} ×"),
            goal: "≥ 0.9 ×",
            met: ratio >= 0.9 && self.failed == failed_before,
        });
    }
}

/// The median of the rounds' own ratios, `figures[i] / bases[i]` (the mean of the two middle
/// ones for an even number of rounds); a round without a baseline counts as a ratio of 0.
fn paired_ratio(figures: &[f64], bases: &[f64]) -> f64 {
    let mut ratios: Vec<f64> = figures
        .iter()
        .zip(bases)
        .map(|(f, b)| if *b > 0.0 { f / b } else { 0.0 })
        .collect();
    if ratios.is_empty() {
        return 0.0;
    }
    ratios.sort_by(f64::total_cmp);
    let middle = ratios.len() / 2;
    if ratios.len() % 2 == 0 {
        (ratios[middle - 1] + ratios[middle]) / 2.0
    } else {
        ratios[middle]
    }
}

#[cfg(test)]
mod tests {
    use super::paired_ratio;

    #[test]
    fn the_ratio_is_the_median_of_the_rounds_ratios() {
        // The machine half as fast in the last two rounds, and a slow minute in the third for
        // the figure alone: the medians' ratio would be 4.5 / 10 = 0.45; the rounds' ratios are
        // 0.95, 0.9, 0.45, 0.9 and 0.8.
        let bases = [10.0, 10.0, 10.0, 5.0, 5.0];
        let figures = [9.5, 9.0, 4.5, 4.5, 4.0];
        assert!((paired_ratio(&figures, &bases) - 0.9).abs() < 1e-9);
        // Four rounds: the mean of the two middle ratios (0.8 and 0.9), not the upper one.
        assert!((paired_ratio(&figures[1..], &bases[1..]) - 0.85).abs() < 1e-9);
        // A round without a baseline counts as 0: ratios 0, 0.9 and 0.95.
        assert!((paired_ratio(&[9.0, 1.0, 9.5], &[10.0, 0.0, 10.0]) - 0.9).abs() < 1e-9);
    }
}
