//! Moving a deployment from one database to another (`espace-pro-server migrate`): every table,
//! row for row, ids kept, in one transaction on the target, counts checked afterwards.

use std::fmt::Write as _;

use sqlx::Row;

#[cfg(feature = "postgres")]
use super::TxInner;
use super::{Backend, Store, StoreError, StoreResult, Tx, on_pool, on_tx};

#[derive(Clone, Copy)]
enum Kind {
    Int,
    Text,
    Blob,
    Bool,
}

use Kind::{Blob, Bool, Int, Text};

/// Every table the service writes, parents before children, with every column. `readiness`
/// is left out: its one row is the migrations' own.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "accounts",
        &[
            ("id", Int),
            ("subscriber_number", Text),
            ("login_email", Text),
            ("login_email_key", Text),
            ("civility", Text),
            ("first_name", Text),
            ("last_name", Text),
            ("phone", Text),
            ("address", Text),
            ("security_question", Text),
            ("security_answer_sealed", Blob),
            ("password_hash", Text),
            ("password_changed_at", Int),
            ("password_valid_until", Text),
            ("created_at", Int),
        ],
    ),
    (
        "dossiers",
        &[("account_id", Int), ("siren", Text), ("name", Text)],
    ),
    ("subscriber_sequences", &[("day", Text), ("last", Int)]),
    (
        "sessions",
        &[
            ("token_hash", Blob),
            ("account_id", Int),
            ("created_at", Int),
            ("last_seen_at", Int),
            ("auth_time", Int),
            ("expires_at", Int),
            ("revoked_at", Int),
            ("password_only", Bool),
            ("public_id", Text),
            ("device_name", Text),
            ("client_ip", Text),
            ("device_hash", Blob),
        ],
    ),
    (
        "known_devices",
        &[
            ("account_id", Int),
            ("device_hash", Blob),
            ("first_seen_at", Int),
        ],
    ),
    (
        "second_factors",
        &[
            ("account_id", Int),
            ("secret_sealed", Blob),
            ("enabled_at", Int),
            ("last_step", Int),
            ("pending_sealed", Blob),
            ("pending_at", Int),
        ],
    ),
    (
        "recovery_codes",
        &[("account_id", Int), ("code_hash", Blob), ("used_at", Int)],
    ),
    (
        "throttle_events",
        &[
            ("rowid", Int),
            ("subject", Text),
            ("at", Int),
            ("pending", Bool),
        ],
    ),
    (
        "outbox",
        &[
            ("id", Int),
            ("recipient", Text),
            ("subject", Text),
            ("body", Text),
            ("created_at", Int),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("sent_at", Int),
            ("last_error", Text),
            ("claimed_by", Text),
            ("account_id", Int),
        ],
    ),
    (
        "audit_events",
        &[
            ("id", Int),
            ("account_id", Int),
            ("kind", Text),
            ("at", Int),
            ("client_ip", Text),
            ("detail", Text),
        ],
    ),
    (
        "email_changes",
        &[
            ("id", Int),
            ("account_id", Int),
            ("new_email", Text),
            ("new_email_key", Text),
            ("new_password_hash", Text),
            ("code_hash", Text),
            ("requested_at", Int),
            ("expires_at", Int),
            ("wrong_addresses", Int),
            ("state", Text),
            ("ended_at", Int),
        ],
    ),
    (
        "password_recoveries",
        &[
            ("id", Int),
            ("account_id", Int),
            ("code_hash", Text),
            ("requested_at", Int),
            ("expires_at", Int),
            ("wrong_answers", Int),
            ("state", Text),
            ("ended_at", Int),
        ],
    ),
    (
        "tickets",
        &[
            ("token_hash", Blob),
            ("purpose", Text),
            ("ref_id", Int),
            ("expires_at", Int),
            ("used_at", Int),
        ],
    ),
    (
        "captchas",
        &[("id", Text), ("answer_hash", Text), ("expires_at", Int)],
    ),
];

/// Tables whose first column is generated: PostgreSQL's sequence is moved past the copied ids.
#[cfg(feature = "postgres")]
const GENERATED_IDS: &[(&str, &str)] = &[
    ("accounts", "id"),
    ("throttle_events", "rowid"),
    ("outbox", "id"),
    ("audit_events", "id"),
    ("email_changes", "id"),
    ("password_recoveries", "id"),
];

/// Tables the migrations make that hold no data of the service's own.
const NOT_COPIED: &[&str] = &["readiness", "replicas", "settings"];

enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
    Bool(Option<bool>),
}

/// What was copied: rows per table, counted again on both sides after the commit.
#[derive(Debug)]
pub struct CopyReport {
    pub tables: Vec<(String, i64)>,
}

impl Store {
    /// The tables the migrations made (their own bookkeeping excluded), by name.
    pub(crate) async fn tables(&self) -> StoreResult<Vec<String>> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::TEXT FROM information_schema.tables
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                 AND table_name NOT LIKE '\\_sqlx\\_%' ORDER BY table_name"
            }
        };
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .fetch_all(p)
            .await)?)
    }

    /// Rows in `table` (a name of ours, never input).
    pub(super) async fn count(&self, table: &str) -> StoreResult<i64> {
        let sql = format!("SELECT COUNT(*) FROM \"{table}\"");
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(
            sqlx::AssertSqlSafe(sql)
        )
        .fetch_one(p)
        .await)?)
    }

    /// Copies every row of this database into `target`, which must hold none; then checks that
    /// both count the same rows in every table. The target's schema is brought up to date
    /// first; nothing is written to it unless everything is.
    pub async fn copy_into(&self, target: &Store) -> StoreResult<CopyReport> {
        if !self.migrations_applied().await? {
            return Err(StoreError::Other(
                "the source database is not at this build's schema: start this version of the service on it once, then migrate".into(),
            ));
        }
        target.migrate().await?;
        let known: Vec<&str> = TABLES.iter().map(|(t, _)| *t).collect();
        for store in [self, target] {
            for table in store.tables().await? {
                if !known.contains(&table.as_str()) && !NOT_COPIED.contains(&table.as_str()) {
                    return Err(StoreError::Other(format!(
                        "table {table} is unknown to this build: nothing was copied"
                    )));
                }
            }
        }
        for table in &known {
            let n = target.count(table).await?;
            if n > 0 {
                return Err(StoreError::Conflict(format!(
                    "the target is not empty ({table}: {n} rows): nothing was copied"
                )));
            }
        }

        let mut source = self.begin().await?;
        #[cfg(feature = "postgres")]
        if let TxInner::Postgres(tx) = &mut source.inner {
            // One snapshot for every table.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut **tx)
                .await?;
        }
        let mut into = target.begin_write(&[super::Guard::Everything]).await?;
        let mut copied = Vec::new();
        for (table, columns) in TABLES {
            let rows = read_table(&mut source, table, columns).await?;
            let insert = insert_statement(table, columns);
            for row in &rows {
                write_row(&mut into, &insert, row).await?;
            }
            copied.push((table.to_string(), rows.len() as i64));
        }
        #[cfg(feature = "postgres")]
        if let TxInner::Postgres(tx) = &mut into.inner {
            for (table, column) in GENERATED_IDS {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                                   COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut **tx)
                    .await?;
            }
        }
        target.commit(into).await?;
        drop(source);

        for (table, n) in &copied {
            let (from, to) = (self.count(table).await?, target.count(table).await?);
            if from != *n || to != *n {
                return Err(StoreError::Corrupt(format!(
                    "{table}: {n} rows copied, but the source now has {from} and the target {to}"
                )));
            }
        }
        Ok(CopyReport { tables: copied })
    }
}

#[cfg(any(test, feature = "test-switches"))]
impl Store {
    /// Every value of every row the service wrote, as bytes (tests look for secrets in clear).
    pub async fn stored_bytes(&self) -> StoreResult<Vec<u8>> {
        let mut tx = self.begin().await?;
        let mut bytes = Vec::new();
        for (table, columns) in TABLES {
            for row in read_table(&mut tx, table, columns).await? {
                for value in row {
                    match value {
                        Value::Int(Some(v)) => bytes.extend(v.to_string().into_bytes()),
                        Value::Text(Some(v)) => bytes.extend(v.into_bytes()),
                        Value::Blob(Some(v)) => bytes.extend(v),
                        Value::Bool(Some(v)) => bytes.push(v as u8),
                        _ => {}
                    }
                    bytes.push(0);
                }
            }
        }
        Ok(bytes)
    }
}

fn insert_statement(table: &str, columns: &[(&str, Kind)]) -> String {
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES (", names.join(", "));
    for i in 1..=columns.len() {
        let _ = write!(sql, "{}${i}", if i > 1 { ", " } else { "" });
    }
    sql.push(')');
    sql
}

async fn read_table(
    tx: &mut Tx,
    table: &str,
    columns: &[(&str, Kind)],
) -> StoreResult<Vec<Vec<Value>>> {
    let names: Vec<&str> = columns.iter().map(|(c, _)| *c).collect();
    let sql = format!(
        "SELECT {} FROM {table} ORDER BY {}",
        names.join(", "),
        names[0]
    );
    on_tx!(tx, |c| {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *c)
            .await?;
        let mut values = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut out = Vec::with_capacity(columns.len());
            for (i, (_, kind)) in columns.iter().enumerate() {
                out.push(match kind {
                    Int => Value::Int(row.try_get(i)?),
                    Text => Value::Text(row.try_get(i)?),
                    Blob => Value::Blob(row.try_get(i)?),
                    Bool => Value::Bool(row.try_get(i)?),
                });
            }
            values.push(out);
        }
        Ok(values)
    })
}

async fn write_row(tx: &mut Tx, insert: &str, row: &[Value]) -> StoreResult<()> {
    on_tx!(tx, |c| {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.to_owned()));
        for value in row {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.clone()),
                Value::Blob(v) => query.bind(v.clone()),
                Value::Bool(v) => query.bind(*v),
            };
        }
        query.execute(&mut *c).await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A column added by a migration and forgotten here would be lost by `migrate`.
    #[tokio::test]
    async fn every_column_of_every_table_is_copied() {
        let (_dir, store) = Store::temporary().await;
        let crate::store::Pool::Sqlite(pool) = &store.pool else {
            unreachable!()
        };
        for table in store.tables().await.unwrap() {
            if NOT_COPIED.contains(&table.as_str()) {
                continue;
            }
            let listed = TABLES
                .iter()
                .find(|(t, _)| *t == table)
                .unwrap_or_else(|| panic!("table {table} is not in TABLES"))
                .1;
            let sql = format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid");
            let actual: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_all(pool)
                .await
                .unwrap();
            let listed: Vec<&str> = listed.iter().map(|(c, _)| *c).collect();
            assert_eq!(actual, listed, "{table}");
        }
    }
}
