//! One-time codes and what they earn: e-mail changes (activation codes), password recoveries
//! (recovery codes), and the tickets between two steps (CAPTCHAs: `captchas.rs`). The two kinds of code share one
//! life (pending, then ended with a state) and one set of functions, chosen by [`Purpose`].

use super::{Conn, Store, StoreResult, on_pool, on_tx};
use crate::kinds::{CodeState, Purpose};

/// What both kinds of code have: an owner, an expiry, a count of wrong attempts, a state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub id: i64,
    pub account_id: i64,
    pub expires_at: i64,
    pub wrong_attempts: i64,
    pub state: CodeState,
}

/// What an e-mail change adds: the new address and, optionally, the new password's hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmailChangeRow {
    pub id: i64,
    pub account_id: i64,
    pub new_email: String,
    pub new_email_key: String,
    pub new_password_hash: Option<String>,
    pub expires_at: i64,
    pub state: CodeState,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub purpose: Purpose,
    pub ref_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

const CHANGE_SELECT: &str = "SELECT id, account_id, new_email, new_email_key, new_password_hash,
    expires_at, state FROM email_changes";

/// The table of each kind of code, and its column of wrong attempts at the step after the code.
fn table(purpose: Purpose) -> (&'static str, &'static str) {
    match purpose {
        Purpose::Activation => ("email_changes", "wrong_addresses"),
        Purpose::Recovery => ("password_recoveries", "wrong_answers"),
    }
}

fn code_query(purpose: Purpose, filter: &str) -> String {
    let (table, wrong) = table(purpose);
    format!(
        "SELECT id, account_id, expires_at, {wrong} AS wrong_attempts, state FROM {table} WHERE {filter}"
    )
}

/// A value read from a column on every backend this build has.
#[cfg(feature = "postgres")]
pub trait Column:
    for<'r> sqlx::Decode<'r, sqlx::Sqlite>
    + sqlx::Type<sqlx::Sqlite>
    + for<'r> sqlx::Decode<'r, sqlx::Postgres>
    + sqlx::Type<sqlx::Postgres>
    + Send
    + Unpin
{
}
#[cfg(feature = "postgres")]
impl<T> Column for T where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite>
        + sqlx::Type<sqlx::Sqlite>
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + Send
        + Unpin
{
}
#[cfg(not(feature = "postgres"))]
pub trait Column:
    for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin
{
}
#[cfg(not(feature = "postgres"))]
impl<T> Column for T where
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send + Unpin
{
}

/// Ends the pending codes whose `column` (a name of ours, never input) is `value`; returns the
/// ended rows' `returning` column. An ended e-mail change loses the hash of the password it
/// carried: nothing may install it any more.
async fn end_pending_where<T>(
    conn: &mut Conn,
    purpose: Purpose,
    (column, value): (&'static str, i64),
    state: CodeState,
    now: i64,
    returning: &'static str,
) -> StoreResult<Vec<T>>
where
    T: Column,
{
    let (table, _) = table(purpose);
    let forget = match purpose {
        Purpose::Activation => ", new_password_hash = NULL",
        Purpose::Recovery => "",
    };
    let sql = format!(
        "UPDATE {table} SET state = $1, ended_at = $2{forget} WHERE {column} = $3 AND state = 'pending'
         RETURNING {returning}"
    );
    Ok(on_tx!(conn, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(
        sql
    ))
    .bind(state)
    .bind(now)
    .bind(value)
    .fetch_all(&mut *c)
    .await)?)
}

/// How many pending codes `end_pending_where` ended.
async fn end_ids(
    conn: &mut Conn,
    purpose: Purpose,
    filter: (&'static str, i64),
    state: CodeState,
    now: i64,
) -> StoreResult<usize> {
    let ended: Vec<i64> = end_pending_where(conn, purpose, filter, state, now, "id").await?;
    Ok(ended.len())
}

impl Store {
    /// When the account's pending recovery code was requested, if it has one that has not
    /// expired.
    pub async fn live_recovery_requested_at(
        conn: &mut Conn,
        account_id: i64,
        now: i64,
    ) -> StoreResult<Option<i64>> {
        let sql = "SELECT requested_at FROM password_recoveries
             WHERE account_id = $1 AND state = 'pending' AND expires_at > $2";
        Ok(on_tx!(conn, |c| sqlx::query_scalar(sql)
            .bind(account_id)
            .bind(now)
            .fetch_optional(&mut *c)
            .await)?)
    }

    // ---- both kinds -----------------------------------------------------------------------

    pub async fn code_by_hash(
        &self,
        purpose: Purpose,
        code_hash: &str,
    ) -> StoreResult<Option<CodeRow>> {
        let sql = code_query(purpose, "code_hash = $1");
        Ok(on_pool!(self.pool, |p| sqlx::query_as(
            sqlx::AssertSqlSafe(sql)
        )
        .bind(code_hash)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn code_by_id(
        conn: &mut Conn,
        purpose: Purpose,
        id: i64,
    ) -> StoreResult<Option<CodeRow>> {
        let sql = code_query(purpose, "id = $1");
        Ok(on_tx!(conn, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// Ends the account's pending code of this kind, if any, with `state`; returns whether one
    /// was ended.
    pub async fn end_pending_code(
        conn: &mut Conn,
        purpose: Purpose,
        account_id: i64,
        state: CodeState,
        now: i64,
    ) -> StoreResult<bool> {
        Ok(end_ids(conn, purpose, ("account_id", account_id), state, now).await? > 0)
    }

    /// Ends one pending code with `state`; false if it was no longer pending (a concurrent
    /// request won).
    pub async fn end_code(
        conn: &mut Conn,
        purpose: Purpose,
        id: i64,
        state: CodeState,
        now: i64,
    ) -> StoreResult<bool> {
        Ok(end_ids(conn, purpose, ("id", id), state, now).await? == 1)
    }

    /// Counts one attempt on a pending code that has fewer than `limit`; returns the new count,
    /// or `None` (no longer pending, or no attempt left).
    pub async fn reserve_wrong_attempt(
        conn: &mut Conn,
        purpose: Purpose,
        id: i64,
        limit: i64,
    ) -> StoreResult<Option<i64>> {
        let (table, wrong) = table(purpose);
        let sql = format!(
            "UPDATE {table} SET {wrong} = {wrong} + 1
             WHERE id = $1 AND state = 'pending' AND {wrong} < $2 RETURNING {wrong}"
        );
        Ok(on_tx!(conn, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(
            sql
        ))
        .bind(id)
        .bind(limit)
        .fetch_optional(&mut *c)
        .await)?)
    }

    // ---- e-mail changes -------------------------------------------------------------------

    /// Ends the account's pending e-mail change, if any; returns the address it asked for.
    pub async fn end_pending_change(
        conn: &mut Conn,
        account_id: i64,
        state: CodeState,
        now: i64,
    ) -> StoreResult<Option<String>> {
        let ended: Vec<String> = end_pending_where(
            conn,
            Purpose::Activation,
            ("account_id", account_id),
            state,
            now,
            "new_email",
        )
        .await?;
        Ok(ended.into_iter().next())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_email_change(
        conn: &mut Conn,
        account_id: i64,
        new_email: &str,
        new_email_key: &str,
        new_password_hash: Option<&str>,
        code_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<i64> {
        let sql =
            "INSERT INTO email_changes (account_id, new_email, new_email_key, new_password_hash,
                code_hash, requested_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        Ok(on_tx!(conn, |c| sqlx::query_scalar(sql)
            .bind(account_id)
            .bind(new_email)
            .bind(new_email_key)
            .bind(new_password_hash)
            .bind(code_hash)
            .bind(now)
            .bind(expires_at)
            .fetch_one(&mut *c)
            .await)?)
    }

    pub async fn change_by_id(conn: &mut Conn, id: i64) -> StoreResult<Option<EmailChangeRow>> {
        let sql = format!("{CHANGE_SELECT} WHERE id = $1");
        Ok(on_tx!(conn, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    // ---- recoveries -----------------------------------------------------------------------

    pub async fn insert_recovery(
        conn: &mut Conn,
        account_id: i64,
        code_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<i64> {
        let sql =
            "INSERT INTO password_recoveries (account_id, code_hash, requested_at, expires_at)
             VALUES ($1, $2, $3, $4) RETURNING id";
        Ok(on_tx!(conn, |c| sqlx::query_scalar(sql)
            .bind(account_id)
            .bind(code_hash)
            .bind(now)
            .bind(expires_at)
            .fetch_one(&mut *c)
            .await)?)
    }

    // ---- tickets --------------------------------------------------------------------------

    pub async fn insert_ticket(
        &self,
        token_hash: &[u8],
        purpose: Purpose,
        ref_id: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql =
            "INSERT INTO tickets (token_hash, purpose, ref_id, expires_at) VALUES ($1, $2, $3, $4)";
        on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(token_hash)
            .bind(purpose)
            .bind(ref_id)
            .bind(expires_at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn ticket(&self, token_hash: &[u8]) -> StoreResult<Option<TicketRow>> {
        let sql = "SELECT purpose, ref_id, expires_at, used_at FROM tickets WHERE token_hash = $1";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn use_ticket(conn: &mut Conn, token_hash: &[u8], now: i64) -> StoreResult<bool> {
        let sql = "UPDATE tickets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL";
        Ok(on_tx!(conn, |c| sqlx::query(sql)
            .bind(now)
            .bind(token_hash)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?
            == 1)
    }

    pub async fn prune_expired(&self, now: i64) -> StoreResult<()> {
        for sql in [
            "DELETE FROM captchas WHERE expires_at < $1",
            "DELETE FROM tickets WHERE expires_at < $1",
        ] {
            on_pool!(self.pool, |p| sqlx::query(sql)
                .bind(now)
                .execute(p)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}
