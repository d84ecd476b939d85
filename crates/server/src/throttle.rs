//! Throttling, by the address typed (known or not, keyed so the table does not list addresses)
//! and by client address. Events are kept in the database, so every replica sees them and a
//! restart forgets nothing.
//!
//! Every limit is taken before the work it protects, atomically: the attempt is counted in the
//! same write transaction that checks the limit (a [`Reservation`]), then the work is done, then
//! a successful attempt is taken back. Attempts sent together therefore cannot all slip under a
//! limit.

use std::net::IpAddr;

use crate::clock::SharedClock;
use crate::config::ThrottleConfig;
use crate::crypto::MasterKey;
use crate::store::{Conn, FailureStats, Guard, Store, StoreError, ts};

mod judge;
use judge::Verdict;

#[derive(Clone)]
pub struct Throttle {
    store: Store,
    config: ThrottleConfig,
    clock: SharedClock,
    key: MasterKey,
}

/// The subject of an address's attempts with a solved CAPTCHA (and, followed by `:` and a
/// client subject, of one client's).
pub fn proven_subject(email_subject: &str) -> String {
    format!("proven:{email_subject}")
}

pub fn client_subject(ip: IpAddr) -> String {
    // IPv6 clients get a /64 each: one host usually holds the whole prefix. An IPv4 client on
    // a dual-stack socket is keyed as the IPv4 address it is, not as the `::ffff:0:0/64` that
    // all of them share.
    match ip.to_canonical() {
        IpAddr::V4(v4) => format!("client:{v4}"),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("client:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// An attempt counted before it was made; `release` takes it back when it succeeded, `keep`
/// makes it a failure.
#[derive(Debug)]
#[must_use = "a reservation is settled with release or keep"]
pub struct Reservation {
    ids: Vec<i64>,
    in_flight: bool,
}

impl Reservation {
    /// The events counted, for a caller that takes them back in a write of its own
    /// (`Store::try_open_session`), then settles the reservation by what that write did.
    pub fn ids(&self) -> &[i64] {
        &self.ids
    }

    /// The events counted, for a caller that takes them back itself, in its own transaction
    /// (a log-in that got in: `Store::open_session_in`).
    pub fn into_ids(self) -> Vec<i64> {
        self.ids
    }
}

/// How long an attempt may stay in flight before it counts as a failure (a crash mid-attempt).
const LEASE_SECONDS: i64 = 30;
/// How long an attempt waits for those in flight before it before giving up.
const MAX_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Why an attempt may not be made now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The client address is over its limit: wait this many seconds.
    Client(u64),
    /// The address typed is over its limit (growing delay or hourly cap): wait, or prove a person
    /// is there (log-in's CAPTCHA step-up).
    Address(u64),
    /// The address is also over its hourly cap of attempts with a solved CAPTCHA: wait.
    Proven(u64),
}

impl Throttle {
    pub fn new(store: Store, config: ThrottleConfig, clock: SharedClock, key: MasterKey) -> Self {
        Self {
            store,
            config,
            clock,
            key,
        }
    }

    /// The throttling subject of a login address: a hash keyed with the master key, so the table
    /// neither lists addresses nor lets a copy of it be checked against a list of addresses.
    pub fn email_subject(&self, email_key: &str) -> String {
        format!(
            "email:{}",
            self.key.code_hash("throttle-subject", email_key)
        )
    }

    fn now(&self) -> i64 {
        ts(self.clock.now())
    }

    /// A log-in or re-authentication attempt on `email_subject` from `client_subject`, counted
    /// before the password is verified. Attempts already in flight count too: when they would
    /// take the last free places, this one waits for their outcome (so parallel right passwords
    /// all get in, and parallel wrong ones do not all get evaluated). `person_proven` (a CAPTCHA
    /// solved with this attempt) lets an address over its limit try anyway; the client's limit
    /// always holds.
    pub async fn reserve_attempt(
        &self,
        email_subject: &str,
        client_subject: &str,
        person_proven: bool,
    ) -> Result<Result<Reservation, Refusal>, StoreError> {
        let started = std::time::Instant::now();
        // Attempts with a solved CAPTCHA: per client and address (someone else's do not use up
        // the owner's), and per address overall (no end of guesses from many clients).
        let proven_subject = proven_subject(email_subject);
        let proven_here = format!("{proven_subject}:{client_subject}");
        let guards = [
            Guard::Subject(client_subject),
            Guard::Subject(email_subject),
            Guard::Subject(&proven_subject),
            Guard::Subject(&proven_here),
        ];
        let counted: &[&str] = if person_proven {
            &[email_subject, client_subject, &proven_subject, &proven_here]
        } else {
            &[email_subject, client_subject]
        };
        let window = self.config.client_window.as_secs() as i64;
        loop {
            let now = self.now();
            let lease_start = now - LEASE_SECONDS;
            let sinces = [now - window, now - 3600, now - 3600, now - 3600];
            // PostgreSQL, in one round trip: counted at once when every subject is under a
            // ceiling within which `verdict` always lets the attempt through (no failure to
            // wait after, no attempt in flight that could take the last place).
            let ceilings = self.ceilings(person_proven);
            let fast = self
                .store
                .try_reserve(
                    &guards,
                    [
                        (client_subject, sinces[0], ceilings[0]),
                        (email_subject, sinces[1], ceilings[1]),
                        (&proven_subject, sinces[2], ceilings[2]),
                        (&proven_here, sinces[3], ceilings[3]),
                    ],
                    lease_start,
                    counted,
                    now,
                    true,
                )
                .await?;
            // `None`: the general path, which judges and counts in one transaction (on SQLite,
            // and past a ceiling when the attempt may be made: an address whose delay has run
            // out).
            let judged = match fast {
                Some((stats, Some(ids))) => {
                    let reservation = Reservation {
                        ids,
                        in_flight: true,
                    };
                    match self.verdict(stats, person_proven, now) {
                        Verdict::Go => return Ok(Ok(reservation)),
                        // Not expected (the ceilings are stricter): taken back, and judged as
                        // the verdict says.
                        other => {
                            self.release(reservation).await?;
                            Some(other)
                        }
                    }
                }
                Some((stats, None)) => match self.verdict(stats, person_proven, now) {
                    Verdict::Go => None,
                    other => Some(other),
                },
                None => None,
            };
            let verdict = match judged {
                Some(verdict) => verdict,
                None => {
                    self.reserve_in_transaction(
                        &guards,
                        sinces,
                        lease_start,
                        counted,
                        now,
                        person_proven,
                    )
                    .await?
                }
            };
            match verdict {
                Verdict::Reserved(reservation) => return Ok(Ok(reservation)),
                Verdict::Go => unreachable!("a reservation is made or the verdict is another"),
                Verdict::Refused(refusal) => return Ok(Err(refusal)),
                Verdict::Wait { client_busy } => {
                    if started.elapsed() > MAX_QUEUE_WAIT {
                        let wait = self.config.client_window.as_secs().min(60);
                        return Ok(Err(if client_busy {
                            Refusal::Client(wait)
                        } else {
                            Refusal::Address(wait)
                        }));
                    }
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        }
    }

    /// The general path: one write transaction that locks the subjects, reads their counts,
    /// judges them, and counts the attempt only if it may be made. A refused attempt writes
    /// nothing.
    async fn reserve_in_transaction(
        &self,
        guards: &[Guard<'_>; 4],
        sinces: [i64; 4],
        lease_start: i64,
        counted: &[&str],
        now: i64,
        person_proven: bool,
    ) -> Result<Verdict, StoreError> {
        let subject = |g: &Guard<'_>| match *g {
            Guard::Subject(s) => s.to_owned(),
            _ => unreachable!("a reservation guards subjects"),
        };
        let names: [String; 4] = std::array::from_fn(|i| subject(&guards[i]));
        let mut tx = self.store.begin_write(guards).await?;
        let stats = Store::failure_stats_of(
            &mut tx,
            std::array::from_fn::<_, 4, _>(|i| (names[i].as_str(), sinces[i])),
            lease_start,
        )
        .await?;
        match self.verdict(stats, person_proven, now) {
            Verdict::Go => {
                let ids = Store::insert_events(&mut tx, counted, now, true).await?;
                Store::commit_uncached(tx).await?;
                Ok(Verdict::Reserved(Reservation {
                    ids,
                    in_flight: true,
                }))
            }
            other => Ok(other),
        }
    }

    /// Fixed-window limit: counts this event for `subject` unless it already has `max` in
    /// `window` (`Err(seconds)` then).
    pub async fn take_window(
        &self,
        subject: &str,
        max: u32,
        window: std::time::Duration,
    ) -> Result<Result<Reservation, u64>, StoreError> {
        let now = self.now();
        let mut tx = self.store.begin_write(&[Guard::Subject(subject)]).await?;
        let window = window.as_secs() as i64;
        let stats =
            Store::failure_stats(&mut tx, subject, now - window, now - LEASE_SECONDS).await?;
        let counted = FailureStats {
            count: stats.count + stats.in_flight,
            ..stats
        };
        if let Err(wait) = Self::window_verdict(counted, max, window, now) {
            return Ok(Err(wait));
        }
        let ids = Store::insert_events(&mut tx, &[subject], now, false).await?;
        Store::commit_uncached(tx).await?;
        Ok(Ok(Reservation {
            ids,
            in_flight: false,
        }))
    }

    /// The attempt succeeded: it no longer counts.
    pub async fn release(&self, reservation: Reservation) -> Result<(), StoreError> {
        self.store.delete_events(&reservation.ids).await
    }

    /// The attempt failed (or the request is one to count): it stays counted.
    pub async fn keep(&self, reservation: Reservation) -> Result<(), StoreError> {
        if reservation.in_flight {
            self.store.settle_events(&reservation.ids).await?;
        }
        Ok(())
    }

    /// Forgets every failure of a subject (the owner got in).
    pub async fn clear(&self, subject: &str) -> Result<(), StoreError> {
        self.store.clear_failures(subject).await
    }

    /// A new password is in place (changed, recovered, or with a new address): the failures
    /// counted against the address, with or without CAPTCHA, were guesses of an old password,
    /// and no longer hold its owner back. Inside the caller's transaction.
    pub async fn forget_address_in(conn: &mut Conn, email_subject: &str) -> Result<(), StoreError> {
        Store::forget_subjects_in(conn, email_subject, &proven_subject(email_subject)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Under the one-round-trip reservation's ceilings, the verdict is always to go: an attempt
    /// that reservation counts is never one the service would refuse or make wait.
    #[tokio::test]
    async fn under_the_ceilings_the_verdict_is_always_go() {
        let (_dir, store) = Store::temporary().await;
        let config = ThrottleConfig {
            free_failures: 3,
            client_failures_per_window: 7,
            captcha_login_failures_per_hour: 4,
            captcha_login_failures_per_address_per_hour: 6,
            ..ThrottleConfig::default()
        };
        let throttle = Throttle::new(
            store,
            config,
            std::sync::Arc::new(crate::clock::SystemClock),
            MasterKey::from_bytes(&[7; 32]),
        );
        let now = 1_000_000;
        let mut judged = 0;
        for person_proven in [false, true] {
            let ceilings = throttle.ceilings(person_proven);
            // Every split of counts into failures and attempts in flight, up to a little past
            // each ceiling, with failures just now or long ago.
            for total in 0..10i64 {
                for in_flight in 0..=total {
                    for newest in [now, now - 1, now - 3000] {
                        let stats = FailureStats {
                            count: total - in_flight,
                            oldest: (total > in_flight).then_some(newest),
                            newest: (total > in_flight).then_some(newest),
                            in_flight,
                        };
                        for slot in 0..4 {
                            let mut all = [FailureStats::default(); 4];
                            all[slot] = stats;
                            let under = ceilings
                                .iter()
                                .zip(all)
                                .all(|(c, s)| c.is_none_or(|c| s.count + s.in_flight < c));
                            if under {
                                judged += 1;
                                assert!(
                                    matches!(
                                        throttle.verdict(all, person_proven, now),
                                        Verdict::Go
                                    ),
                                    "{person_proven} {slot} {stats:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
        assert!(judged > 100, "{judged}");
    }

    #[test]
    fn subjects_do_not_show_the_address() {
        assert_eq!(
            client_subject("2001:db8:1:2:3:4:5:6".parse().unwrap()),
            "client:2001:db8:1:2::/64"
        );
        assert_eq!(
            client_subject("::ffff:127.0.0.2".parse().unwrap()),
            "client:127.0.0.2"
        );
    }
}
