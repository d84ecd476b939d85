//! The storage options of the administration commands: `rotate-key`, `migrate`, and the
//! secrets read from standard input.

use super::serve::sqlite_path;
use super::*;

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

pub(super) fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `rotate-key`: the rotation, then what it did.
pub(super) async fn rotate_key(storage: &StorageArgs, force: bool) -> anyhow::Result<()> {
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
pub(super) async fn migrate(from: &str, to: &str) -> anyhow::Result<()> {
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
