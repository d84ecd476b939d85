//! Accounts, their dossiers, subscriber-number sequences and coordinates.

use super::{Conn, Store, StoreResult, on_pool, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub subscriber_number: String,
    pub login_email: String,
    pub login_email_key: String,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub address: String,
    pub security_question: String,
    pub security_answer_sealed: Option<Vec<u8>>,
    pub password_hash: String,
    pub password_changed_at: i64,
    pub password_valid_until: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewAccountRow<'a> {
    pub subscriber_number: &'a str,
    pub login_email: &'a str,
    pub login_email_key: &'a str,
    pub civility: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub security_question: &'a str,
    pub security_answer_sealed: Option<&'a [u8]>,
    pub password_hash: &'a str,
    pub password_valid_until: &'a str,
    pub now: i64,
}

impl Store {
    pub async fn next_subscriber_sequence(conn: &mut Conn, day: &str) -> StoreResult<i64> {
        let sql = "INSERT INTO subscriber_sequences (day, last) VALUES ($1, 1)
             ON CONFLICT (day) DO UPDATE SET last = subscriber_sequences.last + 1
             RETURNING last";
        Ok(on_tx!(conn, |c| sqlx::query_scalar(sql)
            .bind(day)
            .fetch_one(&mut *c)
            .await)?)
    }

    /// Inserts an account; `Ok(None)` when the address is already taken.
    pub async fn insert_account(
        conn: &mut Conn,
        row: &NewAccountRow<'_>,
    ) -> StoreResult<Option<i64>> {
        let sql = "INSERT INTO accounts (subscriber_number, login_email, login_email_key, civility,
                first_name, last_name, phone, address, security_question, security_answer_sealed,
                password_hash, password_changed_at, password_valid_until, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12)
             ON CONFLICT (login_email_key) DO NOTHING
             RETURNING id";
        Ok(on_tx!(conn, |c| sqlx::query_scalar(sql)
            .bind(row.subscriber_number)
            .bind(row.login_email)
            .bind(row.login_email_key)
            .bind(row.civility)
            .bind(row.first_name)
            .bind(row.last_name)
            .bind(row.phone)
            .bind(row.address)
            .bind(row.security_question)
            .bind(row.security_answer_sealed)
            .bind(row.password_hash)
            .bind(row.now)
            .bind(row.password_valid_until)
            .fetch_optional(&mut *c)
            .await)?)
    }

    pub async fn insert_dossier(
        conn: &mut Conn,
        account_id: i64,
        siren: &str,
        name: &str,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO dossiers (account_id, siren, name) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, siren) DO UPDATE SET name = excluded.name";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(account_id)
            .bind(siren)
            .bind(name)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn account_by_email_key(&self, key: &str) -> StoreResult<Option<AccountRow>> {
        if !super::storable(key) {
            return Ok(None);
        }
        let sql = "SELECT * FROM accounts WHERE login_email_key = $1";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(key)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn update_password(
        conn: &mut Conn,
        account_id: i64,
        hash: &str,
        changed_at: i64,
        valid_until: &str,
    ) -> StoreResult<()> {
        let sql = "UPDATE accounts SET password_hash = $1, password_changed_at = $2, password_valid_until = $3
             WHERE id = $4";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(hash)
            .bind(changed_at)
            .bind(valid_until)
            .bind(account_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Swaps the login address; false when another account already has it.
    pub async fn update_login_email(
        conn: &mut Conn,
        account_id: i64,
        email: &str,
        key: &str,
    ) -> StoreResult<bool> {
        let taken = "SELECT id FROM accounts WHERE login_email_key = $1 AND id <> $2";
        let update = "UPDATE accounts SET login_email = $1, login_email_key = $2 WHERE id = $3";
        on_tx!(conn, |c| {
            let taken: Option<i64> = sqlx::query_scalar(taken)
                .bind(key)
                .bind(account_id)
                .fetch_optional(&mut *c)
                .await?;
            if taken.is_some() {
                return Ok(false);
            }
            sqlx::query(update)
                .bind(email)
                .bind(key)
                .bind(account_id)
                .execute(&mut *c)
                .await?;
            Ok(true)
        })
    }

    pub async fn update_profile(
        conn: &mut Conn,
        account_id: i64,
        phone: &str,
        address: &str,
        question: &str,
        answer_sealed: Option<&[u8]>,
    ) -> StoreResult<()> {
        let sql = "UPDATE accounts SET phone = $1, address = $2, security_question = $3, security_answer_sealed = $4
             WHERE id = $5";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(phone)
            .bind(address)
            .bind(question)
            .bind(answer_sealed)
            .bind(account_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
