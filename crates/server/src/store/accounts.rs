//! Accounts, their dossiers, subscriber-number sequences and coordinates.

use std::sync::Arc;

use sqlx::Row;

use super::{Conn, Store, StoreResult};

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
        Ok(sqlx::query(
            "INSERT INTO subscriber_sequences (day, last) VALUES (?, 1)
             ON CONFLICT (day) DO UPDATE SET last = last + 1
             RETURNING last",
        )
        .bind(day)
        .fetch_one(conn)
        .await?
        .try_get(0)?)
    }

    /// Inserts an account; `Ok(None)` when the address is already taken.
    pub async fn insert_account(
        conn: &mut Conn,
        row: &NewAccountRow<'_>,
    ) -> StoreResult<Option<i64>> {
        let result = sqlx::query(
            "INSERT INTO accounts (subscriber_number, login_email, login_email_key, civility,
                first_name, last_name, phone, address, security_question, security_answer_sealed,
                password_hash, password_changed_at, password_valid_until, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (login_email_key) DO NOTHING",
        )
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
        .bind(row.now)
        .execute(conn)
        .await?;
        Ok((result.rows_affected() == 1).then(|| result.last_insert_rowid()))
    }

    pub async fn insert_dossier(
        conn: &mut Conn,
        account_id: i64,
        siren: &str,
        name: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT OR REPLACE INTO dossiers (account_id, siren, name) VALUES (?, ?, ?)")
            .bind(account_id)
            .bind(siren)
            .bind(name)
            .execute(conn)
            .await?;
        Ok(())
    }

    pub async fn account_by_email_key(&self, key: &str) -> StoreResult<Option<AccountRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM accounts WHERE login_email_key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Served from the read cache while nothing was written since it was read.
    pub async fn account_by_id(&self, id: i64) -> StoreResult<Option<Arc<AccountRow>>> {
        let generation = self.cache.generation();
        if let Some(row) = self.cache.accounts.get(&id, generation) {
            return Ok(Some(row));
        }
        let row: Option<AccountRow> = sqlx::query_as("SELECT * FROM accounts WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let row = row.map(Arc::new);
        if let Some(row) = &row {
            self.cache.accounts.put(id, generation, row.clone());
        }
        Ok(row)
    }

    /// Served from the read cache while nothing was written since it was read.
    pub async fn dossiers(&self, account_id: i64) -> StoreResult<Vec<(String, String)>> {
        let generation = self.cache.generation();
        if let Some(dossiers) = self.cache.dossiers.get(&account_id, generation) {
            return Ok(dossiers.as_ref().clone());
        }
        let rows =
            sqlx::query("SELECT siren, name FROM dossiers WHERE account_id = ? ORDER BY siren")
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?;
        let dossiers = rows
            .iter()
            .map(|r| Ok((r.try_get("siren")?, r.try_get("name")?)))
            .collect::<StoreResult<Vec<_>>>()?;
        self.cache
            .dossiers
            .put(account_id, generation, Arc::new(dossiers.clone()));
        Ok(dossiers)
    }

    pub async fn update_password(
        conn: &mut Conn,
        account_id: i64,
        hash: &str,
        changed_at: i64,
        valid_until: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE accounts SET password_hash = ?, password_changed_at = ?, password_valid_until = ?
             WHERE id = ?",
        )
        .bind(hash)
        .bind(changed_at)
        .bind(valid_until)
        .bind(account_id)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Swaps the login address; false when another account already has it.
    pub async fn update_login_email(
        conn: &mut Conn,
        account_id: i64,
        email: &str,
        key: &str,
    ) -> StoreResult<bool> {
        let taken = sqlx::query("SELECT id FROM accounts WHERE login_email_key = ? AND id <> ?")
            .bind(key)
            .bind(account_id)
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
        if taken {
            return Ok(false);
        }
        sqlx::query("UPDATE accounts SET login_email = ?, login_email_key = ? WHERE id = ?")
            .bind(email)
            .bind(key)
            .bind(account_id)
            .execute(conn)
            .await?;
        Ok(true)
    }

    pub async fn update_profile(
        conn: &mut Conn,
        account_id: i64,
        phone: &str,
        address: &str,
        question: &str,
        answer_sealed: Option<&[u8]>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE accounts SET phone = ?, address = ?, security_question = ?, security_answer_sealed = ?
             WHERE id = ?",
        )
        .bind(phone)
        .bind(address)
        .bind(question)
        .bind(answer_sealed)
        .bind(account_id)
        .execute(conn)
        .await?;
        Ok(())
    }
}
