//! How an attempt is judged from the counts its subjects had before it: pure functions of the
//! counts, the limits and the time, the same on both backends.

use super::{FailureStats, Refusal, Reservation, Throttle};

/// What the counts say of an attempt.
pub(super) enum Verdict {
    /// It may be made (not counted yet).
    Go,
    /// It may be made, and is counted.
    Reserved(Reservation),
    Refused(Refusal),
    /// Attempts in flight would take the last places: worth waiting for their outcome.
    Wait {
        client_busy: bool,
    },
}

fn wait_until(at: i64, now: i64) -> Option<u64> {
    (at > now).then(|| (at - now) as u64)
}

impl Throttle {
    /// When the address may try again: the hourly cap, else the growing delay after the free
    /// failures.
    pub(super) fn address_wait(&self, stats: FailureStats, now: i64) -> Option<u64> {
        let hour = 3600;
        if stats.count >= i64::from(self.config.account_failures_per_hour) {
            return wait_until(stats.oldest.unwrap_or(now) + hour, now);
        }
        if stats.count >= i64::from(self.config.free_failures) {
            let over = (stats.count - i64::from(self.config.free_failures)).clamp(0, 30) as u32;
            let delay = (1i64 << over).min(self.config.max_delay.as_secs() as i64);
            return wait_until(stats.newest.unwrap_or(now) + delay, now);
        }
        None
    }

    /// `Err(wait)` when `stats` are at `max`; `Ok(true)` when only attempts in flight would
    /// take the last places (worth waiting for their outcome).
    pub(super) fn window_verdict(
        stats: FailureStats,
        max: u32,
        window: i64,
        now: i64,
    ) -> Result<bool, u64> {
        if stats.count >= i64::from(max) {
            return Err((stats.oldest.unwrap_or(now) + window - now).max(1) as u64);
        }
        Ok(stats.in_flight > 0 && stats.count + stats.in_flight >= i64::from(max))
    }

    /// The ceilings of the one-round-trip reservation, for the client, the address, and the
    /// address's and this client's attempts with a solved CAPTCHA (`None`: not judged): under
    /// them, [`Throttle::verdict`] lets the attempt through whatever else the counts say.
    pub(super) fn ceilings(&self, person_proven: bool) -> [Option<i64>; 4] {
        let client = Some(i64::from(self.config.client_failures_per_window));
        if person_proven {
            [
                client,
                None,
                Some(i64::from(
                    self.config.captcha_login_failures_per_address_per_hour,
                )),
                Some(i64::from(self.config.captcha_login_failures_per_hour)),
            ]
        } else {
            let free = self
                .config
                .free_failures
                .min(self.config.account_failures_per_hour);
            [client, Some(i64::from(free)), None, None]
        }
    }

    /// Whether an attempt may be made, from the counts its subjects had before it (the client,
    /// the address, the address's and this client's attempts with a solved CAPTCHA).
    pub(super) fn verdict(
        &self,
        stats: [FailureStats; 4],
        person_proven: bool,
        now: i64,
    ) -> Verdict {
        let [by_client, by_email, by_proven, by_proven_here] = stats;
        let window = self.config.client_window.as_secs() as i64;
        let client_busy = match Self::window_verdict(
            by_client,
            self.config.client_failures_per_window,
            window,
            now,
        ) {
            Err(wait) => return Verdict::Refused(Refusal::Client(wait)),
            Ok(busy) => busy,
        };
        let mut email_busy = false;
        if person_proven {
            // Attempts in flight count at once: parallel guesses with solved CAPTCHAs cannot
            // all slip under the cap.
            for (stats, max) in [
                (by_proven_here, self.config.captcha_login_failures_per_hour),
                (
                    by_proven,
                    self.config.captcha_login_failures_per_address_per_hour,
                ),
            ] {
                let counted = FailureStats {
                    count: stats.count + stats.in_flight,
                    ..stats
                };
                if let Err(wait) = Self::window_verdict(counted, max, 3600, now) {
                    return Verdict::Refused(Refusal::Proven(wait));
                }
            }
        } else {
            if let Some(wait) = self.address_wait(by_email, now) {
                return Verdict::Refused(Refusal::Address(wait));
            }
            let with_in_flight = FailureStats {
                count: by_email.count + by_email.in_flight,
                newest: Some(now),
                ..by_email
            };
            email_busy = by_email.in_flight > 0 && self.address_wait(with_in_flight, now).is_some();
        }
        if client_busy || email_busy {
            Verdict::Wait { client_busy }
        } else {
            Verdict::Go
        }
    }
}
