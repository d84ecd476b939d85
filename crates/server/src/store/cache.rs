//! Reads of sessions, accounts, dossiers and pending e-mail changes served from memory, so that
//! an authenticated page (`GET /v1/account`) costs no statement while nothing changes.
//!
//! Correctness rests on one counter, the generation:
//! - every write to those tables made by this process moves it on *after* the write is visible
//!   (`Store::commit`, and the few writes made outside a transaction in `sessions.rs`), even
//!   when the request that made it was dropped meanwhile (both run on a task of their own);
//! - a read notes the generation *before* it asks the database, and files what it read under
//!   that generation; an entry is served only while the generation has not moved.
//!
//! So a read that may have seen the data before a write is never served after the write. Writers
//! in another process (a second service on the same database) do not move this counter: an entry
//! is also refused once it is [`MAX_AGE`] old, which bounds what they can leave stale. On
//! PostgreSQL, where replicas are the rule, the cache is off. Absent
//! rows are not kept (a token guessed at random does not take memory), and the whole cache is
//! emptied when it reaches [`CAPACITY`] entries of one kind.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{AccountRow, EmailChangeRow, SessionRow};

/// An entry older than this is read again (writes by other processes).
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Entries of one kind kept at most.
pub const CAPACITY: usize = 10_000;

struct Entry<V> {
    generation: u64,
    read_at: Instant,
    value: Arc<V>,
}

/// One kind of row, by key.
pub(super) struct Shelf<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    /// 0: nothing is kept.
    capacity: usize,
    /// [`MAX_AGE`], but in tests.
    max_age: Duration,
}

impl<K: Hash + Eq, V> Shelf<K, V> {
    fn new(capacity: usize, max_age: Duration) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
            max_age,
        }
    }

    /// Shared, not copied: a hit costs no allocation.
    pub(super) fn get<Q>(&self, key: &Q, generation: u64) -> Option<Arc<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.read_at.elapsed() < self.max_age)
            .map(|e| e.value.clone())
    }

    /// Files `value`, read after the generation was `generation`.
    pub(super) fn put(&self, key: K, generation: u64, value: Arc<V>) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(
            key,
            Entry {
                generation,
                read_at: Instant::now(),
                value,
            },
        );
    }
}

pub(super) struct ReadCache {
    generation: AtomicU64,
    pub(super) sessions: Shelf<Vec<u8>, SessionRow>,
    pub(super) accounts: Shelf<i64, AccountRow>,
    pub(super) dossiers: Shelf<i64, Vec<(String, String)>>,
    pub(super) pending_changes: Shelf<i64, Option<EmailChangeRow>>,
}

impl ReadCache {
    pub(super) fn new() -> Self {
        Self::with(CAPACITY, MAX_AGE)
    }

    /// A cache whose entries age only after `max_age`: in a test, only a write (the
    /// generation) makes them stale.
    #[cfg(test)]
    pub(super) fn keeping_for(max_age: Duration) -> Self {
        Self::with(CAPACITY, max_age)
    }

    /// A cache that keeps nothing: for PostgreSQL, where other replicas write.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(super) fn off() -> Self {
        Self::with(0, MAX_AGE)
    }

    fn with(capacity: usize, max_age: Duration) -> Self {
        Self {
            generation: AtomicU64::new(0),
            sessions: Shelf::new(capacity, max_age),
            accounts: Shelf::new(capacity, max_age),
            dossiers: Shelf::new(capacity, max_age),
            pending_changes: Shelf::new(capacity, max_age),
        }
    }

    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// A write is now visible: everything read before it is stale.
    pub(super) fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_only_under_the_generation_it_was_read_in() {
        let cache = ReadCache::new();
        let before = cache.generation();
        cache
            .dossiers
            .put(1, before, Arc::new(vec![("1".into(), "A".into())]));
        assert!(cache.dossiers.get(&1, cache.generation()).is_some());
        cache.changed();
        assert!(cache.dossiers.get(&1, cache.generation()).is_none());
        // Read before the write, filed after it: never served.
        cache.dossiers.put(1, before, Arc::new(vec![]));
        assert!(cache.dossiers.get(&1, cache.generation()).is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = ReadCache::new();
        for key in 0..(CAPACITY as i64 + 5) {
            cache.dossiers.put(key, 0, Arc::new(vec![]));
        }
        let kept = cache.dossiers.entries.lock().unwrap().len();
        assert!(kept <= CAPACITY, "{kept}");
    }

    #[test]
    fn a_cache_turned_off_keeps_nothing() {
        let cache = ReadCache::off();
        cache.dossiers.put(1, cache.generation(), Arc::new(vec![]));
        assert!(cache.dossiers.get(&1, cache.generation()).is_none());
    }
}
