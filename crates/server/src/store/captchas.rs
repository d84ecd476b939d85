//! CAPTCHAs: each stored with its answer's hash until it is tried once or expires.

use super::{Store, StoreResult, on_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaptchaRow {
    pub answer_hash: String,
    pub expires_at: i64,
}

impl Store {
    pub async fn insert_captcha(
        &self,
        id: &str,
        answer_hash: &str,
        expires_at: i64,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO captchas (id, answer_hash, expires_at) VALUES ($1, $2, $3)";
        on_pool!(self.pool, |p| sqlx::query(sql)
            .bind(id)
            .bind(answer_hash)
            .bind(expires_at)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Removes and returns a CAPTCHA: whatever the answer, it cannot be tried twice.
    pub async fn take_captcha(&self, id: &str) -> StoreResult<Option<CaptchaRow>> {
        if !super::storable(id) {
            return Ok(None);
        }
        let sql = "DELETE FROM captchas WHERE id = $1 RETURNING answer_hash, expires_at";
        Ok(on_pool!(self.pool, |p| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(p)
            .await)?)
    }
}
