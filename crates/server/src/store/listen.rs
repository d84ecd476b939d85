//! On PostgreSQL: hearing the other replicas' writes. Every write to what the read cache serves
//! announces its account (migration `0005_cache_announcements.sql`); this replica listens, and
//! drops each account it hears of. While it does not listen (not yet, or its connection lost)
//! it serves nothing from memory: once it listens again, what it read meanwhile is dropped too.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};

use super::cache::ReadCache;

/// The channel the announcements come on.
pub const CACHE_CHANNEL: &str = "espace_pro_cache";

/// How long a replica waits before trying to listen again.
const RETRY: Duration = Duration::from_millis(100);

/// Starts listening for `cache`, on a connection of its own (from a one-connection pool made
/// from `pool`'s options); returns that pool, to close with the store.
pub(super) fn start(pool: &PgPool, cache: Arc<ReadCache>) -> PgPool {
    let own = PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_lazy_with(
            pool.connect_options()
                .as_ref()
                .clone()
                .application_name("espace-pro-server cache"),
        );
    let listening = own.clone();
    tokio::spawn(async move {
        while !listening.is_closed() {
            if let Err(e) = listen(&listening, &cache).await
                && !listening.is_closed()
            {
                tracing::warn!(error = %e, "the read cache stopped hearing other replicas' writes: it serves nothing until it hears them again");
            }
            cache.deafened();
            tokio::time::sleep(RETRY).await;
        }
    });
    own
}

/// Listens until the connection is lost (or the pool closed).
async fn listen(pool: &PgPool, cache: &ReadCache) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.eager_reconnect(false);
    listener.listen(CACHE_CHANNEL).await?;
    cache.listening_again();
    loop {
        match listener.try_recv().await? {
            Some(n) => heard(cache, n.payload()),
            None => return Err(sqlx::Error::Protocol("connection lost".into())),
        }
    }
}

/// An announcement: an account's id, or `*` (or anything else) for all of them.
fn heard(cache: &ReadCache, payload: &str) {
    match payload.parse::<i64>() {
        Ok(account) => cache.drop_accounts([account]),
        Err(_) => cache.drop_all(),
    }
}
