//! Subscriber numbers (SPEC §2.11): year, day of the year, 7-digit sequence of that day.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SubscriberNumber {
    registered_on: Date,
    sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriberNumberError {
    #[error("un numéro d'abonné compte 14 chiffres")]
    Format,
    #[error("le numéro d'abonné ne désigne pas un jour valide")]
    Day,
    #[error("le numéro de séquence est hors limites")]
    Sequence,
}

impl SubscriberNumber {
    pub const MAX_SEQUENCE: u32 = 9_999_999;

    pub fn new(registered_on: Date, sequence: u32) -> Result<Self, SubscriberNumberError> {
        if sequence == 0
            || sequence > Self::MAX_SEQUENCE
            || !(0..=9999).contains(&registered_on.year())
        {
            return Err(SubscriberNumberError::Sequence);
        }
        Ok(Self {
            registered_on,
            sequence,
        })
    }

    pub fn registered_on(&self) -> Date {
        self.registered_on
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for SubscriberNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:03}{:07}",
            self.registered_on.year(),
            self.registered_on.ordinal(),
            self.sequence
        )
    }
}

impl FromStr for SubscriberNumber {
    type Err = SubscriberNumberError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 14 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SubscriberNumberError::Format);
        }
        let year: i32 = s[0..4].parse().map_err(|_| SubscriberNumberError::Format)?;
        let ordinal: u16 = s[4..7].parse().map_err(|_| SubscriberNumberError::Format)?;
        let sequence: u32 = s[7..14]
            .parse()
            .map_err(|_| SubscriberNumberError::Format)?;
        let day = Date::from_ordinal_date(year, ordinal).map_err(|_| SubscriberNumberError::Day)?;
        Self::new(day, sequence)
    }
}

impl TryFrom<String> for SubscriberNumber {
    type Error = SubscriberNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<SubscriberNumber> for String {
    fn from(value: SubscriberNumber) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_guides_example_reads_as_21_august_2023() {
        let n: SubscriberNumber = "20232330000101".parse().unwrap();
        assert_eq!(n.registered_on(), date!(2023 - 08 - 21));
        assert_eq!(n.sequence(), 101);
        assert_eq!(n.to_string(), "20232330000101");
    }

    #[test]
    fn builds_from_a_date_and_sequence() {
        let n = SubscriberNumber::new(date!(2024 - 12 - 31), 1).unwrap();
        assert_eq!(n.to_string(), "20243660000001");
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(
            "2023233000010".parse::<SubscriberNumber>(),
            Err(SubscriberNumberError::Format)
        );
        assert_eq!(
            "2023233000010a".parse::<SubscriberNumber>(),
            Err(SubscriberNumberError::Format)
        );
        assert_eq!(
            "20233660000101".parse::<SubscriberNumber>(),
            Err(SubscriberNumberError::Day)
        );
        assert_eq!(
            "20230000000101".parse::<SubscriberNumber>(),
            Err(SubscriberNumberError::Day)
        );
        assert_eq!(
            "20232330000000".parse::<SubscriberNumber>(),
            Err(SubscriberNumberError::Sequence)
        );
        assert_eq!(
            "２０２３２３３００００１０１".parse::<SubscriberNumber>(),
            Err(SubscriberNumberError::Format)
        );
    }
}
