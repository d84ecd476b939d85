//! What the master key protects, for its rotation: the sealed security answers (re-sealed), and
//! what it keyed and cannot be re-keyed (pending codes, CAPTCHAs, throttling subjects).

use super::{Conn, Store, StoreResult, on_tx};

/// What a rotation could not carry over to the new key, and so ended or removed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Forgotten {
    pub codes_ended: u64,
    pub captchas: u64,
    pub throttle_events: u64,
}

impl Store {
    /// Every sealed security answer: account id, subscriber number (the seal's context), seal.
    pub async fn sealed_answers(conn: &mut Conn) -> StoreResult<Vec<(i64, String, Vec<u8>)>> {
        let sql = "SELECT id, subscriber_number, security_answer_sealed FROM accounts
             WHERE security_answer_sealed IS NOT NULL ORDER BY id";
        Ok(on_tx!(conn, |c| sqlx::query_as(sql)
            .fetch_all(&mut *c)
            .await)?)
    }

    pub async fn reseal_answer(conn: &mut Conn, account_id: i64, sealed: &[u8]) -> StoreResult<()> {
        let sql = "UPDATE accounts SET security_answer_sealed = $1 WHERE id = $2";
        on_tx!(conn, |c| sqlx::query(sql)
            .bind(sealed)
            .bind(account_id)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Ends every pending code (their hashes were keyed with the old key: they could never match
    /// again), and deletes the CAPTCHAs and throttling events, keyed alike.
    pub async fn forget_keyed(conn: &mut Conn, now: i64) -> StoreResult<Forgotten> {
        let mut forgotten = Forgotten::default();
        for sql in [
            "UPDATE email_changes SET state = 'superseded', ended_at = $1, new_password_hash = NULL
             WHERE state = 'pending'",
            "UPDATE password_recoveries SET state = 'superseded', ended_at = $1
             WHERE state = 'pending'",
        ] {
            forgotten.codes_ended += on_tx!(&mut *conn, |c| sqlx::query(sql)
                .bind(now)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
        }
        forgotten.captchas = on_tx!(&mut *conn, |c| sqlx::query("DELETE FROM captchas")
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected()))?;
        forgotten.throttle_events =
            on_tx!(&mut *conn, |c| sqlx::query("DELETE FROM throttle_events")
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected()))?;
        Ok(forgotten)
    }
}
