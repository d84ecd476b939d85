//! The second factor (TOTP) and its recovery codes.

use super::{Conn, Store, StoreResult, on_pool, on_tx};

/// An account's second factor, confirmed or being enrolled.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct SecondFactorRow {
    pub account_id: i64,
    /// The secret in use (sealed), once the first code confirmed it.
    pub secret_sealed: Option<Vec<u8>>,
    pub enabled_at: Option<i64>,
    /// The time step of the last code accepted.
    pub last_step: Option<i64>,
    /// A secret being enrolled (sealed), and since when.
    pub pending_sealed: Option<Vec<u8>>,
    pub pending_at: Option<i64>,
}

impl SecondFactorRow {
    pub fn enabled(&self) -> bool {
        self.secret_sealed.is_some()
    }
}

impl Store {
    pub async fn second_factor(&self, account_id: i64) -> StoreResult<Option<SecondFactorRow>> {
        let sql = "SELECT * FROM second_factors WHERE account_id = $1";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(account_id)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn second_factor_in(
        conn: &mut Conn,
        account_id: i64,
    ) -> StoreResult<Option<SecondFactorRow>> {
        let sql = "SELECT * FROM second_factors WHERE account_id = $1";
        Ok(on_tx!(conn, |c| sqlx::query_as(sql)
            .bind(account_id)
            .fetch_optional(&mut *c)
            .await)?)
    }

    /// A new secret to enrol (replacing one being enrolled; the one in use, if any, stays).
    pub async fn set_pending_second_factor(
        conn: &mut Conn,
        account_id: i64,
        sealed: &[u8],
        now: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO second_factors (account_id, pending_sealed, pending_at)
             VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET pending_sealed = $2, pending_at = $3";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(account_id)
            .bind(sealed)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The secret being enrolled becomes the one in use, its first code's step the last one
    /// accepted, if it is still `pending` (not replaced meanwhile); whether it was.
    pub async fn enable_second_factor(
        conn: &mut Conn,
        account_id: i64,
        pending: &[u8],
        step: i64,
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE second_factors SET secret_sealed = pending_sealed, enabled_at = $1,
                last_step = $2, pending_sealed = NULL, pending_at = NULL
             WHERE account_id = $3 AND pending_sealed = $4 AND secret_sealed IS NULL";
        let n = on_tx!(conn, |c| sqlx::query(sql)
            .bind(now)
            .bind(step)
            .bind(account_id)
            .bind(pending)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Takes the code of time step `step`: only if it is later than the last one accepted (and
    /// the second factor is still the one `sealed`). Whether it was taken.
    pub async fn take_totp_step(
        conn: &mut Conn,
        account_id: i64,
        sealed: &[u8],
        step: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE second_factors SET last_step = $1
             WHERE account_id = $2 AND secret_sealed = $3
               AND (last_step IS NULL OR last_step < $1)";
        let n = on_tx!(conn, |c| sqlx::query(sql)
            .bind(step)
            .bind(account_id)
            .bind(sealed)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Uses the unused recovery code whose hash is `code_hash`; whether there was one.
    pub async fn take_recovery_code(
        conn: &mut Conn,
        account_id: i64,
        code_hash: &[u8],
        now: i64,
    ) -> StoreResult<bool> {
        let sql = "UPDATE recovery_codes SET used_at = $1
             WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL";
        let n = on_tx!(conn, |c| sqlx::query(sql)
            .bind(now)
            .bind(account_id)
            .bind(code_hash)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// The account's recovery codes replaced by these (hashes).
    pub async fn replace_recovery_codes(
        conn: &mut Conn,
        account_id: i64,
        hashes: &[Vec<u8>],
    ) -> StoreResult<()> {
        on_tx!(&mut *conn, |c| sqlx::query(
            "DELETE FROM recovery_codes WHERE account_id = $1"
        )
        .bind(account_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        for hash in hashes {
            let sql = "INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)";
            on_tx!(&mut *conn, |c| sqlx::query(sql)
                .bind(account_id)
                .bind(hash)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// How many of the account's recovery codes are unused.
    pub async fn recovery_codes_left(&self, account_id: i64) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL";
        Ok(on_pool!(self.pool, |p| sqlx::query_scalar(sql)
            .bind(account_id)
            .fetch_one(p)
            .await)?)
    }

    /// The second factor off: its secret, the one being enrolled and the recovery codes gone.
    /// Whether it was on.
    pub async fn disable_second_factor(conn: &mut Conn, account_id: i64) -> StoreResult<bool> {
        let n = on_tx!(&mut *conn, |c| sqlx::query(
            "DELETE FROM second_factors WHERE account_id = $1 AND secret_sealed IS NOT NULL"
        )
        .bind(account_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
        Self::replace_recovery_codes(conn, account_id, &[]).await?;
        Ok(n == 1)
    }

    /// Every sealed second-factor secret (in use or being enrolled), with the subscriber number
    /// its seal is bound to: what a rotation of the master key re-seals.
    pub async fn sealed_second_factors(
        conn: &mut Conn,
    ) -> StoreResult<Vec<(i64, String, Option<Vec<u8>>, Option<Vec<u8>>)>> {
        let sql = "SELECT f.account_id, a.subscriber_number, f.secret_sealed, f.pending_sealed
             FROM second_factors f JOIN accounts a ON a.id = f.account_id ORDER BY f.account_id";
        Ok(on_tx!(conn, |c| sqlx::query_as(sql)
            .fetch_all(&mut *c)
            .await)?)
    }

    pub async fn reseal_second_factor(
        conn: &mut Conn,
        account_id: i64,
        secret: Option<&[u8]>,
        pending: Option<&[u8]>,
    ) -> StoreResult<()> {
        let sql = "UPDATE second_factors SET secret_sealed = $1, pending_sealed = $2 WHERE account_id = $3";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(secret)
            .bind(pending)
            .bind(account_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}
