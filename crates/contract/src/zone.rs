//! The time zone in which dates are shown: validity dates, e-mail and summary times, the
//! registration day of a subscriber number. `Europe/Paris` unless configured otherwise; the
//! service publishes its zone so that the app shows dates as its e-mails do.

use time::{Date, OffsetDateTime, UtcOffset};

pub const DEFAULT_ZONE: &str = "Europe/Paris";

#[derive(Debug, Clone)]
pub struct TimeZone {
    name: String,
    tz: jiff::tz::TimeZone,
}

#[derive(Debug, thiserror::Error)]
#[error("unknown time zone {0:?} (an IANA name such as Europe/Paris is expected)")]
pub struct UnknownZone(pub String);

impl TimeZone {
    /// A zone by its IANA name ("Europe/Paris", "America/Cayenne", "UTC").
    pub fn named(name: &str) -> Result<Self, UnknownZone> {
        let tz = jiff::tz::db()
            .get(name)
            .map_err(|_| UnknownZone(name.to_owned()))?;
        Ok(Self {
            name: name.to_owned(),
            tz,
        })
    }

    pub fn paris() -> Self {
        Self::named(DEFAULT_ZONE).unwrap_or_else(|_| Self {
            name: "UTC".into(),
            tz: jiff::tz::TimeZone::UTC,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the zone is named beside a time in French: "heure de Paris", or its IANA name.
    pub fn label_fr(&self) -> String {
        match self.name.as_str() {
            DEFAULT_ZONE => "heure de Paris".into(),
            other => other.into(),
        }
    }

    /// The same instant, with this zone's offset at that instant (summer time included).
    pub fn local(&self, at: OffsetDateTime) -> OffsetDateTime {
        let offset = jiff::Timestamp::from_second(at.unix_timestamp())
            .map(|ts| self.tz.to_offset(ts).seconds())
            .ok()
            .and_then(|s| UtcOffset::from_whole_seconds(s).ok())
            .unwrap_or(UtcOffset::UTC);
        at.to_offset(offset)
    }

    /// The calendar day of `at` in this zone.
    pub fn date(&self, at: OffsetDateTime) -> Date {
        self.local(at).date()
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::paris()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn paris_days_and_summer_time() {
        let paris = TimeZone::paris();
        assert_eq!(paris.name(), "Europe/Paris");
        // 23:30 UTC in winter is 00:30 the next day in Paris.
        let at = datetime!(2026-11-27 23:30 UTC);
        assert_eq!(paris.date(at), date!(2026 - 11 - 28));
        assert_eq!(paris.local(at).hour(), 0);
        assert_eq!(paris.local(at).offset().whole_hours(), 1);
        // In summer, two hours ahead.
        assert_eq!(paris.local(datetime!(2026-07-01 12:00 UTC)).hour(), 14);
        // The same instant either way.
        assert_eq!(paris.local(at), at);
    }

    #[test]
    fn other_zones_and_unknown_names() {
        let cayenne = TimeZone::named("America/Cayenne").unwrap();
        assert_eq!(
            cayenne.date(datetime!(2026-11-28 02:00 UTC)),
            date!(2026 - 11 - 27)
        );
        assert_eq!(cayenne.label_fr(), "America/Cayenne");
        assert!(TimeZone::named("Mars/Olympus").is_err());
        assert!(TimeZone::named("").is_err());
    }
}
