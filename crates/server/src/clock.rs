//! Injected time. Every rule about time (48-hour codes, 3-year validity, session timeouts) asks a
//! `Clock`, so tests move time instead of waiting for it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use time::{Duration, OffsetDateTime};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

pub type SharedClock = Arc<dyn Clock>;

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// System time plus the number of seconds written in a file, read again at each use
/// (`--test-clock-file`, SPEC §3.2). A missing or unreadable file counts as 0.
#[derive(Debug, Clone)]
pub struct FileOffsetClock {
    path: PathBuf,
}

impl FileOffsetClock {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    fn offset_seconds(&self) -> i64 {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            // Bound the offset to ±1000 years so the arithmetic below cannot overflow.
            .map(|s| s.clamp(-31_536_000_000, 31_536_000_000))
            .unwrap_or(0)
    }
}

impl Clock for FileOffsetClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::seconds(self.offset_seconds())
    }
}

/// A clock tests set and advance by hand.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<OffsetDateTime>>);

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn set(&self, to: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_offset_is_read_at_each_use() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clock");
        let clock = FileOffsetClock::new(&path);
        let base = clock.now();
        std::fs::write(&path, "172800\n").unwrap();
        let moved = clock.now();
        assert!((moved - base - Duration::hours(48)).abs() < Duration::seconds(5));
        std::fs::write(&path, "not a number").unwrap();
        assert!((clock.now() - base).abs() < Duration::seconds(5));
    }
}
