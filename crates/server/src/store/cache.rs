//! Sessions and what an account's pages show (the account, its dossiers, its pending e-mail
//! change) served from memory, so that an authenticated page (`GET /v1/account`) costs no
//! statement while nothing changes, on one machine and on every replica.
//!
//! Correctness rests on a counter, the generation, and on what was dropped since:
//! - a read notes the generation *before* it asks the database, and files what it read under
//!   that generation, with the account it belongs to;
//! - a write to an account's rows drops the account once the write is visible: the generation
//!   moves on and the account is noted as dropped at the new generation. This process's own
//!   writes drop the accounts their transaction guarded as soon as they commit (`Store::commit`,
//!   even when the request that made them was dropped meanwhile); on PostgreSQL every write to
//!   those tables also announces its account (a trigger's `NOTIFY`, sent with the commit), and
//!   every replica drops the accounts it hears of (`listen.rs`);
//! - an entry is served only if it was read at or after the generation its account was last
//!   dropped at, and at or after the floor (everything is dropped at once when a write does not
//!   say which accounts it touched, when the list of dropped accounts is full, and when a
//!   replica stops or starts listening).
//!
//! So a read that may have seen the data before a write is never served after the write is
//! known. A replica that is not listening (its connection lost, not yet back) serves nothing
//! from memory. Writers that announce nothing (a second service on the same SQLite file) are
//! bounded by age: an entry is also refused once it is [`MAX_AGE`] old. Absent rows are not kept
//! (a token guessed at random does not take memory), and a shelf is emptied when it reaches
//! [`CAPACITY`] entries.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{AccountRead, SessionRow};

/// An entry older than this is read again (writes that announce nothing).
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Entries of one kind kept at most, and accounts remembered as dropped at most.
pub const CAPACITY: usize = 10_000;

struct Entry<V> {
    read_in: u64,
    account: i64,
    read_at: Instant,
    value: Arc<V>,
}

/// One kind of row, by key.
pub(super) struct Shelf<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    /// 0: nothing is kept.
    capacity: usize,
}

impl<K: Hash + Eq, V> Shelf<K, V> {
    fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The entry's value, generation, account and age. Shared, not copied: a hit costs no
    /// allocation.
    fn get<Q>(&self, key: &Q) -> Option<(Arc<V>, u64, i64, Duration)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .map(|e| (e.value.clone(), e.read_in, e.account, e.read_at.elapsed()))
    }

    fn put(&self, key: K, read: Noted, account: i64, value: Arc<V>) {
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
                read_in: read.generation,
                account,
                read_at: read.at,
                value,
            },
        );
    }
}

/// When a read was about to be sent: the generation, and the instant (its age counts from
/// there, not from when its answer came).
#[derive(Debug, Clone, Copy)]
pub(super) struct Noted {
    generation: u64,
    at: Instant,
}

pub(super) struct ReadCache {
    generation: AtomicU64,
    /// Nothing read before this generation is served.
    floor: AtomicU64,
    /// False while writes by others may go unheard (a replica not listening): nothing is served.
    listening: AtomicBool,
    /// The generation each account was last dropped at.
    dropped: Mutex<HashMap<i64, u64>>,
    max_age: Duration,
    sessions: Shelf<Vec<u8>, SessionRow>,
    accounts: Shelf<i64, AccountRead>,
}

impl ReadCache {
    /// A cache that serves at once (one process on its SQLite file).
    pub(super) fn new() -> Self {
        Self::with(CAPACITY, MAX_AGE, true)
    }

    /// A cache that serves nothing until told it listens (a replica on PostgreSQL).
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(super) fn deaf() -> Self {
        Self::with(CAPACITY, MAX_AGE, false)
    }

    /// A cache whose entries age only after `max_age`: in a test, only a write makes them stale.
    #[cfg(test)]
    pub(super) fn keeping_for(max_age: Duration) -> Self {
        Self::with(CAPACITY, max_age, true)
    }

    fn with(capacity: usize, max_age: Duration, listening: bool) -> Self {
        Self {
            generation: AtomicU64::new(1),
            floor: AtomicU64::new(0),
            listening: AtomicBool::new(listening),
            dropped: Mutex::new(HashMap::new()),
            max_age,
            sessions: Shelf::new(capacity),
            accounts: Shelf::new(capacity),
        }
    }

    /// The generation to file a read under: noted before the read is sent.
    pub(super) fn note(&self) -> Noted {
        Noted {
            generation: self.generation(),
            at: Instant::now(),
        }
    }

    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Whether what was read of `account` in generation `read_in`, `age` ago, may be served.
    fn fresh(&self, read_in: u64, account: i64, age: Duration) -> bool {
        if !self.listening.load(Ordering::Acquire)
            || age >= self.max_age
            || read_in < self.floor.load(Ordering::Acquire)
        {
            return false;
        }
        let dropped = self.dropped.lock().unwrap_or_else(|p| p.into_inner());
        dropped.get(&account).is_none_or(|&at| read_in >= at)
    }

    pub(super) fn session(&self, token_hash: &[u8]) -> Option<Arc<SessionRow>> {
        let (row, read_in, account, age) = self.sessions.get(token_hash)?;
        self.fresh(read_in, account, age).then_some(row)
    }

    pub(super) fn account(&self, id: i64) -> Option<Arc<AccountRead>> {
        let (read, read_in, account, age) = self.accounts.get(&id)?;
        self.fresh(read_in, account, age).then_some(read)
    }

    pub(super) fn put_session(&self, noted: Noted, row: Arc<SessionRow>) {
        self.sessions
            .put(row.token_hash.clone(), noted, row.account_id, row);
    }

    pub(super) fn put_account(&self, noted: Noted, read: Arc<AccountRead>) {
        self.accounts
            .put(read.account.id, noted, read.account.id, read);
    }

    /// Writes to these accounts' rows are now visible: what was read of them before is stale.
    pub(super) fn drop_accounts(&self, accounts: impl IntoIterator<Item = i64>) {
        let at = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        let mut dropped = self.dropped.lock().unwrap_or_else(|p| p.into_inner());
        for account in accounts {
            dropped.insert(account, at);
        }
        if dropped.len() > CAPACITY {
            dropped.clear();
            self.floor.fetch_max(at, Ordering::AcqRel);
        }
    }

    /// A write whose accounts are not known is now visible: everything read before is stale.
    pub(super) fn drop_all(&self) {
        let at = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        self.floor.fetch_max(at, Ordering::AcqRel);
    }

    /// A replica stopped hearing the others' writes: nothing is served from now on, and
    /// nothing read so far ever will be.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(super) fn deafened(&self) {
        self.listening.store(false, Ordering::Release);
        self.drop_all();
    }

    /// A replica listens again (or for the first time): what was read while it did not is
    /// dropped (a write it did not hear of may be in it), and the cache serves again.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    pub(super) fn listening_again(&self) {
        self.drop_all();
        self.listening.store(true, Ordering::Release);
    }

    pub(super) fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AccountRow;

    fn read_of(id: i64) -> Arc<AccountRead> {
        Arc::new(AccountRead {
            account: Arc::new(AccountRow {
                id,
                subscriber_number: String::new(),
                login_email: String::new(),
                login_email_key: String::new(),
                civility: String::new(),
                first_name: String::new(),
                last_name: String::new(),
                phone: String::new(),
                address: String::new(),
                security_question: String::new(),
                security_answer_sealed: None,
                password_hash: String::new(),
                password_changed_at: 0,
                password_valid_until: String::new(),
                created_at: 0,
            }),
            dossiers: Arc::new(vec![]),
            pending_change: None,
        })
    }

    #[test]
    fn an_entry_read_before_its_account_was_dropped_is_never_served() {
        let cache = ReadCache::new();
        let before = cache.note();
        cache.put_account(before, read_of(1));
        cache.put_account(before, read_of(2));
        assert!(cache.account(1).is_some());
        cache.drop_accounts([1]);
        assert!(cache.account(1).is_none());
        // Another account's entry stays served.
        assert!(cache.account(2).is_some());
        // Read before the write, filed after it: never served.
        cache.put_account(before, read_of(1));
        assert!(cache.account(1).is_none());
        // Read after it: served.
        cache.put_account(cache.note(), read_of(1));
        assert!(cache.account(1).is_some());
    }

    #[test]
    fn dropping_everything_drops_every_account() {
        let cache = ReadCache::new();
        cache.put_account(cache.note(), read_of(1));
        cache.drop_all();
        assert!(cache.account(1).is_none());
    }

    #[test]
    fn a_deaf_cache_serves_nothing_and_forgets_what_it_read_while_deaf() {
        let cache = ReadCache::deaf();
        let g = cache.note();
        cache.put_account(g, read_of(1));
        assert!(cache.account(1).is_none());
        cache.listening_again();
        // Read while deaf: a write it did not hear of may be in it.
        assert!(cache.account(1).is_none());
        cache.put_account(cache.note(), read_of(1));
        assert!(cache.account(1).is_some());
        cache.deafened();
        assert!(cache.account(1).is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = ReadCache::new();
        for key in 0..(CAPACITY as i64 + 5) {
            cache.put_account(cache.note(), read_of(key));
            cache.drop_accounts([key + 1_000_000]);
        }
        let kept = cache.accounts.entries.lock().unwrap().len();
        assert!(kept <= CAPACITY, "{kept}");
        assert!(cache.dropped.lock().unwrap().len() <= CAPACITY);
    }

    #[test]
    fn an_old_entry_is_read_again() {
        let cache = ReadCache::with(CAPACITY, Duration::ZERO, true);
        cache.put_account(cache.note(), read_of(1));
        assert!(cache.account(1).is_none());
    }
}
