//! Commits, and what the read cache is told of them: both carried to their end even when the
//! request that asked for them is dropped meanwhile.

use std::future::Future;

use super::{Store, StoreError, StoreResult, Tx, guards};

/// Runs `work` on a task of its own and waits for it: dropping the caller does not stop it.
pub(super) async fn to_the_end<T: Send + 'static>(
    work: impl Future<Output = StoreResult<T>> + Send + 'static,
) -> StoreResult<T> {
    tokio::spawn(work)
        .await
        .unwrap_or_else(|e| Err(StoreError::Other(format!("a write's task failed: {e}"))))
}

impl Store {
    /// Commits, then tells the read cache that what it holds may be stale (even when the commit
    /// failed: it may have reached the disk).
    ///
    /// Both run to their end even when the caller is dropped meanwhile (its client hung up, its
    /// request timed out): a COMMIT already sent lands anyway, and the cache must hear of it.
    /// Dropped halfway, a password change's revocation of the other sessions was committed
    /// while the cache went on serving them as live until its entries aged out; on PostgreSQL,
    /// the connection then sent a ROLLBACK outside any transaction.
    pub async fn commit(&self, tx: Tx) -> StoreResult<()> {
        self.commit_then(tx, || {}).await
    }

    /// [`Store::commit`], then `after` once committed, whether or not the caller still waits
    /// (waking the mail worker for the messages the transaction queued).
    pub async fn commit_then(
        &self,
        tx: Tx,
        after: impl FnOnce() + Send + 'static,
    ) -> StoreResult<()> {
        let guarded = tx.guarded.clone();
        self.write_cached(guarded, async move {
            let committed = tx.commit().await;
            if committed.is_ok() {
                after();
            }
            committed
        })
        .await
    }

    /// Commits a transaction that wrote nothing the read cache serves (throttle events, audit
    /// lines): to its end, as [`Store::commit`], but what the cache holds stays served.
    pub async fn commit_uncached(tx: Tx) -> StoreResult<()> {
        to_the_end(async move { Ok(tx.commit().await?) }).await
    }

    /// A write to what the read cache serves (a commit, or a statement outside any
    /// transaction), then the cache told which accounts it touched (all of them, when it does
    /// not say): both to their end, as in [`Store::commit`].
    pub(super) async fn write_cached<T: Send + 'static>(
        &self,
        guarded: guards::Guarded,
        write: impl Future<Output = Result<T, sqlx::Error>> + Send + 'static,
    ) -> StoreResult<T> {
        let cache = self.cache.clone();
        to_the_end(async move {
            let written = write.await;
            if guarded.everything || guarded.accounts.is_empty() {
                cache.drop_all();
            } else {
                cache.drop_accounts(guarded.accounts);
            }
            Ok(written?)
        })
        .await
    }
}
