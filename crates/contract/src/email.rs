//! Login e-mail addresses: trimmed, at most 100 characters, compared without regard to case.

use std::fmt;

/// The guide's limit: "The email address must be valid and contain no more than 100 characters."
pub const MAX_EMAIL_CHARS: usize = 100;

/// A valid login address. Equality and hashing use [`LoginEmail::key`], so
/// `Lila@Orange.fr` and `lila@orange.fr` are the same login.
#[derive(Clone)]
pub struct LoginEmail {
    display: String,
    key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("l'adresse électronique est vide")]
    Empty,
    #[error("l'adresse électronique dépasse 100 caractères")]
    TooLong,
    #[error("l'adresse électronique n'est pas valide")]
    Invalid,
}

impl EmailError {
    /// Field code used in API error bodies.
    pub fn code(self) -> &'static str {
        match self {
            EmailError::Empty => "required",
            EmailError::TooLong => "too_long",
            EmailError::Invalid => "invalid_email",
        }
    }
}

impl LoginEmail {
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Invalid)?;
        if !valid_local_part(local) || !valid_domain(domain) {
            return Err(EmailError::Invalid);
        }
        Ok(Self {
            display: trimmed.to_owned(),
            key: trimmed.to_ascii_lowercase(),
        })
    }

    /// The address as the user typed it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.display
    }

    /// The comparison key: the address in lower case.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Words of the address that a password must not lean on (for the strength estimate).
    pub fn context_words(&self) -> Vec<String> {
        let mut words = vec![self.key.clone()];
        if let Some((local, _)) = self.key.split_once('@') {
            words.push(local.to_owned());
            words.extend(
                local
                    .split(['.', '-', '_', '+'])
                    .filter(|w| w.len() >= 3)
                    .map(str::to_owned),
            );
        }
        words
    }
}

impl PartialEq for LoginEmail {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for LoginEmail {}

impl std::hash::Hash for LoginEmail {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl fmt::Debug for LoginEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoginEmail({})", self.display)
    }
}

impl fmt::Display for LoginEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display)
    }
}

fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
}

fn valid_domain(domain: &str) -> bool {
    if domain.is_empty() || domain.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if !labels.iter().all(label_ok) {
        return false;
    }
    let tld = labels[labels.len() - 1];
    tld.len() >= 2 && (tld.chars().all(|c| c.is_ascii_alphabetic()) || tld.starts_with("xn--"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_compares_without_case() {
        let a = LoginEmail::parse("  Lila.Rosemonde@Orange.FR ").unwrap();
        let b = LoginEmail::parse("lila.rosemonde@orange.fr").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "Lila.Rosemonde@Orange.FR");
        assert_eq!(a.key(), "lila.rosemonde@orange.fr");
    }

    #[test]
    fn length_limit_is_100_characters() {
        let local = "a".repeat(64);
        let domain_100 = format!("{}.fr", "b".repeat(100 - 64 - 1 - 3));
        let ok = format!("{local}@{domain_100}");
        assert_eq!(ok.len(), 100);
        assert!(LoginEmail::parse(&ok).is_ok());
        let too_long = format!("{local}@b{domain_100}");
        assert_eq!(LoginEmail::parse(&too_long), Err(EmailError::TooLong));
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "plain",
            "@orange.fr",
            "lila@",
            "lila@orange",
            "lila@@orange.fr",
            "lila..r@orange.fr",
            ".lila@orange.fr",
            "lila@-orange.fr",
            "lila@orange.f",
            "li la@orange.fr",
            "lila@orange.fr\u{0}",
            "lïla@orange.fr",
            "lila@orange.fr\u{202e}",
            "lila@orange..fr",
        ] {
            assert_eq!(LoginEmail::parse(bad), Err(EmailError::Invalid), "{bad:?}");
        }
        assert_eq!(LoginEmail::parse("   "), Err(EmailError::Empty));
    }

    #[test]
    fn context_words_split_the_local_part() {
        let e = LoginEmail::parse("lila.rosemonde@orange.fr").unwrap();
        let words = e.context_words();
        assert!(words.contains(&"rosemonde".to_owned()));
        assert!(words.contains(&"lila.rosemonde".to_owned()));
    }
}
