//! What a write transaction protects, named when it begins: writers that protect the same thing
//! wait for each other, on every replica, and the others run at once.
//!
//! On PostgreSQL each thing is an advisory lock held until the transaction ends, all taken when
//! it begins, in one order (the shared lock first, then by key), so two writers can never each
//! hold what the other waits for. [`Guard::Everything`] (a key rotation, a copy) takes the lock
//! every writer holds shared, exclusively. On SQLite a write transaction has the whole database (`BEGIN IMMEDIATE`).
//!
//! The accounts a transaction guards are also those whose cached reads it makes stale: once it
//! commits, this process drops them from its read cache at once (other replicas hear of the
//! write from the database, `listen.rs`).

use sha2::{Digest, Sha256};

/// One thing a write transaction protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guard<'a> {
    /// An account: its credentials, sessions, second factor, codes, coordinates and devices.
    Account(i64),
    /// A throttling subject: its events are counted, then one is added or some removed.
    Subject(&'a str),
    /// A login address: no two accounts may have it.
    Address(&'a str),
    /// Everything: waits for every writer, and every writer waits for it.
    Everything,
}

/// The lock every writer holds shared and [`Guard::Everything`] exclusively. It is the one
/// lock earlier versions took exclusively for every write: during a rolling upgrade, an old
/// replica's writer and a new one's still wait for each other.
#[cfg(feature = "postgres")]
const EVERYTHING: i64 = 0x4553_5041_4345; // "ESPACE"

impl Guard<'_> {
    /// The advisory lock's key: 64 bits of a hash of what is guarded.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    fn key(&self) -> i64 {
        let mut h = Sha256::new();
        match self {
            Guard::Account(id) => {
                h.update(b"account\0");
                h.update(id.to_be_bytes());
            }
            Guard::Subject(s) => {
                h.update(b"subject\0");
                h.update(s.as_bytes());
            }
            Guard::Address(a) => {
                h.update(b"address\0");
                h.update(a.as_bytes());
            }
            Guard::Everything => h.update(b"everything\0"),
        }
        let d = h.finalize();
        i64::from_be_bytes(d[..8].try_into().expect("8 bytes"))
    }
}

/// What a transaction guards, as the read cache needs it: the accounts, or everything.
#[derive(Debug, Clone, Default)]
pub(super) struct Guarded {
    pub accounts: Vec<i64>,
    /// Guarded everything, or named no account: a commit drops the whole read cache.
    pub everything: bool,
}

impl Guarded {
    pub(super) fn of(guards: &[Guard<'_>]) -> Self {
        let accounts: Vec<i64> = guards
            .iter()
            .filter_map(|g| match g {
                Guard::Account(id) => Some(*id),
                _ => None,
            })
            .collect();
        let everything = guards.contains(&Guard::Everything);
        Self {
            accounts,
            everything,
        }
    }

    /// A transaction that names nothing (reads, writes to nothing the cache serves).
    pub(super) fn nothing() -> Self {
        Self::default()
    }
}

/// The statement that takes the locks of `guards`, and its parameters: the shared lock every
/// writer holds (exclusive for [`Guard::Everything`]), then the others by key, each once, in
/// that order (a select list is evaluated from left to right). One prepared statement per
/// number of locks, planned once per connection.
#[cfg(feature = "postgres")]
pub(super) fn lock_statement(guards: &[Guard<'_>]) -> (String, Vec<i64>) {
    use std::fmt::Write as _;
    let mut sql = if guards.contains(&Guard::Everything) {
        "SELECT pg_advisory_xact_lock($1)".to_owned()
    } else {
        "SELECT pg_advisory_xact_lock_shared($1)".to_owned()
    };
    let mut keys = lock_keys(guards);
    for i in 0..keys.len() {
        let _ = write!(sql, ", pg_advisory_xact_lock(${})", i + 2);
    }
    keys.insert(0, EVERYTHING);
    (sql, keys)
}

/// The exclusive locks of `guards` (all but [`Guard::Everything`]): each once, in the one order
/// every writer takes them in. The shared lock ([`EVERYTHING`]) is taken before them.
#[cfg(feature = "postgres")]
pub(super) fn lock_keys(guards: &[Guard<'_>]) -> Vec<i64> {
    let mut keys: Vec<i64> = guards
        .iter()
        .filter(|g| **g != Guard::Everything)
        .map(Guard::key)
        // A hash that fell on the shared lock's key would wait for itself: moved off it.
        .map(|k| if k == EVERYTHING { k ^ 1 } else { k })
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The lock every writer holds shared (see [`lock_keys`]).
#[cfg(feature = "postgres")]
pub(super) const SHARED_KEY: i64 = EVERYTHING;

#[cfg(all(test, feature = "postgres"))]
mod tests {
    use super::*;

    #[test]
    fn locks_are_taken_in_one_order_whatever_order_they_are_named_in() {
        let a = lock_statement(&[Guard::Account(1), Guard::Subject("x"), Guard::Account(1)]);
        let b = lock_statement(&[Guard::Subject("x"), Guard::Account(1)]);
        assert_eq!(a, b);
        assert_eq!(
            a.0,
            "SELECT pg_advisory_xact_lock_shared($1), pg_advisory_xact_lock($2), pg_advisory_xact_lock($3)"
        );
        assert_eq!(a.1[0], EVERYTHING);
        assert!(a.1[1] < a.1[2]);
        let all = lock_statement(&[Guard::Everything]);
        assert_eq!(all.0, "SELECT pg_advisory_xact_lock($1)");
        assert_eq!(all.1, vec![76224131056453]);
    }

    #[test]
    fn different_things_have_different_keys() {
        assert_ne!(Guard::Account(1).key(), Guard::Account(2).key());
        assert_ne!(Guard::Subject("1").key(), Guard::Address("1").key());
    }
}
