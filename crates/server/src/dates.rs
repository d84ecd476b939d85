//! Calendar rules: password validity, the stored date form, and French date formatting.

use time::{Date, Month};

/// "2026-08-24": how dates are stored and sent.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub fn parse_date(s: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &format).ok()
}

/// Validity of a password changed on `changed_on`: `years` years minus one day
/// (25 Aug 2023 → 24 Aug 2026). A change on 29 February counts its anniversary as 1 March in a
/// common year, so the password is valid until 28 February.
pub fn password_valid_until(changed_on: Date, years: u8) -> Date {
    let year = changed_on.year() + i32::from(years);
    let anniversary = Date::from_calendar_date(year, changed_on.month(), changed_on.day())
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(Date::MAX);
    anniversary.previous_day().unwrap_or(Date::MIN)
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// "24 août 2026", as the guide's e-mails write dates.
pub fn long_french(date: Date) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS_FR[usize::from(u8::from(date.month())) - 1],
        date.year()
    )
}

/// "24/08/2026", as the home screen writes dates.
pub fn short_french(date: Date) -> String {
    format!(
        "{:02}/{:02}/{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn validity_is_three_years_minus_one_day() {
        assert_eq!(
            password_valid_until(date!(2023 - 08 - 25), 3),
            date!(2026 - 08 - 24)
        );
        assert_eq!(
            password_valid_until(date!(2023 - 01 - 01), 3),
            date!(2025 - 12 - 31)
        );
        assert_eq!(
            password_valid_until(date!(2024 - 02 - 29), 3),
            date!(2027 - 02 - 28)
        );
        assert_eq!(
            password_valid_until(date!(2025 - 03 - 01), 3),
            date!(2028 - 02 - 29)
        );
        assert_eq!(
            password_valid_until(date!(2021 - 02 - 28), 3),
            date!(2024 - 02 - 27)
        );
    }

    #[test]
    fn stored_dates_round_trip() {
        assert_eq!(format_date(date!(2026 - 08 - 04)), "2026-08-04");
        assert_eq!(parse_date("2026-08-04"), Some(date!(2026 - 08 - 04)));
        assert_eq!(parse_date("04/08/2026"), None);
    }

    #[test]
    fn french_formats() {
        assert_eq!(long_french(date!(2026 - 08 - 24)), "24 août 2026");
        assert_eq!(long_french(date!(2026 - 02 - 01)), "1 février 2026");
        assert_eq!(short_french(date!(2024 - 05 - 31)), "31/05/2024");
    }
}
